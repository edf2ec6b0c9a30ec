import type { EntityManager } from 'typeorm';
import { preparedQuery } from '../../db/request-db';

/**
 * Claim.status is derived from a claim's current verdicts, its dispute mark and the team's quorum.
 * The rule lives in one place, the database function `claimgraph_refresh_claim_status` (migration
 * WritePath, where the rule is written out): it re-derives the given claims in one
 * set-based UPDATE and records a STATUS_CHANGE history event for each claim whose status changed.
 * The verdict write calls it in the same statement; everything else that changes an input of the
 * rule (withdrawals, dispute marks, the quorum) calls it through here.
 */
export interface StatusChange { id: string; team_id: string; article_id: string; old_status: string; new_status: string }

export function refreshClaimStatus(manager: EntityManager, claimIds: string[], actorId: string | null): Promise<StatusChange[]> {
  return preparedQuery<StatusChange>(manager, 'SELECT * FROM claimgraph_refresh_claim_status($1::uuid[], $2::uuid)', [claimIds, actorId]);
}

export function refreshTeamClaimStatuses(manager: EntityManager, teamId: string, actorId: string | null): Promise<StatusChange[]> {
  return preparedQuery<StatusChange>(
    manager,
    `SELECT * FROM claimgraph_refresh_claim_status(
       ARRAY(SELECT id FROM claims WHERE team_id = $1 AND deleted_at IS NULL), $2::uuid)`,
    [teamId, actorId],
  );
}
