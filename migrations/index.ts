import { Initial1764390000000 } from './1764390000000-Initial';
import { AuthAndRowLevelSecurity1764395000000 } from './1764395000000-AuthAndRowLevelSecurity';
import { ReviewWorkflow1764400000000 } from './1764400000000-ReviewWorkflow';
import { Ingestion1764420000000 } from './1764420000000-Ingestion';
import { RlsPolicyInitPlan1764430000000 } from './1764430000000-RlsPolicyInitPlan';
import { WritePath1764440000000 } from './1764440000000-WritePath';
import { SqlRoutines1764500000000 } from './1764500000000-SqlRoutines';
import { ReviewIntegrity1764500000001 } from './1764500000001-ReviewIntegrity';
import { DuplicateArticles1764510000000 } from './1764510000000-DuplicateArticles';
import { PublicFactChecks1764530000000 } from './1764530000000-PublicFactChecks';
import { Webhooks1764531000000 } from './1764531000000-Webhooks';
import { ExternalClaimReviews1764532000000 } from './1764532000000-ExternalClaimReviews';
import { PublicTextChanged1764533000000 } from './1764533000000-PublicTextChanged';
import { TeamPeople1764534000000 } from './1764534000000-TeamPeople';
import { ReportFigures1764543000000 } from './1764543000000-ReportFigures';
import { ReportPeriodFigures1764570000000 } from './1764570000000-ReportPeriodFigures';
import { CredentialWall1764520000000 } from './1764520000000-CredentialWall';
import { TeamInvitations1764520001000 } from './1764520001000-TeamInvitations';
import { PasswordCheckInDatabase1764540000000 } from './1764540000000-PasswordCheckInDatabase';

/** Every migration, oldest first. Listed explicitly so tsx, vitest and a build all load the same set. */
export const migrations = [
  Initial1764390000000,
  AuthAndRowLevelSecurity1764395000000,
  ReviewWorkflow1764400000000,
  Ingestion1764420000000,
  RlsPolicyInitPlan1764430000000,
  WritePath1764440000000,
  SqlRoutines1764500000000,
  ReviewIntegrity1764500000001,
  DuplicateArticles1764510000000,
  CredentialWall1764520000000,
  TeamInvitations1764520001000,
  PublicFactChecks1764530000000,
  Webhooks1764531000000,
  ExternalClaimReviews1764532000000,
  PublicTextChanged1764533000000,
  TeamPeople1764534000000,
  PasswordCheckInDatabase1764540000000,
  ReportFigures1764543000000,
  ReportPeriodFigures1764570000000,
];
