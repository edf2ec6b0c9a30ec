import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, databaseFingerprint, type Desk } from './support/desk';
import { postGraphQL, startServer, type HardenedServer } from './support/hardening';
import { createDataSource } from '../src/db/data-source';

interface Outcome {
  /** HTTP status; null over WebSocket. */
  status: number | null;
  data?: unknown;
  errors?: { message: string; locations?: unknown; extensions?: Record<string, unknown> }[];
}

interface Operation {
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
}

let app: TestApp;
let desk: Desk;
let running: HardenedServer;
let token: string;
let teamId: string;
const clients: Client[] = [];

/** The same operation over each transport: an HTTP POST, and a graphql-ws subscribe message. */
const transports: Record<'http' | 'ws', (operation: Operation) => Promise<Outcome>> = {
  http: async (operation) => {
    const result = await postGraphQL(running.graphqlUrl, operation, { authorization: `Bearer ${token}` });
    return { status: result.status, data: result.body.data, errors: result.body.errors };
  },
  ws: (operation) => {
    const client = createClient({
      url: running.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    clients.push(client);
    return new Promise((resolve) => {
      let last: Outcome = { status: null };
      client.subscribe(
        { query: operation.query, operationName: operation.operationName, variables: operation.variables },
        {
          next: (value) => (last = { status: null, data: value.data, errors: value.errors as Outcome['errors'] }),
          error: (error) =>
            resolve({ status: null, errors: Array.isArray(error) ? error : [{ message: String(error), extensions: { code: 'SOCKET_ERROR' } }] }),
          complete: () => resolve(last),
        },
      );
    });
  },
};

const LOGIN = 'mutation($input: LoginInput!) { login(input: $input) { token } }';
const forgedCursor = Buffer.from(JSON.stringify(['notadate', '00000000-0000-0000-0000-000000000000'])).toString('base64url');

interface Case {
  name: string;
  operation: () => Operation;
  code: string;
  status: number;
  message?: RegExp;
  messageNot?: RegExp;
}

const CASES: Case[] = [
  { name: 'a syntax error', operation: () => ({ query: '{ viewer { id }' }), code: 'GRAPHQL_PARSE_FAILED', status: 400 },
  { name: 'a validation error', operation: () => ({ query: '{ viewer { nope } }' }), code: 'GRAPHQL_VALIDATION_FAILED', status: 400 },
  {
    name: 'an operation over the depth limit',
    operation: () => ({ query: `{ ${'claims(first: 1) { nodes { article { '.repeat(6)}id${' } } }'.repeat(6)} }` }),
    code: 'QUERY_TOO_DEEP',
    status: 400,
  },
  {
    name: 'an operationName the document does not define',
    operation: () => ({ query: '{ viewer { id } }', operationName: 'Nope' }),
    code: 'BAD_USER_INPUT',
    status: 400,
    message: /no operation named "Nope"/,
  },
  {
    name: 'a third name for a document with two operations',
    operation: () => ({ query: 'query A { viewer { id } } query B { viewer { name } }', operationName: 'C' }),
    code: 'BAD_USER_INPUT',
    status: 400,
    message: /no operation named "C"; it defines "A", "B"/,
    messageNot: /Must provide operation name/,
  },
  {
    name: 'two operations and no name',
    operation: () => ({ query: 'query A { viewer { id } } query B { viewer { name } }' }),
    code: 'BAD_USER_INPUT',
    status: 400,
    message: /defines 2 operations/,
  },
  {
    name: 'a forged cursor',
    operation: () => ({
      query: 'query($team: ID!, $after: String) { node(id: $team) { ... on Team { memberships(first: 2, after: $after) { totalCount } } } }',
      variables: { team: teamId, after: forgedCursor },
    }),
    code: 'BAD_USER_INPUT',
    status: 200,
    message: /not a valid cursor/,
  },
  {
    name: 'a NUL in a variable (login email)',
    operation: () => ({ query: LOGIN, variables: { input: { email: 'a\u0000@example.org', password: 'x'.repeat(12) } } }),
    code: 'BAD_USER_INPUT',
    status: 400,
    message: /NUL/,
  },
  {
    name: 'a lone surrogate in a variable',
    operation: () => ({ query: 'query($slug: String) { team(slug: $slug) { id } }', variables: { slug: 'desk\ud800' } }),
    code: 'BAD_USER_INPUT',
    status: 400,
    message: /lone surrogate/,
  },
  {
    name: 'a NUL in a string literal',
    operation: () => ({ query: '{ team(slug: "desk\\u0000") { id } }' }),
    code: 'BAD_USER_INPUT',
    status: 400,
    message: /NUL/,
  },
  {
    name: 'a domain error',
    operation: () => ({
      query: 'query($id: ID!) { claim(id: $id) { id } }',
      variables: { id: Buffer.from('Claim:00000000-0000-0000-0000-000000000000').toString('base64url') },
    }),
    code: 'NOT_FOUND',
    status: 200,
  },
  {
    name: 'a commit the database refuses for being unavailable',
    operation: () => ({
      query: 'mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { name } } }',
      variables: { input: { teamId, name: 'commit fails' } },
    }),
    code: 'SERVICE_UNAVAILABLE',
    status: 503,
    message: /could not be saved|unavailable/,
  },
];

beforeAll(async () => {
  app = await createTestApp();
  desk = await createDesk(app);
  teamId = desk.teamId;
  const article = await createArticle(app, desk);
  await createClaim(app, desk, article.id, 'approved a budget of $4.2 million');
  token = (await app.ok(desk.owner, 'mutation { createApiToken(input: { name: "pipeline" }) { token } }')).createApiToken.token;
  // A commit that fails the way it does when the database goes away mid-request: a deferred
  // trigger raising connection_failure (08006) at COMMIT, for one team name only.
  await app.sql(`CREATE FUNCTION test_commit_fails() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'connection lost' USING ERRCODE = '08006'; END $$`);
  await app.sql(`CREATE CONSTRAINT TRIGGER test_commit_fails AFTER UPDATE ON teams DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.name = 'commit fails') EXECUTE FUNCTION test_commit_fails()`);
  running = await startServer(app, { LOG_LEVEL: 'silent', RATE_LIMIT_POINTS: '100000' });
});

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await running?.close();
  await app?.close();
});

describe('one request pipeline for HTTP and WebSocket', () => {
  for (const testCase of CASES) {
    it(`answers ${testCase.name} with ${testCase.code}, the same over both transports`, async () => {
      const before = await databaseFingerprint(app);
      const outcomes = { http: await transports.http(testCase.operation()), ws: await transports.ws(testCase.operation()) };
      expect(outcomes.http.status).toBe(testCase.status);
      for (const [transport, outcome] of Object.entries(outcomes)) {
        const error = outcome.errors?.[0];
        expect(error?.extensions?.code, `${transport}: ${JSON.stringify(outcome)}`).toBe(testCase.code);
        if (testCase.message) expect(error?.message).toMatch(testCase.message);
        if (testCase.messageNot) expect(error?.message).not.toMatch(testCase.messageNot);
      }
      // the same error, word for word, whichever way it came
      const shape = (outcome: Outcome) => outcome.errors?.map(({ message, extensions }) => ({ message, extensions: { ...extensions, requestId: undefined } }));
      expect(shape(outcomes.ws)).toEqual(shape(outcomes.http));
      expect(await databaseFingerprint(app)).toBe(before);
    });
  }

  it('runs a valid query and mutation the same way over both transports', async () => {
    for (const transport of Object.values(transports)) {
      const query = await transport({ query: '{ viewer { memberships { role } } }' });
      expect(query.errors).toBeUndefined();
      expect(query.data).toEqual({ viewer: { memberships: expect.arrayContaining([{ role: 'OWNER' }]) } });
      const mutation = await transport({
        query: 'mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { name } } }',
        variables: { input: { teamId, name: `Desk ${Math.random()}` } },
      });
      expect(mutation.errors).toBeUndefined();
    }
  });
});

describe('the edge refuses text nothing could store', () => {
  it('answers a NUL in a download parameter with 400 BAD_USER_INPUT', async () => {
    for (const search of ['team=%00', `team=${desk?.teamSlug}&status=SETTLED%00`, 'te%00am=x']) {
      const response = await fetch(`${running.baseUrl}/exports/verdicts.csv?${search}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status, search).toBe(400);
      expect((await response.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  it('answers a NUL in a GraphQL GET query string with 400 BAD_USER_INPUT', async () => {
    const response = await fetch(`${running.graphqlUrl}?query=${encodeURIComponent('{ team(slug: "a") { id } }')}%00`, {
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  /** A request written byte for byte (fetch refuses to send a NUL in a header), and what came back. */
  const rawRequest = (head: string) =>
    new Promise<{ status: number; headers: string; body: string }>((resolve, reject) => {
      const url = new URL(running.baseUrl);
      const socket = net.connect(Number(url.port), url.hostname, () => socket.write(`${head}\r\n`));
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk) => (received += chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const [headers, ...body] = received.split('\r\n\r\n');
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0), headers, body: body.join('\r\n\r\n') });
      });
    });

  it('answers a NUL or another control character in a header with a JSON 400 BAD_USER_INPUT naming the header', async () => {
    for (const [path, value] of [
      ['/graphql', 'Bearer a\u0000b'],
      ['/exports/verdicts.csv?team=x', 'x\u0001y'],
      ['/healthz', '\u007f'],
    ]) {
      const answer = await rawRequest(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nX-Claimgraph-Probe: ${value}\r\nConnection: close\r\n`);
      expect(answer.status, JSON.stringify(value)).toBe(400);
      expect(answer.headers).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(answer.body)).toEqual({
        errors: [
          {
            message: expect.stringMatching(/^Header x-claimgraph-probe holds a character no header may/),
            extensions: { code: 'BAD_USER_INPUT', field: 'x-claimgraph-probe' },
          },
        ],
      });
    }
    // the server is unharmed: the next request on a new connection is served
    expect((await fetch(`${running.baseUrl}/healthz`)).status).toBe(200);
  });

  it('answers a request that is not HTTP, and headers past the size limit, with JSON too', async () => {
    const garbage = await rawRequest('GET /healthz\u0000 HTTP/1.1\r\nHost: localhost\r\n');
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body).errors[0].extensions).toEqual({ code: 'BAD_REQUEST' });
    const huge = await rawRequest(`GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(40_000)}\r\n`);
    expect(huge.status).toBe(431);
    expect(JSON.parse(huge.body).errors[0]).toEqual({ message: 'The request headers are too large', extensions: { code: 'BAD_REQUEST' } });
  });

  it('closes a WebSocket whose connection parameters carry a NUL as it closes bad credentials (4403)', async () => {
    const closed = await new Promise<number>((resolve) => {
      const client = createClient({
        url: running.graphqlUrl.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: { 'x-claimgraph-user': 'a\u0000@example.org' },
        on: { closed: (event) => resolve((event as CloseEvent).code) },
      });
      clients.push(client);
      client.subscribe({ query: '{ viewer { id } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    expect(closed).toBe(4403);
  });
});

describe('downloads map errors as the API does', () => {
  it('answers a database outage with 503 SERVICE_UNAVAILABLE and Retry-After, not 500', async () => {
    const dataSource = createDataSource({ url: app.databaseUrl, poolSize: 2 });
    await dataSource.initialize();
    const cut = await startServer({ ...app, dataSource }, { LOG_LEVEL: 'silent', RATE_LIMIT_POINTS: '100000', AUTH_CACHE_TTL_MS: '60000' });
    try {
      const url = `${cut.baseUrl}/exports/verdicts.csv?team=${desk.teamSlug}`;
      const headers = { authorization: `Bearer ${token}` };
      // the token is looked up (and cached) while the database answers
      expect((await fetch(url, { headers })).status).toBe(200);
      // then the database goes away: every new connection fails
      await (dataSource.driver as unknown as { master: { end(): Promise<void> } }).master.end();
      const response = await fetch(url, { headers });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      const body = await response.json();
      expect(body.errors[0]).toEqual({ message: expect.stringMatching(/unavailable/), extensions: { code: 'SERVICE_UNAVAILABLE' } });
    } finally {
      await cut.close();
      await dataSource.destroy().catch(() => undefined);
    }
  });
});
