import { MigrationInterface, QueryRunner } from 'typeorm';

const SCOPE = '(SELECT claimgraph_team_ids())::uuid[]';
const USER = '(SELECT claimgraph_user_id())';
const DEFINER = 'SECURITY DEFINER SET search_path = pg_catalog, public';
const FUNCTIONS = [
  'claimgraph_authenticate(bytea)',
  'claimgraph_user_memberships(uuid)',
  'claimgraph_user_id_by_email(text)',
  'claimgraph_ensure_user(text, text)',
  'claimgraph_login_lookup(text)',
  'claimgraph_password_hash(uuid)',
  'claimgraph_token_used(uuid)',
];

/**
 * The database's wall around credentials. The application role no longer reads password or
 * token hashes: credential lookups (token verification, a user's memberships, login, the current
 * password check) are SECURITY DEFINER functions that run with the owner's rights and answer only
 * the question asked. Row-level security on `users` shows the caller themselves and the users who
 * share a team with them; on `api_tokens`, the caller's own tokens. Both tables ENABLE but do not
 * FORCE it: the owner (migrations, the operator's `user create`) is not the application.
 */
export class CredentialWall1764520000000 implements MigrationInterface {
  name = 'CredentialWall1764520000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER FUNCTION claimgraph_authenticate(bytea) ${DEFINER};
      ALTER FUNCTION claimgraph_user_memberships(uuid) ${DEFINER};

      CREATE FUNCTION claimgraph_user_id_by_email(p_email text) RETURNS uuid LANGUAGE sql STABLE ${DEFINER} AS $$
        SELECT id FROM users WHERE email = lower(btrim(p_email))
      $$;

      -- development authentication only (CLAIMGRAPH_DEV_AUTH): the user named by the header
      CREATE FUNCTION claimgraph_ensure_user(p_email text, p_name text) RETURNS uuid LANGUAGE sql ${DEFINER} AS $$
        INSERT INTO users (email, name) VALUES (p_email, p_name)
        ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
        RETURNING id
      $$;

      -- login: the hash of one account, by its exact email, to verify a password against
      CREATE FUNCTION claimgraph_login_lookup(p_email text) RETURNS TABLE (user_id uuid, password_hash text)
      LANGUAGE sql STABLE ${DEFINER} AS $$
        SELECT id, password_hash FROM users WHERE email = lower(btrim(p_email))
      $$;

      -- changing a password: the caller's own hash only
      CREATE FUNCTION claimgraph_password_hash(p_user_id uuid) RETURNS text LANGUAGE sql STABLE ${DEFINER} AS $$
        SELECT password_hash FROM users WHERE id = p_user_id AND p_user_id = claimgraph_user_id()
      $$;

      CREATE FUNCTION claimgraph_token_used(p_token_id uuid) RETURNS void LANGUAGE sql ${DEFINER} AS $$
        UPDATE api_tokens SET last_used_at = now() WHERE id = p_token_id
      $$;

      REVOKE SELECT ON users, api_tokens FROM claimgraph_app;
      GRANT SELECT (id, email, name, created_at, updated_at) ON users TO claimgraph_app;
      GRANT SELECT (id, user_id, kind, name, prefix, expires_at, last_used_at, revoked_at, created_at) ON api_tokens TO claimgraph_app;
      -- the server checks at start and in /readyz that every migration is applied
      GRANT SELECT ON migrations TO claimgraph_app;

      ALTER TABLE users ENABLE ROW LEVEL SECURITY;
      CREATE POLICY user_visibility ON users FOR SELECT USING (id = ${USER}
        OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.team_id = ANY (${SCOPE})));
      CREATE POLICY user_self_update ON users FOR UPDATE USING (id = ${USER}) WITH CHECK (id = ${USER});

      ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
      CREATE POLICY token_owner ON api_tokens USING (user_id = ${USER}) WITH CHECK (user_id = ${USER});
    `);
    for (const fn of FUNCTIONS) {
      await queryRunner.query(`REVOKE EXECUTE ON FUNCTION ${fn} FROM PUBLIC; GRANT EXECUTE ON FUNCTION ${fn} TO claimgraph_app`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const fn of FUNCTIONS.slice(0, 2)) await queryRunner.query(`GRANT EXECUTE ON FUNCTION ${fn} TO PUBLIC`);
    await queryRunner.query(`
      DROP POLICY token_owner ON api_tokens;
      ALTER TABLE api_tokens DISABLE ROW LEVEL SECURITY;
      DROP POLICY user_self_update ON users;
      DROP POLICY user_visibility ON users;
      ALTER TABLE users DISABLE ROW LEVEL SECURITY;
      REVOKE SELECT ON migrations FROM claimgraph_app;
      REVOKE SELECT (id, user_id, kind, name, prefix, expires_at, last_used_at, revoked_at, created_at) ON api_tokens FROM claimgraph_app;
      REVOKE SELECT (id, email, name, created_at, updated_at) ON users FROM claimgraph_app;
      GRANT SELECT ON users, api_tokens TO claimgraph_app;
      DROP FUNCTION claimgraph_token_used(uuid);
      DROP FUNCTION claimgraph_password_hash(uuid);
      DROP FUNCTION claimgraph_login_lookup(text);
      DROP FUNCTION claimgraph_ensure_user(text, text);
      DROP FUNCTION claimgraph_user_id_by_email(text);
      ALTER FUNCTION claimgraph_user_memberships(uuid) SECURITY INVOKER RESET search_path;
      ALTER FUNCTION claimgraph_authenticate(bytea) SECURITY INVOKER RESET search_path;
    `);
  }
}
