-- Who, when and for which team a history event was written is the database's to say, not the
-- inserting statement's: `asOf` rebuilds the past from these rows, so an event the application
-- role could back-date or sign with another person's name would rewrite what the desk believed.
--
-- Applied by the migration runner (src/db/sql-routines.ts) whenever this file changes.
--
-- For the application's role (every request runs as it):
--   at       := the transaction's timestamp (now()), one for every event of a transaction, so no
--               instant falls between two events of one change and `asOf` never shows half of it;
--   actor_id := the request's user (the `claimgraph.user_id` setting the request scope sets);
--   team_id  := the team of the row the event belongs to (its claim, article, source, team or
--               webhook endpoint),
--               read under row-level security, so it is one of the request's teams. Membership
--               events (whose row may be gone) keep theirs, which the insert policy confines to
--               the request's teams; user and token events have none.
-- Other roles (the owner: migrations, data sets loaded by hand) write what they say.
CREATE FUNCTION claimgraph_stamp_history_event()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_team_id uuid;
BEGIN
  IF current_user <> 'claimgraph_app' THEN
    RETURN NEW;
  END IF;
  NEW.at := now();
  NEW.actor_id := claimgraph_user_id();
  IF NEW.entity_type IN ('User', 'ApiToken') THEN
    NEW.team_id := NULL;
    RETURN NEW;
  ELSIF NEW.entity_type = 'Membership' THEN
    RETURN NEW;
  ELSIF NEW.claim_id IS NOT NULL THEN
    SELECT c.team_id INTO v_team_id FROM claims c WHERE c.id = NEW.claim_id;
  ELSIF NEW.article_id IS NOT NULL THEN
    SELECT a.team_id INTO v_team_id FROM articles a WHERE a.id = NEW.article_id;
  ELSIF NEW.entity_type = 'Team' THEN
    SELECT t.id INTO v_team_id FROM teams t WHERE t.id = NEW.entity_id;
  ELSIF NEW.entity_type = 'Source' THEN
    SELECT s.team_id INTO v_team_id FROM sources s WHERE s.id = NEW.entity_id;
  ELSIF NEW.entity_type = 'WebhookEndpoint' THEN
    SELECT w.team_id INTO v_team_id FROM webhook_endpoints w WHERE w.id = NEW.entity_id;
  ELSE
    -- a type this file does not know yet: its team stays the statement's, which the insert
    -- policy confines to the request's teams (add a lookup above for each new type)
    RETURN NEW;
  END IF;
  IF v_team_id IS NULL THEN
    RAISE EXCEPTION 'history event for % % names no row of the request''s teams', NEW.entity_type, NEW.entity_id
      USING ERRCODE = '42501';
  END IF;
  NEW.team_id := v_team_id;
  RETURN NEW;
END $$;

CREATE TRIGGER history_events_stamp BEFORE INSERT ON history_events
  FOR EACH ROW EXECUTE FUNCTION claimgraph_stamp_history_event();
