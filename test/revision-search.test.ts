import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { rawId, createArticle, createClaim, createDesk, databaseFingerprint, type Desk } from './support/desk';
import { ArticleService } from '../src/modules/article/article.service';

const REVISE = `mutation($i: ReviseArticleInput!) {
  reviseArticle(input: $i) {
    article { currentRevisionNumber }
    revision { number body }
    anchored { id quote anchorState version anchor { position { start end } } revision { number } }
    orphaned { id quote anchorState revision { number } }
  }
}`;

const BASE = [
  'The mayor said the bridge would reopen in March.',
  'Officials estimate repairs cost $12 million.',
  'Residents complained about traffic for months.',
  'The council will vote on the budget next week, the mayor said.',
].join('\n');

describe(`${ArticleService.name}.revise`, () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
  });
  afterAll(() => app?.close());

  it('re-anchors on insertions and edits, orphans deleted words, and keeps verdicts with their claims', async () => {
    const { id: articleId } = await createArticle(app, desk, { text: BASE });
    const moved = await createClaim(app, desk, articleId, 'Officials estimate repairs cost $12 million.');
    const edited = await createClaim(app, desk, articleId, 'Residents complained about traffic for months.');
    const deleted = await createClaim(app, desk, articleId, 'The mayor said the bridge would reopen in March.');
    await app.ok(desk.reviewer, `mutation($c: ID!) { submitVerdict(input: { claimId: $c, rating: MOSTLY_TRUE }) { verdict { id } } }`, { c: moved.id });

    const revised = [
      'UPDATE: This story was corrected on Friday.',
      'Officials estimate repairs cost $12 million.',
      'Residents complained loudly about traffic for months.',
      'The council will vote on the budget next week, the mayor said.',
    ].join('\n');
    const data = (await app.ok(desk.editor, REVISE, { i: { articleId, text: revised, expectedRevisionNumber: 1 } })).reviseArticle;
    expect(data.article.currentRevisionNumber).toBe(2);
    expect(data.revision).toEqual({ number: 2, body: revised });
    const byId = Object.fromEntries(data.anchored.map((claim: { id: string }) => [claim.id, claim]));
    const chars = [...revised];
    const start = revised.indexOf('Officials');
    expect(byId[moved.id]).toMatchObject({ anchorState: 'ANCHORED', version: 2, revision: { number: 2 }, anchor: { position: { start, end: start + 44 } } });
    expect(chars.slice(start, start + 44).join('')).toBe('Officials estimate repairs cost $12 million.');
    expect(byId[edited.id]).toMatchObject({ anchorState: 'ANCHORED', quote: 'Residents complained loudly about traffic for months.' });
    expect(data.orphaned).toEqual([
      { id: deleted.id, quote: 'The mayor said the bridge would reopen in March.', anchorState: 'ORPHANED', revision: { number: 1 } },
    ]);

    const claim = await app.ok(
      desk.viewer,
      `query($id: ID!) { claim(id: $id) { status verdicts { totalCount } history(filter: { actions: ["REANCHOR"] }) { nodes { reason after } } } }`,
      { id: moved.id },
    );
    expect(claim.claim.verdicts.totalCount).toBe(1);
    expect(claim.claim.status).toBe('IN_REVIEW');
    expect(claim.claim.history.nodes[0].reason).toMatch(/match on revision 2/);
    expect(claim.claim.history.nodes[0].after).toMatchObject({ anchor: { position: { start } } });
    const orphans = await app.ok(desk.viewer, `query($id: ID!) { article(id: $id) { orphanedClaims { nodes { id } } revision(number: 1) { body } } }`, {
      id: articleId,
    });
    expect(orphans.article).toEqual({ orphanedClaims: { nodes: [{ id: deleted.id }] }, revision: { body: BASE } });
    const [orphanEvent] = await app.sql(`SELECT action, reason FROM history_events WHERE entity_id = $1 AND action = 'ORPHAN'`, [rawId(deleted.id)]);
    expect(orphanEvent.reason).toMatch(/not found in revision 2/);
  });

  it('picks the right one of two identical phrases by their context', async () => {
    const text = 'In Sumy, the governor said shelling hit two schools. In Kharkiv, the governor said shelling hit two schools.';
    const { id: articleId } = await createArticle(app, desk, { text });
    const second = await createClaim(app, desk, articleId, 'the governor said shelling hit two schools', {
      anchor: { quote: { exact: 'the governor said shelling hit two schools', prefix: 'In Kharkiv, ' } },
    });
    const revised =
      'Shelling continued overnight. In Sumy, the governor said shelling hit two schools. Separately, in Kharkiv, the governor said shelling hit two schools.';
    const data = (await app.ok(desk.editor, REVISE, { i: { articleId, text: revised } })).reviseArticle;
    const start = revised.lastIndexOf('the governor said');
    expect(data.anchored).toEqual([expect.objectContaining({ id: second.id, anchor: { position: { start, end: start + 42 } } })]);
  });

  it('rejects a stale revision number, an unchanged or empty text, and non-editors, writing nothing', async () => {
    const { id: articleId } = await createArticle(app, desk, { text: BASE });
    await app.ok(desk.editor, REVISE, { i: { articleId, text: `${BASE}\nMore.` } });
    const before = await databaseFingerprint(app);
    const cases: [Record<string, unknown>, string, typeof desk.editor][] = [
      [{ articleId, text: `${BASE}\nOther.`, expectedRevisionNumber: 1 }, 'VERSION_CONFLICT', desk.editor],
      [{ articleId, text: `${BASE}\nMore.` }, 'BAD_USER_INPUT', desk.editor],
      [{ articleId, text: '   ' }, 'BAD_USER_INPUT', desk.editor],
      [{ articleId, text: 'bad \ud800' }, 'BAD_USER_INPUT', desk.editor],
      [{ articleId, text: 'y'.repeat(1_000_001) }, 'PAYLOAD_TOO_LARGE', desk.editor],
      [{ articleId, text: 'New text.' }, 'FORBIDDEN', desk.reviewer],
      [{ articleId, text: 'New text.' }, 'NOT_FOUND', desk.outsider],
    ];
    for (const [input, code, user] of cases) {
      const result = await app.run(user, REVISE, { i: input });
      expect([code, result.errors?.[0].extensions?.code]).toEqual([code, code]);
    }
    const conflict = await app.run(desk.editor, REVISE, { i: { articleId, text: 'x y z', expectedRevisionNumber: 1 } });
    expect(conflict.errors?.[0].extensions?.currentVersion).toBe(2);
    expect(await databaseFingerprint(app)).toBe(before);
  });
});

describe('search and similar claims', () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
  });
  afterAll(() => app?.close());

  it('ranks articles by full-text match on title and text, with stemming', async () => {
    await createArticle(app, desk, { title: 'Weather report', text: 'Heavy rain is expected. Rain will continue. More rain on Sunday.' });
    await createArticle(app, desk, { title: 'Rain barrels explained', text: 'How gardeners collect water.' });
    await createArticle(app, desk, { title: 'Budget news', text: 'The council approved spending; no mention of weather.' });
    const titles = async (search: string) =>
      (await app.ok(desk.viewer, `query($s: String) { articles(filter: { search: $s }) { totalCount nodes { title } } }`, { s: search })).articles.nodes.map(
        (node: { title: string }) => node.title,
      );
    expect(await titles('rains')).toEqual(['Rain barrels explained', 'Weather report']);
    expect(await titles('"approved spending"')).toEqual(['Budget news']);
    expect(await titles('weather -rain')).toEqual(['Budget news']);
    expect(await titles('nothing-like-this')).toEqual([]);
    const page1 = await app.ok(desk.viewer, `{ articles(first: 1, filter: { search: "rain" }) { nodes { title } pageInfo { endCursor hasNextPage } } }`);
    const page2 = await app.ok(
      desk.viewer,
      `query($a: String) { articles(first: 1, after: $a, filter: { search: "rain" }) { nodes { title } pageInfo { hasNextPage } } }`,
      { a: page1.articles.pageInfo.endCursor },
    );
    expect([...page1.articles.nodes, ...page2.articles.nodes].map((node: { title: string }) => node.title)).toEqual([
      'Rain barrels explained',
      'Weather report',
    ]);
    expect(page2.articles.pageInfo.hasNextPage).toBe(false);
  });

  it("searches claim quotes, ranked, in the article's language", async () => {
    const { id } = await createArticle(app, desk, {
      text: 'Unemployment fell to 3.1% last year. Unemployment and inflation both fell sharply. Exports grew by 4%.',
    });
    const a = await createClaim(app, desk, id, 'Unemployment fell to 3.1% last year.');
    const b = await createClaim(app, desk, id, 'Unemployment and inflation both fell sharply.');
    await createClaim(app, desk, id, 'Exports grew by 4%.');
    const result = await app.ok(desk.viewer, `{ claims(filter: { search: "unemployment" }) { nodes { id } } }`);
    expect(result.claims.nodes.map((node: { id: string }) => node.id).sort()).toEqual([a.id, b.id].sort());
    const exports = await app.ok(desk.viewer, `{ claims(filter: { search: "export" }) { nodes { quote } } }`);
    expect(exports.claims.nodes).toEqual([{ quote: 'Exports grew by 4%.' }]);
    const ranked = await app.ok(desk.viewer, `{ claims(filter: { search: "unemployment or inflation" }) { nodes { id } } }`);
    expect(ranked.claims.nodes[0].id).toBe(b.id);
    const german = await createArticle(app, desk, { language: 'de', text: 'Die Arbeitslosigkeit sank im letzten Jahr deutlich.' });
    const c = await createClaim(app, desk, german.id, 'Die Arbeitslosigkeit sank im letzten Jahr deutlich.');
    const de = await app.ok(desk.viewer, `{ claims(filter: { search: "Jahre", searchLanguage: "de" }) { nodes { id } } }`);
    expect(de.claims.nodes).toEqual([{ id: c.id }]);
  });

  it('finds claims with similar wording above the documented threshold', async () => {
    const one = await createArticle(app, desk, { text: 'The new bridge cost taxpayers $12 million, the mayor said.' });
    const two = await createArticle(app, desk, { text: 'The new bridge cost taxpayers 12 million dollars. Something else entirely different happened today.' });
    const original = await createClaim(app, desk, one.id, 'The new bridge cost taxpayers $12 million');
    const repeat = await createClaim(app, desk, two.id, 'The new bridge cost taxpayers 12 million dollars.');
    await createClaim(app, desk, two.id, 'Something else entirely different happened today.');
    await app.ok(desk.reviewer, `mutation($c: ID!) { submitVerdict(input: { claimId: $c, rating: TRUE }) { verdict { id } } }`, { c: original.id });
    const data = await app.ok(desk.viewer, `query($id: ID!) { claim(id: $id) { similarClaims { similarity claim { id status } } } }`, { id: repeat.id });
    expect(data.claim.similarClaims).toHaveLength(1);
    expect(data.claim.similarClaims[0]).toMatchObject({ claim: { id: original.id, status: 'IN_REVIEW' } });
    expect(data.claim.similarClaims[0].similarity).toBeGreaterThan(0.45);
    const bad = await app.run(desk.viewer, `query($id: ID!) { claim(id: $id) { similarClaims(first: 500) { similarity } } }`, { id: repeat.id });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const other = await app.ok(desk.outsider, `{ claims(filter: { search: "bridge" }) { totalCount } }`);
    expect(other.claims.totalCount).toBe(0);
  });
});
