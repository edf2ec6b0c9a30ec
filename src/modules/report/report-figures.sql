-- A report's figures, kept current in the transactions that change claims, verdicts and articles.
--
-- Applied by the migration runner (src/db/sql-routines.ts) whenever this file's content changes;
-- definitions only. The tables are migrations/1764543000000-ReportFigures.ts's (a database made
-- when it kept hours only gets report_period_figures from 1764570000000-ReportPeriodFigures.ts).
--
-- A claim that is not deleted adds 1 to each of its figures, as (figure, key):
--   claim    'STATUS SOURCING PUBLISHED_RATING' ('-' when unpublished): counts by status, sourcing,
--            published rating
--   verdict  'REVIEWER_ID RATING', one per current verdict: counts by rating and by reviewer
--   pattern  its current ratings, sorted and space-separated, when it has two or more: the units
--            of Krippendorff's alpha (a claim's coincidences depend only on this multiset)
--   settle   for a SETTLED claim whose history has a STATUS_CHANGE to SETTLED: the seconds from its
--            creation to its first SETTLED, rounded to four significant digits (a histogram the
--            median is read from)
-- The rows of an article count its claims whether or not the article is deleted; the team's rows
-- count only the claims of articles not deleted (an article's deletion moves its rows out), and a
-- period's rows (`report_period_figures`) those of the team's articles not deleted published in
-- that UTC day, hour or five minutes (an article's deletion, or a new publication date, moves its
-- rows between periods).
--
-- Writers never share figure rows: each transaction holds one of SLOTS slots of its team (a
-- transaction-scoped advisory lock, taken without waiting while one is free) and adds its deltas
-- to that slot's rows; a read sums the slots. `report_article_claims` (claims per article by
-- sourcing) is one row per article, moved only when a claim is added, removed or re-sourced.
--
-- Lock order: an article's row (the statement that changes it), then the team's slots, then
-- `report_article_claims` rows (in article order). A claim writer holds its slot before it moves
-- an article's row, so whatever else touches that row (an article's deletion or publication
-- date, a rebuild) takes the slots first too: an article's deletion that held the row while it
-- waited for every slot deadlocked with a claim's deletion, creation or re-sourcing in it.
--
-- Triggers are per statement, over the statement's transition tables, so a statement that changes
-- many claims (a quorum change) applies one set of deltas.

-- The advisory-lock key of a team's figure slot (the two-key form; class 1128737909).
CREATE FUNCTION claimgraph_report_slot_key(p_team_id uuid, p_slot integer)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT hashtext(p_team_id::text || ':' || p_slot::text)
$$;

-- The lengths in seconds of the periods figures are kept for: a day, an hour, five minutes (as
-- REPORT_SPANS in report.figures.ts, which decomposes a date range into them). Each divides the
-- one before it, so a range is its whole days, then whole hours and five minutes at its ends, and
-- per-article rows only inside the five minutes at each end: a few hundred rows read for a month
-- or an hour alike, where hours alone left up to two hours of articles' rows at the ends. Each
-- span is one more row per figure key in a write's upsert (one statement for all three).
CREATE FUNCTION claimgraph_report_spans()
RETURNS integer[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT '{86400,3600,300}'::integer[]
$$;

-- The start of the period of p_span seconds an article's publication falls in: the key of its
-- team's period rows. date_bin on timestamptz does not depend on the session's time zone; its
-- origin is a UTC midnight, so periods are UTC days, hours and five minutes.
CREATE FUNCTION claimgraph_report_period(p_span integer, p_published_at timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT date_bin(make_interval(secs => p_span), p_published_at, timestamptz '2000-01-01 00:00:00+00')
$$;

-- The slot this transaction writes the team's figures to: one it holds already, or a free one.
-- All 32 busy (32 transactions writing one team's figures at once): waits for this backend's own.
CREATE FUNCTION claimgraph_report_slot(p_team_id uuid)
RETURNS smallint LANGUAGE plpgsql AS $$
DECLARE
  v_start integer := pg_backend_pid() % 32;
  v_slot integer;
BEGIN
  FOR i IN 0..31 LOOP
    v_slot := (v_start + i) % 32;
    IF pg_try_advisory_xact_lock(1128737909, claimgraph_report_slot_key(p_team_id, v_slot)) THEN
      RETURN v_slot;
    END IF;
  END LOOP;
  PERFORM pg_advisory_xact_lock(1128737909, claimgraph_report_slot_key(p_team_id, v_start));
  RETURN v_start;
END $$;

-- Every slot of the team, for the rest of the transaction: waits for the figure writers in flight
-- and holds back new ones (an article's deletion, a rebuild).
CREATE FUNCTION claimgraph_lock_report_figures(p_team_id uuid)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 0..31 LOOP
    PERFORM pg_advisory_xact_lock(1128737909, claimgraph_report_slot_key(p_team_id, i));
  END LOOP;
END $$;

-- The helpers below are plpgsql, not SQL functions: a SQL function that is not inlined is planned
-- again at every call, and the triggers call them on every write; plpgsql keeps its plans for the
-- session.

-- A claim's settle-time key: its settle time in seconds (from its CREATE event, or its created_at
-- when history has none, to its first STATUS_CHANGE to SETTLED) rounded to four significant
-- digits, as text; NULL when history has no such change. History is append-only, so once known
-- it never changes.
CREATE FUNCTION claimgraph_settle_key(p_claim_id uuid, p_created_at timestamptz)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_seconds numeric;
BEGIN
  SELECT extract(epoch FROM h.settled_at - coalesce(h.created_at, p_created_at)) INTO v_seconds
  FROM (
    SELECT min(e.at) FILTER (WHERE e.action = 'CREATE') AS created_at,
           min(e.at) FILTER (WHERE e.action = 'STATUS_CHANGE' AND e.after->>'status' = 'SETTLED') AS settled_at
    FROM history_events e
    WHERE e.claim_id = p_claim_id AND e.entity_id = p_claim_id
  ) h;
  IF v_seconds IS NULL THEN
    RETURN NULL;
  ELSIF v_seconds = 0 THEN
    RETURN '0';
  END IF;
  -- through double precision, as the computed median takes it
  v_seconds := v_seconds::double precision::numeric;
  RETURN trim_scale(round(v_seconds, 3 - floor(log(abs(v_seconds)))::integer))::text;
END $$;

-- The figures one claim adds (p_sign 1) or takes away (-1). The verdict-derived figures (verdict,
-- pattern) are read from the claim's current verdicts only when p_with_verdicts, and its settle
-- time only when p_with_settle: a change of the claim alone leaves the first as they are unless it
-- deletes or restores the claim, and the second unless it moves the claim into or out of SETTLED.
CREATE FUNCTION claimgraph_claim_figures(p_claim claims, p_sign integer, p_with_verdicts boolean, p_with_settle boolean)
RETURNS SETOF claimgraph_report_delta LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $$
DECLARE
  v_key text;
BEGIN
  IF p_claim.deleted_at IS NOT NULL THEN
    RETURN;
  END IF;
  RETURN NEXT ROW(p_claim.team_id, p_claim.article_id, 'claim',
    p_claim.status || ' ' || p_claim.sourcing || ' ' || coalesce(p_claim.published_rating, '-'), p_sign)::claimgraph_report_delta;
  IF p_with_settle AND p_claim.status = 'SETTLED' THEN
    v_key := claimgraph_settle_key(p_claim.id, p_claim.created_at);
    IF v_key IS NOT NULL THEN
      RETURN NEXT ROW(p_claim.team_id, p_claim.article_id, 'settle', v_key, p_sign)::claimgraph_report_delta;
    END IF;
  END IF;
  IF p_with_verdicts THEN
    RETURN QUERY
      SELECT p_claim.team_id, p_claim.article_id, 'verdict'::text, v.reviewer_id::text || ' ' || v.rating, p_sign
        FROM verdicts v WHERE v.claim_id = p_claim.id AND v.withdrawn_at IS NULL
      UNION ALL
      SELECT p_claim.team_id, p_claim.article_id, 'pattern', p.key, p_sign
        FROM (SELECT string_agg(v.rating, ' ' ORDER BY v.rating COLLATE "C") AS key, count(*) AS m
                FROM verdicts v WHERE v.claim_id = p_claim.id AND v.withdrawn_at IS NULL) p
       WHERE p.m >= 2;
  END IF;
END $$;

-- The figure deltas of a statement on verdicts: its rows before (p_old) and after (p_new). Verdict
-- counts move by the rows themselves; a claim's rating pattern before the statement is its current
-- ratings less the statement's new current ones plus its old current ones.
CREATE FUNCTION claimgraph_verdict_figure_deltas(p_old verdicts[], p_new verdicts[])
RETURNS SETOF claimgraph_report_delta LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY
  WITH changes AS (
    SELECT v.claim_id, v.reviewer_id, v.rating, -1 AS n FROM unnest(p_old) v WHERE v.withdrawn_at IS NULL
    UNION ALL
    SELECT v.claim_id, v.reviewer_id, v.rating, 1 FROM unnest(p_new) v WHERE v.withdrawn_at IS NULL
  ), touched AS (
    SELECT c.id, c.team_id, c.article_id FROM claims c
    WHERE c.id IN (SELECT claim_id FROM changes) AND c.deleted_at IS NULL
  ), now_ratings AS (
    SELECT v.claim_id, v.rating, count(*)::integer AS n
    FROM verdicts v JOIN touched t ON t.id = v.claim_id
    WHERE v.withdrawn_at IS NULL
    GROUP BY v.claim_id, v.rating
  ), before_ratings AS (
    SELECT r.claim_id, r.rating, sum(r.n)::integer AS n
    FROM (SELECT claim_id, rating, n FROM now_ratings
          UNION ALL SELECT claim_id, rating, -n FROM changes WHERE claim_id IN (SELECT id FROM touched)) r
    GROUP BY r.claim_id, r.rating
    HAVING sum(r.n) > 0
  ), patterns AS (
    SELECT r.claim_id, 1 AS n, string_agg(r.rating, ' ' ORDER BY r.rating COLLATE "C") AS key, count(*) AS m
      FROM now_ratings r, generate_series(1, r.n) GROUP BY r.claim_id
    UNION ALL
    SELECT r.claim_id, -1, string_agg(r.rating, ' ' ORDER BY r.rating COLLATE "C"), count(*)
      FROM before_ratings r, generate_series(1, r.n) GROUP BY r.claim_id
  )
  SELECT t.team_id, t.article_id, 'verdict'::text, ch.reviewer_id::text || ' ' || ch.rating, ch.n
    FROM changes ch JOIN touched t ON t.id = ch.claim_id
  UNION ALL
  SELECT t.team_id, t.article_id, 'pattern', p.key, p.n
    FROM patterns p JOIN touched t ON t.id = p.claim_id
    WHERE p.m >= 2;
END $$;

-- Adds deltas to the figures: the team's and each article's rows of this transaction's slot, and
-- the claims-by-sourcing row of each article whose claims or sourcing moved.
CREATE FUNCTION claimgraph_apply_report_deltas(p_deltas claimgraph_report_delta[])
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_team_id uuid;
  v_slot smallint;
BEGIN
  IF coalesce(cardinality(p_deltas), 0) = 0 THEN
    RETURN;
  END IF;
  FOR v_team_id IN SELECT DISTINCT d.team_id FROM unnest(p_deltas) d LOOP
    v_slot := claimgraph_report_slot(v_team_id);
    -- one statement for the article's rows and the team's. Its snapshot is taken after the slot
    -- is held: an article's deletion holds every slot while it moves the article's rows out of
    -- the team's, so this sees the article deleted or not, never half.
    WITH d AS (
      SELECT d.article_id, d.figure, d.key, sum(d.n)::integer AS n
      FROM unnest(p_deltas) d WHERE d.team_id = v_team_id
      GROUP BY d.article_id, d.figure, d.key
      HAVING sum(d.n) <> 0
    ), by_article AS (
      -- in key order, so a rebuild writes each article's rows together: a report filtered on
      -- articles reads them article by article
      INSERT INTO report_article_figures AS f (article_id, figure, key, slot, team_id, n)
        SELECT d.article_id, d.figure, d.key, v_slot, v_team_id, d.n FROM d ORDER BY d.article_id, d.figure, d.key
        ON CONFLICT (article_id, figure, key, slot) DO UPDATE SET n = f.n + EXCLUDED.n
    ), by_period AS (
      INSERT INTO report_period_figures AS f (team_id, span, start, figure, key, slot, n)
        SELECT v_team_id, s.span, claimgraph_report_period(s.span, a.published_at), d.figure, d.key, v_slot, sum(d.n)
        FROM d JOIN articles a ON a.id = d.article_id AND a.deleted_at IS NULL AND a.published_at IS NOT NULL
        CROSS JOIN unnest(claimgraph_report_spans()) s (span)
        GROUP BY 2, 3, d.figure, d.key
        HAVING sum(d.n) <> 0
        ORDER BY 2, 3, 4, 5
        ON CONFLICT (team_id, span, start, figure, key, slot) DO UPDATE SET n = f.n + EXCLUDED.n
    )
    INSERT INTO report_team_figures AS f (team_id, figure, key, slot, n)
      SELECT v_team_id, d.figure, d.key, v_slot, sum(d.n)
      FROM d JOIN articles a ON a.id = d.article_id AND a.deleted_at IS NULL
      GROUP BY d.figure, d.key
      HAVING sum(d.n) <> 0
      ON CONFLICT (team_id, figure, key, slot) DO UPDATE SET n = f.n + EXCLUDED.n;
  END LOOP;
  IF NOT EXISTS (SELECT 1 FROM unnest(p_deltas) d WHERE d.figure = 'claim') THEN
    RETURN;
  END IF;
  INSERT INTO report_article_claims AS r (article_id, team_id, published_at, counted, claims, sourced, anonymous, unsourced)
    SELECT s.article_id, s.team_id, a.published_at, a.deleted_at IS NULL, s.sourced + s.anonymous + s.unsourced, s.sourced, s.anonymous, s.unsourced
    FROM (
      SELECT d.article_id, d.team_id,
             sum(CASE split_part(d.key, ' ', 2) WHEN 'SOURCED' THEN d.n ELSE 0 END)::integer AS sourced,
             sum(CASE split_part(d.key, ' ', 2) WHEN 'ANONYMOUS' THEN d.n ELSE 0 END)::integer AS anonymous,
             sum(CASE split_part(d.key, ' ', 2) WHEN 'UNSOURCED' THEN d.n ELSE 0 END)::integer AS unsourced
      FROM unnest(p_deltas) d WHERE d.figure = 'claim'
      GROUP BY d.article_id, d.team_id
    ) s
    JOIN articles a ON a.id = s.article_id
    WHERE s.sourced <> 0 OR s.anonymous <> 0 OR s.unsourced <> 0
    ORDER BY s.article_id
    ON CONFLICT (article_id) DO UPDATE SET claims = r.claims + EXCLUDED.claims, sourced = r.sourced + EXCLUDED.sourced,
      anonymous = r.anonymous + EXCLUDED.anonymous, unsourced = r.unsourced + EXCLUDED.unsourced;
END $$;
REVOKE EXECUTE ON FUNCTION claimgraph_apply_report_deltas(claimgraph_report_delta[]) FROM PUBLIC;

CREATE FUNCTION claimgraph_claims_report_figures()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM claimgraph_apply_report_deltas(ARRAY(
      SELECT f::claimgraph_report_delta FROM new_rows n, claimgraph_claim_figures(n, 1, true, true) f));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM claimgraph_apply_report_deltas(ARRAY(
      SELECT f::claimgraph_report_delta FROM old_rows o, claimgraph_claim_figures(o, -1, true, true) f));
  ELSE
    -- only the claims whose figures can have moved; verdict figures only when a claim is
    -- deleted, restored or moved; a settle time only when the claim enters or leaves SETTLED
    -- (otherwise its key, fixed by history, would be taken away and added back)
    PERFORM claimgraph_apply_report_deltas(ARRAY(
      SELECT f::claimgraph_report_delta
      FROM old_rows o
      JOIN new_rows n ON n.id = o.id
      CROSS JOIN LATERAL (SELECT (o.deleted_at IS NULL) <> (n.deleted_at IS NULL) OR o.article_id <> n.article_id OR o.team_id <> n.team_id AS moved) w
      CROSS JOIN LATERAL (SELECT w.moved OR (o.status = 'SETTLED') <> (n.status = 'SETTLED') AS settle) t
      CROSS JOIN LATERAL (
        SELECT * FROM claimgraph_claim_figures(o, -1, w.moved, t.settle)
        UNION ALL
        SELECT * FROM claimgraph_claim_figures(n, 1, w.moved, t.settle)
      ) f
      WHERE w.moved OR o.status <> n.status OR o.sourcing <> n.sourcing OR o.published_rating IS DISTINCT FROM n.published_rating));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER claims_report_figures_insert AFTER INSERT ON claims
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claimgraph_claims_report_figures();
CREATE TRIGGER claims_report_figures_update AFTER UPDATE ON claims
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claimgraph_claims_report_figures();
CREATE TRIGGER claims_report_figures_delete AFTER DELETE ON claims
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claimgraph_claims_report_figures();

CREATE FUNCTION claimgraph_verdicts_report_figures()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM claimgraph_apply_report_deltas(ARRAY(
      SELECT d::claimgraph_report_delta FROM claimgraph_verdict_figure_deltas('{}'::verdicts[], ARRAY(SELECT n::verdicts FROM new_rows n)) d));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM claimgraph_apply_report_deltas(ARRAY(
      SELECT d::claimgraph_report_delta FROM claimgraph_verdict_figure_deltas(ARRAY(SELECT o::verdicts FROM old_rows o), '{}'::verdicts[]) d));
  ELSE
    -- only the verdicts whose figures can have moved, before and after
    PERFORM claimgraph_apply_report_deltas(ARRAY(
      WITH changed AS (
        SELECT o::verdicts AS before, n::verdicts AS after
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.rating <> n.rating OR (o.withdrawn_at IS NULL) <> (n.withdrawn_at IS NULL)
           OR o.claim_id <> n.claim_id OR o.reviewer_id <> n.reviewer_id
      )
      SELECT d::claimgraph_report_delta
      FROM claimgraph_verdict_figure_deltas(ARRAY(SELECT before FROM changed), ARRAY(SELECT after FROM changed)) d));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER verdicts_report_figures_insert AFTER INSERT ON verdicts
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claimgraph_verdicts_report_figures();
CREATE TRIGGER verdicts_report_figures_update AFTER UPDATE ON verdicts
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claimgraph_verdicts_report_figures();
CREATE TRIGGER verdicts_report_figures_delete AFTER DELETE ON verdicts
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION claimgraph_verdicts_report_figures();

-- An article's publication date is copied beside its claim counts; its deletion (or restoring)
-- moves its rows out of (into) the team's, and its deletion, restoring or new publication period
-- moves them between the team's periods, with every slot held so no writer adds to those rows in
-- between (a writer that got its slot first has committed, so its deltas are in the article's rows
-- and in the periods it read; one that waits reads the article as this transaction leaves it).
CREATE FUNCTION claimgraph_articles_report_figures()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_moved boolean := (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL);
  -- the instant the article's rows are counted at in the periods; NULL when deleted or undated
  v_old_at timestamptz := CASE WHEN OLD.deleted_at IS NULL THEN OLD.published_at END;
  v_new_at timestamptz := CASE WHEN NEW.deleted_at IS NULL THEN NEW.published_at END;
  -- the shortest span's period decides: each longer period is a union of those
  v_shortest integer := (SELECT min(s) FROM unnest(claimgraph_report_spans()) s);
  v_reperiod boolean := claimgraph_report_period(v_shortest, v_old_at) IS DISTINCT FROM claimgraph_report_period(v_shortest, v_new_at);
  v_slot smallint;
BEGIN
  -- the slots before the article's claims row (the lock order above)
  IF v_moved OR v_reperiod THEN
    PERFORM claimgraph_lock_report_figures(NEW.team_id);
  END IF;
  v_slot := claimgraph_report_slot(NEW.team_id);
  UPDATE report_article_claims SET published_at = NEW.published_at, counted = NEW.deleted_at IS NULL WHERE article_id = NEW.id;
  IF v_moved THEN
    INSERT INTO report_team_figures AS f (team_id, figure, key, slot, n)
      SELECT NEW.team_id, r.figure, r.key, v_slot, CASE WHEN NEW.deleted_at IS NULL THEN 1 ELSE -1 END * sum(r.n)
      FROM report_article_figures r WHERE r.article_id = NEW.id
      GROUP BY r.figure, r.key
      HAVING sum(r.n) <> 0
      ON CONFLICT (team_id, figure, key, slot) DO UPDATE SET n = f.n + EXCLUDED.n;
  END IF;
  IF v_reperiod THEN
    -- summed per period, so a longer period the article stays in nets to nothing and is not written
    INSERT INTO report_period_figures AS f (team_id, span, start, figure, key, slot, n)
      SELECT NEW.team_id, s.span, claimgraph_report_period(s.span, h.at), r.figure, r.key, v_slot, sum(h.sign * r.n)
      FROM report_article_figures r
      CROSS JOIN (VALUES (v_old_at, -1), (v_new_at, 1)) h (at, sign)
      CROSS JOIN unnest(claimgraph_report_spans()) s (span)
      WHERE r.article_id = NEW.id AND h.at IS NOT NULL
      GROUP BY 2, 3, r.figure, r.key
      HAVING sum(h.sign * r.n) <> 0
      ORDER BY 2, 3, 4, 5
      ON CONFLICT (team_id, span, start, figure, key, slot) DO UPDATE SET n = f.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER articles_report_figures AFTER UPDATE OF deleted_at, published_at ON articles
  FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.published_at IS DISTINCT FROM NEW.published_at)
  EXECUTE FUNCTION claimgraph_articles_report_figures();

-- Recomputes the teams' figures from their claims and verdicts (a data set loaded with triggers
-- off, history edited by hand). Holds every slot of each team while it does.
CREATE FUNCTION claimgraph_rebuild_report_figures(p_team_ids uuid[])
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  v_team_id uuid;
  v_after uuid;
  v_batch uuid[];
BEGIN
  FOR v_team_id IN SELECT DISTINCT t FROM unnest(p_team_ids) t ORDER BY 1 LOOP
    PERFORM claimgraph_lock_report_figures(v_team_id);
    DELETE FROM report_team_figures WHERE team_id = v_team_id;
    DELETE FROM report_article_figures WHERE team_id = v_team_id;
    DELETE FROM report_period_figures WHERE team_id = v_team_id;
    DELETE FROM report_article_claims WHERE team_id = v_team_id;
    v_after := NULL;
    LOOP
      SELECT array_agg(b.id ORDER BY b.id) INTO v_batch
      FROM (SELECT c.id FROM claims c WHERE c.team_id = v_team_id AND (v_after IS NULL OR c.id > v_after) ORDER BY c.id LIMIT 20000) b;
      EXIT WHEN v_batch IS NULL;
      PERFORM claimgraph_apply_report_deltas(ARRAY(
        SELECT f::claimgraph_report_delta FROM claims c, claimgraph_claim_figures(c, 1, true, true) f WHERE c.id = ANY (v_batch)));
      v_after := v_batch[cardinality(v_batch)];
    END LOOP;
  END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION claimgraph_rebuild_report_figures(uuid[]) FROM PUBLIC;
