import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { decodeGlobalId } from '../../shared/ids';
import { DomainError, ErrorCode, badInput } from '../../shared/errors';
import { checkText, optionalText } from '../../shared/text';
import { authorize } from '../team/permissions';
import type { Claim } from './claim.entity';
import type {
  MarkClaimDisputedInput, PublishClaimInput, ResolveClaimDisputeInput, UnpublishClaimInput,
} from './claim-workflow.inputs';
import { PublishedVerdict } from './claim-workflow.inputs';

const MAX_CITED_EVIDENCE = 100;

/**
 * An editor's steps on a claim beyond the reviewers' verdicts: marking and resolving a dispute,
 * publishing and unpublishing the desk's verdict. Each is a versioned claim write through
 * ClaimService.write (version bump + history in the same transaction), under the claim's review
 * lock so verdict writes and these steps never interleave.
 */
export class ClaimWorkflowService {
  constructor(private readonly context: Context) {}

  async markDisputed(input: MarkClaimDisputedInput): Promise<Claim> {
    const current = await this.editable(input.claimId);
    const reason = checkText(input.reason, 'reason', { max: 5000 }).trim();
    if (current.disputedAt) throw new DomainError(ErrorCode.ALREADY_EXISTS, 'The claim is already marked disputed; resolve that dispute first');
    const actor = requireActor(this.context);
    return this.writeAndDerive(current, input.expectedVersion, {
      disputedAt: new Date(), disputedReason: reason, disputedBy: actor.userId,
    }, 'MARK_DISPUTED', reason);
  }

  async resolveDispute(input: ResolveClaimDisputeInput): Promise<Claim> {
    const current = await this.editable(input.claimId);
    const reason = optionalText(input.reason, 'reason', 5000);
    if (!current.disputedAt) throw badInput('The claim is not marked disputed', 'claimId');
    return this.writeAndDerive(current, input.expectedVersion, {
      disputedAt: null, disputedReason: null, disputedBy: null,
    }, 'RESOLVE_DISPUTE', reason);
  }

  async publish(input: PublishClaimInput): Promise<Claim> {
    const current = await this.editable(input.claimId);
    const actor = requireActor(this.context);
    if (current.publishedAt) throw new DomainError(ErrorCode.PUBLISHED, 'The claim is already published; unpublish it first');
    const rationale = optionalText(input.rationale, 'rationale', 20_000);
    const evidenceIds = await this.citedEvidence(current, input.evidenceIds);
    return this.writeAndDerive(current, input.expectedVersion, {
      publishedRating: input.rating,
      publishedRationale: rationale,
      publishedAt: new Date(),
      publishedBy: actor.userId,
      publishedEvidenceIds: evidenceIds,
    }, 'PUBLISH', null);
  }

  async unpublish(input: UnpublishClaimInput): Promise<Claim> {
    const current = await this.editable(input.claimId);
    const reason = optionalText(input.reason, 'reason', 5000);
    if (!current.publishedAt) throw badInput('The claim is not published', 'claimId');
    return this.writeAndDerive(current, input.expectedVersion, {
      publishedRating: null, publishedRationale: null, publishedAt: null, publishedBy: null, publishedEvidenceIds: null,
    }, 'UNPUBLISH', reason);
  }

  published(claim: Claim): PublishedVerdict | null {
    if (!claim.publishedAt || !claim.publishedRating || !claim.publishedBy) return null;
    return Object.assign(new PublishedVerdict(), {
      rating: claim.publishedRating,
      rationale: claim.publishedRationale,
      publishedAt: claim.publishedAt,
      publishedById: claim.publishedBy,
      evidenceIds: claim.publishedEvidenceIds ?? [],
    });
  }

  private async editable(globalId: string): Promise<Claim> {
    const actor = requireActor(this.context);
    const claim = await this.context.services.claims.getByGlobalId(globalId, 'claimId');
    authorize(actor, claim.teamId, 'claim.review', 'Claim');
    return claim;
  }

  private async writeAndDerive(current: Claim, expectedVersion: number, changes: Partial<Claim>, action: string, reason: string | null): Promise<Claim> {
    const claims = this.context.services.claims;
    await this.context.db.transaction(async (manager) => {
      await claims.lockForReview(manager, current.id);
      await claims.write(current, expectedVersion, changes, action, reason, manager);
      // a dispute mark overrides the verdicts; its removal hands status back to them
      await claims.refreshStatus(manager, current.id);
    });
    this.context.loaders.clear();
    return claims.get(current.id);
  }

  /** Raw ids of the evidence to cite: all current evidence by default, else the given ones of this claim. */
  private async citedEvidence(claim: Claim, requested: string[] | null | undefined): Promise<string[]> {
    if (requested == null) {
      const rows = await this.context.db.query<{ id: string }>(
        'SELECT id FROM evidence WHERE claim_id = $1 AND removed_at IS NULL ORDER BY created_at, id LIMIT $2',
        [claim.id, MAX_CITED_EVIDENCE],
      );
      return rows.map((row) => row.id);
    }
    if (requested.length > MAX_CITED_EVIDENCE) throw badInput(`Cite at most ${MAX_CITED_EVIDENCE} pieces of evidence`, 'evidenceIds');
    const ids: string[] = [];
    for (const globalId of requested) {
      const decoded = decodeGlobalId(globalId);
      if (!decoded || decoded.type !== 'Evidence') throw badInput('evidenceIds must be Evidence IDs', 'evidenceIds');
      if (!ids.includes(decoded.rawId)) ids.push(decoded.rawId);
    }
    if (ids.length === 0) return [];
    const rows = await this.context.db.query<{ id: string }>(
      'SELECT id FROM evidence WHERE id = ANY($1) AND claim_id = $2 AND removed_at IS NULL',
      [ids, claim.id],
    );
    if (rows.length !== ids.length) throw badInput('evidenceIds must name current evidence of this claim', 'evidenceIds');
    return ids;
  }
}
