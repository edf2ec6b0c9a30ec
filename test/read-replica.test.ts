import { parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, type Desk } from './support/desk';
import net from 'node:net';
import { servedByReplica } from '../src/http/read-consistency';
import { laterLsn, lsnToken, parseLsnToken } from '../src/db/read-replica';

/**
 * Read routing without a real standby (test/faults/read-replica.test.ts starts one): the replica
 * URL points at the test database itself (a server that is not in recovery answers for what it
 * wrote), or at a port nobody listens on.
 */

async function tokenFor(app: TestApp, user: Desk['editor']): Promise<string> {
  const data = await app.ok(user, 'mutation { createApiToken(input: { name: "replica" }) { token } }');
  return data.createApiToken.token;
}

const CREATE_SOURCE = 'mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id } } }';
const QUEUE = 'query($teamId: ID!) { claims(filter: { teamId: $teamId }, first: 50) { totalCount nodes { id } } }';
const REPORT = 'query($teamId: ID!) { verdictReport(filter: { teamId: $teamId }) { totalCount byStatus { status count } } }';

function post(base: string, token: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function replicaConnections(app: TestApp): Promise<number> {
  const [row] = await app.sql<{ n: string }>(
    "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'claimgraph-replica' AND datname = current_database()",
  );
  return Number(row.n);
}

function operationOf(text: string) {
  const document = parse(text);
  return { document, operation: document.definitions[0] as OperationDefinitionNode };
}

describe('read routing (servedByReplica)', () => {
  const routed = (text: string, variables: Record<string, unknown> = {}) => {
    const { document, operation } = operationOf(text);
    return servedByReplica(operation, document, variables);
  };

  it('sends report figures, the claim queue and search to the replica, and nothing else', () => {
    expect(routed('{ verdictReport(filter: { teamId: "x" }) { totalCount } }')).toBe(true);
    expect(routed('{ claims(first: 5) { totalCount } __typename }')).toBe(true);
    expect(routed('{ articles(filter: { search: "budget" }) { totalCount } }')).toBe(true);
    expect(routed('query($f: ArticleFilter) { articles(filter: $f) { totalCount } }', { f: { search: 'budget' } })).toBe(true);
    expect(routed('query($s: String) { sources(search: $s) { totalCount } }', { s: 'ruiz' })).toBe(true);
    expect(routed('{ ...Q } fragment Q on Query { claims { totalCount } }')).toBe(true);
    // a plain list, the reviewer's own page, the viewer: the primary
    expect(routed('{ articles { totalCount } }')).toBe(false);
    expect(routed('query($s: String) { sources(search: $s) { totalCount } }', { s: null })).toBe(false);
    expect(routed('{ verdictReport(filter: { teamId: "x" }) { totalCount } viewer { id } }')).toBe(false);
    expect(routed('{ ... on Query { viewer { id } } claims { totalCount } }')).toBe(false);
    expect(routed('{ __typename }')).toBe(false);
    expect(routed('mutation { logout }')).toBe(false);
  });

  it('keeps WAL positions as fixed-width tokens that order as strings', () => {
    expect(lsnToken('16/B374D848')).toBe('00000016B374D848');
    expect(lsnToken('0/3000148')).toBe('0000000003000148');
    expect(parseLsnToken('00000016b374d848')).toBe('00000016B374D848');
    expect(parseLsnToken('16/B374D848')).toBe('00000016B374D848');
    for (const bad of ['', 'x', '16/', '1/2/3', '0000000003000148A', "0/1'; DROP TABLE claims"]) expect(parseLsnToken(bad)).toBeNull();
    expect(laterLsn('0000000003000148', '00000001000000A0')).toBe('00000001000000A0');
    expect(laterLsn(null, '0000000003000148')).toBe('0000000003000148');
  });
});

describe('a read replica configured (DATABASE_READ_URL)', () => {
  let app: TestApp;
  let base: string;
  let desk: Desk;
  let token: string;

  beforeAll(async () => {
    // the "replica" is the primary itself: routing and tokens without a standby
    app = await createTestApp({ env: (databaseUrl) => ({ DATABASE_READ_URL: databaseUrl, READ_REPLICA_MAX_WAIT_MS: '2000' }) });
    base = await app.listen();
    desk = await createDesk(app);
    token = await tokenFor(app, desk.editor);
    const article = await createArticle(app, desk);
    await createClaim(app, desk, article.id, 'Unemployment fell to 3.1% last year');
  });
  afterAll(() => app?.close());

  it('answers a write with its WAL position, in a header and in extensions', async () => {
    const response = await post(base, token, CREATE_SOURCE, { input: { teamId: desk.teamId, kind: 'PERSON', name: 'Ana Ruiz' } });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    const header = response.headers.get('x-claimgraph-lsn');
    expect(header).toMatch(/^[0-9A-F]{16}$/);
    expect(body.extensions.lsn).toBe(header);
    const [{ now }] = await app.sql<{ now: string }>('SELECT pg_current_wal_insert_lsn()::text AS now');
    expect(header! <= lsnToken(now)!).toBe(true);
  });

  it('reads the queue and the report on the replica, after the position the client sends back, under row-level security', async () => {
    const write = await post(base, token, CREATE_SOURCE, { input: { teamId: desk.teamId, kind: 'PERSON', name: 'Second' } });
    const lsn = write.headers.get('x-claimgraph-lsn')!;
    const queue = await (await post(base, token, QUEUE, { teamId: desk.teamId }, { 'x-claimgraph-min-lsn': lsn })).json();
    expect(queue.errors).toBeUndefined();
    expect(queue.data.claims.totalCount).toBe(1);
    expect(queue.extensions?.lsn).toBeUndefined();
    const report = await (await post(base, token, REPORT, { teamId: desk.teamId }, { 'x-claimgraph-min-lsn': lsn })).json();
    expect(report.data.verdictReport.totalCount).toBe(1);
    expect(await replicaConnections(app)).toBeGreaterThan(0);
    // the same scope on the replica: another team's member sees none of these claims
    const outsider = await tokenFor(app, desk.outsider);
    const theirs = await (await post(base, outsider, QUEUE, { teamId: desk.teamId })).json();
    expect(theirs.data?.claims.totalCount ?? 0).toBe(0);
    const download = await fetch(`${base}/exports/verdicts.csv?team=${desk.teamSlug}&minLsn=${lsn}`, { headers: { authorization: `Bearer ${token}` } });
    expect(download.status).toBe(200);
    expect((await download.text()).split('\n').length).toBeGreaterThan(1);
  });

  it('refuses a malformed position with BAD_USER_INPUT, changing nothing', async () => {
    const sources = await app.sql<{ n: string }>('SELECT count(*) AS n FROM sources');
    const graphql = await post(
      base,
      token,
      CREATE_SOURCE,
      { input: { teamId: desk.teamId, kind: 'PERSON', name: 'Never' } },
      { 'x-claimgraph-min-lsn': 'yesterday' },
    );
    expect(graphql.status).toBe(400);
    expect((await graphql.json()).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'x-claimgraph-min-lsn' });
    expect(await app.sql<{ n: string }>('SELECT count(*) AS n FROM sources')).toEqual(sources);
    const download = await fetch(`${base}/exports/verdicts.csv?team=${desk.teamSlug}&minLsn=0/zz`, { headers: { authorization: `Bearer ${token}` } });
    expect(download.status).toBe(400);
    expect((await download.json()).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'minLsn' });
  });
});

describe('a read replica that is down', () => {
  let app: TestApp;
  let base: string;
  let desk: Desk;
  let token: string;

  beforeAll(async () => {
    const port = await freePort();
    app = await createTestApp({ env: { DATABASE_READ_URL: `postgres://postgres@127.0.0.1:${port}/nowhere`, READ_REPLICA_RETRY_MS: '100' } });
    base = await app.listen();
    desk = await createDesk(app);
    token = await tokenFor(app, desk.editor);
    const article = await createArticle(app, desk);
    await createClaim(app, desk, article.id, 'Unemployment fell to 3.1% last year');
  });
  afterAll(() => app?.close());

  it('reads from the primary: no 5xx, the writes are there', async () => {
    for (let round = 0; round < 3; round++) {
      const write = await post(base, token, CREATE_SOURCE, { input: { teamId: desk.teamId, kind: 'PERSON', name: `Down ${round}` } });
      const lsn = write.headers.get('x-claimgraph-lsn')!;
      const queue = await post(base, token, QUEUE, { teamId: desk.teamId }, { 'x-claimgraph-min-lsn': lsn });
      expect(queue.status).toBe(200);
      expect((await queue.json()).data.claims.totalCount).toBe(1);
      const search = await post(base, token, 'query($s: String) { sources(search: $s) { totalCount } }', { s: `Down ${round}` });
      expect((await search.json()).data.sources.totalCount).toBe(1);
      const download = await fetch(`${base}/exports/verdicts.csv?team=${desk.teamSlug}`, { headers: { authorization: `Bearer ${token}` } });
      expect(download.status).toBe(200);
      await download.text();
      // past READ_REPLICA_RETRY_MS the replica is tried again, and fails again
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  });
});
