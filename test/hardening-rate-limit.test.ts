import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../src/config';
import { createTestApp, type TestApp, type TestUser } from './support/app';
import { createDesk, type Desk } from './support/desk';
import { postGraphQL, startServer, type HardenedServer } from './support/hardening';
import WebSocket from 'ws';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { EXPORT_COST_POINTS } from '../src/modules/report/report.routes';
import { CLOSE_TRY_AGAIN_LATER, MAX_SUBSCRIPTIONS_PER_CONNECTION } from '../src/modules/live/websocket';

const REDIS_URL = 'redis://127.0.0.1:6379';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
// A node budget of 1,000 makes the dearest query cost 11, so small budgets are valid configuration.
const SMALL = { MAX_QUERY_NODES: '1000', RATE_LIMIT_WINDOW_SECONDS: '60' };

let app: TestApp;
let desk: Desk;

async function tokenFor(user: TestUser): Promise<string> {
  return (await app.ok(user, `mutation { createApiToken(input: { name: "rate ${randomBytes(3).toString('hex')}" }) { token } }`)).createApiToken
    .token as string;
}

beforeAll(async () => {
  app = await createTestApp();
  desk = await createDesk(app);
});
afterAll(() => app?.close());

describe('rate limits', () => {
  it('charges each token by query cost and answers 429 with Retry-After and a GraphQL error body', async () => {
    const server = await startServer(app, { ...SMALL, RATE_LIMIT_POINTS: '20', RATE_LIMIT_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}` });
    try {
      const token = await tokenFor(desk.reviewer);
      const first = await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(token));
      expect(first.status).toBe(200);
      expect(first.headers.get('x-ratelimit-limit')).toBe('20');
      expect(first.headers.get('x-ratelimit-remaining')).toBe('19');
      // claims(first: 100) may return 100 nodes: 1 + 1 point
      const paged = await postGraphQL(server.graphqlUrl, { query: '{ claims(first: 100) { totalCount } }' }, bearer(token));
      expect(paged.headers.get('x-ratelimit-remaining')).toBe('17');
      // a mutation costs 5 (this one fails validation of its input, and is charged all the same)
      await postGraphQL(server.graphqlUrl, { query: 'mutation { updateTeam(input: { teamId: "nope", name: "x" }) { team { id } } }' }, bearer(token));
      const afterMutation = await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(token));
      expect(afterMutation.headers.get('x-ratelimit-remaining')).toBe('11');
      for (let request = 0; request < 11; request++) {
        expect((await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(token))).status).toBe(200);
      }
      const limited = await postGraphQL(server.graphqlUrl, { query: 'query Again { viewer { id } }' }, bearer(token));
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(limited.body).toEqual({
        errors: [
          {
            message: expect.stringContaining('Rate limit exceeded: 20 points per 60 seconds'),
            extensions: { code: 'RATE_LIMITED', limit: 20, cost: 1, retryAfterSeconds: Number(limited.headers.get('retry-after')) },
          },
        ],
      });
      // another token of the same team, and anonymous callers, have budgets of their own
      const other = await tokenFor(desk.editor);
      expect((await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(other))).status).toBe(200);
      const anonymous = await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' });
      expect(anonymous.headers.get('x-ratelimit-remaining')).toBe('19');
      const line = server.logs.find((entry) => entry.operationName === 'Again');
      expect(line).toMatchObject({ status: 429, errorCodes: ['RATE_LIMITED'], cost: 1 });
    } finally {
      await server.close();
    }
  });

  it('counts refused credentials against the client address, and then refuses new guesses before looking them up', async () => {
    const server = await startServer(app, {
      ...SMALL,
      RATE_LIMIT_POINTS: '15',
      CLAIMGRAPH_COUNT_SQL: 'true',
      RATE_LIMIT_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}`,
    });
    const statements = async () => ((await (await fetch(`${server.baseUrl}/debug/sql-statements`)).json()) as { total: number }).total;
    const forged = () => `cg_${randomBytes(32).toString('base64url').slice(0, 43)}`;
    try {
      const valid = await tokenFor(desk.viewer);
      expect((await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(valid))).status).toBe(200);
      let status = 0;
      for (let guess = 0; guess < 16; guess++) status = (await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(forged()))).status;
      expect(status).toBe(429);
      const before = await statements();
      for (let guess = 0; guess < 2; guess++) {
        const refused = await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(forged()));
        expect(refused.status).toBe(429);
        expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
      }
      expect(await statements()).toBe(before);
      // a token that has worked from this address is its own caller, with its own budget
      expect((await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(valid))).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('caps the requests one caller has in flight, without slowing another caller', async () => {
    const server = await startServer(app, {
      ...SMALL,
      RATE_LIMIT_POINTS: '100',
      RATE_LIMIT_CONCURRENCY: '2',
      STATEMENT_TIMEOUT_MS: '10000',
      RATE_LIMIT_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}`,
    });
    const busy = await tokenFor(desk.reviewer);
    const calm = await tokenFor(desk.viewer);
    const blocker = new Client({ connectionString: app.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE claims IN ACCESS EXCLUSIVE MODE');
      const held = [1, 2].map(() => postGraphQL(server.graphqlUrl, { query: '{ claims { totalCount } }' }, bearer(busy)));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const third = await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(busy));
      expect(third.status).toBe(429);
      expect(third.body.errors[0].extensions.code).toBe('RATE_LIMITED');
      expect(third.body.errors[0].message).toContain('at most 2 at a time');
      const started = Date.now();
      const other = await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(calm));
      expect(other.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1000);
      await blocker.query('ROLLBACK');
      for (const result of await Promise.all(held)) expect(result.body.errors).toBeUndefined();
      expect((await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(busy))).status).toBe(200);
    } finally {
      await blocker.end();
      await server.close();
    }
  });

  it('shares the counters between instances through Redis', async () => {
    const prefix = `claimgraph-test:${process.pid}:${randomBytes(4).toString('hex')}`;
    const env = { ...SMALL, RATE_LIMIT_POINTS: '20', REDIS_URL, RATE_LIMIT_KEY_PREFIX: prefix };
    const one = await startServer(app, env);
    const two = await startServer(app, env);
    const redis = new Redis(REDIS_URL);
    try {
      const token = await tokenFor(desk.reviewer2);
      for (let request = 0; request < 12; request++)
        expect((await postGraphQL(one.graphqlUrl, { query: '{ viewer { id } }' }, bearer(token))).status).toBe(200);
      for (let request = 0; request < 8; request++) expect((await postGraphQL(two.graphqlUrl, { query: '{ viewer { id } }' }, bearer(token))).status).toBe(200);
      // in-process counters would allow 20 on each instance; shared ones are spent
      expect((await postGraphQL(two.graphqlUrl, { query: '{ viewer { id } }' }, bearer(token))).status).toBe(429);
      expect((await postGraphQL(one.graphqlUrl, { query: '{ viewer { id } }' }, bearer(token))).status).toBe(429);
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys.length).toBe(1);
      expect(keys[0]).toMatch(/:token:[0-9a-f-]{36}$/);
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await one.close();
      await two.close();
    }
  });

  it('keeps serving, counting in process, when Redis is unreachable', async () => {
    const server = await startServer(app, {
      ...SMALL,
      MAX_QUERY_NODES: '100',
      RATE_LIMIT_POINTS: '5',
      REDIS_URL: 'redis://127.0.0.1:1',
      RATE_LIMIT_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}`,
    });
    try {
      const token = await tokenFor(desk.owner);
      const statuses: number[] = [];
      for (let request = 0; request < 6; request++) statuses.push((await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(token))).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    } finally {
      await server.close();
    }
  });

  it('charges a download from the same budget as queries, and answers an exhausted one with 429', async () => {
    const points = EXPORT_COST_POINTS + 20;
    const server = await startServer(app, { ...SMALL, RATE_LIMIT_POINTS: String(points), RATE_LIMIT_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}` });
    try {
      const token = await tokenFor(desk.editor);
      const download = () => fetch(`${server.baseUrl}/exports/verdicts.csv?team=${desk.teamSlug}`, { headers: bearer(token) });
      const first = await download();
      expect(first.status).toBe(200);
      await first.arrayBuffer();
      expect(first.headers.get('x-ratelimit-remaining')).toBe('20');
      // the query budget is the same one
      const query = await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(token));
      expect(query.headers.get('x-ratelimit-remaining')).toBe('19');
      const second = await download();
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await second.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(body.errors[0]).toMatchObject({
        message: expect.stringContaining(`a download costs ${EXPORT_COST_POINTS}`),
        extensions: { code: 'RATE_LIMITED', limit: points, cost: EXPORT_COST_POINTS },
      });
      // anonymous attempts cost a point each, against the address
      const anonymous = await fetch(`${server.baseUrl}/exports/verdicts.csv?team=${desk.teamSlug}`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('x-ratelimit-remaining')).toBe(String(points - 1));
    } finally {
      await server.close();
    }
  });

  describe('over WebSocket', () => {
    let server: HardenedServer;
    const clients: WsClient[] = [];
    const wsUrl = () => `${server.baseUrl.replace('http', 'ws')}/graphql`;
    const connect = (token: string, onClose?: (code: number, reason: string) => void): WsClient => {
      const client = createClient({
        url: wsUrl(),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        lazyCloseTimeout: 60_000,
        connectionParams: { authorization: `Bearer ${token}` },
        on: { closed: (event) => onClose?.((event as CloseEvent).code, String((event as CloseEvent).reason)) },
      });
      clients.push(client);
      return client;
    };
    /** Runs one operation to its end: its results, or its errors. */
    const run = (client: WsClient, query: string, variables: Record<string, unknown> = {}) =>
      new Promise<{ data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] }>((resolve) => {
        let last: unknown;
        client.subscribe(
          { query, variables },
          {
            next: (value) => (last = value),
            error: (error) => resolve({ errors: Array.isArray(error) ? error : [{ message: String((error as CloseEvent).reason ?? error) }] }),
            complete: () => resolve(last as { data?: unknown }),
          },
        );
      });
    beforeAll(async () => {
      server = await startServer(app, { ...SMALL, RATE_LIMIT_POINTS: '12', RATE_LIMIT_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}` });
    });
    afterAll(async () => {
      for (const client of clients) await client.dispose();
      await server?.close();
    });

    it('charges the connection and each operation, refuses an operation over budget, and closes new connections with 1013', async () => {
      const token = await tokenFor(desk.reviewer);
      const client = connect(token);
      // connection: 1 point; each query: 1 point; a mutation: 5
      expect(await run(client, '{ viewer { id } }')).toMatchObject({ data: { viewer: { id: expect.any(String) } } });
      expect(await run(client, 'mutation { updateTeam(input: { teamId: "nope", name: "x" }) { team { id } } }')).toMatchObject({ errors: expect.any(Array) });
      // 12 - 1 - 1 - 5 = 5 left, and HTTP sees the same budget
      expect((await postGraphQL(server.graphqlUrl, { query: '{ viewer { id } }' }, bearer(token))).headers.get('x-ratelimit-remaining')).toBe('4');
      for (let request = 0; request < 4; request++) expect((await run(client, '{ viewer { id } }')).errors).toBeUndefined();
      const refused = await run(client, '{ viewer { id } }');
      expect(refused.errors).toHaveLength(1);
      expect(refused.errors![0].message).toContain('Rate limit exceeded: 12 points per 60 seconds');
      expect(refused.errors![0].extensions).toEqual({ code: 'RATE_LIMITED', limit: 12, cost: 1, retryAfterSeconds: expect.any(Number) });
      // the socket stays open for when the window resets; a new connection is refused at once
      let closed: { code: number; reason: string } | null = null;
      const another = connect(token, (code, reason) => (closed = { code, reason }));
      await run(another, '{ viewer { id } }');
      await expect.poll(() => closed, { timeout: 5000 }).toMatchObject({ code: CLOSE_TRY_AGAIN_LATER, reason: expect.stringContaining('Rate limit exceeded') });
    });

    it('looks the credentials up once per operation: a WebSocket query sends as many statements as over HTTP', async () => {
      const counting = await startServer(app, {
        ...SMALL,
        RATE_LIMIT_POINTS: '1000',
        CLAIMGRAPH_COUNT_SQL: 'true',
        RATE_LIMIT_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}`,
      });
      try {
        const token = await tokenFor(desk.viewer);
        const total = async () => ((await (await fetch(`${counting.baseUrl}/debug/sql-statements`)).json()) as { total: number }).total;
        // first use records last_used_at (once a minute, after the response): out of the way first
        await postGraphQL(counting.graphqlUrl, { query: '{ viewer { id } }' }, bearer(token));
        await new Promise((resolve) => setTimeout(resolve, 200));
        let before = await total();
        expect((await postGraphQL(counting.graphqlUrl, { query: '{ viewer { id } }' }, bearer(token))).status).toBe(200);
        const overHttp = (await total()) - before;
        const client = createClient({
          url: `${counting.baseUrl.replace('http', 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          lazy: false,
          lazyCloseTimeout: 60_000,
          connectionParams: { authorization: `Bearer ${token}` },
          // the server stops at the end of this test: that close is expected
          onNonLazyError: () => undefined,
        });
        clients.push(client);
        await new Promise<void>((resolve) => client.on('connected', () => resolve()));
        before = await total();
        expect(await run(client, '{ viewer { id } }')).toMatchObject({ data: { viewer: { id: expect.any(String) } } });
        expect((await total()) - before).toBe(overHttp);
      } finally {
        await counting.close();
      }
    });

    it('counts open subscriptions in /metrics and caps them per connection', async () => {
      const token = await tokenFor(desk.owner);
      const unlimited = await startServer(app, { RATE_LIMIT_POINTS: '0' });
      try {
        const client = createClient({
          url: `${unlimited.baseUrl.replace('http', 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          lazy: true,
          lazyCloseTimeout: 60_000,
          connectionParams: { authorization: `Bearer ${token}` },
        });
        clients.push(client);
        const metric = async () => Number(/^claimgraph_subscriptions_open (\d+)$/m.exec(await (await fetch(`${unlimited.baseUrl}/metrics`)).text())?.[1]);
        const before = await metric();
        const errors: unknown[] = [];
        const disposers: (() => void)[] = [];
        for (let index = 0; index < MAX_SUBSCRIPTIONS_PER_CONNECTION; index++) {
          disposers.push(
            client.subscribe(
              { query: `subscription($teamId: ID!) { teamActivity(teamId: $teamId) { id } }`, variables: { teamId: desk.teamId } },
              {
                next: () => undefined,
                error: (error) => errors.push(error),
                complete: () => undefined,
              },
            ),
          );
        }
        await expect.poll(metric, { timeout: 15_000, interval: 100 }).toBe(before + MAX_SUBSCRIPTIONS_PER_CONNECTION);
        const over = await run(client, '{ viewer { id } }');
        expect(over.errors?.[0]).toMatchObject({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: MAX_SUBSCRIPTIONS_PER_CONNECTION } });
        expect(errors).toEqual([]);
        for (const dispose of disposers.slice(0, 10)) dispose();
        await expect.poll(metric, { timeout: 5000, interval: 100 }).toBe(before + MAX_SUBSCRIPTIONS_PER_CONNECTION - 10);
        // room again
        expect(await run(client, '{ viewer { id } }')).toMatchObject({ data: { viewer: { id: expect.any(String) } } });
        await client.dispose();
        await expect.poll(metric, { timeout: 5000, interval: 100 }).toBe(before);
      } finally {
        await unlimited.close();
      }
    });
  });

  it('refuses a configuration whose budget cannot pay for the dearest allowed query', async () => {
    expect(() => loadConfig({ RATE_LIMIT_POINTS: '100' })).toThrow(ConfigError);
    expect(loadConfig({ RATE_LIMIT_POINTS: '0' }).hardening.rateLimit.points).toBe(0);
    expect(loadConfig({}).hardening.rateLimit.points).toBe(1000);
  });
});
