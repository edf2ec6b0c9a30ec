import argon2 from 'argon2';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { type LoginRoleServer, startLoginRoleServer } from './support/login-role';
import { createArticle, createClaim, createDesk, rawId, type Desk } from './support/desk';
import { UserAdmin } from '../src/modules/user/user.service';
import { APP_ROLE } from '../src/db/request-db';

/**
 * The production set-up of README's "Database roles": the server logs in as a role that is no
 * superuser, owns nothing and may only SET ROLE to claimgraph_app. The whole API works through
 * it, credentials are read only through SECURITY DEFINER functions, and neither RESET ROLE nor
 * the app role reaches password or token hashes or another team's rows.
 */
describe('the credential wall under a non-owner login role', () => {
  let app: TestApp;
  let desk: Desk;
  let login: LoginRoleServer;
  let loginRole: string;
  let loginUrl: string;
  let base: string;
  let claimId: string;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
    claimId = (await createClaim(app, desk, (await createArticle(app, desk)).id, 'approved a budget of $4.2 million')).id;
    await new UserAdmin(app.dataSource).setPassword(desk.editor.email, 'the editor passphrase');
    // the roles the server switches to: requests, public pages, the webhook worker
    login = await startLoginRoleServer(app, {
      grants: [APP_ROLE, 'claimgraph_public', 'claimgraph_webhooks'],
      poolSize: 4,
      env: { AUTH_CACHE_TTL_MS: '5000' },
    });
    ({ role: loginRole, url: loginUrl, base } = login);
  });
  afterAll(async () => {
    await login?.close();
    await app?.close();
  });

  const call = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
  };

  it('serves login, sessions, tokens, password changes and team reads through the login role', async () => {
    const login = await call(`mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { token user { email } } }`, {
      e: desk.editor.email,
      p: 'the editor passphrase',
    });
    expect(login.errors).toBeUndefined();
    const session = login.data.login.token as string;
    const wrong = await call(`mutation($e: String!) { login(input: { email: $e, password: "not the passphrase" }) { token } }`, { e: desk.editor.email });
    expect(wrong.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    const token = (await call(`mutation { createApiToken(input: { name: "wall" }) { token } }`, {}, session)).data.createApiToken.token as string;
    const viewer = await call(
      `query($id: ID!) { viewer { email memberships { role } apiTokens(first: 5) { nodes { name } } } node(id: $id) { ... on Claim { quote verdicts(first: 1) { totalCount } } } }`,
      { id: claimId },
      token,
    );
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data.viewer).toMatchObject({ email: desk.editor.email, memberships: [{ role: 'EDITOR' }], apiTokens: { nodes: [{ name: 'wall' }] } });
    expect(viewer.data.node.quote).toBe('approved a budget of $4.2 million');

    const changed = await call(
      `mutation { changePassword(input: { currentPassword: "the editor passphrase", newPassword: "a new editor passphrase" }) { user { email } } }`,
      {},
      session,
    );
    expect(changed.errors).toBeUndefined();
    const team = await call(
      `query($id: ID!) { node(id: $id) { ... on Team { memberships(first: 10) { nodes { user { email } } } } } }`,
      { id: desk.teamId },
      token,
    );
    expect(team.errors).toBeUndefined();
    expect(team.data.node.memberships.nodes.map((member: any) => member.user.email)).toContain(desk.viewer.email);
  });

  it("keeps password and token hashes out of the role's reach, and RESET ROLE reaches no tenant row", async () => {
    const client = new Client({ connectionString: loginUrl });
    await client.connect();
    try {
      const denied = async (sql: string) =>
        expect(
          (
            await client.query(sql).then(
              () => null,
              (error: Error) => error,
            )
          )?.message,
        ).toMatch(/permission denied/);
      await denied('SELECT password_hash FROM users');
      await denied('SELECT token_hash FROM api_tokens');
      await client.query('BEGIN');
      // a request's transaction for the editor, as RequestDb opens it; then an attempt to step out
      await client.query(
        `SELECT set_config('role', '${APP_ROLE}', true), set_config('claimgraph.user_id', $1, true), set_config('claimgraph.team_ids', $2, true)`,
        [desk.editor.id, `{${rawId(desk.teamId)}}`],
      );
      await client.query('RESET ROLE');
      expect((await client.query('SELECT current_user AS name')).rows[0].name).toBe(loginRole);
      const outsiderTeams = (await client.query(`SELECT team_id FROM memberships WHERE user_id = $1`, [desk.outsider.id])).rows;
      expect(outsiderTeams).toEqual([]);
      expect((await client.query(`SELECT count(*)::int AS n FROM claims WHERE team_id <> $1`, [rawId(desk.teamId)])).rows[0].n).toBe(0);
      // the outsider shares no team with the editor: their account is not visible either
      expect((await client.query(`SELECT count(*)::int AS n FROM users WHERE id = $1`, [desk.outsider.id])).rows[0].n).toBe(0);
      expect((await client.query(`SELECT count(*)::int AS n FROM api_tokens WHERE user_id <> $1`, [desk.editor.id])).rows[0].n).toBe(0);
      await client.query('ROLLBACK');
      // with no caller at all: nothing of any team
      expect(
        (
          await client.query(
            'SELECT (SELECT count(*) FROM claims)::int AS claims, (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM api_tokens)::int AS tokens',
          )
        ).rows[0],
      ).toEqual({ claims: 0, users: 0, tokens: 0 });
    } finally {
      await client.end();
    }
  });

  it('gives the app role no route to a password hash: not the column, not a whole row, not a function', async () => {
    const [{ password_hash: stored }] = await app.sql<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [desk.editor.id]);
    const [, , , , , hashPart] = stored.split('$');
    const client = new Client({ connectionString: loginUrl });
    await client.connect();
    try {
      await client.query(`SET ROLE ${APP_ROLE}`);
      await client.query(`SELECT set_config('claimgraph.user_id', $1, false), set_config('claimgraph.team_ids', $2, false)`, [
        desk.editor.id,
        `{${rawId(desk.teamId)}}`,
      ]);
      const refused = async (sql: string, values: unknown[] = []) => {
        const error = await client.query(sql, values).then(
          () => null,
          (failure: Error) => failure,
        );
        expect([sql, error?.message]).toEqual([sql, expect.stringMatching(/permission denied|must be owner/)]);
      };
      // the caller's own row, the one row-level security shows them whole
      await refused('SELECT password_hash FROM users WHERE id = $1', [desk.editor.id]);
      await refused('SELECT * FROM users WHERE id = $1', [desk.editor.id]);
      await refused('SELECT row_to_json(u) FROM users u WHERE id = $1', [desk.editor.id]);
      await refused(`SELECT id FROM users WHERE id = $1 AND password_hash LIKE '$argon2id$%'`, [desk.editor.id]);
      await refused('UPDATE users SET name = name WHERE id = $1 RETURNING password_hash', [desk.editor.id]);
      await refused('COPY users TO STDOUT');
      await refused(`CREATE OR REPLACE FUNCTION claimgraph_password_params(p_user_id uuid) RETURNS TABLE (params text, hash_length int)
        LANGUAGE sql AS $$ SELECT password_hash, 0 FROM users WHERE id = p_user_id $$`);
      // what runs with the owner's rights and is open to the app role: only the two functions
      // below mention the column, and no view the app role may read does
      const definers = await client.query(`
        SELECT p.proname FROM pg_proc p
         WHERE p.prosecdef AND has_function_privilege('${APP_ROLE}', p.oid, 'EXECUTE') AND p.prosrc ILIKE '%password_hash%'
         ORDER BY 1`);
      expect(definers.rows.map((row) => row.proname)).toEqual(['claimgraph_password_matches', 'claimgraph_password_params']);
      const views = await client.query(`
        SELECT c.relname FROM pg_class c
         WHERE c.relkind IN ('v', 'm') AND has_table_privilege('${APP_ROLE}', c.oid, 'SELECT') AND pg_get_viewdef(c.oid) ILIKE '%password_hash%'`);
      expect(views.rows).toEqual([]);
      // and those two give the parameters and salt (not secret: they say how to hash a guess), and yes or no
      const params = (await client.query('SELECT params, hash_length FROM claimgraph_password_params($1)', [desk.editor.id])).rows;
      expect(params).toEqual([{ params: stored.slice(0, stored.length - hashPart.length - 1), hash_length: 32 }]);
      expect(JSON.stringify(params)).not.toContain(hashPart);
      const matches = await client.query('SELECT claimgraph_password_matches($1, $2) AS answer', [desk.editor.id, `${params[0].params}$${'A'.repeat(43)}`]);
      expect(matches.rows).toEqual([{ answer: false }]);
      expect(
        (await client.query(`SELECT to_regprocedure('claimgraph_login_lookup(text)') AS a, to_regprocedure('claimgraph_password_hash(uuid)') AS b`)).rows,
      ).toEqual([{ a: null, b: null }]);
    } finally {
      await client.end();
    }
  });

  it("logs in against a hash of older parameters, and stores it again with today's", async () => {
    const older = await argon2.hash('an older passphrase', { type: argon2.argon2id, memoryCost: 8_192, timeCost: 3, parallelism: 1 });
    await app.sql('UPDATE users SET password_hash = $2 WHERE id = $1', [desk.reviewer.id, older]);
    const wrong = await call(`mutation($e: String!) { login(input: { email: $e, password: "not the passphrase" }) { token } }`, { e: desk.reviewer.email });
    expect(wrong.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const login = await call(`mutation($e: String!) { login(input: { email: $e, password: "an older passphrase" }) { token } }`, { e: desk.reviewer.email });
    expect(login.errors).toBeUndefined();
    const [{ password_hash: now }] = await app.sql<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [desk.reviewer.id]);
    expect(now).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await argon2.verify(now, 'an older passphrase')).toBe(true);
    const unknown = await call(`mutation { login(input: { email: "nobody@credential-wall.example", password: "an older passphrase" }) { token } }`);
    expect(unknown.errors?.[0]).toMatchObject({ message: 'Invalid email or password', extensions: { code: 'UNAUTHENTICATED' } });
  });
});
