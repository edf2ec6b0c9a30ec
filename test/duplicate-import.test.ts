import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createDesk, databaseFingerprint, type Desk } from './support/desk';
import { ArticleService } from '../src/modules/article/article.service';

const CREATE = `mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id } } }`;
const IMPORT = `mutation($input: ImportArticleInput!) { importArticle(input: $input) { article { id } claims { id } } }`;

let counter = 0;
/** A text and URL no other test of the file uses. */
function fresh(): { text: string; url: string } {
  counter += 1;
  return {
    text: `The harbour authority said on Monday that ${counter * 17} ships docked in March, up from ${counter * 11} a year earlier.`,
    url: `https://news.example.org/harbour-${counter}`,
  };
}

describe(`${ArticleService.name} duplicate imports`, () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
  });
  afterAll(() => app?.close());

  const create = (input: Record<string, unknown>) => app.run(desk.editor, CREATE, { input: { teamId: desk.teamId, title: 'Harbour', ...input } });
  const importing = (input: Record<string, unknown>) => app.run(desk.editor, IMPORT, { input: { teamId: desk.teamId, title: 'Harbour', ...input } });

  it('refuses the same URL or the same text with ALREADY_EXISTS naming the existing article, through both mutations', async () => {
    const { text, url } = fresh();
    const first = await create({ text, url });
    const existing = first.data!.createArticle.article.id;
    const before = await databaseFingerprint(app);

    const sameUrl = await importing({ content: `${text} A different text.`, url });
    expect(sameUrl.errors?.[0].extensions).toEqual({ code: 'ALREADY_EXISTS', articleId: existing, field: 'url' });
    expect(sameUrl.errors?.[0].message).toMatch(/allowDuplicate: true/);
    const sameText = await importing({ content: text, url: `${url}-elsewhere` });
    expect(sameText.errors?.[0].extensions).toEqual({ code: 'ALREADY_EXISTS', articleId: existing, field: 'content' });
    const sameTextNoUrl = await create({ text });
    expect(sameTextNoUrl.errors?.[0].extensions).toEqual({ code: 'ALREADY_EXISTS', articleId: existing, field: 'text' });
    // line endings are normalised before hashing: CRLF is the same text
    expect(await databaseFingerprint(app)).toBe(before);
    const unix = await create({ text: `${text}\nSecond line.`, url: `${url}-unix` });
    const windows = await create({ text: `${text}\r\nSecond line.`, url: `${url}-windows` });
    expect(windows.errors?.[0].extensions).toMatchObject({ code: 'ALREADY_EXISTS', articleId: unix.data!.createArticle.article.id });

    // allowDuplicate stores it anyway, in both mutations
    const allowed = await create({ text, url, allowDuplicate: true });
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data!.createArticle.article.id).not.toBe(existing);
    const imported = await importing({ content: text, url, allowDuplicate: true });
    expect(imported.errors).toBeUndefined();
  });

  it('matches any revision of a live article, in this team only; a deleted article no longer counts', async () => {
    const { text, url } = fresh();
    const first = (await create({ text })).data!.createArticle.article.id;
    await app.ok(desk.editor, `mutation($input: ReviseArticleInput!) { reviseArticle(input: $input) { revision { number } } }`, {
      input: { articleId: first, text: `${text} Corrected.` },
    });
    // the text of revision 1 still names the article
    expect((await create({ text, url })).errors?.[0].extensions).toMatchObject({ code: 'ALREADY_EXISTS', articleId: first });

    // another team may hold the same article
    const other = await createDesk(app);
    const elsewhere = await app.run(other.editor, CREATE, { input: { teamId: other.teamId, title: 'Harbour', text, url } });
    expect(elsewhere.errors).toBeUndefined();

    await app.sql(`UPDATE articles SET deleted_at = now() WHERE id = $1`, [Buffer.from(first, 'base64url').toString().split(':')[1]]);
    expect((await create({ text, url })).errors).toBeUndefined();
  });

  it('two concurrent imports of one URL: exactly one wins, the other names it', async () => {
    for (let round = 0; round < 5; round++) {
      const { text, url } = fresh();
      const results = await Promise.all([
        importing({ content: `${text} First copy.`, url }),
        importing({ content: `${text} Second copy.`, url }),
        create({ text: `${text} Third copy.`, url }),
      ]);
      const won = results.filter((result) => !result.errors);
      const refused = results.filter((result) => result.errors?.[0].extensions?.code === 'ALREADY_EXISTS');
      expect(won).toHaveLength(1);
      expect(refused).toHaveLength(2);
      const winner = won[0].data!.importArticle?.article.id ?? won[0].data!.createArticle.article.id;
      for (const result of refused) expect(result.errors![0].extensions).toEqual({ code: 'ALREADY_EXISTS', articleId: winner, field: 'url' });
      const [row] = await app.sql(`SELECT count(*)::int AS n FROM articles WHERE url = $1`, [url]);
      expect(row.n).toBe(1);
    }
  });

  it('two concurrent imports of one text without URLs: exactly one wins', async () => {
    const { text } = fresh();
    const results = await Promise.all([importing({ content: text }), importing({ content: text }), create({ text })]);
    expect(results.filter((result) => !result.errors)).toHaveLength(1);
    expect(results.filter((result) => result.errors?.[0].extensions?.code === 'ALREADY_EXISTS')).toHaveLength(2);
  });
});
