import type { EntityManager } from 'typeorm';
import { recordHistory } from '../history/history.service';
import { preparedQuery } from '../../db/request-db';

/**
 * Claim.status, derived — the one place the rule lives. With n current verdicts:
 *   - an editor's open dispute mark                          -> DISPUTED
 *   - n = 0                                                  -> UNREVIEWED
 *   - the verdicts disagree                                  -> DISPUTED
 *       on-scale ratings (TRUE 5 .. FALSE 1) more than one step apart, or an off-scale rating
 *       (MISLEADING, UNVERIFIABLE) beside an on-scale one, or two different off-scale ratings
 *   - n < the team's quorum                                  -> IN_REVIEW
 *   - otherwise                                              -> SETTLED
 * It runs as one set-based UPDATE so a quorum change can re-derive a whole team at once.
 * Exported for the benchmark's data generator, which derives the status of its claims with it.
 */
export const DERIVE_SQL = `
  WITH target AS (
    SELECT c.id, c.status AS old_status, c.team_id, c.article_id,
      CASE
        WHEN c.disputed_at IS NOT NULL THEN 'DISPUTED'
        WHEN v.n = 0 THEN 'UNREVIEWED'
        WHEN v.off_n > 0 AND v.on_n > 0 THEN 'DISPUTED'
        WHEN v.off_distinct > 1 THEN 'DISPUTED'
        WHEN v.spread > 1 THEN 'DISPUTED'
        WHEN v.n < t.verdict_quorum THEN 'IN_REVIEW'
        ELSE 'SETTLED'
      END AS new_status
    FROM claims c
    JOIN teams t ON t.id = c.team_id
    CROSS JOIN LATERAL (
      SELECT count(*) AS n,
             count(*) FILTER (WHERE scale IS NULL) AS off_n,
             count(*) FILTER (WHERE scale IS NOT NULL) AS on_n,
             count(DISTINCT rating) FILTER (WHERE scale IS NULL) AS off_distinct,
             coalesce(max(scale) - min(scale), 0) AS spread
      FROM (
        SELECT rating, CASE rating WHEN 'TRUE' THEN 5 WHEN 'MOSTLY_TRUE' THEN 4 WHEN 'MIXED' THEN 3
                                   WHEN 'MOSTLY_FALSE' THEN 2 WHEN 'FALSE' THEN 1 END AS scale
        FROM verdicts WHERE claim_id = c.id AND withdrawn_at IS NULL
      ) current_verdicts
    ) v
    WHERE %WHERE%
  )
  UPDATE claims c SET status = target.new_status
  FROM target
  WHERE c.id = target.id AND target.new_status <> target.old_status
  RETURNING c.id, c.team_id, c.article_id, target.old_status, target.new_status`;

interface StatusChange { id: string; team_id: string; article_id: string; old_status: string; new_status: string }

async function derive(manager: EntityManager, where: string, parameters: unknown[], actorId: string | null): Promise<StatusChange[]> {
  // prepared: planning this statement took 1.5 ms, running it 0.4 ms (bench/explain.ts d)
  const rows = await preparedQuery<StatusChange>(manager, DERIVE_SQL.replace('%WHERE%', where), parameters);
  for (const row of rows) {
    // Derived, but recorded: "what did the desk believe on date X" must be answerable from history.
    await recordHistory(manager, {
      teamId: row.team_id, actorId, entityType: 'Claim', entityId: row.id, claimId: row.id, articleId: row.article_id,
      action: 'STATUS_CHANGE', before: { status: row.old_status }, after: { status: row.new_status },
    });
  }
  return rows;
}

export function refreshClaimStatus(manager: EntityManager, claimIds: string[], actorId: string | null): Promise<StatusChange[]> {
  return derive(manager, 'c.id = ANY($1) AND c.deleted_at IS NULL', [claimIds], actorId);
}

export function refreshTeamClaimStatuses(manager: EntityManager, teamId: string, actorId: string | null): Promise<StatusChange[]> {
  return derive(manager, 'c.team_id = $1 AND c.deleted_at IS NULL', [teamId], actorId);
}
