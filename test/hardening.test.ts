import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { getIntrospectionQuery } from 'graphql';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { createTestApp, type TestApp, type TestUser } from './support/app';
import { createArticle, createClaim, createDesk, databaseFingerprint, rawId, type Desk } from './support/desk';
import { postGraphQL, startServer, type HardenedServer } from './support/hardening';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function tokenFor(app: TestApp, user: TestUser): Promise<string> {
  return (await app.ok(user, `mutation { createApiToken(input: { name: "hardening" }) { token } }`)).createApiToken.token as string;
}

/** `claims { nodes { article { ... } } }` repeated: three levels per turn, a valid query at any depth. */
function nestedClaims(turns: number): string {
  let inner = 'id';
  for (let turn = 0; turn < turns; turn++) inner = `claims(first: 1) { nodes { article { ${inner} } } }`;
  return `{ ${inner} }`;
}

const REVIEWER_PAGE = `query ReviewerPage($articleId: ID!) {
  article(id: $articleId) {
    id title outlet
    currentRevision { id number body }
    claims(first: 50) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        id quote kind status version sourcing anchorState
        anchor { position { start end } quote { exact prefix suffix } }
        speaker { id displayName anonymous }
        viewerVerdict { id rating version }
        verdicts(first: 10) { nodes { id rating rationale version reviewer { id name }
          history(first: 5) { edges { node { id action at actor { name } } } } } }
        evidence(first: 10) { edges { node { id stance url source { displayName } } } }
        comments(first: 20) { nodes { id body author { name } replies(first: 5) { nodes { id body author { name } } } } }
        activity(first: 20) { edges { node { id action at actor { name } } } }
      } }
    }
  }
}`;

let app: TestApp;
let desk: Desk;
let article: { id: string };
let claim: { id: string; version: number };
let token: string;
let running: HardenedServer;

beforeAll(async () => {
  app = await createTestApp();
  desk = await createDesk(app);
  article = await createArticle(app, desk);
  claim = await createClaim(app, desk, article.id, 'approved a budget of $4.2 million');
  await app.ok(desk.reviewer, `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }`, {
    input: { claimId: claim.id, rating: 'TRUE', rationale: 'Council minutes' },
  });
  token = await tokenFor(app, desk.reviewer);
  running = await startServer(app, { CLAIMGRAPH_COUNT_SQL: 'true' });
});

afterAll(async () => {
  await running?.close();
  await app?.close();
});

describe('query limits', () => {
  const sqlTotal = async (): Promise<number> => ((await (await fetch(`${running.baseUrl}/debug/sql-statements`)).json()) as { total: number }).total;

  /** The request is refused with `code`, and not one SQL statement ran for it (not even authentication): the process total is unchanged. */
  async function refusedBeforeSql(body: unknown, code: string): Promise<{ message: string; extensions: Record<string, any> }> {
    const before = await sqlTotal();
    const result = await postGraphQL(running.graphqlUrl, body, bearer(token));
    const after = await sqlTotal();
    expect(result.status).toBe(400);
    expect(result.body.errors[0].extensions.code).toBe(code);
    expect(after - before).toBe(0);
    return result.body.errors[0];
  }

  it('lets a real reviewer page through: Relay nesting 11 deep, about 10,000 nodes', async () => {
    const result = await postGraphQL(running.graphqlUrl, { query: REVIEWER_PAGE, variables: { articleId: article.id } }, bearer(token));
    expect(result.body.errors).toBeUndefined();
    expect(result.status).toBe(200);
    expect(result.body.data.article.claims.edges[0].node.verdicts.nodes[0].rating).toBe('TRUE');
  });

  it('refuses a query nested deeper than the limit, naming the limit', async () => {
    expect((await postGraphQL(running.graphqlUrl, { query: nestedClaims(4) }, bearer(token))).body.errors).toBeUndefined();
    const error = await refusedBeforeSql({ query: nestedClaims(6) }, 'QUERY_TOO_DEEP');
    expect(error.extensions).toMatchObject({ limit: 15, value: 19 });
    expect(error.message).toContain('the limit is 15');
  });

  it('refuses too many aliases, directives and tokens', async () => {
    const aliases = Array.from({ length: 31 }, (_, index) => `a${index}: viewer { id }`).join(' ');
    expect((await refusedBeforeSql({ query: `{ ${aliases} }` }, 'TOO_MANY_ALIASES')).extensions).toMatchObject({ limit: 30, value: 31 });
    const directives = 'id @include(if: true) '.repeat(51);
    expect((await refusedBeforeSql({ query: `{ viewer { ${directives} } }` }, 'TOO_MANY_DIRECTIVES')).extensions).toMatchObject({ limit: 50, value: 51 });
    const tokens = await refusedBeforeSql({ query: `{ viewer { ${'id '.repeat(6000)} } }` }, 'TOO_MANY_TOKENS');
    expect(tokens.extensions.limit).toBe(5000);
    expect(tokens.message).toContain('5000');
  });

  it('budgets nodes GitHub-style: first × nested first, counting the default 20 of an unbounded connection', async () => {
    const explicit = await refusedBeforeSql(
      {
        query: '{ claims(first: 100) { nodes { verdicts(first: 100) { nodes { history(first: 100) { nodes { id } } } } } } }',
      },
      'QUERY_TOO_COMPLEX',
    );
    expect(explicit.extensions).toMatchObject({ limit: 50_000, value: 100 + 100 * 100 + 100 * 100 * 100 });
    expect(explicit.message).toContain('50,000');
    // no first anywhere: 20 + 20² + 20³ + 20⁴
    const defaults = await refusedBeforeSql(
      {
        query: '{ claims { nodes { comments { nodes { replies { nodes { history { nodes { id } } } } } } } } }',
      },
      'QUERY_TOO_COMPLEX',
    );
    expect(defaults.extensions.value).toBe(20 + 400 + 8000 + 160_000);
    const ids = Array.from({ length: 100 }, () => claim.id);
    const byIds = await refusedBeforeSql(
      {
        query: 'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Claim { verdicts(first: 100) { nodes { history(first: 10) { nodes { id } } } } } } }',
        variables: { ids },
      },
      'QUERY_TOO_COMPLEX',
    );
    expect(byIds.extensions.value).toBe(100 + 100 * 100 + 100 * 100 * 10);
  });

  it('reads page sizes from variables and their defaults', async () => {
    const query = 'query($n: Int = 100) { claims(first: $n) { nodes { verdicts(first: $n) { nodes { history(first: $n) { nodes { id } } } } } } }';
    await refusedBeforeSql({ query }, 'QUERY_TOO_COMPLEX');
    await refusedBeforeSql({ query, variables: { n: 40 } }, 'QUERY_TOO_COMPLEX');
    const small = await postGraphQL(running.graphqlUrl, { query, variables: { n: 5 } }, bearer(token));
    expect(small.body.errors).toBeUndefined();
  });

  it('refuses negative and enormous page sizes before any SQL', async () => {
    for (const first of [-1, 101, 1_000_000_000, 2_147_483_647]) {
      const error = await refusedBeforeSql({ query: `{ claims(first: ${first}) { totalCount } }` }, 'BAD_USER_INPUT');
      expect(error.message).toContain('between 0 and 100');
      await refusedBeforeSql({ query: 'query($n: Int) { teams(last: $n) { totalCount } }', variables: { n: first } }, 'BAD_USER_INPUT');
    }
  });

  it('applies the same limits to operations run in process, before any resolver', async () => {
    const result = await app.run(desk.reviewer, nestedClaims(6));
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0].extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  it('applies the same limits over WebSocket (graphql-ws)', async () => {
    const client = createClient({ url: running.graphqlUrl.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: bearer(token), retryAttempts: 0 });
    try {
      const outcome = (query: string) =>
        new Promise<unknown>((resolve) => {
          let data: unknown = null;
          client.subscribe(
            { query },
            {
              next: (value) => {
                data = value;
              },
              error: resolve,
              complete: () => resolve(data),
            },
          );
        });
      const deep = (await outcome(nestedClaims(6))) as { extensions: Record<string, unknown> }[];
      expect(deep[0].extensions).toEqual({ code: 'QUERY_TOO_DEEP', limit: 15, value: 19 });
      const tokens = (await outcome(`{ viewer { ${'id '.repeat(6000)} } }`)) as { extensions: Record<string, unknown> }[];
      expect(tokens[0].extensions.code).toBe('TOO_MANY_TOKENS');
      expect(await outcome('{ viewer { id } }')).toMatchObject({ data: { viewer: { id: expect.any(String) } } });
    } finally {
      await client.dispose();
    }
  });

  it('serves the standard introspection query, and refuses introspection that multiplies the schema', async () => {
    const standard = await postGraphQL(
      running.graphqlUrl,
      { query: getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }) },
      bearer(token),
    );
    expect(standard.status).toBe(200);
    expect(standard.body.data.__schema.types.length).toBeGreaterThan(20);
    await refusedBeforeSql({ query: '{ __schema { types { fields { type { fields { type { name } } } } } } }' }, 'QUERY_TOO_COMPLEX');
  });
});

describe('nothing internal leaks', () => {
  it('strips "Did you mean" from validation and variable errors', async () => {
    const bodies = [
      { query: '{ viewer { nmae } }' },
      { query: '{ teams(firts: 1) { totalCount } }' },
      { query: '{ claims(filter: { status: [SETLED] }) { totalCount } }' },
      { query: 'query($f: ClaimFilter) { claims(filter: $f) { totalCount } }', variables: { f: { stauts: ['SETTLED'] } } },
      { query: 'query($f: ClaimFilter) { claims(filter: $f) { totalCount } }', variables: { f: { status: ['SETLED'] } } },
    ];
    for (const body of bodies) {
      const result = await postGraphQL(running.graphqlUrl, body, bearer(token));
      expect(result.status).toBe(400);
      expect(result.body.errors.length).toBeGreaterThan(0);
      expect(JSON.stringify(result.body)).not.toMatch(/did you mean/i);
    }
  });

  it('answers text Postgres cannot store (U+0000) as bad input, and writes nothing', async () => {
    const read = await postGraphQL(
      running.graphqlUrl,
      { query: 'query($slug: String) { team(slug: $slug) { name } }', variables: { slug: 'a\u0000b' } },
      bearer(token),
    );
    expect(read.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const editor = await tokenFor(app, desk.editor);
    const before = await databaseFingerprint(app);
    const write = await postGraphQL(
      running.graphqlUrl,
      {
        query: 'mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id } } }',
        variables: { input: { teamId: desk.teamId, kind: 'PERSON', name: 'Nul\u0000Name' } },
      },
      bearer(editor),
    );
    expect(write.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(await databaseFingerprint(app)).toBe(before);
  });

  for (const nodeEnv of ['production', 'development']) {
    it(`turns an unexpected database error into INTERNAL_SERVER_ERROR with a logged request id (NODE_ENV=${nodeEnv})`, async () => {
      const server = await startServer(app, { NODE_ENV: nodeEnv });
      // Break the table under the running server: the viewer query now fails inside Postgres.
      await app.sql('ALTER TABLE users RENAME COLUMN name TO name_renamed_for_test');
      try {
        const result = await postGraphQL(server.graphqlUrl, { query: 'query Me { viewer { name } }' }, { ...bearer(token), 'x-request-id': `leak-${nodeEnv}` });
        const error = result.body.errors[0];
        expect(error).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: `leak-${nodeEnv}` } });
        expect(Object.keys(error.extensions).sort()).toEqual(['code', 'requestId']);
        expect(result.headers.get('x-request-id')).toBe(`leak-${nodeEnv}`);
        const text = JSON.stringify(result.body);
        for (const secret of ['name_renamed', 'does not exist', 'users', 'SELECT', 'QueryFailedError', 'stacktrace', '.ts:'])
          expect(text).not.toContain(secret);
        const logged = server.logs.find((line) => line.requestId === `leak-${nodeEnv}` && line.level === 50);
        expect(logged).toBeDefined();
      } finally {
        await app.sql('ALTER TABLE users RENAME COLUMN name_renamed_for_test TO name');
        await server.close();
      }
    });
  }

  it('in production: introspection and GraphiQL are off unless configured, with a message that names no library', async () => {
    const production = await startServer(app, { NODE_ENV: 'production' });
    const opened = await startServer(app, { NODE_ENV: 'production', INTROSPECTION: 'true', GRAPHIQL: 'true' });
    try {
      const refused = await postGraphQL(production.graphqlUrl, { query: '{ __schema { queryType { name } } }' }, bearer(token));
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0]).toMatchObject({ message: 'Introspection is disabled on this server', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
      expect(JSON.stringify(refused.body)).not.toMatch(/apollo/i);
      expect((await postGraphQL(production.graphqlUrl, { query: '{ __typename }' }, bearer(token))).body.data).toEqual({ __typename: 'Query' });
      const page = await fetch(production.graphqlUrl, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('GraphiQL');

      expect((await postGraphQL(opened.graphqlUrl, { query: '{ __schema { queryType { name } } }' }, bearer(token))).body.data.__schema.queryType.name).toBe(
        'Query',
      );
      expect(await (await fetch(opened.graphqlUrl, { headers: { accept: 'text/html' } })).text()).toContain('GraphiQL');
    } finally {
      await production.close();
      await opened.close();
    }
  });

  it('in development: introspection and GraphiQL are on by default', async () => {
    const development = await startServer(app, { NODE_ENV: 'development' });
    try {
      expect((await postGraphQL(development.graphqlUrl, { query: '{ __schema { queryType { name } } }' }, bearer(token))).body.data).toBeDefined();
      expect(await (await fetch(development.graphqlUrl, { headers: { accept: 'text/html' } })).text()).toContain('GraphiQL');
    } finally {
      await development.close();
    }
  });
});

describe('CSRF, CORS, GET and batching', () => {
  const MUTATION = 'mutation { updateTeam(input: { teamId: "TEAM", name: "Renamed by GET" }) { team { name } } }';

  it('keeps Apollo CSRF prevention: simple requests are refused', async () => {
    const form = await fetch(running.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...bearer(token) },
      body: '{"query":"{ viewer { id } }"}',
    });
    expect(form.status).toBe(400);
    const get = await fetch(`${running.graphqlUrl}?query=${encodeURIComponent('{ viewer { id } }')}`, { headers: bearer(token) });
    expect(get.status).toBe(400);
    const preflighted = await fetch(`${running.graphqlUrl}?query=${encodeURIComponent('{ viewer { id } }')}`, {
      headers: { ...bearer(token), 'apollo-require-preflight': 'true' },
    });
    expect(preflighted.status).toBe(200);
  });

  it('never mutates over GET', async () => {
    const owner = await tokenFor(app, desk.owner);
    const before = await databaseFingerprint(app);
    const query = MUTATION.replace('TEAM', desk.teamId);
    const response = await fetch(`${running.graphqlUrl}?query=${encodeURIComponent(query)}`, {
      headers: { ...bearer(owner), 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(405);
    expect(await databaseFingerprint(app)).toBe(before);
  });

  it('refuses batched operations unless configured, and limits each operation of a batch', async () => {
    const batch = [{ query: '{ viewer { id } }' }, { query: '{ teams { totalCount } }' }];
    expect((await postGraphQL(running.graphqlUrl, batch, bearer(token))).status).toBe(400);
    const batching = await startServer(app, { ALLOW_BATCHED_REQUESTS: 'true' });
    try {
      const ok = await postGraphQL(batching.graphqlUrl, batch, bearer(token));
      expect(ok.status).toBe(200);
      expect(ok.body).toHaveLength(2);
      const over = await postGraphQL(batching.graphqlUrl, [{ query: '{ viewer { id } }' }, { query: nestedClaims(6) }], bearer(token));
      expect(over.status).toBe(400);
      expect(over.body.errors[0].extensions.code).toBe('QUERY_TOO_DEEP');
    } finally {
      await batching.close();
    }
  });

  it('sends no CORS headers by default, and only to configured origins', async () => {
    const preflight = (url: string, origin: string) =>
      fetch(url, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const none = await preflight(running.graphqlUrl, 'https://desk.example.org');
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
    expect((await none.json()).error).toContain('start the server with CORS_ORIGINS=https://desk.example.org');
    const simple = await postGraphQL(running.graphqlUrl, { query: '{ viewer { id } }' }, { ...bearer(token), origin: 'https://desk.example.org' });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();

    const cors = await startServer(app, { CORS_ORIGINS: 'https://desk.example.org, https://review.example.org' });
    try {
      const allowed = await preflight(cors.graphqlUrl, 'https://review.example.org');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://review.example.org');
      expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
      const other = await preflight(cors.graphqlUrl, 'https://evil.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      // the refusal says how to allow the origin
      expect(other.status).toBe(403);
      expect(await other.json()).toEqual({
        code: 'CORS_ORIGIN_NOT_ALLOWED',
        error: expect.stringContaining('CORS_ORIGINS=https://desk.example.org,https://review.example.org,https://evil.example'),
      });
      const post = await postGraphQL(cors.graphqlUrl, { query: '{ viewer { id } }' }, { ...bearer(token), origin: 'https://desk.example.org' });
      expect(post.headers.get('access-control-allow-origin')).toBe('https://desk.example.org');
      expect(post.headers.get('access-control-expose-headers')).toContain('x-request-id');
    } finally {
      await cors.close();
    }
  });
});

describe('operations: request ids, logs, metrics, readiness, statement timeout', () => {
  it('echoes a well-formed X-Request-Id, replaces a malformed one, and logs one line per request without credentials', async () => {
    const echoed = await postGraphQL(
      running.graphqlUrl,
      { query: 'query ViewerName { viewer { name } }' },
      { ...bearer(token), 'x-request-id': 'front-end-42' },
    );
    expect(echoed.headers.get('x-request-id')).toBe('front-end-42');
    const replaced = await postGraphQL(running.graphqlUrl, { query: '{ viewer { id } }' }, { ...bearer(token), 'x-request-id': 'bad id\u00e9' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await postGraphQL(running.graphqlUrl, { query: '{ viewer { id } }' }, bearer(token));
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const lines = running.logs.filter((line) => line.requestId === 'front-end-42');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'request',
      path: '/graphql',
      status: 200,
      operationName: 'ViewerName',
      operationType: 'query',
      userId: desk.reviewer.id,
    });
    expect(typeof lines[0].durationMs).toBe('number');
    expect(JSON.stringify(running.logs)).not.toContain(token.slice(3));
  });

  it('exposes Prometheus metrics: requests and latency by operation, errors by code, pool use, open subscriptions', async () => {
    await postGraphQL(running.graphqlUrl, { query: 'query MetricsProbe { viewer { id } }' }, bearer(token));
    await postGraphQL(running.graphqlUrl, { query: nestedClaims(6) }, bearer(token));
    const response = await fetch(`${running.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/claimgraph_graphql_requests_total\{operation="MetricsProbe",type="query",status="200"\} 1/);
    expect(text).toMatch(/claimgraph_graphql_request_duration_seconds_bucket\{le="[^"]+",operation="MetricsProbe",type="query"\}/);
    expect(text).toMatch(/claimgraph_graphql_errors_total\{code="QUERY_TOO_DEEP"\} [1-9]/);
    expect(text).toMatch(/claimgraph_db_pool_connections\{state="max"\} 10/);
    expect(text).toContain('claimgraph_subscriptions_open');
    expect(text).toContain('process_resident_memory_bytes');

    const guarded = await startServer(app, { METRICS_TOKEN: 'scrape-secret' });
    try {
      expect((await fetch(`${guarded.baseUrl}/metrics`)).status).toBe(401);
      expect((await fetch(`${guarded.baseUrl}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('answers /healthz while up and /readyz only while the database is reachable, migrated and not draining', async () => {
    expect((await fetch(`${running.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${running.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'current' } });

    const draining = await startServer(app);
    try {
      draining.server.operations.health.startDraining();
      const answer = await fetch(`${draining.baseUrl}/readyz`);
      expect(answer.status).toBe(503);
      expect((await answer.json()).status).toBe('draining');
    } finally {
      await draining.close();
    }
  });

  it('cancels a statement that runs past STATEMENT_TIMEOUT_MS with QUERY_TIMEOUT, and the connection serves the next request', async () => {
    const timed = await startServer(app, { STATEMENT_TIMEOUT_MS: '500', RATE_LIMIT_POINTS: '0' });
    const blocker = new Client({ connectionString: app.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE claims IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const blocked = await postGraphQL(timed.graphqlUrl, { query: '{ claims { totalCount } }' }, bearer(token));
      expect(Date.now() - started).toBeLessThan(5000);
      expect(blocked.body.errors[0]).toMatchObject({ extensions: { code: 'QUERY_TIMEOUT' } });
      expect(blocked.body.errors[0].message).toContain('took too long');
      expect(JSON.stringify(blocked.body)).not.toMatch(/statement timeout|canceling|SELECT/);
      await blocker.query('ROLLBACK');
      for (let round = 0; round < 12; round++) {
        const after = await postGraphQL(timed.graphqlUrl, { query: '{ claims { totalCount } }' }, bearer(token));
        expect(after.body.errors).toBeUndefined();
      }
    } finally {
      await blocker.end();
      await timed.close();
    }
  });
  it('runs statements without JIT compilation, which costs more than any claimgraph statement saves', async () => {
    const [{ jit }] = await app.dataSource.query(`SELECT current_setting('jit') AS jit`);
    expect(jit).toBe('off');
  });

  it('answers a write that Postgres chose as a deadlock victim with WRITE_CONFLICT, and changes nothing', async () => {
    // A real deadlock: another transaction holds every report-figure slot of the team, the
    // request locks the claim's row and waits for a slot, then the other asks for the claim's row.
    // The request waited first, so its deadlock check (deadlock_timeout after) finds the cycle.
    const [{ team_id: teamId }] = await app.sql<{ team_id: string }>('SELECT team_id FROM claims WHERE id = $1', [rawId(claim.id)]);
    const other = new Client({ connectionString: app.databaseUrl });
    await other.connect();
    const before = await databaseFingerprint(app);
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock(1128737909, claimgraph_report_slot_key($1, slot)) FROM generate_series(0, 31) slot', [teamId]);
      const [{ version }] = await app.sql<{ version: number }>('SELECT version FROM claims WHERE id = $1', [rawId(claim.id)]);
      const write = app.run(desk.editor, `mutation($input: UpdateClaimInput!) { updateClaim(input: $input) { claim { sourcing } } }`, {
        input: { claimId: claim.id, expectedVersion: version, sourcing: 'ANONYMOUS' },
      });
      for (let tries = 0; ; tries++) {
        const [{ waiting }] = await app.sql<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid <> $1`,
          [(await other.query('SELECT pg_backend_pid() AS pid')).rows[0].pid],
        );
        if (waiting > 0) break;
        if (tries > 400) throw new Error('the write never waited for a figure slot');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const cycle = other.query('SELECT 1 FROM claims WHERE id = $1 FOR UPDATE', [rawId(claim.id)]);
      const answer = await write;
      expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'WRITE_CONFLICT' } });
      expect(answer.errors?.[0].message).toContain('try again');
      expect(JSON.stringify(answer)).not.toMatch(/deadlock|process \d+/);
      await cycle;
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
    expect(await databaseFingerprint(app)).toEqual(before);
  });
});
