import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROLE } from '../src/db/request-db';
import { roleTransaction } from '../src/db/role-transaction';
import { createTestApp, type TestApp } from './support/app';
import { type LoginRoleServer, startLoginRoleServer } from './support/login-role';
import { createDesk, type Desk } from './support/desk';

/**
 * A pooled connection whose transaction could not be opened (the login role may not become the
 * role asked for: an operator forgot a GRANT) must not go back to the pool: it would carry an
 * aborted transaction into the next request. One connection in the pool, so the next user is
 * certain to get the same one if it was given back.
 */
describe('roleTransaction on a connection whose SET ROLE failed', () => {
  let app: TestApp;
  let desk: Desk;
  let login: LoginRoleServer;
  let dataSource: DataSource;
  let base: string;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
    // requests' role only: public pages (claimgraph_public) are not granted
    login = await startLoginRoleServer(app, { grants: [APP_ROLE], poolSize: 1, env: { CLAIMGRAPH_DEV_AUTH: 'true', WEBHOOK_WORKER: 'false' } });
    ({ dataSource, base } = login);
  });
  afterAll(async () => {
    await login?.close();
    await app?.close();
  });

  const pool = () => (dataSource.driver as unknown as { master: pg.Pool }).master;

  it('destroys the connection, and the next transaction on the pool runs on a fresh one', async () => {
    const backend = async () => roleTransaction(dataSource, APP_ROLE, {}, async (client) => (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    const first = await backend();
    expect(pool().totalCount).toBe(1);
    const refused = await roleTransaction(dataSource, 'claimgraph_public', { readOnly: true }, async () => 'ran').catch((error: Error) => error);
    expect((refused as Error).message).toMatch(/permission denied to set role/);
    expect(pool().totalCount).toBe(0);
    const [after, state] = await roleTransaction(dataSource, APP_ROLE, {}, async (client) => {
      const row = (await client.query(`SELECT pg_backend_pid() AS pid, current_user AS role, current_setting('transaction_read_only') AS ro`)).rows[0];
      return [row.pid, row] as const;
    });
    expect(after).not.toBe(first);
    expect(state).toMatchObject({ role: APP_ROLE, ro: 'off' });
  });

  it('a public page that cannot switch role leaves the next GraphQL request unharmed', async () => {
    const page = await fetch(`${base}/teams/${desk.teamSlug}/fact-checks.jsonld`);
    expect(page.status).toBe(500);
    expect(((await page.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-claimgraph-user': desk.editor.email },
        body: JSON.stringify({ query: '{ viewer { email memberships { role } } }' }),
      });
      const body = (await response.json()) as { data?: { viewer: { email: string } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data?.viewer.email).toBe(desk.editor.email);
    }
  });
});
