import type { MigrationInterface, QueryRunner } from 'typeorm';

const DEFINER = 'SECURITY DEFINER SET search_path = pg_catalog, public';

/**
 * Password hashes never leave the database to the application role. Verifying a password needs
 * the stored hash's parameters and salt (not secret: they only say how to hash a guess), so the
 * API reads those, hashes the password it was given with them (argon2id, in Node), and asks the
 * database whether the result equals the stored hash: `claimgraph_password_matches` answers yes
 * or no. The functions that handed the hash itself to the application role (login, and the
 * current-password check) are dropped.
 */
export class PasswordCheckInDatabase1764540000000 implements MigrationInterface {
  name = 'PasswordCheckInDatabase1764540000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP FUNCTION claimgraph_login_lookup(text);
      DROP FUNCTION claimgraph_password_hash(uuid);

      -- A PHC string is $argon2id$v=19$m=…,p=…,t=…$<salt>$<hash>: everything but the hash, and
      -- the hash's length in bytes (unpadded base64: 4 characters for 3 bytes).
      CREATE FUNCTION claimgraph_password_params(p_user_id uuid) RETURNS TABLE (params text, hash_length int)
      LANGUAGE sql STABLE ${DEFINER} AS $$
        SELECT left(password_hash, length(password_hash) - length(h) - 1), (length(h) * 3) / 4
          FROM users, LATERAL (SELECT split_part(password_hash, '$', 6) AS h) last
         WHERE id = p_user_id AND password_hash IS NOT NULL
      $$;

      -- Digests compared, so the comparison's time says nothing about how much of a guess matched.
      CREATE FUNCTION claimgraph_password_matches(p_user_id uuid, p_candidate text) RETURNS boolean
      LANGUAGE sql STABLE ${DEFINER} AS $$
        SELECT coalesce((SELECT sha256(convert_to(password_hash, 'UTF8')) = sha256(convert_to(p_candidate, 'UTF8'))
                           FROM users WHERE id = p_user_id AND password_hash IS NOT NULL), false)
      $$;

      REVOKE EXECUTE ON FUNCTION claimgraph_password_params(uuid), claimgraph_password_matches(uuid, text) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION claimgraph_password_params(uuid), claimgraph_password_matches(uuid, text) TO claimgraph_app;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP FUNCTION claimgraph_password_matches(uuid, text);
      DROP FUNCTION claimgraph_password_params(uuid);

      CREATE FUNCTION claimgraph_login_lookup(p_email text) RETURNS TABLE (user_id uuid, password_hash text)
      LANGUAGE sql STABLE ${DEFINER} AS $$
        SELECT id, password_hash FROM users WHERE email = lower(btrim(p_email))
      $$;
      CREATE FUNCTION claimgraph_password_hash(p_user_id uuid) RETURNS text LANGUAGE sql STABLE ${DEFINER} AS $$
        SELECT password_hash FROM users WHERE id = p_user_id AND p_user_id = claimgraph_user_id()
      $$;
      REVOKE EXECUTE ON FUNCTION claimgraph_login_lookup(text), claimgraph_password_hash(uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION claimgraph_login_lookup(text), claimgraph_password_hash(uuid) TO claimgraph_app;
    `);
  }
}
