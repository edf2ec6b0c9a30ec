import type { Context } from './shared/context';
import { TeamService } from './modules/team/team.service';
import { ArticleService } from './modules/article/article.service';
import { ClaimService } from './modules/claim/claim.service';
import { SourceService } from './modules/source/source.service';
import { EvidenceService } from './modules/evidence/evidence.service';
import { VerdictService } from './modules/verdict/verdict.service';
import { HistoryQueryService } from './modules/history/history-query.service';
import { NodeService } from './modules/node/node.service';
import { ClaimWorkflowService } from './modules/claim/claim-workflow.service';
import { AssignmentService } from './modules/assignment/assignment.service';
import { CommentService } from './modules/comment/comment.service';
import { AsOfService } from './modules/history/as-of.service';
import { HistoryViewService } from './modules/history/history-view.service';
import { AuthService } from './modules/auth/auth.service';
import { ImportService } from './modules/ingestion/import.service';
import { MemberService } from './modules/team/member.service';
import { ReportService } from './modules/report/report.service';
import { WebhookService } from './modules/webhook/webhook.service';
import { ClaimReviewImportService } from './modules/publishing/claim-review-import.service';

/** The request's services, built on first use; each gets only the request context it needs. */
export class Services {
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly context: Context) {}

  private get<T>(name: string, build: () => T): T {
    let service = this.cache.get(name) as T | undefined;
    if (!service) this.cache.set(name, (service = build()));
    return service;
  }

  get teams(): TeamService {
    return this.get('teams', () => new TeamService(this.context));
  }
  get articles(): ArticleService {
    return this.get('articles', () => new ArticleService(this.context));
  }
  get claims(): ClaimService {
    return this.get('claims', () => new ClaimService(this.context));
  }
  get sources(): SourceService {
    return this.get('sources', () => new SourceService(this.context));
  }
  get evidence(): EvidenceService {
    return this.get('evidence', () => new EvidenceService(this.context));
  }
  get verdicts(): VerdictService {
    return this.get('verdicts', () => new VerdictService(this.context));
  }
  get history(): HistoryQueryService {
    return this.get('history', () => new HistoryQueryService(this.context));
  }
  get imports(): ImportService {
    return this.get('imports', () => new ImportService(this.context));
  }
  get auth(): AuthService {
    return this.get('auth', () => new AuthService(this.context));
  }
  get members(): MemberService {
    return this.get('members', () => new MemberService(this.context));
  }
  get claimWorkflow(): ClaimWorkflowService {
    return this.get('claimWorkflow', () => new ClaimWorkflowService(this.context));
  }
  get assignments(): AssignmentService {
    return this.get('assignments', () => new AssignmentService(this.context));
  }
  get comments(): CommentService {
    return this.get('comments', () => new CommentService(this.context));
  }
  get historyView(): HistoryViewService {
    return this.get('historyView', () => new HistoryViewService(this.context));
  }
  get asOf(): AsOfService {
    return this.get('asOf', () => new AsOfService(this.context));
  }
  get reports(): ReportService {
    return this.get('reports', () => new ReportService(this.context));
  }
  get webhooks(): WebhookService {
    return this.get('webhooks', () => new WebhookService(this.context));
  }
  get claimReviewImports(): ClaimReviewImportService {
    return this.get('claimReviewImports', () => new ClaimReviewImportService(this.context));
  }
  get nodes(): NodeService {
    return this.get('nodes', () => new NodeService(this.context));
  }
}
