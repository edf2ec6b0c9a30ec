import type { EntityManager } from 'typeorm';
import { preparedQuery } from '../../db/request-db';

/**
 * Claim.status is derived from a claim's current verdicts, its dispute mark, whether a revision
 * changed the words its verdicts judged, and the team's quorum. The rule lives in one place,
 * `claimgraph_derive_claim_status` in src/modules/verdict/verdict-lifecycle.sql (where it is
 * written out); `claimgraph_refresh_claim_status` re-derives the given claims in one set-based
 * UPDATE and records a STATUS_CHANGE history event for each claim whose status changed. The
 * verdict writes call it in their own statement; everything else that changes an input of the
 * rule (dispute marks, revisions, the quorum) calls it through here, under the claim's review lock.
 */
export interface StatusChange {
  id: string;
  team_id: string;
  article_id: string;
  old_status: string;
  new_status: string;
}

export function refreshClaimStatus(manager: EntityManager, claimIds: string[], actorId: string | null): Promise<StatusChange[]> {
  return preparedQuery<StatusChange>(manager, 'SELECT * FROM claimgraph_refresh_claim_status($1::uuid[], $2::uuid)', [claimIds, actorId]);
}

/** After a quorum change: waits for the team's verdict writes in flight (its review lock, exclusive), then re-derives every claim. */
export async function refreshTeamClaimStatuses(manager: EntityManager, teamId: string, actorId: string | null): Promise<void> {
  await preparedQuery(manager, 'SELECT claimgraph_refresh_team_claim_statuses($1, $2::uuid)', [teamId, actorId]);
}

/** The claim's review lock (the team's, shared, then the claim's row); whether it is published. */
export async function lockClaimForReview(manager: EntityManager, claimId: string): Promise<boolean> {
  const [row] = await preparedQuery<{ published: boolean }>(manager, 'SELECT claimgraph_lock_claim_for_review($1) AS published', [claimId]);
  return row.published;
}

/** The team's review lock, shared: take it before the row lock of any of the team's claims whose status may change. */
export async function lockTeamForReview(manager: EntityManager, teamId: string): Promise<void> {
  await preparedQuery(manager, 'SELECT claimgraph_lock_team_review($1, false)', [teamId]);
}
