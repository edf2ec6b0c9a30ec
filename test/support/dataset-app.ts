import { Client } from 'pg';
import { expect } from 'vitest';
import pino from 'pino';
import type { GraphQLSchema } from 'graphql';
import { generateDataset, type BenchUser, type DatasetSpec } from '../../bench/dataset';
import { loadConfig } from '../../src/config';
import { buildClaimgraphSchema } from '../../src/schema';
import { createServer, type ClaimgraphServer } from '../../src/server';
import type { StatementCounter } from '../../src/db/statement-counter';
import { createTestApp, type TestApp } from './app';

/**
 * A test app whose database holds the benchmark's set-based data (bench/dataset.ts, one call per
 * spec), a client on that database (a superuser: it may write every table), and the data's users:
 * where the tests of the compiled read path and of performance start.
 */
export async function appWithDataset(...specs: DatasetSpec[]): Promise<{ app: TestApp; client: Client; users: BenchUser[] }> {
  const app = await createTestApp();
  const client = new Client({ connectionString: app.databaseUrl });
  await client.connect();
  const users: BenchUser[] = [];
  for (const spec of specs) users.push(...(await generateDataset(client, spec)).users);
  return { app, client, users };
}

/**
 * A second server on the app's database and data source, configured by `env` (NODE_ENV=test and
 * the app's DATABASE_URL otherwise): with `GRAPHQL_SQL: 'false'` the resolvers answer everything,
 * to compare the compiled read path with.
 */
export async function serverBeside(app: TestApp, env: Record<string, string>, schema?: GraphQLSchema): Promise<ClaimgraphServer> {
  return createServer({
    config: loadConfig({ NODE_ENV: 'test', DATABASE_URL: app.databaseUrl, ...env }),
    dataSource: app.dataSource,
    schema: schema ?? (await buildClaimgraphSchema()),
    log: pino({ level: 'silent' }),
  });
}

/**
 * Operations run through a server's Apollo as `user()`, with the statements and round trips they
 * took (the arguments are functions, read when an operation runs: tests set them in beforeAll).
 * `both` runs one on the app's own server (the compiled read path) and on `resolvers()`
 * (GRAPHQL_SQL=false), and expects the same JSON text from both (request ids aside).
 */
export function pathComparison(app: () => TestApp, resolvers: () => ClaimgraphServer, counter: StatementCounter, user: () => string) {
  async function runOn(server: ClaimgraphServer, query: string, variables: Record<string, unknown>) {
    const actor = await server.authenticator.actorFor(user(), 'test');
    const before = counter.total;
    const roundTripsBefore = counter.roundTrips;
    const response = await server.apollo.executeOperation({ query, variables }, { contextValue: server.contextFor(actor) });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    // the request id of an internal error (a stored URL the URL scalar cannot serialise) is the request's own
    const text = JSON.stringify(response.body.singleResult).replace(/"requestId":"[^"]*"/g, '"requestId":"…"');
    return { text, statements: counter.total - before, roundTrips: counter.roundTrips - roundTripsBefore };
  }

  async function both(query: string, variables: Record<string, unknown>) {
    const compiled = await runOn(app().server, query, variables);
    const resolved = await runOn(resolvers(), query, variables);
    expect(compiled.text).toBe(resolved.text);
    return { ...compiled, resolvedStatements: resolved.statements, body: JSON.parse(compiled.text) as { data: any; errors?: any[] } };
  }

  return { runOn, both };
}
