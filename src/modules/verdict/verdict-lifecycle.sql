-- The verdict lifecycle: the one home of its rules.
--
-- Applied by the migration runner (src/db/sql-routines.ts) whenever this file's content changes:
-- the runner drops every function this file (and its previous version) defines, runs the file in
-- one transaction, and keeps the text, so `npm run migrate -- --revert-routine verdict-lifecycle`
-- can put the previous version back. Write it to be run again and again: functions only, no data.
--
-- Every function runs as the caller (SECURITY INVOKER): row-level security applies to each
-- statement in them. Errors are raised with SQLSTATEs of their own class (CG), declared once in
-- TypeScript (src/modules/verdict/lifecycle-errors.ts, a test keeps the two lists equal):
--   CG404 not found (DETAIL: 'Claim' or 'Verdict')         CG403 not writable here (DETAIL: the team)
--   CG409 version conflict (DETAIL: the current version, '' when there is no current verdict)
--   CG410 a first verdict, but the reviewer has one (DETAIL: its version and id)
--   CG423 the claim is published                            CG405 not the reviewer who gave it
--
-- History written here has the same shape as the TypeScript writers' (VERDICT_FIELDS,
-- CLAIM_FIELDS; test/verdict-lifecycle.test.ts compares them). Its `at`, `actor_id` and `team_id`
-- are stamped by the database (src/modules/history/history-stamp.sql).
--
-- Lock order, everywhere: the team's review lock (shared by every writer of a claim's verdicts or
-- status, exclusive for a quorum change), then the claim's row. A quorum change therefore waits
-- for the verdict writes in flight and derives every claim after them, and no verdict write can
-- derive a status with a quorum that is being replaced. The team lock is an advisory lock, not the
-- teams row: share-locking that one row from every writer turned it into a MultiXact per write.

-- Takes the team's review lock for the rest of the transaction.
CREATE FUNCTION claimgraph_lock_team_review(p_team_id uuid, p_exclusive boolean)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- the two-key form, so it never meets the migrations' single-key advisory lock
  IF p_exclusive THEN
    PERFORM pg_advisory_xact_lock(1128737908, hashtext(p_team_id::text));
  ELSE
    PERFORM pg_advisory_xact_lock_shared(1128737908, hashtext(p_team_id::text));
  END IF;
END $$;

-- The claim's review lock: the team's (shared), then the claim's row. Serialises everything that
-- changes a claim's verdicts or status. Status is derived from all current verdicts; two reviewers
-- submitting at once would each count only their own uncommitted verdict (write skew). Holding the
-- row makes the second wait, and under READ COMMITTED its next statement sees the first's verdict.
-- Publishing takes the same lock, so a verdict cannot slip in between "is it published?" and the
-- publish itself. Returns whether the claim is published; CG404 when it is missing or deleted.
CREATE FUNCTION claimgraph_lock_claim_for_review(p_claim_id uuid)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  v_team_id uuid;
  v_published boolean;
BEGIN
  SELECT c.team_id INTO v_team_id FROM claims c WHERE c.id = p_claim_id AND c.deleted_at IS NULL;
  IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'CG404', MESSAGE = 'claim not found', DETAIL = 'Claim'; END IF;
  PERFORM claimgraph_lock_team_review(v_team_id, false);
  SELECT c.published_at IS NOT NULL INTO v_published
    FROM claims c WHERE c.id = p_claim_id AND c.deleted_at IS NULL FOR NO KEY UPDATE;
  IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'CG404', MESSAGE = 'claim not found', DETAIL = 'Claim'; END IF;
  RETURN v_published;
END $$;

-- The rating scale: TRUE 5 .. FALSE 1; MISLEADING and UNVERIFIABLE stand off it (NULL). The same
-- table as RATING_SCALE in src/modules/verdict/rating.ts (a test compares them).
CREATE FUNCTION claimgraph_rating_scale(p_rating text)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE p_rating WHEN 'TRUE' THEN 5 WHEN 'MOSTLY_TRUE' THEN 4 WHEN 'MIXED' THEN 3
                       WHEN 'MOSTLY_FALSE' THEN 2 WHEN 'FALSE' THEN 1 END
$$;

-- Claim.status as the rule says it should be now, without changing anything. Rules top to bottom,
-- with n current verdicts:
--   an editor's open dispute mark                                       -> DISPUTED
--   n = 0                                                               -> UNREVIEWED
--   the verdicts disagree                                               -> DISPUTED
--     on-scale ratings (TRUE 5 .. FALSE 1) more than one step apart, or an off-scale rating
--     (MISLEADING, UNVERIFIABLE) beside an on-scale one, or two different off-scale ratings
--   a revision changed the words the verdicts judged (judged_quote set) -> NEEDS_REREVIEW
--   n < the team's quorum                                               -> IN_REVIEW
--   otherwise                                                           -> SETTLED
-- (NEEDS_REREVIEW needs n > 0, so it sits after UNREVIEWED without changing what that rule means.)
CREATE FUNCTION claimgraph_derive_claim_status(p_claim_ids uuid[])
RETURNS TABLE (id uuid, status text) LANGUAGE sql STABLE AS $$
  SELECT c.id,
    CASE
      WHEN c.disputed_at IS NOT NULL THEN 'DISPUTED'
      WHEN v.n = 0 THEN 'UNREVIEWED'
      WHEN v.off_n > 0 AND v.on_n > 0 THEN 'DISPUTED'
      WHEN v.off_distinct > 1 THEN 'DISPUTED'
      WHEN v.spread > 1 THEN 'DISPUTED'
      WHEN c.judged_quote IS NOT NULL THEN 'NEEDS_REREVIEW'
      WHEN v.n < t.verdict_quorum THEN 'IN_REVIEW'
      ELSE 'SETTLED'
    END
  FROM claims c
  JOIN teams t ON t.id = c.team_id
  CROSS JOIN LATERAL (
    SELECT count(*) AS n,
           count(*) FILTER (WHERE scale IS NULL) AS off_n,
           count(*) FILTER (WHERE scale IS NOT NULL) AS on_n,
           count(DISTINCT rating) FILTER (WHERE scale IS NULL) AS off_distinct,
           coalesce(max(scale) - min(scale), 0) AS spread
    FROM (
      SELECT rating, claimgraph_rating_scale(rating) AS scale
      FROM verdicts WHERE claim_id = c.id AND withdrawn_at IS NULL
    ) current_verdicts
  ) v
  WHERE c.id = ANY (p_claim_ids) AND c.deleted_at IS NULL
$$;

-- Re-derives the given claims in one set-based UPDATE (call it under their review lock) and
-- records a STATUS_CHANGE event for each claim whose status changed: derived, but recorded, so
-- "what did the desk believe on date X" is answerable from history.
CREATE FUNCTION claimgraph_refresh_claim_status(p_claim_ids uuid[], p_actor_id uuid)
RETURNS TABLE (id uuid, team_id uuid, article_id uuid, old_status text, new_status text)
LANGUAGE plpgsql
-- Without this, Postgres planned the derivation on every call: the generic plan's estimate for
-- "id = ANY (p_claim_ids)" (10 rows) never beats a custom plan's (1 row), and planning cost more
-- than running. The generic plan is the same index walk.
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH target AS (
    SELECT c.id, c.status AS old_status, c.team_id, c.article_id, d.status AS new_status
    FROM claimgraph_derive_claim_status(p_claim_ids) d
    JOIN claims c ON c.id = d.id
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

-- A quorum change: the team's review lock, exclusive (it waits for the verdict writes in flight
-- and holds back new ones until it commits), then every claim of the team re-derived.
CREATE FUNCTION claimgraph_refresh_team_claim_statuses(p_team_id uuid, p_actor_id uuid)
RETURNS SETOF uuid LANGUAGE plpgsql AS $$
BEGIN
  PERFORM claimgraph_lock_team_review(p_team_id, true);
  RETURN QUERY SELECT r.id FROM claimgraph_refresh_claim_status(
    ARRAY(SELECT c.id FROM claims c WHERE c.team_id = p_team_id AND c.deleted_at IS NULL), p_actor_id) r;
END $$;

-- A verdict's recorded fields, as history stores them (VERDICT_FIELDS).
CREATE FUNCTION claimgraph_verdict_history(v verdicts)
RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'claimId', v.claim_id, 'reviewerId', v.reviewer_id, 'rating', v.rating, 'rationale', v.rationale,
    'confidence', v.confidence, 'version', v.version,
    'withdrawnAt', to_char(v.withdrawn_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'judgedRevision', v.judged_revision, 'judgedQuote', v.judged_quote)
$$;

-- The fields that differ between two states of a verdict, as history's before/after pair.
-- (plpgsql, as claimgraph_claim_json below: a SQL function with a FROM clause is not inlined, so
-- Postgres would plan it again at every call; plpgsql keeps its plan for the session.)
CREATE FUNCTION claimgraph_verdict_diff(p_before verdicts, p_after verdicts, OUT before jsonb, OUT after jsonb)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  SELECT coalesce(jsonb_object_agg(b.key, b.value), '{}'), coalesce(jsonb_object_agg(a.key, a.value), '{}')
    INTO before, after
  FROM jsonb_each(claimgraph_verdict_history(p_before)) b
  JOIN jsonb_each(claimgraph_verdict_history(p_after)) a ON a.key = b.key
  WHERE a.value <> b.value;
END $$;

-- After a verdict changes: a reviewer's new judgement of the current words clears the mark a
-- revision left (the words changed since the verdicts were given), then the status is derived.
CREATE FUNCTION claimgraph_after_verdict_change(p_claim_id uuid, p_actor_id uuid, p_rejudged boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_judged text;
  v_article_id uuid;
  v_team_id uuid;
BEGIN
  IF p_rejudged THEN
    SELECT c.judged_quote, c.article_id, c.team_id INTO v_judged, v_article_id, v_team_id FROM claims c WHERE c.id = p_claim_id;
    IF v_judged IS NOT NULL THEN
      UPDATE claims c SET judged_quote = NULL WHERE c.id = p_claim_id;
      INSERT INTO history_events (team_id, actor_id, entity_type, entity_id, action, before, after, claim_id, article_id)
        VALUES (v_team_id, p_actor_id, 'Claim', p_claim_id, 'TEXT_REVIEWED',
                jsonb_build_object('judgedQuote', v_judged), jsonb_build_object('judgedQuote', NULL), p_claim_id, v_article_id);
    END IF;
  END IF;
  PERFORM claimgraph_refresh_claim_status(ARRAY[p_claim_id], p_actor_id);
END $$;

CREATE FUNCTION claimgraph_claim_json(p_claim_id uuid)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT to_jsonb(c) - 'search_tsv' - 'search_config' FROM claims c WHERE c.id = p_claim_id);
END $$;

-- Gives the reviewer's verdict on a claim (version 1, SUBMIT) or revises their current one (a new
-- version, REVISE, with the fields before and after). The verdict records the revision and the
-- exact words it was given on. Completes the reviewer's open assignment on the claim and
-- re-derives the claim's status, all in the caller's transaction.
CREATE FUNCTION claimgraph_submit_verdict(
  p_claim_id uuid, p_reviewer_id uuid, p_writable_team_ids uuid[],
  p_rating text, p_rationale text, p_confidence real, p_expected_version integer)
RETURNS jsonb LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_team_id uuid;
  v_seen_version integer;
  v_claim claims%ROWTYPE;
  v_revision integer;
  v_current verdicts%ROWTYPE;
  v_verdict verdicts%ROWTYPE;
  v_before jsonb;
  v_after jsonb;
BEGIN
  SELECT c.team_id, v.version INTO v_team_id, v_seen_version
    FROM claims c
    LEFT JOIN verdicts v ON v.claim_id = c.id AND v.reviewer_id = p_reviewer_id AND v.withdrawn_at IS NULL
    WHERE c.id = p_claim_id AND c.deleted_at IS NULL;
  IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'CG404', MESSAGE = 'claim not found', DETAIL = 'Claim'; END IF;
  IF NOT v_team_id = ANY (p_writable_team_ids) THEN
    RAISE EXCEPTION USING ERRCODE = 'CG403', MESSAGE = 'not allowed to give verdicts in this team', DETAIL = v_team_id::text;
  END IF;
  -- Versions only grow, so one already stale before the claim's lock is stale after it: refuse
  -- now instead of queueing behind the writers that made it stale. (The check under the lock,
  -- below, stays the one that decides.)
  IF p_expected_version IS NOT NULL AND v_seen_version IS NOT NULL AND v_seen_version <> p_expected_version THEN
    RAISE EXCEPTION USING ERRCODE = 'CG409', MESSAGE = 'verdict version conflict', DETAIL = v_seen_version::text;
  END IF;

  IF claimgraph_lock_claim_for_review(p_claim_id) THEN
    RAISE EXCEPTION USING ERRCODE = 'CG423', MESSAGE = 'claim is published';
  END IF;
  SELECT * INTO v_claim FROM claims c WHERE c.id = p_claim_id;
  SELECT r.number INTO v_revision FROM article_revisions r WHERE r.id = v_claim.revision_id;

  SELECT * INTO v_current FROM verdicts
    WHERE claim_id = p_claim_id AND reviewer_id = p_reviewer_id AND withdrawn_at IS NULL;
  IF NOT FOUND THEN
    IF p_expected_version IS NOT NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'CG409', MESSAGE = 'no current verdict to revise', DETAIL = '';
    END IF;
    INSERT INTO verdicts (team_id, claim_id, reviewer_id, rating, rationale, confidence, version, judged_revision, judged_quote)
      VALUES (v_team_id, p_claim_id, p_reviewer_id, p_rating, p_rationale, p_confidence, 1, v_revision, v_claim.quote_exact)
      RETURNING * INTO v_verdict;
    INSERT INTO history_events (team_id, actor_id, entity_type, entity_id, action, before, after, claim_id, article_id)
      VALUES (v_team_id, p_reviewer_id, 'Verdict', v_verdict.id, 'SUBMIT', NULL, claimgraph_verdict_history(v_verdict),
              p_claim_id, v_claim.article_id);
  ELSE
    IF p_expected_version IS NULL THEN
      RAISE EXCEPTION USING ERRCODE = 'CG410', MESSAGE = 'the reviewer already has a current verdict',
        DETAIL = v_current.version::text || ' ' || v_current.id::text;
    END IF;
    IF v_current.version <> p_expected_version THEN
      RAISE EXCEPTION USING ERRCODE = 'CG409', MESSAGE = 'verdict version conflict', DETAIL = v_current.version::text;
    END IF;
    UPDATE verdicts SET rating = p_rating, rationale = p_rationale, confidence = p_confidence,
                        judged_revision = v_revision, judged_quote = v_claim.quote_exact,
                        version = version + 1, updated_at = now()
      WHERE id = v_current.id
      RETURNING * INTO v_verdict;
    SELECT d.before, d.after INTO v_before, v_after FROM claimgraph_verdict_diff(v_current, v_verdict) d;
    INSERT INTO history_events (team_id, actor_id, entity_type, entity_id, action, before, after, claim_id, article_id)
      VALUES (v_team_id, p_reviewer_id, 'Verdict', v_verdict.id, 'REVISE', v_before, v_after, p_claim_id, v_claim.article_id);
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
           jsonb_build_object('completedAt', to_char(completed.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                              'version', completed.version),
           p_claim_id, v_claim.article_id
      FROM completed;

  PERFORM claimgraph_after_verdict_change(p_claim_id, p_reviewer_id, true);

  RETURN jsonb_build_object('verdict', to_jsonb(v_verdict), 'claim', claimgraph_claim_json(p_claim_id));
END $$;

-- Withdraws the reviewer's verdict: the row stays (withdrawn_at set, a new version), history
-- WITHDRAW with the reason, the claim's status re-derived.
CREATE FUNCTION claimgraph_withdraw_verdict(
  p_verdict_id uuid, p_reviewer_id uuid, p_writable_team_ids uuid[], p_expected_version integer, p_reason text)
RETURNS jsonb LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_current verdicts%ROWTYPE;
  v_verdict verdicts%ROWTYPE;
  v_article_id uuid;
  v_before jsonb;
  v_after jsonb;
BEGIN
  SELECT * INTO v_current FROM verdicts WHERE id = p_verdict_id;
  IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'CG404', MESSAGE = 'verdict not found', DETAIL = 'Verdict'; END IF;
  IF NOT v_current.team_id = ANY (p_writable_team_ids) THEN
    RAISE EXCEPTION USING ERRCODE = 'CG403', MESSAGE = 'not allowed to withdraw verdicts in this team', DETAIL = v_current.team_id::text;
  END IF;
  IF v_current.reviewer_id <> p_reviewer_id THEN
    RAISE EXCEPTION USING ERRCODE = 'CG405', MESSAGE = 'not the reviewer who gave this verdict';
  END IF;
  IF claimgraph_lock_claim_for_review(v_current.claim_id) THEN
    RAISE EXCEPTION USING ERRCODE = 'CG423', MESSAGE = 'claim is published';
  END IF;
  -- read again under the claim's lock: the version check decides on the latest committed state
  SELECT * INTO v_current FROM verdicts WHERE id = p_verdict_id AND withdrawn_at IS NULL;
  IF NOT FOUND THEN RAISE EXCEPTION USING ERRCODE = 'CG404', MESSAGE = 'verdict not found', DETAIL = 'Verdict'; END IF;
  IF v_current.version <> p_expected_version THEN
    RAISE EXCEPTION USING ERRCODE = 'CG409', MESSAGE = 'verdict version conflict', DETAIL = v_current.version::text;
  END IF;
  UPDATE verdicts SET withdrawn_at = now(), version = version + 1, updated_at = now()
    WHERE id = p_verdict_id
    RETURNING * INTO v_verdict;
  SELECT c.article_id INTO v_article_id FROM claims c WHERE c.id = v_verdict.claim_id;
  SELECT d.before, d.after INTO v_before, v_after FROM claimgraph_verdict_diff(v_current, v_verdict) d;
  INSERT INTO history_events (team_id, actor_id, entity_type, entity_id, action, before, after, reason, claim_id, article_id)
    VALUES (v_verdict.team_id, p_reviewer_id, 'Verdict', v_verdict.id, 'WITHDRAW', v_before, v_after, p_reason,
            v_verdict.claim_id, v_article_id);
  PERFORM claimgraph_after_verdict_change(v_verdict.claim_id, p_reviewer_id, false);
  RETURN jsonb_build_object('verdict', to_jsonb(v_verdict), 'claim', claimgraph_claim_json(v_verdict.claim_id));
END $$;
