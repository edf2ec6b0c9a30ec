import { MigrationInterface, QueryRunner } from 'typeorm';

/** ISO-8601 in UTC with milliseconds, exactly as JavaScript's Date#toISOString writes history payloads. */
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * The verdict write and status derivation as this migration created them. Since then they live in
 * src/modules/verdict/verdict-lifecycle.sql; the migration that moved them there puts these back
 * in its down.
 */
export const WRITE_PATH_FUNCTIONS = `
      CREATE FUNCTION claimgraph_refresh_claim_status(p_claim_ids uuid[], p_actor_id uuid)
      RETURNS TABLE (id uuid, team_id uuid, article_id uuid, old_status text, new_status text)
      LANGUAGE plpgsql
      -- Without this, Postgres plans the derivation on every call: the generic plan's estimate
      -- for "id = ANY (p_claim_ids)" (10 rows) never beats a custom plan's (1 row), though the
      -- generic plan is the same index walk (bench/README.md has the write rate it costs).
      SET plan_cache_mode = force_generic_plan
      AS $$
      #variable_conflict use_column
      BEGIN
        RETURN QUERY
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
          WHERE c.id = ANY (p_claim_ids) AND c.deleted_at IS NULL
        ), changed AS (
          UPDATE claims c SET status = target.new_status
          FROM target
          WHERE c.id = target.id AND target.new_status <> target.old_status
          RETURNING c.id, c.team_id, c.article_id, target.old_status, target.new_status
        ), recorded AS (
          INSERT INTO history_events (team_id, actor_id, entity_type, entity_id, action, before, after, claim_id, article_id)
          SELECT changed.team_id, p_actor_id, 'Claim', changed.id, 'STATUS_CHANGE',
                 jsonb_build_object('status', changed.old_status), jsonb_build_object('status', changed.new_status),
                 changed.id, changed.article_id
          FROM changed
        )
        SELECT changed.id, changed.team_id, changed.article_id, changed.old_status, changed.new_status FROM changed;
      END $$;

      CREATE FUNCTION claimgraph_submit_verdict(
        p_claim_id uuid, p_reviewer_id uuid, p_writable_team_ids uuid[],
        p_rating text, p_rationale text, p_confidence real, p_expected_version integer)
      RETURNS jsonb LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        v_team_id uuid;
        v_article_id uuid;
        v_published boolean;
        v_seen_version integer;
        v_current verdicts%ROWTYPE;
        v_verdict verdicts%ROWTYPE;
        v_before jsonb;
        v_after jsonb;
      BEGIN
        SELECT c.team_id, v.version INTO v_team_id, v_seen_version
          FROM claims c
          LEFT JOIN verdicts v ON v.claim_id = c.id AND v.reviewer_id = p_reviewer_id AND v.withdrawn_at IS NULL
          WHERE c.id = p_claim_id AND c.deleted_at IS NULL;
        IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'CG404', MESSAGE = 'claim not found'; END IF;
        IF NOT v_team_id = ANY (p_writable_team_ids) THEN
          RAISE EXCEPTION USING ERRCODE = 'CG403', MESSAGE = 'not allowed to give verdicts in this team', DETAIL = v_team_id::text;
        END IF;
        -- Versions only grow, so one already stale before the claim's lock is stale after it:
        -- refuse now instead of queueing behind the writers that made it stale. (The check under
        -- the lock, below, stays the one that decides.)
        IF p_expected_version IS NOT NULL AND v_seen_version IS NOT NULL AND v_seen_version <> p_expected_version THEN
          RAISE EXCEPTION USING ERRCODE = 'CG409', MESSAGE = 'verdict version conflict', DETAIL = v_seen_version::text;
        END IF;

        -- Serialises the verdict writes of one claim. Status is derived from all current verdicts;
        -- two reviewers submitting at once would each count only their own uncommitted verdict
        -- (write skew). Holding the claim row makes the second wait, and under READ COMMITTED its
        -- next statement sees the first one's verdict. Publishing takes the same lock, so a verdict
        -- cannot slip in between "is it published?" and the publish itself.
        SELECT c.article_id, c.published_at IS NOT NULL INTO v_article_id, v_published
          FROM claims c WHERE c.id = p_claim_id AND c.deleted_at IS NULL FOR NO KEY UPDATE;
        IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'CG404', MESSAGE = 'claim not found'; END IF;
        IF v_published THEN RAISE EXCEPTION USING ERRCODE = 'CG423', MESSAGE = 'claim is published'; END IF;

        SELECT * INTO v_current FROM verdicts
          WHERE claim_id = p_claim_id AND reviewer_id = p_reviewer_id AND withdrawn_at IS NULL;
        IF NOT FOUND THEN
          IF p_expected_version IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'CG409', MESSAGE = 'no current verdict to revise', DETAIL = '';
          END IF;
          INSERT INTO verdicts (team_id, claim_id, reviewer_id, rating, rationale, confidence, version)
            VALUES (v_team_id, p_claim_id, p_reviewer_id, p_rating, p_rationale, p_confidence, 1)
            RETURNING * INTO v_verdict;
          INSERT INTO history_events (team_id, actor_id, entity_type, entity_id, action, before, after, claim_id, article_id)
            VALUES (v_team_id, p_reviewer_id, 'Verdict', v_verdict.id, 'SUBMIT', NULL, jsonb_build_object(
              'claimId', v_verdict.claim_id, 'reviewerId', v_verdict.reviewer_id, 'rating', v_verdict.rating,
              'rationale', v_verdict.rationale, 'confidence', v_verdict.confidence, 'version', v_verdict.version,
              'withdrawnAt', NULL), p_claim_id, v_article_id);
        ELSE
          IF p_expected_version IS NULL OR v_current.version <> p_expected_version THEN
            RAISE EXCEPTION USING ERRCODE = 'CG409', MESSAGE = 'verdict version conflict', DETAIL = v_current.version::text;
          END IF;
          UPDATE verdicts SET rating = p_rating, rationale = p_rationale, confidence = p_confidence,
                              version = version + 1, updated_at = now()
            WHERE id = v_current.id
            RETURNING * INTO v_verdict;
          -- the fields that changed, before and after (the version always does)
          SELECT coalesce(jsonb_object_agg(b.key, b.value), '{}'), coalesce(jsonb_object_agg(a.key, a.value), '{}')
            INTO v_before, v_after
            FROM jsonb_each(jsonb_build_object('rating', v_current.rating, 'rationale', v_current.rationale,
                   'confidence', v_current.confidence, 'version', v_current.version)) b
            JOIN jsonb_each(jsonb_build_object('rating', v_verdict.rating, 'rationale', v_verdict.rationale,
                   'confidence', v_verdict.confidence, 'version', v_verdict.version)) a ON a.key = b.key
            WHERE a.value <> b.value;
          INSERT INTO history_events (team_id, actor_id, entity_type, entity_id, action, before, after, claim_id, article_id)
            VALUES (v_team_id, p_reviewer_id, 'Verdict', v_verdict.id, 'REVISE', v_before, v_after, p_claim_id, v_article_id);
        END IF;

        -- A verdict answers the reviewer's open assignment on the claim, in the same transaction.
        WITH completed AS (
          UPDATE assignments SET completed_at = now(), updated_at = now(), version = version + 1
            WHERE claim_id = p_claim_id AND reviewer_id = p_reviewer_id AND completed_at IS NULL AND cancelled_at IS NULL
            RETURNING id, team_id, version, completed_at
        )
        INSERT INTO history_events (team_id, actor_id, entity_type, entity_id, action, before, after, claim_id, article_id)
          SELECT completed.team_id, p_reviewer_id, 'Assignment', completed.id, 'COMPLETE',
                 jsonb_build_object('completedAt', NULL, 'version', completed.version - 1),
                 jsonb_build_object('completedAt', to_char(completed.completed_at AT TIME ZONE 'UTC', ${ISO}), 'version', completed.version),
                 p_claim_id, v_article_id
            FROM completed;

        PERFORM claimgraph_refresh_claim_status(ARRAY[p_claim_id], p_reviewer_id);

        RETURN jsonb_build_object(
          'verdict', to_jsonb(v_verdict),
          'claim', (SELECT to_jsonb(c) - 'search_tsv' - 'search_config' FROM claims c WHERE c.id = p_claim_id));
      END $$;
`;

/**
 * The write path, made cheap enough for 300 verdict writes/s on two cores (bench (d)):
 *
 * 1. A verdict write in one statement. `submitVerdict` used to be a dozen round trips (read the
 *    claim, check the version, lock the claim, read the verdict, update it, record history,
 *    complete the reviewer's assignment, re-derive the claim's status and record that, read the
 *    claim back); each cost Node and Postgres more than the work itself. The service keeps what
 *    is the service's: it validates the input, decides who may write (the permission matrix in
 *    src/modules/team/permissions.ts, passed in as the teams where the caller may) and turns the
 *    errors below into typed GraphQL errors. The functions run as the caller (SECURITY INVOKER),
 *    so row-level security applies to every statement in them. Errors, raised with SQLSTATEs of
 *    their own class so nothing else is mistaken for them:
 *      CG404 the claim is missing, deleted or in another team     CG403 DETAIL: the claim's team
 *      CG409 version conflict, DETAIL: the current version ('' when there is no current verdict)
 *      CG423 the claim is published
 *
 * 2. Claim.status is derived by `claimgraph_refresh_claim_status` — the one place the rule lives.
 *    With n current verdicts:
 *      - an editor's open dispute mark                          -> DISPUTED
 *      - n = 0                                                  -> UNREVIEWED
 *      - the verdicts disagree                                  -> DISPUTED
 *          on-scale ratings (TRUE 5 .. FALSE 1) more than one step apart, or an off-scale rating
 *          (MISLEADING, UNVERIFIABLE) beside an on-scale one, or two different off-scale ratings
 *      - n < the team's quorum                                  -> IN_REVIEW
 *      - otherwise                                              -> SETTLED
 *    Derived, but recorded: each change is a STATUS_CHANGE history event, so "what did the desk
 *    believe on date X" is answerable from history. plpgsql, not SQL functions: plpgsql keeps its
 *    statements' plans for the connection.
 *
 * 3. No NOTIFY per history event. A transaction that notifies holds Postgres's global notify
 *    lock through its commit, WAL flush included, so all writers would queue behind each other
 *    (figures in bench/README.md). Live subscriptions read history_events by the writing transaction's id (`txid`, a column default, indexed):
 *    see src/modules/live/event-hub.ts.
 *
 * 4. History keeps ids, not foreign keys (see below).
 */
export class WritePath1764440000000 implements MigrationInterface {
  name = 'WritePath1764440000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ${WRITE_PATH_FUNCTIONS}
      -- History keeps ids, not foreign keys. Every event's team_id and actor_id check locked the
      -- team's and the user's row (FOR KEY SHARE): all writers of a team queued on one row and
      -- turned its lock into a MultiXact per write (figures in bench/README.md). Teams and users are never deleted (the application role has no
      -- DELETE on them), the ids come from rows the service has just read, and claim_id,
      -- article_id and entity_id were never foreign keys either: an audit log outlives what it
      -- describes.
      ALTER TABLE history_events DROP CONSTRAINT history_events_team_id_fkey, DROP CONSTRAINT history_events_actor_id_fkey;

      -- Which transaction wrote each event, for the live event poller. Events written before this
      -- migration have none (nobody can be waiting for them); the default keeps the ALTER instant.
      ALTER TABLE history_events ADD COLUMN txid xid8;
      ALTER TABLE history_events ALTER COLUMN txid SET DEFAULT pg_current_xact_id();
      CREATE INDEX history_txid_idx ON history_events (txid) WHERE txid IS NOT NULL;
      DROP TRIGGER history_events_notify ON history_events;
      DROP FUNCTION history_events_notify();
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION history_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('claimgraph_events', json_build_object(
          'id', NEW.id::text, 'teamId', NEW.team_id, 'entityType', NEW.entity_type, 'entityId', NEW.entity_id,
          'action', NEW.action, 'claimId', NEW.claim_id, 'articleId', NEW.article_id)::text);
        RETURN NULL;
      END $$;
      CREATE TRIGGER history_events_notify AFTER INSERT ON history_events
        FOR EACH ROW WHEN (NEW.team_id IS NOT NULL) EXECUTE FUNCTION history_events_notify();
      DROP INDEX history_txid_idx;
      ALTER TABLE history_events DROP COLUMN txid;
      ALTER TABLE history_events
        ADD CONSTRAINT history_events_team_id_fkey FOREIGN KEY (team_id) REFERENCES teams (id),
        ADD CONSTRAINT history_events_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES users (id);
      DROP FUNCTION claimgraph_submit_verdict(uuid, uuid, uuid[], text, text, real, integer);
      DROP FUNCTION claimgraph_refresh_claim_status(uuid[], uuid);
    `);
  }
}
