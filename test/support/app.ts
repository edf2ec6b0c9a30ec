import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import pino from 'pino';
import { inject } from 'vitest';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config';
import { createDataSource } from '../../src/db/data-source';
import { buildClaimgraphSchema } from '../../src/schema';
import { createServer, type ClaimgraphServer } from '../../src/server';
import type { Actor } from '../../src/shared/actor';
import type { Role } from '../../src/modules/team/role';

export interface GraphQLResult<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface TestUser {
  id: string;
  email: string;
  actor(): Promise<Actor>;
}

export interface TestApp {
  dataSource: DataSource;
  server: ClaimgraphServer;
  databaseUrl: string;
  /** Starts listening on a free loopback port (once) and returns the base URL. */
  listen(): Promise<string>;
  /** Runs an operation through Apollo (parsing, validation, plugins, formatError) as `user`. */
  run<T = Record<string, any>>(user: TestUser | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>>;
  /** Like run, but fails the test on any error and returns data. */
  ok<T = Record<string, any>>(user: TestUser | null, query: string, variables?: Record<string, unknown>): Promise<T>;
  user(name?: string): Promise<TestUser>;
  addMember(teamGlobalId: string, user: TestUser, role: Role): Promise<void>;
  sql<R = Record<string, any>>(text: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A fresh database (a copy of the migrated template) and the real server on it, for one test file. */
export async function createTestApp(options: { env?: Record<string, string> | ((databaseUrl: string) => Record<string, string>) } = {}): Promise<TestApp> {
  const serverUrl = inject('serverUrl');
  const template = inject('templateDatabase');
  const database = `cg_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database} TEMPLATE ${template}`);
  await admin.end();
  const databaseUrl = withDatabase(serverUrl, database);

  const dataSource = createDataSource({ url: databaseUrl, poolSize: 10 });
  await dataSource.initialize();
  // The rate limiter stays on, with a budget a test file's bursts (dozens of downloads by one token
  // within a minute) do not spend; the rate-limit tests start servers with budgets of their own.
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    CLAIMGRAPH_DEV_AUTH: 'false',
    RATE_LIMIT_POINTS: '100000',
    WEBHOOK_WORKER: 'false',
    ...(typeof options.env === 'function' ? options.env(databaseUrl) : options.env),
  });
  const server = await createServer({ config, dataSource, schema: await buildClaimgraphSchema(), log: pino({ level: 'silent' }) });
  let userCount = 0;
  let baseUrl: string | null = null;

  const app: TestApp = {
    dataSource,
    server,
    databaseUrl,
    async listen() {
      if (!baseUrl) baseUrl = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
      return baseUrl;
    },
    async run(user, query, variables) {
      const actor = user ? await user.actor() : null;
      const response = await server.apollo.executeOperation({ query, variables }, { contextValue: server.contextFor(actor) });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      // JSON round trip: what an HTTP client would see (Dates as strings, no class instances).
      return JSON.parse(JSON.stringify(response.body.singleResult)) as GraphQLResult<any>;
    },
    async ok(user, query, variables) {
      const result = await app.run(user, query, variables);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
      return result.data as any;
    },
    async user(name) {
      userCount += 1;
      const label = name ?? `user${userCount}`;
      const email = `${label.toLowerCase().replace(/[^a-z0-9]+/g, '.')}.${randomBytes(3).toString('hex')}@example.test`;
      const [row] = await dataSource.query('INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id', [email, label]);
      const id = row.id as string;
      return { id, email, actor: () => server.authenticator.actorFor(id, 'test') };
    },
    async addMember(teamGlobalId, user, role) {
      const teamId = Buffer.from(teamGlobalId, 'base64url').toString('utf8').split(':')[1];
      await dataSource.query('INSERT INTO memberships (team_id, user_id, role) VALUES ($1, $2, $3)', [teamId, user.id, role]);
    },
    sql(text, params) {
      return dataSource.query(text, params);
    },
    async close() {
      await server.stop();
      if (server.httpServer.listening) await new Promise((resolve) => server.httpServer.close(resolve));
      await dataSource.destroy();
      const cleanup = new Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await cleanup.end();
    },
  };
  return app;
}
