import { MigrationInterface, QueryRunner } from 'typeorm';
import { TEXT_LIMITS } from '../src/shared/text-limits';

/** Tables whose rows belong to one team: each gets the same isolation policy. */
export const TENANT_TABLES = ['articles', 'article_revisions', 'sources', 'claims', 'evidence', 'verdicts', 'comments', 'assignments'] as const;

/**
 * Credentials (API tokens, login sessions, password hashes) and the database's second wall of
 * tenant isolation: row-level security on every tenant table, forced even for the table owner,
 * evaluated for the role `claimgraph_app` that every request switches to (SET ROLE), with the
 * caller's teams set per transaction in `claimgraph.team_ids`.
 *
 * Creating the role needs CREATEROLE (or a superuser) the first time; roles are cluster-wide,
 * so a second database on the same server reuses it.
 */
export class AuthAndRowLevelSecurity1764395000000 implements MigrationInterface {
  name = 'AuthAndRowLevelSecurity1764395000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE users ADD COLUMN password_hash text CHECK (password_hash LIKE '$argon2id$%');

      CREATE TABLE api_tokens (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind          text NOT NULL CHECK (kind IN ('API', 'SESSION')),
        name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND ${TEXT_LIMITS.name.max}),
        -- SHA-256 of the secret: tokens are 256 random bits, so a fast hash is enough, and the
        -- plaintext is shown once and never stored
        token_hash    bytea NOT NULL CHECK (length(token_hash) = 32),
        prefix        text NOT NULL CHECK (length(prefix) BETWEEN 4 AND 16),
        expires_at    timestamptz,
        last_used_at  timestamptz,
        revoked_at    timestamptz,
        created_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);
      CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at DESC, id DESC);

      CREATE FUNCTION claimgraph_team_ids() RETURNS uuid[] LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT coalesce(nullif(current_setting('claimgraph.team_ids', true), '')::uuid[], '{}'::uuid[])
      $$;
      CREATE FUNCTION claimgraph_user_id() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT nullif(current_setting('claimgraph.user_id', true), '')::uuid
      $$;

      -- One round trip from a bearer token to the caller and their teams. It sets the caller for
      -- the statement's transaction first, so the memberships policy lets it read their rows.
      CREATE FUNCTION claimgraph_authenticate(p_token_hash bytea)
      RETURNS TABLE (token_id uuid, user_id uuid, kind text, expires_at timestamptz, revoked_at timestamptz,
                     last_used_at timestamptz, memberships jsonb)
      LANGUAGE plpgsql AS $$
      DECLARE t api_tokens%ROWTYPE;
      BEGIN
        SELECT * INTO t FROM api_tokens WHERE token_hash = p_token_hash;
        IF NOT FOUND THEN RETURN; END IF;
        PERFORM set_config('claimgraph.user_id', t.user_id::text, true);
        RETURN QUERY SELECT t.id, t.user_id, t.kind, t.expires_at, t.revoked_at, t.last_used_at,
          coalesce((SELECT jsonb_agg(jsonb_build_array(m.team_id, m.role)) FROM memberships m WHERE m.user_id = t.user_id), '[]'::jsonb);
      END $$;

      CREATE FUNCTION claimgraph_user_memberships(p_user_id uuid) RETURNS jsonb LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM set_config('claimgraph.user_id', p_user_id::text, true);
        RETURN coalesce((SELECT jsonb_agg(jsonb_build_array(m.team_id, m.role)) FROM memberships m WHERE m.user_id = p_user_id), '[]'::jsonb);
      END $$;

      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'claimgraph_app') THEN
          CREATE ROLE claimgraph_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
      END $$;
      -- the login role must be allowed to SET ROLE to it
      GRANT claimgraph_app TO CURRENT_USER;
      GRANT USAGE ON SCHEMA public TO claimgraph_app;
      GRANT SELECT, INSERT, UPDATE ON users, teams, memberships, api_tokens TO claimgraph_app;
      GRANT DELETE ON memberships TO claimgraph_app;
      GRANT SELECT, INSERT, UPDATE ON articles, article_revisions, sources, claims, evidence, verdicts, comments, assignments TO claimgraph_app;
      -- history is append-only for the application
      GRANT SELECT, INSERT ON history_events TO claimgraph_app;
      GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO claimgraph_app;
      GRANT EXECUTE ON FUNCTION claimgraph_team_ids(), claimgraph_user_id() TO claimgraph_app;

      ALTER TABLE teams ENABLE ROW LEVEL SECURITY;
      ALTER TABLE teams FORCE ROW LEVEL SECURITY;
      CREATE POLICY team_isolation ON teams
        USING (id = ANY (claimgraph_team_ids())) WITH CHECK (id = ANY (claimgraph_team_ids()));

      ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
      ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
      CREATE POLICY team_isolation ON memberships
        USING (team_id = ANY (claimgraph_team_ids()) OR user_id = claimgraph_user_id())
        WITH CHECK (team_id = ANY (claimgraph_team_ids()));

      -- Events of a team, plus a user's own team-less events (their tokens).
      ALTER TABLE history_events DROP CONSTRAINT history_events_entity_type_check;
      ALTER TABLE history_events ADD CONSTRAINT history_events_entity_type_check CHECK (entity_type IN
        ('Team', 'User', 'Membership', 'Article', 'ArticleRevision', 'Claim', 'Source', 'Evidence', 'Verdict',
         'Comment', 'Assignment', 'ApiToken'));
      ALTER TABLE history_events ENABLE ROW LEVEL SECURITY;
      ALTER TABLE history_events FORCE ROW LEVEL SECURITY;
      CREATE POLICY team_isolation ON history_events
        USING (team_id = ANY (claimgraph_team_ids()) OR (team_id IS NULL AND actor_id = claimgraph_user_id()))
        WITH CHECK (team_id = ANY (claimgraph_team_ids()) OR (team_id IS NULL AND actor_id = claimgraph_user_id()));
    `);
    for (const table of TENANT_TABLES) {
      await queryRunner.query(`
        ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
        ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
        CREATE POLICY team_isolation ON ${table}
          USING (team_id = ANY (claimgraph_team_ids())) WITH CHECK (team_id = ANY (claimgraph_team_ids()));
      `);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...TENANT_TABLES, 'history_events', 'memberships', 'teams']) {
      await queryRunner.query(`
        DROP POLICY team_isolation ON ${table};
        ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY;
        ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY;
      `);
    }
    // The role is cluster-wide and may serve other databases: only this database's grants go.
    await queryRunner.query(`
      REVOKE ALL ON ALL TABLES IN SCHEMA public FROM claimgraph_app;
      REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM claimgraph_app;
      REVOKE ALL ON SCHEMA public FROM claimgraph_app;
      DROP FUNCTION claimgraph_user_memberships(uuid);
      DROP FUNCTION claimgraph_authenticate(bytea);
      DROP FUNCTION claimgraph_user_id();
      DROP FUNCTION claimgraph_team_ids();
      DROP TABLE api_tokens;
      DELETE FROM history_events WHERE entity_type = 'ApiToken';
      ALTER TABLE history_events DROP CONSTRAINT history_events_entity_type_check;
      ALTER TABLE history_events ADD CONSTRAINT history_events_entity_type_check CHECK (entity_type IN
        ('Team', 'User', 'Membership', 'Article', 'ArticleRevision', 'Claim', 'Source', 'Evidence', 'Verdict',
         'Comment', 'Assignment'));
      ALTER TABLE users DROP COLUMN password_hash;
    `);
  }
}
