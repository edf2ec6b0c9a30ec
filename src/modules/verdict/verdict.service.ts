import type { Context } from '../../shared/context';
import { loadTeamRow } from '../../shared/loaders';
import { requireActor, type Actor } from '../../shared/actor';
import { can } from '../team/permissions';
import { fromGlobalId } from '../../shared/ids';
import { badInput } from '../../shared/errors';
import type { ConnectionArgs, ConnectionResult } from '../../shared/pagination';
import { hydrateJson, nestedConnection, type NestedConnectionSpec } from '../../shared/nested-connection';
import { optionalReason, optionalText } from '../../shared/text';
import { fromLifecycleError } from './lifecycle-errors';
import { Claim } from '../claim/claim.entity';
import { Verdict } from './verdict.entity';
import { User } from '../user/user.entity';
import type { SubmitVerdictInput, WithdrawVerdictInput } from './verdict.inputs';
import { TEXT_LIMITS } from '../../shared/text-limits';

type LifecycleResult = { result: { verdict: Record<string, unknown>; claim: Record<string, unknown> } };

const CLAIM_VERDICTS = (includeWithdrawn: boolean): NestedConnectionSpec<Verdict> => ({
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
});
const CURRENT_VERDICTS = CLAIM_VERDICTS(false);
const ALL_VERDICTS = CLAIM_VERDICTS(true);

/** `Claim.verdicts`, oldest first: the resolver's query and the SQL compiler's (src/http/sql-selection.ts). */
export function claimVerdicts(includeWithdrawn: boolean): NestedConnectionSpec<Verdict> {
  return includeWithdrawn ? ALL_VERDICTS : CURRENT_VERDICTS;
}

export class VerdictService {
  constructor(private readonly context: Context) {}

  async get(verdictId: string): Promise<Verdict> {
    return loadTeamRow(this.context, Verdict, verdictId, 'Verdict');
  }

  forClaim(claim: Claim, args: ConnectionArgs, includeWithdrawn: boolean): Promise<ConnectionResult<Verdict>> {
    // a claim rebuilt by `asOf` shows the verdicts it had then
    if (claim.asOfTime) return this.context.services.asOf.verdictsOfClaim(claim, includeWithdrawn, args);
    return nestedConnection(this.context.db, this.context.loaders, claimVerdicts(includeWithdrawn), claim.id, args);
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
   * history). The write is one statement, `claimgraph_submit_verdict` (verdict-lifecycle.sql):
   * version check under the claim's lock, the verdict bound to the words it judged, its history
   * event, the reviewer's assignment completed, the claim's status re-derived; as its own
   * transaction in one round trip (`RequestDb.mutationStatement`), or in the mutation's savepoint
   * when the request has used the database before. Here: the input is checked, and the teams where
   * the caller may give verdicts (the permission matrix) go in with it.
   */
  async submit(input: SubmitVerdictInput): Promise<{ verdict: Verdict; claim: Claim }> {
    const actor = requireActor(this.context);
    const claimId = fromGlobalId(input.claimId, 'Claim', 'claimId');
    if (input.confidence != null && !(input.confidence >= 0 && input.confidence <= 1)) {
      throw badInput('confidence must be between 0 and 1', 'confidence');
    }
    const rationale = optionalText(input.rationale, 'rationale', TEXT_LIMITS.rationale.max);
    return this.lifecycle(actor, 'SELECT claimgraph_submit_verdict($1, $2, $3::uuid[], $4, $5, $6, $7) AS result', [
      claimId,
      actor.userId,
      this.writableTeams(actor),
      input.rating,
      rationale,
      input.confidence ?? null,
      input.expectedVersion ?? null,
    ]);
  }

  /** Withdraws the caller's verdict (`claimgraph_withdraw_verdict`): the row stays, history WITHDRAW, status re-derived. */
  async withdraw(input: WithdrawVerdictInput): Promise<{ verdict: Verdict; claim: Claim }> {
    const actor = requireActor(this.context);
    const verdictId = fromGlobalId(input.verdictId, 'Verdict', 'verdictId');
    const reason = optionalReason(input.reason);
    return this.lifecycle(actor, 'SELECT claimgraph_withdraw_verdict($1, $2, $3::uuid[], $4, $5) AS result', [
      verdictId,
      actor.userId,
      this.writableTeams(actor),
      input.expectedVersion,
      reason,
    ]);
  }

  private writableTeams(actor: Actor): string[] {
    return actor.teamIds.filter((teamId) => can(actor.roleIn(teamId), 'verdict.write'));
  }

  private async lifecycle(actor: Actor, sql: string, values: unknown[]): Promise<{ verdict: Verdict; claim: Claim }> {
    let result: { verdict: Verdict; claim: Claim };
    try {
      const [row] = await this.context.db.mutationStatement<LifecycleResult>(sql, values);
      const manager = this.context.db.dataSource.manager;
      result = { verdict: hydrateJson(manager, Verdict, row.result.verdict), claim: hydrateJson(manager, Claim, row.result.claim) };
    } catch (error) {
      // (two first submissions by one reviewer cannot both insert: the second waits for the
      // claim's lock, then finds the first's verdict and answers CG409)
      throw fromLifecycleError(error, actor);
    }
    // the payload shows the new state: nothing cached before the write is served after it
    this.context.loaders.clear();
    this.context.loaders.prime(Claim, true, result.claim.id, result.claim);
    return result;
  }
}
