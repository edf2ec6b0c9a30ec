import { MigrationInterface, QueryRunner } from 'typeorm';
import { TEXT_LIMITS } from '../src/shared/text-limits';

/** History events that are webhook events: `entity_type.action` -> event type. */
export const WEBHOOK_EVENT_MAP: Record<string, string> = {
  'Claim.PUBLISH': 'claim.published',
  'Claim.UNPUBLISH': 'claim.unpublished',
  'Claim.STATUS_CHANGE': 'claim.status_changed',
  'Verdict.SUBMIT': 'verdict.submitted',
  'Verdict.REVISE': 'verdict.submitted',
  'Article.CREATE': 'article.imported',
  'Article.IMPORT': 'article.imported',
  'Article.REVISE': 'article.revised',
};

const ENTITY_TYPES_BEFORE = `'Team', 'User', 'Membership', 'Article', 'ArticleRevision', 'Claim', 'Source', 'Evidence', 'Verdict', 'Comment', 'Assignment', 'ApiToken'`;

/**
 * Webhooks: a team's endpoints, an outbox of deliveries, and the log of every attempt.
 *
 * The outbox is filled by a trigger on history_events, so a delivery exists exactly when the
 * change it announces committed (the history row is written in the change's own transaction), and
 * no write path needs to know about webhooks. The trigger runs as the writer (claimgraph_app, with
 * the writer's team in scope), and only for the history actions that are webhook events.
 *
 * The delivery worker is not a request: it serves every team. It runs as `claimgraph_webhooks`,
 * whose policies admit every row of the webhook tables (and reading history, and appending the
 * team-feed notice when an endpoint is disabled), and nothing else.
 */
export class Webhooks1764531000000 implements MigrationInterface {
  name = 'Webhooks1764531000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const cases = Object.entries(WEBHOOK_EVENT_MAP)
      .map(([key, type]) => `WHEN '${key}' THEN '${type}'`)
      .join(' ');
    const keys = Object.keys(WEBHOOK_EVENT_MAP)
      .map((key) => `'${key}'`)
      .join(', ');
    await queryRunner.query(`
      CREATE TABLE webhook_endpoints (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id         uuid NOT NULL REFERENCES teams (id),
        url             text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= ${TEXT_LIMITS.url.max}),
        description     text CHECK (length(description) <= ${TEXT_LIMITS.webhookDescription.max}),
        event_types     text[] NOT NULL CHECK (cardinality(event_types) >= 1 AND event_types <@ ARRAY[
                          'claim.published', 'claim.unpublished', 'claim.status_changed', 'verdict.submitted',
                          'article.imported', 'article.revised']::text[]),
        -- Standard Webhooks signing secret (whsec_ + base64); needed in clear to sign, never exposed
        secret          text NOT NULL CHECK (secret ~ '^whsec_[A-Za-z0-9+/=]{20,200}$'),
        enabled         boolean NOT NULL DEFAULT true,
        disabled_reason text CHECK (length(disabled_reason) <= 2000),
        -- the first failed attempt since the last success: a day of failures disables the endpoint
        failing_since   timestamptz,
        version         integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        created_by      uuid NOT NULL REFERENCES users (id),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        deleted_at      timestamptz
      );
      CREATE INDEX webhook_endpoints_team_idx ON webhook_endpoints (team_id, created_at, id) WHERE deleted_at IS NULL;
      CREATE INDEX webhook_endpoints_created_by_idx ON webhook_endpoints (created_by);

      CREATE TABLE webhook_deliveries (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        team_id          uuid NOT NULL REFERENCES teams (id),
        endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id),
        -- the history event announced: its id is the webhook-id, the same on every retry
        history_event_id bigint NOT NULL,
        event_type       text NOT NULL,
        -- deliveries with the same key go out one at a time, in order (the claim, else the article)
        ordering_key     uuid NOT NULL,
        state            text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'DELIVERED', 'FAILED')),
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        lease_until      timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        delivered_at     timestamptz,
        last_error       text,
        UNIQUE (endpoint_id, history_event_id)
      );
      CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at, id) WHERE state = 'PENDING';
      CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (endpoint_id, ordering_key, id) WHERE state = 'PENDING';
      CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);
      CREATE INDEX webhook_deliveries_team_idx ON webhook_deliveries (team_id);

      CREATE TABLE webhook_attempts (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        team_id          uuid NOT NULL REFERENCES teams (id),
        delivery_id      bigint NOT NULL REFERENCES webhook_deliveries (id),
        endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id),
        attempted_at     timestamptz NOT NULL DEFAULT now(),
        status_code      integer,
        latency_ms       integer NOT NULL,
        response_excerpt text CHECK (length(response_excerpt) <= 2000),
        error            text CHECK (length(error) <= 2000),
        ok               boolean NOT NULL
      );
      CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
      CREATE INDEX webhook_attempts_endpoint_idx ON webhook_attempts (endpoint_id, id DESC);
      CREATE INDEX webhook_attempts_team_idx ON webhook_attempts (team_id);

      ALTER TABLE history_events DROP CONSTRAINT history_events_entity_type_check;
      ALTER TABLE history_events ADD CONSTRAINT history_events_entity_type_check CHECK (entity_type IN
        (${ENTITY_TYPES_BEFORE}, 'WebhookEndpoint'));

      CREATE FUNCTION claimgraph_webhook_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE v_type text;
      BEGIN
        v_type := CASE NEW.entity_type || '.' || NEW.action ${cases} END;
        INSERT INTO webhook_deliveries (team_id, endpoint_id, history_event_id, event_type, ordering_key)
          SELECT NEW.team_id, w.id, NEW.id, v_type, coalesce(NEW.claim_id, NEW.article_id, NEW.entity_id)
          FROM webhook_endpoints w
          WHERE w.team_id = NEW.team_id AND w.enabled AND w.deleted_at IS NULL AND v_type = ANY (w.event_types);
        RETURN NULL;
      END $$;
      CREATE TRIGGER history_events_webhook_outbox AFTER INSERT ON history_events
        FOR EACH ROW WHEN (NEW.team_id IS NOT NULL AND (NEW.entity_type || '.' || NEW.action) IN (${keys}))
        EXECUTE FUNCTION claimgraph_webhook_outbox();

      GRANT SELECT, INSERT, UPDATE ON webhook_endpoints TO claimgraph_app;
      GRANT SELECT, INSERT ON webhook_deliveries TO claimgraph_app;
      GRANT SELECT ON webhook_attempts TO claimgraph_app;

      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'claimgraph_webhooks') THEN
          CREATE ROLE claimgraph_webhooks NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
      END $$;
      GRANT claimgraph_webhooks TO CURRENT_USER;
      GRANT USAGE ON SCHEMA public TO claimgraph_webhooks;
      GRANT EXECUTE ON FUNCTION claimgraph_team_ids(), claimgraph_user_id() TO claimgraph_webhooks;
      GRANT SELECT, UPDATE ON webhook_endpoints, webhook_deliveries TO claimgraph_webhooks;
      GRANT SELECT, INSERT ON webhook_attempts TO claimgraph_webhooks;
      GRANT SELECT, INSERT ON history_events TO claimgraph_webhooks;
      GRANT SELECT (id, slug, name) ON teams TO claimgraph_webhooks;
      GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO claimgraph_webhooks, claimgraph_app;
    `);
    for (const table of ['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts']) {
      await queryRunner.query(`
        ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
        ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
        CREATE POLICY team_isolation ON ${table}
          USING (team_id = ANY ((SELECT claimgraph_team_ids())::uuid[])) WITH CHECK (team_id = ANY ((SELECT claimgraph_team_ids())::uuid[]));
        CREATE POLICY webhook_worker ON ${table} TO claimgraph_webhooks USING (true) WITH CHECK (true);
      `);
    }
    await queryRunner.query(`
      CREATE POLICY webhook_worker ON teams FOR SELECT TO claimgraph_webhooks USING (true);
      CREATE POLICY webhook_worker_read ON history_events FOR SELECT TO claimgraph_webhooks USING (true);
      -- the worker appends only its own notices: an endpoint it disabled
      CREATE POLICY webhook_worker_notice ON history_events FOR INSERT TO claimgraph_webhooks
        WITH CHECK (entity_type = 'WebhookEndpoint' AND actor_id IS NULL);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP POLICY webhook_worker_notice ON history_events;
      DROP POLICY webhook_worker_read ON history_events;
      DROP POLICY webhook_worker ON teams;
      DROP TRIGGER history_events_webhook_outbox ON history_events;
      DROP FUNCTION claimgraph_webhook_outbox();
      DROP TABLE webhook_attempts;
      DROP TABLE webhook_deliveries;
      DROP TABLE webhook_endpoints;
      REVOKE ALL ON ALL TABLES IN SCHEMA public FROM claimgraph_webhooks;
      REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM claimgraph_webhooks;
      REVOKE ALL ON FUNCTION claimgraph_team_ids(), claimgraph_user_id() FROM claimgraph_webhooks;
      REVOKE ALL ON SCHEMA public FROM claimgraph_webhooks;
    `);
    // history is append-only: the worker's notices cannot be deleted, so the wider check stays
    // unless there are none (a fresh database going down)
    await queryRunner.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM history_events WHERE entity_type = 'WebhookEndpoint') THEN
          ALTER TABLE history_events DROP CONSTRAINT history_events_entity_type_check;
          ALTER TABLE history_events ADD CONSTRAINT history_events_entity_type_check CHECK (entity_type IN (${ENTITY_TYPES_BEFORE}));
        END IF;
      END $$;
    `);
  }
}
