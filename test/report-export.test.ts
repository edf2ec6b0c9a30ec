import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import net from 'node:net';
import { once } from 'node:events';
import { Client } from 'pg';
import type { Pool } from 'pg';
import pino from 'pino';
import { createTestApp, type TestApp, type TestUser } from './support/app';
import { loadConfig } from '../src/config';
import { buildClaimgraphSchema } from '../src/schema';
import { createServer } from '../src/server';
import { createArticle, createClaim, createDesk, type Desk } from './support/desk';
import { reportRouter } from '../src/modules/report/report.routes';
import { CSV_HEADER } from '../src/modules/report/report-columns';
import { seedVerdictRows } from '../bench/export-seed';
import { ADD_EVIDENCE, createSource, publishClaim, rawId, submitVerdict } from './report-fixture';

// Text that breaks naive CSV: delimiters, both quote styles, line breaks inside a field, a formula
// prefix, tabs, right-to-left and CJK script, combining marks and an astral-plane emoji.
const AWKWARD_LINES = [
  'He said, "We will cut taxes, not services" — and then left.',
  'Die Zahl "stimmt nicht", sagte Müller; 東京都の予算は「過去最大」です。',
  '=SUM(A1:A3) was the formula in the leaked sheet, column\tB.',
  'قال الوزير إن "الأرقام دقيقة" تماماً. Ünïcödé ñ and e\u0301 and 🧾 receipts.',
];
const ARTICLE = AWKWARD_LINES.join('\n');
const ROWS_QUERY = `query($filter: VerdictReportFilter!) { verdictReport(filter: $filter) {
  rows(first: 100) { edges { node { claim { id } quote status speakerName publishedRating publishedRationale consensusRating
    verdicts { rating reviewerName } evidence { url } article { id title url } } } } } }`;

async function tokenFor(app: TestApp, user: TestUser): Promise<string> {
  const data = await app.ok(user, `mutation { createApiToken(input: { name: "exports" }) { token } }`);
  return data.createApiToken.token;
}

describe(reportRouter.name, () => {
  let app: TestApp;
  let base: string;
  let desk: Desk;
  let viewerToken: string;
  let outsiderToken: string;
  let claimIds: string[];

  beforeAll(async () => {
    app = await createTestApp();
    base = await app.listen();
    desk = await createDesk(app, { quorum: 2 });
    viewerToken = await tokenFor(app, desk.viewer);
    outsiderToken = await tokenFor(app, desk.outsider);
    const { id: articleId } = await createArticle(app, desk, {
      title: 'Budget, "schools" & taxes\nA second line: 東京',
      text: ARTICLE,
      url: 'https://news.example.com/a?x=1,2',
    });
    const speaker = await createSource(app, desk, { kind: 'PERSON', name: 'Müller, "the clerk"' });
    claimIds = [];
    claimIds.push((await createClaim(app, desk, articleId, 'We will cut taxes, not services', { speakerId: speaker })).id);
    // a claim over a line break of the article
    claimIds.push((await createClaim(app, desk, articleId, 'sagte Müller; 東京都の予算は「過去最大」です。\n=SUM(A1:A3)')).id);
    claimIds.push((await createClaim(app, desk, articleId, 'الأرقام دقيقة')).id);
    claimIds.push((await createClaim(app, desk, articleId, 'e\u0301 and 🧾 receipts')).id);
    for (const id of claimIds.slice(0, 2)) {
      await submitVerdict(app, desk.reviewer, id, 'MOSTLY_TRUE', 'Line one,\nline "two"');
      await submitVerdict(app, desk.reviewer2, id, 'TRUE');
    }
    await app.ok(desk.reviewer, ADD_EVIDENCE, { input: { claimId: claimIds[0], stance: 'REFUTES', url: 'https://a.example/x?q=1,2' } });
    await app.ok(desk.reviewer, ADD_EVIDENCE, { input: { claimId: claimIds[0], stance: 'CONTEXT', url: 'https://b.example/y' } });
    await publishClaim(app, desk, claimIds[0], 'MOSTLY_TRUE', { rationale: 'Taxes: "cut", services: kept.\r\nSee the 2026 budget, p. 4;\tnotes.' });
  });
  afterAll(() => app?.close());

  const get = (path: string, token: string | null, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('streams CSV whose awkward text parses back exactly, with a sensible file name', async () => {
    const response = await get(`/exports/verdicts.csv?team=${desk.teamSlug}`, viewerToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${desk.teamSlug}-verdicts-${new Date().toISOString().slice(0, 10)}.csv"`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = Buffer.from(await response.arrayBuffer());
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM for spreadsheet programs

    const records: Record<string, string>[] = parse(body, { bom: true, columns: true, relax_quotes: false });
    expect(Object.keys(records[0])).toEqual(CSV_HEADER);
    const expected = (await app.ok(desk.viewer, ROWS_QUERY, { filter: { teamId: desk.teamId } })).verdictReport.rows.edges.map((edge: any) => edge.node);
    expect(records).toHaveLength(4);
    records.forEach((record, index) => {
      const row = expected[index];
      expect(record).toMatchObject({
        claim_id: row.claim.id,
        article_title: 'Budget, "schools" & taxes\nA second line: 東京',
        article_url: 'https://news.example.com/a?x=1,2',
        quote: row.quote,
        status: row.status,
        speaker: row.speakerName ?? '',
        published_rating: row.publishedRating ?? '',
        published_rationale: row.publishedRationale ?? '',
        consensus_rating: row.consensusRating ?? '',
        reviewer_ratings: row.verdicts.map((verdict: any) => `${verdict.reviewerName}: ${verdict.rating}`).join('; '),
        evidence_urls: row.evidence.map((evidence: any) => evidence.url).join('\n'),
      });
    });
    // spelled out, so the comparison above cannot pass by both sides being wrong the same way
    expect(records.map((record) => record.quote)).toEqual([
      'We will cut taxes, not services',
      'sagte Müller; 東京都の予算は「過去最大」です。\n=SUM(A1:A3)',
      'الأرقام دقيقة',
      'e\u0301 and 🧾 receipts',
    ]);
    expect(records[0]).toMatchObject({
      speaker: 'Müller, "the clerk"',
      published_rationale: 'Taxes: "cut", services: kept.\r\nSee the 2026 budget, p. 4;\tnotes.',
      evidence_urls: 'https://a.example/x?q=1,2\nhttps://b.example/y',
    });
  });

  it('streams JSON Lines, one parseable object per line', async () => {
    const response = await get(`/exports/verdicts.jsonl?team=${encodeURIComponent(desk.teamId)}&status=settled,disputed`, viewerToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/jsonl; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename=".+-verdicts-\d{4}-\d{2}-\d{2}\.jsonl"$/);
    const text = await response.text();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .slice(0, -1)
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.claimId)).toEqual(claimIds.slice(0, 2));
    expect(lines[0]).toMatchObject({
      quote: 'We will cut taxes, not services',
      speaker: { name: 'Müller, "the clerk"', kind: 'PERSON', anonymous: false },
      status: 'SETTLED',
      consensusRating: 'MOSTLY_TRUE',
      published: { rating: 'MOSTLY_TRUE', rationale: 'Taxes: "cut", services: kept.\r\nSee the 2026 budget, p. 4;\tnotes.', at: expect.any(String) },
      verdicts: [
        { rating: 'MOSTLY_TRUE', rationale: 'Line one,\nline "two"', reviewer: { name: 'Reviewer' } },
        { rating: 'TRUE', rationale: null, reviewer: { name: 'Reviewer Two' } },
      ],
      evidence: [
        { url: 'https://a.example/x?q=1,2', stance: 'REFUTES', published: true },
        { url: 'https://b.example/y', stance: 'CONTEXT', published: true },
      ],
    });
    expect(lines[1].quote).toBe('sagte Müller; 東京都の予算は「過去最大」です。\n=SUM(A1:A3)');
  });

  it('answers HEAD with the headers only', async () => {
    const response = await get(`/exports/verdicts.csv?team=${desk.teamSlug}`, viewerToken, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/);
    expect(await response.text()).toBe('');
  });

  it('refuses, before any byte of the file, callers without credentials and bad parameters', async () => {
    const anonymous = await get(`/exports/verdicts.csv?team=${desk.teamSlug}`, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-disposition')).toBeNull();
    expect((await anonymous.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const badToken = await get(`/exports/verdicts.csv?team=${desk.teamSlug}`, 'cg_not_a_real_token');
    expect(badToken.status).toBe(401);

    const cases: [string, RegExp][] = [
      ['', /team is required/],
      [`team=${desk.teamSlug}&status=PENDING`, /status must be one of/],
      [`team=${desk.teamSlug}&from=2026-02-30`, /from is not a valid date/],
      [`team=${desk.teamSlug}&from=yesterday`, /from must be an ISO 8601 date/],
      [`team=${desk.teamSlug}&from=2026-05-01&to=2026-04-01`, /from must be before to/],
      [`team=${desk.teamSlug}&stauts=SETTLED`, /Unknown query parameter stauts/],
      [`team=${desk.teamSlug}&article=nope`, /not a valid Article ID/],
      [`team=${desk.teamSlug}&team=other`, /team may be given only once/],
      [`team=${desk.teamSlug}&includeSettled=true`, /Unknown query parameter includeSettled/],
    ];
    for (const [query, message] of cases) {
      const response = await get(`/exports/verdicts.csv?${query}`, viewerToken);
      const body = await response.json();
      expect([query, response.status, body.errors[0].extensions.code]).toEqual([query, 400, 'BAD_USER_INPUT']);
      expect(body.errors[0].message).toMatch(message);
      expect(response.headers.get('content-disposition')).toBeNull();
    }
    const badUrl = await get(`/exports/verdicts.claimreview.jsonld?team=${desk.teamSlug}&reviewUrl=ftp://x/{id}`, viewerToken);
    expect(badUrl.status).toBe(400);
    const unknownFile = await get(`/exports/verdicts.xlsx?team=${desk.teamSlug}`, viewerToken);
    expect(unknownFile.status).toBe(404);
  });

  it('gives a member of another team nothing: the same 404 as a team that does not exist', async () => {
    for (const team of [desk.teamSlug, desk.teamId]) {
      for (const file of ['verdicts.csv', 'verdicts.jsonl', 'verdicts.claimreview.jsonld', 'verdicts.html']) {
        const response = await get(`/exports/${file}?team=${encodeURIComponent(team)}`, outsiderToken);
        expect(response.status).toBe(404);
        expect(response.headers.get('content-disposition')).toBeNull();
        expect(await response.json()).toEqual({ errors: [{ message: 'Team not found', extensions: { code: 'NOT_FOUND' } }] });
      }
    }
    const missing = await get('/exports/verdicts.csv?team=no-such-desk', outsiderToken);
    expect(await missing.json()).toEqual({ errors: [{ message: 'Team not found', extensions: { code: 'NOT_FOUND' } }] });
    // the outsider's own team, filtered by this desk's reviewer: not found either
    const ownTeam = (await app.ok(desk.outsider, '{ teams { nodes { slug } } }')).teams.nodes[0].slug;
    const foreignReviewer = await get(`/exports/verdicts.csv?team=${ownTeam}&reviewer=${encodeURIComponent(desk.reviewer.email)}`, outsiderToken);
    expect(foreignReviewer.status).toBe(404);
    const ownExport = await get(`/exports/verdicts.csv?team=${ownTeam}`, outsiderToken);
    expect(ownExport.status).toBe(200);
    const ownRecords = parse(Buffer.from(await ownExport.arrayBuffer()), { bom: true, columns: true });
    expect(ownRecords).toEqual([]);
  });

  describe('with a large report', () => {
    let big: Desk;
    let bigToken: string;
    const ROWS = 20_000;

    beforeAll(async () => {
      big = await createDesk(app, { quorum: 2 });
      bigToken = await tokenFor(app, big.viewer);
      const client = new Client({ connectionString: app.databaseUrl });
      await client.connect();
      try {
        await seedVerdictRows(client, { teamId: rawId(big.teamId), userId: big.editor.id, reviewerIds: [big.reviewer.id, big.reviewer2.id], rows: ROWS });
        // seeded with triggers off, as the bench's data set is: its report figures built as the bench builds them
        await client.query('SELECT claimgraph_rebuild_report_figures($1)', [[rawId(big.teamId)]]);
      } finally {
        await client.end();
      }
    });

    it('streams every row (no cap) in report order', async () => {
      const response = await get(`/exports/verdicts.jsonl?team=${big.teamSlug}`, bigToken);
      const lines = (await response.text()).trimEnd().split('\n');
      expect(lines).toHaveLength(ROWS);
      const first = JSON.parse(lines[0]);
      const last = JSON.parse(lines[ROWS - 1]);
      expect(first.article.title).toBe('Bench article 1: budget, "schools" & taxes');
      expect(last.article.title).toBe(`Bench article ${ROWS / 20}: budget, "schools" & taxes`);
      expect(first.verdicts).toHaveLength(2);
    });

    it('says in the HTML report how many articles its chart of the articles with most claims leaves out (counted only there)', async () => {
      const response = await get(`/exports/verdicts.html?team=${big.teamSlug}`, bigToken);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain(`the 30 with most claims of ${ROWS / 20} articles`);
      // GraphQL's sourcingByArticle asks for no count; its rows are the same
      const data = await app.ok(big.viewer, `query($team: ID!) { verdictReport(filter: { teamId: $team }) { sourcingByArticle(first: 3) { claims } } }`, {
        team: big.teamId,
      });
      expect(data.verdictReport.sourcingByArticle).toEqual([{ claims: 20 }, { claims: 20 }, { claims: 20 }]);
    });

    for (const file of ['verdicts.csv', 'verdicts.jsonl']) {
      it(`releases the ${file === 'verdicts.csv' ? 'COPY' : 'cursor'}, the transaction and the connection when the client of ${file} disconnects mid-stream`, async () => {
        const pool = (app.dataSource.driver as unknown as { master: Pool }).master;
        const download = await pausedDownload(base, `/exports/${file}?team=${big.teamSlug}`, bigToken);
        expect(download.head).toMatch(/^HTTP\/1\.1 200 OK/);
        // Mid-stream: the client reads no more, and the server waits on backpressure with its
        // transaction open: the CSV's COPY blocked sending, the cursor's portal suspended (pg-cursor
        // sends no Sync between batches); either way the session shows as 'active'.
        await expect.poll(() => exportSessions(app), { timeout: 5000, interval: 50 }).toEqual([{ state: 'active' }]);
        const connections = pool.totalCount;
        download.socket.destroy();

        await expect.poll(() => exportSessions(app), { timeout: 5000, interval: 50 }).toEqual([]);
        await expect.poll(() => pool.totalCount - pool.idleCount, { timeout: 5000, interval: 50 }).toBe(0);
        // the statement was stopped on its connection (cancelled), not by closing the connection
        expect(pool.totalCount).toBe(connections);
        // Every pooled connection (the export's among them) is idle, outside a transaction, without
        // an open portal: pg_cursors lists the session's own cursors, so ask each connection.
        const clients = await Promise.all(Array.from({ length: pool.idleCount }, () => pool.connect()));
        try {
          for (const client of clients) {
            const { rows } = await client.query(
              `SELECT (SELECT count(*) FROM pg_cursors)::int AS cursors, (SELECT state FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS state`,
            );
            expect(rows[0]).toEqual({ cursors: 0, state: 'active' });
          }
        } finally {
          for (const client of clients) client.release();
        }
        // and the server still answers
        const after = await get(`/exports/verdicts.csv?team=${desk.teamSlug}`, viewerToken);
        expect(after.status).toBe(200);
        await after.arrayBuffer();
      });
    }

    it('lets one caller hold at most half the download slots, so another caller still gets one', async () => {
      // a pool of 4: two downloads at once, one per caller
      const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: app.databaseUrl, CLAIMGRAPH_DEV_AUTH: 'false', DB_POOL_SIZE: '4' });
      const limited = await createServer({ config, dataSource: app.dataSource, schema: await buildClaimgraphSchema(), log: pino({ level: 'silent' }) });
      try {
        const limitedBase = `http://127.0.0.1:${await limited.listen(0, '127.0.0.1')}`;
        const first = await pausedDownload(limitedBase, `/exports/verdicts.csv?team=${big.teamSlug}`, bigToken);
        expect(first.head).toMatch(/^HTTP\/1\.1 200 OK/);
        const again = await fetch(`${limitedBase}/exports/verdicts.csv?team=${big.teamSlug}`, { headers: { authorization: `Bearer ${bigToken}` } });
        expect(again.status).toBe(429);
        expect((await again.json()).errors[0]).toMatchObject({
          message: expect.stringContaining('1 exports running'),
          extensions: { code: 'TOO_MANY_REQUESTS', limit: 1 },
        });
        const otherToken = await tokenFor(app, big.editor);
        const other = await fetch(`${limitedBase}/exports/verdicts.jsonl?team=${big.teamSlug}&status=UNREVIEWED`, {
          headers: { authorization: `Bearer ${otherToken}` },
        });
        expect(other.status).toBe(200);
        await other.arrayBuffer();
        first.socket.destroy();
      } finally {
        await limited.stop();
        if (limited.httpServer.listening) await new Promise((resolve) => limited.httpServer.close(resolve));
      }
    });

    it('limits concurrent downloads to half the pool and answers the rest with 429', async () => {
      // a second server on the same database, configured with a pool of 2: one download at a time
      const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: app.databaseUrl, CLAIMGRAPH_DEV_AUTH: 'false', DB_POOL_SIZE: '2' });
      const limited = await createServer({ config, dataSource: app.dataSource, schema: await buildClaimgraphSchema(), log: pino({ level: 'silent' }) });
      try {
        const limitedBase = `http://127.0.0.1:${await limited.listen(0, '127.0.0.1')}`;
        const first = await pausedDownload(limitedBase, `/exports/verdicts.csv?team=${big.teamSlug}`, bigToken);
        expect(first.head).toMatch(/^HTTP\/1\.1 200 OK/);
        const second = await fetch(`${limitedBase}/exports/verdicts.csv?team=${big.teamSlug}`, { headers: { authorization: `Bearer ${bigToken}` } });
        expect(second.status).toBe(429);
        expect(second.headers.get('retry-after')).toBe('5');
        expect((await second.json()).errors[0].extensions.code).toBe('TOO_MANY_REQUESTS');
        first.socket.destroy();
        await expect
          .poll(
            async () =>
              (
                await fetch(`${limitedBase}/exports/verdicts.jsonl?team=${big.teamSlug}&status=UNREVIEWED`, {
                  headers: { authorization: `Bearer ${bigToken}` },
                })
              ).status,
            { timeout: 5000, interval: 100 },
          )
          .toBe(200);
      } finally {
        await limited.stop();
        if (limited.httpServer.listening) await new Promise((resolve) => limited.httpServer.close(resolve));
      }
    });
  });
});

/**
 * Starts a download on a raw socket and stops reading after the first bytes. The socket never
 * reads again, so its receive window stays small and the server soon has to wait (backpressure).
 */
async function pausedDownload(base: string, path: string, token: string): Promise<{ socket: net.Socket; head: string }> {
  const { hostname, port } = new URL(base);
  const socket = net.connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  socket.pause();
  return { socket, head: chunk.toString('latin1') };
}

/** Sessions of this test database running or holding the export query (a transaction or a portal). */
async function exportSessions(app: TestApp): Promise<{ state: string }[]> {
  return app.sql(`SELECT state FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
      AND (state IN ('active', 'idle in transaction', 'idle in transaction (aborted)'))
      AND (query LIKE '/* claimgraph:report-rows */%' OR query LIKE 'COPY (/* claimgraph:report-csv */%')`);
}
