import type { Context } from '../../shared/context';
import { loadTeamRow } from '../../shared/loaders';
import { requireActor, type Actor } from '../../shared/actor';
import { authorize, can } from '../team/permissions';
import { fromGlobalId, toGlobalId } from '../../shared/ids';
import { DomainError, ErrorCode, badInput, notFound, versionConflict } from '../../shared/errors';
import type { ConnectionArgs, ConnectionResult } from '../../shared/pagination';
import { hydrateJson, nestedConnection } from '../../shared/nested-connection';
import { versionedUpdate } from '../../shared/versioned-update';
import { checkText, optionalText } from '../../shared/text';
import { diff, recordHistory } from '../history/history.service';
import { Claim } from '../claim/claim.entity';
import { Verdict } from './verdict.entity';
import { User } from '../user/user.entity';
import type { SubmitVerdictInput, WithdrawVerdictInput } from './verdict.inputs';

export const VERDICT_FIELDS = ['claimId', 'reviewerId', 'rating', 'rationale', 'confidence', 'version', 'withdrawnAt'] as const;

/**
 * The errors `claimgraph_submit_verdict` raises (SQLSTATE class CG), as the typed errors of the API.
 * `existingVerdictId` finds the caller's current verdict when the answer should name it.
 */
async function submitError(
  error: unknown, actor: Actor, input: SubmitVerdictInput, existingVerdictId: () => Promise<string | null>,
): Promise<unknown> {
  const driverError = (error as { driverError?: { code?: string; detail?: string } }).driverError;
  switch (driverError?.code) {
    case 'CG404':
      return notFound('Claim');
    case 'CG403':
      // the permission matrix words the refusal (NOT_FOUND outside the team, FORBIDDEN below the role)
      authorize(actor, driverError.detail ?? '', 'verdict.write', 'Claim');
      return new DomainError(ErrorCode.FORBIDDEN, 'You may not give verdicts in this team');
    case 'CG409':
      if (!driverError.detail) {
        return new DomainError(ErrorCode.VERSION_CONFLICT, 'You have no current verdict on this claim to revise', { currentVersion: null });
      }
      if (input.expectedVersion == null) {
        // Not a stale read: the caller did not know they had a verdict. Say so, and how to revise it.
        const version = Number(driverError.detail);
        const verdictId = await existingVerdictId();
        return new DomainError(
          ErrorCode.ALREADY_EXISTS,
          `You already have a verdict on this claim (version ${version}); to revise it, send submitVerdict again with expectedVersion: ${version}`,
          { verdictId, currentVersion: version },
        );
      }
      return versionConflict('Verdict', Number(driverError.detail));
    case 'CG423':
      return new DomainError(ErrorCode.PUBLISHED, 'The claim is published; an editor must unpublish it before verdicts change');
    default:
      // (two first submissions by one reviewer cannot both insert: the second waits for the claim's
      // lock, then finds the first's verdict and answers CG409)
      return error;
  }
}

export class VerdictService {
  constructor(private readonly context: Context) {}

  async get(verdictId: string): Promise<Verdict> {
    return loadTeamRow(this.context, Verdict, verdictId, 'Verdict');
  }

  forClaim(claim: Claim, args: ConnectionArgs, includeWithdrawn: boolean): Promise<ConnectionResult<Verdict>> {
    // a claim rebuilt by `asOf` shows the verdicts it had then
    if (claim.asOfTime) return this.context.services.asOf.verdictsOfClaim(claim, includeWithdrawn, args);
    return nestedConnection(this.context.db, this.context.loaders, {
      name: includeWithdrawn ? 'Claim.verdicts:all' : 'Claim.verdicts',
      entity: Verdict,
      table: 'verdicts',
      parentColumn: 'claim_id',
      filter: includeWithdrawn ? undefined : 't.withdrawn_at IS NULL',
      sort: [
        { expression: 't.created_at', direction: 'ASC', type: 'timestamptz' },
        { expression: 't.id', direction: 'ASC', type: 'uuid' },
      ],
      include: [{ column: 'reviewer_id', entity: User, table: 'users', teamScoped: false }],
    }, claim.id, args);
  }

  /** The caller's current verdict on a claim, batched across claims. */
  async viewerVerdict(claim: Claim): Promise<Verdict | null> {
    const actor = this.context.session.actor;
    if (!actor) return null;
    if (claim.asOfTime) return this.context.services.asOf.viewerVerdictOfClaim(claim);
    return this.context.loaders
      .keyed<string, Verdict | null>('Claim.viewerVerdict', async (claimIds) => {
        const manager = await this.context.db.manager();
        const rows = await manager
          .createQueryBuilder(Verdict, 'verdict')
          .where('verdict.claim_id = ANY(:claimIds) AND verdict.reviewer_id = :userId AND verdict.withdrawn_at IS NULL', {
            claimIds: [...claimIds],
            userId: actor.userId,
          })
          .andWhere('verdict.team_id = ANY(:teamIds)', { teamIds: [...this.context.db.teamIds] })
          .getMany();
        const byClaim = new Map(rows.map((row) => [row.claimId, row]));
        return claimIds.map((id) => byClaim.get(id) ?? null);
      })
      .load(claim.id);
  }

  /**
   * Creates the caller's verdict on a claim, or revises their current one (a new version, kept in
   * history). The write is one statement, `claimgraph_submit_verdict` (migration WritePath):
   * version check under the claim's lock, the verdict, its history event, the reviewer's
   * assignment completed, the claim's status re-derived; as its own transaction in one round trip
   * (`RequestDb.mutationStatement`), or in the mutation's savepoint when the request has used the
   * database before. Here: the input is checked, and the teams where the caller may give verdicts
   * (the permission matrix) go in with it.
   */
  async submit(input: SubmitVerdictInput): Promise<{ verdict: Verdict; claim: Claim }> {
    const actor = requireActor(this.context);
    const claimId = fromGlobalId(input.claimId, 'Claim', 'claimId');
    if (input.confidence != null && !(input.confidence >= 0 && input.confidence <= 1)) {
      throw badInput('confidence must be between 0 and 1', 'confidence');
    }
    const rationale = optionalText(input.rationale, 'rationale', 20_000);
    const writableTeams = actor.teamIds.filter((teamId) => can(actor.roleIn(teamId), 'verdict.write'));
    let result: { verdict: Verdict; claim: Claim };
    try {
      const [row] = await this.context.db.mutationStatement<{ result: { verdict: Record<string, unknown>; claim: Record<string, unknown> } }>(
        'SELECT claimgraph_submit_verdict($1, $2, $3::uuid[], $4, $5, $6, $7) AS result',
        [claimId, actor.userId, writableTeams, input.rating, rationale, input.confidence ?? null, input.expectedVersion ?? null],
      );
      const manager = this.context.db.dataSource.manager;
      result = { verdict: hydrateJson(manager, Verdict, row.result.verdict), claim: hydrateJson(manager, Claim, row.result.claim) };
    } catch (error) {
      throw await submitError(error, actor, input, async () => {
        const [current] = await this.context.db.query<{ id: string }>(
          'SELECT id FROM verdicts WHERE claim_id = $1 AND reviewer_id = $2 AND withdrawn_at IS NULL', [claimId, actor.userId],
        );
        return current ? toGlobalId('Verdict', current.id) : null;
      });
    }
    // the payload shows the new state: nothing cached before the write is served after it
    this.context.loaders.clear();
    this.context.loaders.prime(Claim, true, result.claim.id, result.claim);
    return result;
  }

  async withdraw(input: WithdrawVerdictInput): Promise<{ verdict: Verdict; claim: Claim }> {
    const actor = requireActor(this.context);
    const current = await this.get(fromGlobalId(input.verdictId, 'Verdict', 'verdictId'));
    authorize(actor, current.teamId, 'verdict.write', 'Verdict');
    if (current.reviewerId !== actor.userId) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Only the reviewer who gave a verdict may withdraw it');
    }
    const reason = input.reason != null ? checkText(input.reason, 'reason', { max: 5000 }).trim() : null;
    const claim = await this.context.services.claims.get(current.claimId);
    const verdict = await this.context.db.transaction(async (manager) => {
      await this.context.services.claims.lockForVerdictChange(manager, claim.id);
      const { before, after } = await versionedUpdate(
        manager, Verdict, 'Verdict', current.id, input.expectedVersion, { withdrawnAt: new Date() }, 'withdrawn_at IS NULL',
      );
      await recordHistory(manager, {
        teamId: after.teamId, actorId: actor.userId, entityType: 'Verdict', entityId: after.id,
        claimId: after.claimId, articleId: claim.articleId, action: 'WITHDRAW', reason, ...diff(before, after, VERDICT_FIELDS),
      });
      await this.context.services.claims.refreshStatus(manager, claim.id);
      return after;
    });
    return { verdict, claim: await this.context.services.claims.get(claim.id) };
  }
}
