import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { createTestApp, type TestApp, type TestUser } from './support/app';
import { createArticle, createClaim, createDesk, rawId, type Desk } from './support/desk';
import { publishClaim, submitVerdict } from './report-fixture';
import type { FieldDeclaration } from '../src/shared/fields';
import { CLAIM_COLUMNS, CLAIM_DATABASE_ONLY, CLAIM_DATES, CLAIM_FIELDS } from '../src/modules/claim/claim.entity';
import { VERDICT_COLUMNS, VERDICT_DATES, VERDICT_FIELDS } from '../src/modules/verdict/verdict.entity';
import { teamScope } from '../bench/export-copy';
import { CSV_HEADER, REPORT_COLUMNS } from '../src/modules/report/report-columns';
import { REPORTED_CLAIM_COLUMNS, REPORTED_VERDICT_COLUMNS, rowQuery } from '../src/modules/report/report-row';

const IMPORT = `mutation($i: ImportArticleInput!) { importArticle(input: $i) { claims { id } } }`;

interface ColumnRow {
  column_name: string;
  data_type: string;
}

/** A reason is a phrase someone can judge, not a placeholder. */
function expectReason(value: unknown, where: string): void {
  expect(typeof value, where).toBe('string');
  expect((value as string).trim().split(/\s+/).length, `${where}: "${value}" gives no reason`).toBeGreaterThanOrEqual(3);
}

async function tokenFor(app: TestApp, user: TestUser): Promise<string> {
  return (await app.ok(user, `mutation { createApiToken(input: { name: "fields" }) { token } }`)).createApiToken.token;
}

describe('one declaration per field (CLAIM_COLUMNS, VERDICT_COLUMNS)', () => {
  let app: TestApp;
  let desk: Desk;
  let columns: Map<string, ColumnRow[]>;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app, { quorum: 1 });
    const rows = await app.sql<ColumnRow & { table_name: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name IN ('claims', 'verdicts') ORDER BY table_name, ordinal_position`,
    );
    columns = new Map(['claims', 'verdicts'].map((table) => [table, rows.filter((row) => row.table_name === table)]));
  });
  afterAll(() => app?.close());

  const tables: [string, readonly FieldDeclaration<string, unknown>[], Record<string, string>][] = [
    ['claims', CLAIM_COLUMNS, CLAIM_DATABASE_ONLY],
    ['verdicts', VERDICT_COLUMNS, {}],
  ];

  it.each(tables)('declares every column of %s once: recorded in history or why not, reported or why not', (table, declared, databaseOnly) => {
    const inDatabase = columns.get(table)!;
    expect(inDatabase.length).toBeGreaterThan(0);
    const byColumn = new Map(declared.map((field) => [field.column, field]));
    expect(byColumn.size, 'one declaration per column').toBe(declared.length);
    for (const { column_name, data_type } of inDatabase) {
      const field = byColumn.get(column_name);
      if (!field) {
        expectReason(databaseOnly[column_name], `${table}.${column_name} is neither an entity column nor declared database-only`);
        continue;
      }
      if (field.history !== true) expectReason(field.history, `${table}.${column_name}: history`);
      if (typeof field.report === 'string') expectReason(field.report, `${table}.${column_name}: report`);
      // the entity's type is the one dates are revived by
      expect(field.type === 'timestamptz', `${table}.${column_name} is ${data_type}`).toBe(data_type === 'timestamp with time zone');
    }
    const present = new Set(inDatabase.map((row) => row.column_name));
    for (const column of [...byColumn.keys(), ...Object.keys(databaseOnly)])
      expect(present, `${table}.${column} is declared but not in the table`).toContain(column);
  });

  it('derives the recorded fields and the instants asOf revives from the declarations', () => {
    expect(CLAIM_FIELDS).toEqual(CLAIM_COLUMNS.filter((field) => field.history === true).map((field) => field.property));
    expect(VERDICT_FIELDS).toEqual(VERDICT_COLUMNS.filter((field) => field.history === true).map((field) => field.property));
    expect(CLAIM_DATES).toEqual(['disputedAt', 'publishedAt', 'deletedAt']);
    expect(VERDICT_DATES).toEqual(['withdrawnAt']);
  });

  it('records every recorded claim field in the CREATE event of each way a claim comes to exist', async () => {
    const { id: articleId } = await createArticle(app, desk);
    const marked = await createClaim(app, desk, articleId, 'approved a budget of $4.2 million');
    const imported = (
      await app.ok(desk.editor, IMPORT, {
        i: { teamId: desk.teamId, title: 'Import', content: 'The council approved the budget on Tuesday, Mayor Ana Ruiz said.' },
      })
    ).importArticle.claims;
    expect(imported.length).toBeGreaterThan(0);
    for (const claim of [marked, ...imported]) {
      const [created] = await app.sql<{ after: Record<string, unknown> }>(`SELECT after FROM history_events WHERE entity_id = $1 AND action = 'CREATE'`, [
        rawId(claim.id),
      ]);
      expect(Object.keys(created.after).sort()).toEqual([...CLAIM_FIELDS].sort());
    }
  });

  it('selects every reported column in the report query, and writes each into CSV and JSON Lines', async () => {
    const scope = teamScope(rawId(desk.teamId), desk.teamSlug);
    const { sql } = rowQuery(scope);
    for (const field of REPORTED_CLAIM_COLUMNS) expect(sql).toContain(`c.${field.column}`);
    for (const field of REPORTED_VERDICT_COLUMNS) expect(sql).toContain(`v.${field.column}`);
    const headers = REPORT_COLUMNS.flatMap((column) => column.csv.map(({ name }) => name));
    expect(new Set(headers).size, 'CSV headers are unique').toBe(headers.length);
    for (const field of REPORTED_CLAIM_COLUMNS) expect(CSV_HEADER).toContain(field.report.csv);

    const { id: articleId } = await createArticle(app, desk, { title: 'Exported' });
    const claim = await createClaim(app, desk, articleId, 'on Tuesday');
    await submitVerdict(app, desk.reviewer, claim.id, 'MOSTLY_TRUE', 'the minutes');
    await publishClaim(app, desk, claim.id, 'MOSTLY_TRUE');
    const [stored] = await app.sql<Record<string, unknown>>('SELECT * FROM claims WHERE id = $1', [rawId(claim.id)]);
    const [verdict] = await app.sql<Record<string, unknown>>('SELECT * FROM verdicts WHERE claim_id = $1', [rawId(claim.id)]);
    const expected = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value);

    const base = await app.listen();
    const token = await tokenFor(app, desk.viewer);
    const download = async (file: string) =>
      (await fetch(`${base}/exports/${file}?team=${desk.teamSlug}&article=${articleId}`, { headers: { authorization: `Bearer ${token}` } })).text();
    const [csvRow] = parse(await download('verdicts.csv'), { bom: true, columns: true }) as Record<string, string>[];
    const [jsonRow] = (await download('verdicts.jsonl'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    for (const field of REPORTED_CLAIM_COLUMNS) {
      expect(jsonRow[field.report.json], `JSON Lines ${field.report.json}`).toEqual(expected(stored[field.column]));
      expect(csvRow[field.report.csv], `CSV ${field.report.csv}`).toBe(stored[field.column] == null ? '' : String(expected(stored[field.column])));
    }
    expect(jsonRow.verdicts).toHaveLength(1);
    for (const field of REPORTED_VERDICT_COLUMNS) {
      expect(jsonRow.verdicts[0][field.report.json], `JSON Lines verdicts[].${field.report.json}`).toEqual(expected(verdict[field.column]));
    }
  });
});
