import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config';
import { createDataSource } from '../../src/db/data-source';
import { buildClaimgraphSchema } from '../../src/schema';
import { type ClaimgraphServer, createServer } from '../../src/server';
import type { TestApp } from './app';

export interface LoginRoleServer {
  /** The login role's name: no superuser, owns nothing, may only SET ROLE to what it was granted. */
  role: string;
  url: string;
  dataSource: DataSource;
  server: ClaimgraphServer;
  /** http://127.0.0.1:PORT of the server running as that role. */
  base: string;
  close(): Promise<void>;
}

/**
 * The production set-up of README's "Database roles": a server that logs in as a fresh role with
 * only the given roles granted. Roles are cluster-wide, so close() drops it after the server stops.
 */
export async function startLoginRoleServer(
  app: TestApp,
  options: { grants: string[]; poolSize: number; env?: Record<string, string> },
): Promise<LoginRoleServer> {
  const role = `cg_login_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await app.sql(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS`);
  await app.sql(`GRANT ${options.grants.join(', ')} TO ${role}`);
  const parsed = new URL(app.databaseUrl);
  parsed.username = role;
  parsed.password = password;
  const url = parsed.toString();
  const dataSource = createDataSource({ url, poolSize: options.poolSize });
  await dataSource.initialize();
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, RATE_LIMIT_POINTS: '0', ...options.env });
  const server = await createServer({ config, dataSource, schema: await buildClaimgraphSchema(), log: pino({ level: 'silent' }) });
  const base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  return {
    role,
    url,
    dataSource,
    server,
    base,
    async close() {
      await server.stop();
      if (server.httpServer.listening) await new Promise((resolve) => server.httpServer.close(resolve));
      await dataSource.destroy();
      // the test database's grants go with app.close(); the role itself is the cluster's
      const admin = new Client({ connectionString: new URL('/postgres', app.databaseUrl).toString() });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    },
  };
}
