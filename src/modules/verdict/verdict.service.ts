import type { EntityManager } from 'typeorm';
import type { Context } from '../../shared/context';
import { loadTeamRow } from '../../shared/loaders';
import { requireActor } from '../../shared/actor';
import { authorize } from '../team/permissions';
import { fromGlobalId } from '../../shared/ids';
import { DomainError, ErrorCode, badInput, versionConflict } from '../../shared/errors';
import type { ConnectionArgs, ConnectionResult } from '../../shared/pagination';
import { hydrate, nestedConnection } from '../../shared/nested-connection';
import { preparedQuery } from '../../db/request-db';
import { versionedUpdate } from '../../shared/versioned-update';
import { checkText, optionalText } from '../../shared/text';
import { diff, insertWithHistory, recordHistory, snapshot } from '../history/history.service';
import { Claim } from '../claim/claim.entity';
import { Verdict } from './verdict.entity';
import { User } from '../user/user.entity';
import type { SubmitVerdictInput, WithdrawVerdictInput } from './verdict.inputs';

export const VERDICT_FIELDS = ['claimId', 'reviewerId', 'rating', 'rationale', 'confidence', 'version', 'withdrawnAt'] as const;

let currentVerdict: string | null = null;

/** The reviewer's current verdict on a claim (the entity's columns), as one prepared statement. */
function currentVerdictSql(manager: EntityManager): string {
  currentVerdict ??= `SELECT ${manager.connection.getMetadata(Verdict).columns.map((column) => `"${column.databaseName}"`).join(', ')}
    FROM verdicts WHERE claim_id = $1 AND reviewer_id = $2 AND withdrawn_at IS NULL`;
  return currentVerdict;
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

  /** Creates the caller's verdict on a claim, or revises their current one (a new version, kept in history). */
  async submit(input: SubmitVerdictInput): Promise<{ verdict: Verdict; claim: Claim }> {
    const actor = requireActor(this.context);
    const claim = await this.context.services.claims.getByGlobalId(input.claimId, 'claimId');
    authorize(actor, claim.teamId, 'verdict.write', 'Claim');
    if (input.confidence != null && !(input.confidence >= 0 && input.confidence <= 1)) {
      throw badInput('confidence must be between 0 and 1', 'confidence');
    }
    const values = {
      rating: input.rating,
      rationale: optionalText(input.rationale, 'rationale', 20_000),
      confidence: input.confidence ?? null,
    };
    if (input.expectedVersion != null) {
      // Versions only grow, so one already stale before the claim's lock is stale after it: refuse
      // now instead of queueing behind the writers that made it stale. (The check under the lock,
      // in versionedUpdate, stays the one that decides.)
      const [row] = await this.context.db.query<{ version: number }>(
        'SELECT version FROM verdicts WHERE claim_id = $1 AND reviewer_id = $2 AND withdrawn_at IS NULL',
        [claim.id, actor.userId],
        { prepare: true },
      );
      if (row && row.version !== input.expectedVersion) throw versionConflict('Verdict', row.version);
    }
    const verdict = await this.context.db.transaction(async (manager) => {
      await this.context.services.claims.lockForVerdictChange(manager, claim.id);
      const [currentRow] = await preparedQuery(manager, currentVerdictSql(manager), [claim.id, actor.userId]);
      const current = currentRow ? hydrate(manager, Verdict, currentRow) : null;
      let result: Verdict;
      if (!current) {
        if (input.expectedVersion != null) {
          throw new DomainError(ErrorCode.VERSION_CONFLICT, 'You have no current verdict on this claim to revise', { currentVersion: null });
        }
        try {
          result = await insertWithHistory(manager, Verdict, { ...values, teamId: claim.teamId, claimId: claim.id, reviewerId: actor.userId, version: 1 }, (created) => ({
            teamId: claim.teamId, actorId: actor.userId, entityType: 'Verdict', entityId: created.id,
            claimId: claim.id, articleId: claim.articleId, action: 'SUBMIT', after: snapshot(created, VERDICT_FIELDS),
          }));
        } catch (error) {
          // A concurrent first submission by the same reviewer won the unique index.
          if ((error as { driverError?: { constraint?: string } }).driverError?.constraint === 'verdicts_current_key') {
            throw new DomainError(ErrorCode.VERSION_CONFLICT, 'Your verdict on this claim was just created elsewhere', { currentVersion: 1 });
          }
          throw error;
        }
      } else {
        if (input.expectedVersion == null) throw versionConflict('Verdict', current.version);
        const { before, after } = await versionedUpdate(manager, Verdict, 'Verdict', current.id, input.expectedVersion, values, 'withdrawn_at IS NULL', current);
        result = after;
        await recordHistory(manager, {
          teamId: claim.teamId, actorId: actor.userId, entityType: 'Verdict', entityId: result.id,
          claimId: claim.id, articleId: claim.articleId, action: 'REVISE', ...diff(before, after, VERDICT_FIELDS),
        });
      }
      // A verdict answers the reviewer's open assignment on the claim, in the same transaction.
      await this.context.services.assignments.completeOnVerdict(manager, claim, actor.userId);
      await this.context.services.claims.refreshStatus(manager, claim.id);
      return result;
    });
    return { verdict, claim: await this.context.services.claims.get(claim.id) };
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
