import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import { Client } from 'pg';
import { createTestApp, type TestApp, type TestUser } from './support/app';
import { createArticle, createClaim, createDesk, type Desk } from './support/desk';
import { buildReportDataset, rawId, type ReportDataset } from './report-fixture';
import { seedVerdictRows } from '../bench/export-seed';
import { CopyReadable, CopyTextDecoder } from '../src/modules/report/copy-stream';
import { CSV_HEADER, CSV_PREAMBLE, csvQuery } from '../src/modules/report/formats/csv';
import { CSV_COLUMNS } from '../src/modules/report/report-columns';
import { neutralizeFormula } from '../src/modules/report/formats/formula';

/**
 * Text that CSV writers disagree on: every JavaScript white-space character at either end (some
 * readers trim, so the file quotes them), control characters and backslashes (COPY's text format
 * escapes them), quotes, commas, each kind of line break, formula starts, and non-Latin scripts.
 */
const EDGES = [
  ' leading space',
  'trailing space ',
  '\u00a0no-break space first',
  'ideographic space last\u3000',
  '\ufeffbyte order mark first',
  'line separator last\u2028',
  '\u2029paragraph separator first',
  '\u000bvertical tab first',
  'form feed last\u000c',
  'tab\tinside',
  '\ttab first',
  '\rcarriage return first',
  'carriage\rreturn inside',
  'line\nfeed inside',
  'both\r\nbreaks inside',
  'back\\slash \\N \\. \\\\ and a last one\\',
  '\\',
  'control \u0001\u0002\u0008\u001b\u001f characters',
  'quote "inside" it',
  '"',
  'comma, inside',
  '=1+1',
  '+1 555 0100',
  '-5%',
  '@SUM(A1)',
  'Ünïcödé e\u0301 🧾 東京 قال',
  'plain',
];

const SUBMIT = `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }`;

async function tokenFor(app: TestApp, user: TestUser): Promise<string> {
  return (await app.ok(user, `mutation { createApiToken(input: { name: "csv" }) { token } }`)).createApiToken.token;
}

/** Everything `source` writes, as one buffer. */
async function collect(streams: NodeJS.ReadableStream[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline([
    ...(streams as never[]),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(Buffer.from(chunk));
        callback();
      },
    }),
  ]);
  return Buffer.concat(chunks);
}

/** Indexes of the CSV's text columns: every one of their cells that holds text is quoted. */
const TEXT_COLUMNS = new Set(CSV_COLUMNS.flatMap((column, index) => (column.text ? [index] : [])));

/**
 * The CSV as claimgraph wrote it in JavaScript before Postgres did (csv-stringify over report rows,
 * formula-neutralised cells; the download was compared byte for byte with that writer itself before
 * it was removed), from the JSON Lines export of the same report: an oracle that shares no SQL
 * with the download it checks. Quoting as the download has it since: every non-empty text cell
 * (csv-stringify would quote only those with a comma, a quote, a line break or white space at
 * either end).
 */
function csvFromJsonLines(lines: any[]): Buffer {
  const records = lines.map((row) =>
    [
      row.claimId,
      row.article.id,
      row.article.title,
      row.article.url,
      row.article.outlet,
      row.article.publishedAt,
      row.quote,
      row.kind,
      row.speaker ? (row.speaker.name ?? row.speaker.descriptor) : null,
      row.speaker?.kind ?? null,
      row.sourcing,
      row.status,
      row.verdicts.map((verdict: any) => `${verdict.reviewer.name}: ${verdict.rating}`).join('; '),
      row.verdicts.length,
      row.consensusRating,
      row.published?.rating ?? null,
      row.published?.rationale ?? null,
      row.published?.at ?? null,
      row.published ? String(row.published.textChanged) : null,
      row.published?.textChanged ? row.published.quote : null,
      row.evidence
        .map((evidence: any) => evidence.url)
        .filter(Boolean)
        .join('\n'),
      row.importedAt,
    ].map((value) => neutralizeFormula(value ?? '')),
  );
  const text = stringify(records, {
    header: true,
    columns: CSV_HEADER,
    bom: true,
    record_delimiter: 'windows',
    cast: { string: (value, context) => (!context.header && value !== '' && TEXT_COLUMNS.has(context.index) ? { value, quoted: true } : value) },
  });
  return Buffer.from(text, 'utf8');
}

describe('CSV written by Postgres', () => {
  let app: TestApp;
  let base: string;
  let report: ReportDataset;
  let edges: Desk;
  let big: Desk;
  let tokens: Map<Desk, string>;

  beforeAll(async () => {
    app = await createTestApp();
    base = await app.listen();
    // figures of every kind: consensus medians and off-scale agreement, disputes, no verdicts
    report = await buildReportDataset(app);

    edges = await createDesk(app, { quorum: 2 });
    const lines = EDGES.map((_, index) => `Claim number ${index + 1000} is here.`);
    const articles = [
      await createArticle(app, edges, { text: lines.join('\n'), publishedAt: '2026-05-01T10:00:00.123Z' }),
      await createArticle(app, edges, { text: lines.join('\n'), publishedAt: null, url: null, outlet: null }),
    ];
    const claims: string[] = [];
    for (const article of articles) {
      for (const [index] of EDGES.entries()) claims.push((await createClaim(app, edges, article.id, `Claim number ${index + 1000}`)).id);
    }
    for (const [index, claimId] of claims.entries()) {
      if (index % 3 === 0) continue;
      await app.ok(edges.reviewer, SUBMIT, { input: { claimId, rating: index % 2 ? 'TRUE' : 'MISLEADING', rationale: EDGES[index % EDGES.length] } });
      await app.ok(edges.reviewer2, SUBMIT, { input: { claimId, rating: index % 5 ? 'TRUE' : 'MOSTLY_TRUE' } });
    }
    // Text no form of the API would take as it is (it trims, checks URLs): written as the owner.
    const at = (index: number) => EDGES[index % EDGES.length];
    const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
    const statements = ['BEGIN', 'SET LOCAL session_replication_role = replica'];
    statements.push(`UPDATE articles SET title = ${literal(at(5))}, outlet = ${literal(at(9))}, url = ${literal(`https://a.example/${at(3)}`)}
      WHERE id = '${rawId(articles[0].id)}'`);
    statements.push(`UPDATE articles SET title = ${literal(at(0))} WHERE id = '${rawId(articles[1].id)}'`);
    statements.push(`UPDATE users SET name = ${literal(` ${at(20)}, "the reviewer" `)} WHERE id = '${edges.reviewer2.id}'`);
    for (const [index, claimId] of claims.entries()) {
      const id = rawId(claimId);
      statements.push(`UPDATE claims SET quote_exact = ${literal(at(index))} WHERE id = '${id}'`);
      if (index % 4 !== 3) {
        // published; every other publication judged other words than the claim's current ones
        const quote = index % 2 ? literal(at(index + 2)) : 'quote_exact';
        statements.push(`UPDATE claims SET published_rating = 'FALSE', published_at = timestamptz '2026-06-01 12:00:00.987654+02',
          published_by = '${edges.editor.id}', published_evidence_ids = '{}', published_rationale = ${literal(at(index + 1))}, published_quote = ${quote} WHERE id = '${id}'`);
      }
      statements.push(`WITH s AS (
          INSERT INTO sources (team_id, kind, name, descriptor, anonymous, created_by)
          VALUES ('${rawId(edges.teamId)}', 'PERSON', ${index % 2 ? literal(`${at(index + 3)}x`) : 'NULL'}, ${literal(`x${at(index + 4)}`)}, ${index % 2 === 0}, '${edges.editor.id}')
          RETURNING id)
        UPDATE claims SET speaker_id = (SELECT id FROM s), sourcing = '${index % 2 ? 'SOURCED' : 'ANONYMOUS'}' WHERE id = '${id}'`);
      statements.push(`INSERT INTO evidence (team_id, claim_id, url, stance, created_by, removed_at, quoted_passage) VALUES
        ('${rawId(edges.teamId)}', '${id}', ${literal(`https://e.example/${at(index + 5)}`)}, 'SUPPORTS', '${edges.editor.id}', NULL, NULL),
        ('${rawId(edges.teamId)}', '${id}', NULL, 'CONTEXT', '${edges.editor.id}', NULL, 'a passage, no URL'),
        ('${rawId(edges.teamId)}', '${id}', 'https://removed.example/', 'REFUTES', '${edges.editor.id}', now(), NULL),
        ('${rawId(edges.teamId)}', '${id}', ${literal(`https://e.example/2${at(index + 6)}`)}, 'REFUTES', '${edges.editor.id}', NULL, NULL)`);
    }
    statements.push(`UPDATE verdicts SET withdrawn_at = now() WHERE claim_id = '${rawId(claims[1])}' AND reviewer_id = '${edges.reviewer.id}'`);
    statements.push('COMMIT');
    await app.sql(statements.join(';\n'));

    big = await createDesk(app, { quorum: 2 });
    const client = new Client({ connectionString: app.databaseUrl });
    await client.connect();
    try {
      await seedVerdictRows(client, { teamId: rawId(big.teamId), userId: big.editor.id, reviewerIds: [big.reviewer.id, big.reviewer2.id], rows: 3000 });
    } finally {
      await client.end();
    }
    tokens = new Map();
    for (const desk of [report.desk, edges, big]) tokens.set(desk, await tokenFor(app, desk.viewer));
  });
  afterAll(() => app?.close());

  const download = async (desk: Desk, file: string): Promise<Buffer> => {
    const response = await fetch(`${base}/exports/${file}?team=${desk.teamSlug}`, { headers: { authorization: `Bearer ${tokens.get(desk)}` } });
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  };

  it('is byte for byte the CSV the JavaScript writer made, for every kind of text and figure', async () => {
    for (const desk of [report.desk, edges, big]) {
      const csv = await download(desk, 'verdicts.csv');
      const lines = (await download(desk, 'verdicts.jsonl'))
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      const expected = csvFromJsonLines(lines);
      expect(csv.length).toBeGreaterThan(CSV_PREAMBLE.length + 100);
      // the first differing byte, with some context, when they differ
      const at = [...csv].findIndex((byte, index) => byte !== expected[index]);
      expect(at === -1 ? null : { at, csv: csv.subarray(at - 80, at + 40).toString(), expected: expected.subarray(at - 80, at + 40).toString() }).toBeNull();
      expect(csv.equals(expected)).toBe(true);
    }
  });

  it('holds exactly the rows of the team the filter names and the caller may read (row-level security applies to COPY)', async () => {
    const records = (csv: Buffer) => csv.subarray(CSV_PREAMBLE.length).toString('utf8').split('\r\n').length - 1;
    // a scope for the report desk, but the transaction scoped to the outsider's teams: the filter
    // names the desk, and Postgres still shows none of its rows
    const insider = app.server.contextFor(await report.desk.viewer.actor());
    const scope = await insider.services.reports.scope({ team: report.desk.teamSlug });
    await insider.db.finish('rollback');
    for (const [user, expected] of [
      [report.desk.viewer, 7],
      [report.desk.outsider, 0],
      [edges.viewer, 0],
    ] as const) {
      const context = app.server.contextFor(await user.actor());
      context.db.setMode('read');
      try {
        const csv = await collect([await CopyReadable.open(context.db, csvQuery(scope), CSV_PREAMBLE)]);
        expect(csv.subarray(0, CSV_PREAMBLE.length).equals(CSV_PREAMBLE)).toBe(true);
        expect([user.email, records(csv)]).toEqual([user.email, expected]);
      } finally {
        await context.db.finish('rollback');
      }
    }
  });

  it('fails before the first byte when the query fails, and leaves the connection usable', async () => {
    const context = app.server.contextFor(await report.desk.viewer.actor());
    context.db.setMode('read');
    try {
      await expect(CopyReadable.open(context.db, 'SELECT (1 / 0)::text')).rejects.toThrow(/division by zero/);
    } finally {
      await context.db.finish('rollback');
    }
    const again = app.server.contextFor(await report.desk.viewer.actor());
    again.db.setMode('read');
    try {
      const bytes = await collect([await CopyReadable.open(again.db, `SELECT 'a' || g FROM generate_series(1, 3) g`)]);
      expect(bytes.toString()).toBe('a1\na2\na3\n');
    } finally {
      await again.db.finish('rollback');
    }
  });

  it('fails the pipeline when the query fails mid-stream, and gives the connection back clean', async () => {
    const context = app.server.contextFor(await report.desk.viewer.actor());
    context.db.setMode('read');
    try {
      const copy = await CopyReadable.open(
        context.db,
        `SELECT CASE WHEN g = 20000 THEN (1 / (g - 20000))::text ELSE repeat('x', 100) END FROM generate_series(1, 30000) g`,
      );
      await expect(collect([copy])).rejects.toThrow(/division by zero/);
      expect(copy.rowsRead).toBeGreaterThan(0);
      expect(copy.rowsRead).toBeLessThan(20000);
    } finally {
      await context.db.finish('rollback');
    }
    const [{ open }] = await app.sql(`SELECT count(*)::int AS open FROM pg_stat_activity
      WHERE datname = current_database() AND state LIKE 'idle in transaction%'`);
    expect(open).toBe(0);
  });
});

describe(CopyTextDecoder.name, () => {
  it("undoes COPY's text-format escapes, however the chunks are cut", () => {
    const escaped = Buffer.from('a\\\\b\\nc\\rd\\te\\bf\\fg\\vh\\\\N\\.\r\n\\\\\nz\u00e9\\r\n', 'utf8');
    const expected = Buffer.from('a\\b\nc\rd\te\bf\fg\vh\\N.\r\n\\\nz\u00e9\r\n', 'utf8');
    for (let cut = 0; cut <= escaped.length; cut++) {
      for (let second = cut; second <= escaped.length; second++) {
        const decoder = new CopyTextDecoder();
        const out = Buffer.concat([escaped.subarray(0, cut), escaped.subarray(cut, second), escaped.subarray(second)].map((chunk) => decoder.decode(chunk)));
        expect([cut, second, out.toString('latin1')]).toEqual([cut, second, expected.toString('latin1')]);
        expect(decoder.rows).toBe(3);
      }
    }
  });
});
