import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { decodeGlobalId } from '../../shared/ids';
import { DomainError, ErrorCode, badInput } from '../../shared/errors';
import { optionalReason, optionalText, requiredReason } from '../../shared/text';
import { authorize } from '../team/permissions';
import { Claim } from './claim.entity';
import { ClaimStatus } from './claim.enums';
import type { ConfirmClaimTextInput, MarkClaimDisputedInput, PublishClaimInput, ResolveClaimDisputeInput, UnpublishClaimInput } from './claim-workflow.inputs';
import { PublishedVerdict } from './claim-workflow.inputs';
import { TEXT_LIMITS } from '../../shared/text-limits';

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
    const reason = requiredReason(input.reason);
    if (current.disputedAt) throw new DomainError(ErrorCode.ALREADY_EXISTS, 'The claim is already marked disputed; resolve that dispute first');
    const actor = requireActor(this.context);
    return this.writeAndDerive(
      current,
      input.expectedVersion,
      {
        disputedAt: new Date(),
        disputedReason: reason,
        disputedBy: actor.userId,
      },
      'MARK_DISPUTED',
      reason,
    );
  }

  async resolveDispute(input: ResolveClaimDisputeInput): Promise<Claim> {
    const current = await this.editable(input.claimId);
    const reason = optionalReason(input.reason);
    if (!current.disputedAt) throw badInput('The claim is not marked disputed', 'claimId');
    return this.writeAndDerive(
      current,
      input.expectedVersion,
      {
        disputedAt: null,
        disputedReason: null,
        disputedBy: null,
      },
      'RESOLVE_DISPUTE',
      reason,
    );
  }

  /**
   * Publishes the desk's verdict. A claim that is not SETTLED needs `override: true` and a reason
   * (kept in history); without them NOT_SETTLED, with the claim's status. The status is checked
   * under the claim's review lock, so it is the one the publication is made on. A published claim
   * whose words changed since may be published again (re-published) on its new words.
   */
  async publish(input: PublishClaimInput): Promise<Claim> {
    const current = await this.editable(input.claimId);
    const actor = requireActor(this.context);
    const rationale = optionalText(input.rationale, 'rationale', TEXT_LIMITS.rationale.max);
    const reason = optionalReason(input.reason);
    if (input.override && !reason) throw badInput('Publishing with override needs a reason', 'reason');
    const evidenceIds = await this.citedEvidence(current, input.evidenceIds);
    const claims = this.context.services.claims;
    await this.context.db.transaction(async (manager) => {
      await claims.lockForReview(manager, current.id);
      const locked = await manager.findOneByOrFail(Claim, { id: current.id });
      if (locked.publishedAt && locked.publishedQuote === locked.quoteExact) {
        throw new DomainError(ErrorCode.PUBLISHED, 'The claim is already published; unpublish it first');
      }
      if (locked.status !== ClaimStatus.SETTLED && !input.override) {
        throw new DomainError(ErrorCode.NOT_SETTLED, `The claim is ${locked.status}, not SETTLED; to publish it anyway pass override: true and a reason`, {
          status: locked.status,
        });
      }
      await claims.write(
        locked,
        input.expectedVersion,
        {
          publishedRating: input.rating,
          publishedRationale: rationale,
          publishedAt: new Date(),
          publishedBy: actor.userId,
          publishedEvidenceIds: evidenceIds,
          publishedQuote: locked.quoteExact,
        },
        'PUBLISH',
        reason,
        manager,
      );
    });
    this.context.loaders.clear();
    return claims.get(current.id);
  }

  /**
   * An editor's word that the claim's verdicts still hold for its changed words: lifts
   * NEEDS_REREVIEW without a reviewer revising, with the reason in history.
   */
  async confirmText(input: ConfirmClaimTextInput): Promise<Claim> {
    const current = await this.editable(input.claimId);
    const reason = requiredReason(input.reason);
    if (current.judgedQuote === null) throw badInput("The claim's words have not changed since its verdicts were given", 'claimId');
    return this.writeAndDerive(current, input.expectedVersion, { judgedQuote: null }, 'CONFIRM_TEXT', reason);
  }

  async unpublish(input: UnpublishClaimInput): Promise<Claim> {
    const current = await this.editable(input.claimId);
    const reason = optionalReason(input.reason);
    if (!current.publishedAt) throw badInput('The claim is not published', 'claimId');
    return this.writeAndDerive(
      current,
      input.expectedVersion,
      {
        publishedRating: null,
        publishedRationale: null,
        publishedAt: null,
        publishedBy: null,
        publishedEvidenceIds: null,
        publishedQuote: null,
      },
      'UNPUBLISH',
      reason,
    );
  }

  published(claim: Claim): PublishedVerdict | null {
    if (!claim.publishedAt || !claim.publishedRating || !claim.publishedBy) return null;
    return Object.assign(new PublishedVerdict(), {
      rating: claim.publishedRating,
      rationale: claim.publishedRationale,
      publishedAt: claim.publishedAt,
      publishedById: claim.publishedBy,
      evidenceIds: claim.publishedEvidenceIds ?? [],
      quote: claim.publishedQuote ?? claim.quoteExact,
      textChanged: claim.publishedQuote !== null && claim.publishedQuote !== claim.quoteExact,
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
      if (decoded?.type !== 'Evidence') throw badInput('evidenceIds must be Evidence IDs', 'evidenceIds');
      if (!ids.includes(decoded.rawId)) ids.push(decoded.rawId);
    }
    if (ids.length === 0) return [];
    const rows = await this.context.db.query<{ id: string }>('SELECT id FROM evidence WHERE id = ANY($1) AND claim_id = $2 AND removed_at IS NULL', [
      ids,
      claim.id,
    ]);
    if (rows.length !== ids.length) throw badInput('evidenceIds must name current evidence of this claim', 'evidenceIds');
    return ids;
  }
}
