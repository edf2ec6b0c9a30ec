import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { ClaimKind, ClaimStatus, Sourcing } from '../claim/claim.enums';
import { Stance } from '../evidence/evidence.entity';
import { Rating } from '../verdict/rating';
import type { ReportFieldNames, ReportFilterInput, ReportScope } from './report.filter';
import type { ReportEvidence, ReportRow, ReportVerdict } from './report-row';

@InputType('VerdictReportFilter', { description: 'Which claims a verdict report covers. Lists match any of their values.' })
export class VerdictReportFilter {
  @Field(() => ID) teamId: string;
  @Field(() => [ID], { nullable: true, description: 'Only these articles (at most 1000).' }) articleIds?: string[] | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Articles published at or after.' }) publishedFrom?: Date | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Articles published before.' }) publishedTo?: Date | null;
  @Field(() => [ClaimStatus], { nullable: true }) status?: ClaimStatus[] | null;
  @Field(() => [Sourcing], { nullable: true }) sourcing?: Sourcing[] | null;
  @Field(() => [Rating], { nullable: true, description: 'Claims with a current verdict of one of these ratings.' }) rating?: Rating[] | null;
  @Field(() => ID, { nullable: true, description: 'Claims with a current verdict by this reviewer (a User ID).' }) reviewerId?: string | null;
}

export function filterInput(filter: VerdictReportFilter): ReportFilterInput {
  return {
    team: filter.teamId,
    articleIds: filter.articleIds,
    publishedFrom: filter.publishedFrom,
    publishedTo: filter.publishedTo,
    status: filter.status,
    sourcing: filter.sourcing,
    rating: filter.rating,
    reviewer: filter.reviewerId,
    names: GRAPHQL_FIELD_NAMES,
  };
}

const GRAPHQL_FIELD_NAMES: ReportFieldNames = {
  team: 'filter.teamId',
  articleIds: 'filter.articleIds',
  publishedFrom: 'filter.publishedFrom',
  publishedTo: 'filter.publishedTo',
  reviewer: 'filter.reviewerId',
};

/** The resolved report; its fields are resolved (and their queries run) only when asked for. */
@ObjectType('VerdictReport', { description: 'Rows and aggregate figures of the claims a filter selects, from one snapshot.' })
export class VerdictReport {
  constructor(
    readonly input: ReportFilterInput,
    readonly scope: ReportScope,
  ) {}
}

@ObjectType('ReportVerdict', { description: "One reviewer's current verdict in a report row." })
export class ReportVerdictType {
  @Field(() => ID, { description: 'The Verdict ID.' }) id: string;
  reviewerId: string;
  @Field(() => String) reviewerName: string;
  @Field(() => Rating) rating: Rating;
  @Field(() => String, { nullable: true }) rationale: string | null;
  @Field(() => Float, { nullable: true }) confidence: number | null;
  @Field(() => DateTimeResolver) updatedAt: Date;

  static from(verdict: ReportVerdict, globalId: string): ReportVerdictType {
    return Object.assign(new ReportVerdictType(), verdict, { id: globalId, updatedAt: new Date(verdict.updatedAt) });
  }
}

@ObjectType('ReportEvidence', { description: 'Evidence attached to a claim, as a report lists it.' })
export class ReportEvidenceType {
  @Field(() => ID, { description: 'The Evidence ID.' }) id: string;
  @Field(() => String, { nullable: true }) url: string | null;
  @Field(() => Stance) stance: Stance;
  @Field(() => String, { nullable: true }) quotedPassage: string | null;
  @Field(() => String, { nullable: true, description: "The cited source's name (or descriptor)." }) sourceName: string | null;
  @Field(() => Boolean, { description: 'Cited by the published verdict.' }) published: boolean;

  static from(evidence: ReportEvidence, globalId: string): ReportEvidenceType {
    return Object.assign(new ReportEvidenceType(), evidence, { id: globalId });
  }
}

@ObjectType('VerdictReportRow', { description: 'A claim with its article, speaker, verdicts, publication and evidence.' })
export class VerdictReportRow {
  constructor(readonly row: ReportRow) {}

  @Field(() => String) get quote(): string {
    return this.row.quote;
  }
  @Field(() => ClaimKind) get kind(): ClaimKind {
    return this.row.kind;
  }
  @Field(() => Sourcing) get sourcing(): Sourcing {
    return this.row.sourcing;
  }
  @Field(() => ClaimStatus) get status(): ClaimStatus {
    return this.row.status;
  }
  @Field(() => String, { nullable: true, description: "The speaker's name, or the descriptor of an anonymous one." })
  get speakerName(): string | null {
    return this.row.speaker ? (this.row.speaker.name ?? this.row.speaker.descriptor) : null;
  }
  @Field(() => Rating, { nullable: true, description: 'For a SETTLED claim: the median of its agreeing verdicts, a half step rounded toward MIXED.' })
  get consensusRating(): Rating | null {
    return this.row.consensusRating;
  }
  @Field(() => Rating, { nullable: true }) get publishedRating(): Rating | null {
    return this.row.published?.rating ?? null;
  }
  @Field(() => String, { nullable: true }) get publishedRationale(): string | null {
    return this.row.published?.rationale ?? null;
  }
  @Field(() => DateTimeResolver, { nullable: true }) get publishedAt(): Date | null {
    return this.row.published?.at ?? null;
  }
  @Field(() => DateTimeResolver, { description: 'When the claim was created.' }) get importedAt(): Date {
    return this.row.importedAt;
  }
  @Field(() => DateTimeResolver, { nullable: true, description: 'When it first became SETTLED (only while SETTLED).' })
  get settledAt(): Date | null {
    return this.row.settledAt;
  }
}

@ObjectType('RatingCount')
export class RatingCount {
  @Field(() => Rating) rating: Rating;
  @Field(() => String, { description: 'As a reader sees it, e.g. "Mostly true".' }) label: string;
  @Field(() => Int) count: number;
}

@ObjectType('StatusCount')
export class StatusCount {
  @Field(() => ClaimStatus) status: ClaimStatus;
  @Field(() => Int) count: number;
}

@ObjectType('SourcingCount')
export class SourcingCount {
  @Field(() => Sourcing) sourcing: Sourcing;
  @Field(() => Int) count: number;
}

@ObjectType('ReviewerFigures', { description: "One reviewer's current verdicts on the report's claims." })
export class ReviewerFigures {
  reviewerId: string;
  @Field(() => String) reviewerName: string;
  @Field(() => Int) verdicts: number;
  @Field(() => [RatingCount]) byRating: RatingCount[];
}

export enum AgreementLevel {
  NOMINAL = 'NOMINAL',
  ORDINAL = 'ORDINAL',
}
registerEnumType(AgreementLevel, {
  name: 'AgreementLevel',
  valuesConfig: {
    NOMINAL: { description: 'All seven ratings as unordered categories.' },
    ORDINAL: { description: 'The TRUE..FALSE scale as ranks; MISLEADING and UNVERIFIABLE verdicts left out.' },
  },
});

@ObjectType('ReviewerAgreement', { description: "Inter-reviewer agreement on the report's claims: units are claims, coders reviewers." })
export class ReviewerAgreement {
  @Field(() => String, { description: 'The statistic, named in full.' }) method: string;
  @Field(() => AgreementLevel) level: AgreementLevel;
  @Field(() => Float, {
    nullable: true,
    description: '1 perfect, 0 chance, below 0 systematic disagreement; null when undefined (no pairable values, or no variation).',
  })
  alpha: number | null;
  @Field(() => Int, { description: 'Claims with at least two current verdicts at this level.' }) units: number;
  @Field(() => Float, { description: 'Values in those claims.' }) pairableValues: number;
  @Field(() => [Rating], { description: 'The ratings this level counts.' }) categories: Rating[];
}

@ObjectType('ArticleSourcing', { description: "How one article's claims in the report are sourced." })
export class ArticleSourcingType {
  articleId: string;
  @Field(() => String) title: string;
  @Field(() => Int) claims: number;
  @Field(() => Int) sourced: number;
  @Field(() => Int) anonymous: number;
  @Field(() => Int) unsourced: number;
}

@ObjectType('VerdictReportDownloads', { description: 'Paths (on this server) that stream the whole report; send the same credentials.' })
export class VerdictReportDownloads {
  @Field(() => String) csv: string;
  @Field(() => String) jsonLines: string;
  @Field(() => String, { description: 'schema.org ClaimReview JSON-LD of the published claims.' }) claimReview: string;
  @Field(() => String, { description: 'A self-contained HTML report with charts.' }) html: string;
}
