import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { ARTICLE_TEXT, createArticle, createDesk, databaseFingerprint, type Desk } from './support/desk';
import { ArticleService, sha256 } from '../src/modules/article/article.service';

const CREATE = `mutation($input: CreateArticleInput!) {
  createArticle(input: $input) {
    article { id title url outlet byline publishedAt language currentRevisionNumber team { id } createdBy { id } }
    revision { id number body bodySha256 }
  }
}`;

describe(ArticleService.name, () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
  });
  afterAll(() => app?.close());

  const input = (overrides: Record<string, unknown> = {}) => ({
    teamId: desk.teamId,
    title: 'A title',
    text: 'Some text to review.',
    ...overrides,
  });

  it('creates an article with revision 1 and its history event in one go', async () => {
    const data = await app.ok(desk.editor, CREATE, {
      input: input({
        title: '  Council approves record budget ',
        url: 'https://news.example.com/a?b=1',
        outlet: 'Example News',
        byline: 'J. Doe',
        publishedAt: '2026-03-01T10:00:00.000Z',
        language: 'pt-BR',
        text: 'Line one\r\nLine two',
      }),
    });
    const { article, revision } = data.createArticle;
    expect(article).toMatchObject({
      title: 'Council approves record budget',
      url: 'https://news.example.com/a?b=1',
      outlet: 'Example News',
      byline: 'J. Doe',
      publishedAt: '2026-03-01T10:00:00.000Z',
      language: 'pt-BR',
      currentRevisionNumber: 1,
      team: { id: desk.teamId },
    });
    // Line endings are normalised so offsets mean the same on every client.
    expect(revision).toMatchObject({ number: 1, body: 'Line one\nLine two', bodySha256: sha256('Line one\nLine two') });
    const history = await app.ok(desk.viewer, `query($id: ID!) { article(id: $id) { history { totalCount nodes { action actor { id } after } } } }`, {
      id: article.id,
    });
    expect(history.article.history.totalCount).toBe(1);
    expect(history.article.history.nodes[0]).toMatchObject({
      action: 'CREATE',
      actor: { id: expect.any(String) },
      after: {
        title: 'Council approves record budget',
        language: 'pt-BR',
        currentRevisionNumber: 1,
        currentRevision: { bodySha256: sha256('Line one\nLine two') },
      },
    });
  });

  it.each([
    ['a blank title', { title: '  ' }, 'BAD_USER_INPUT'],
    ['an empty text', { text: '' }, 'BAD_USER_INPUT'],
    ['a whitespace text', { text: ' \n\t ' }, 'BAD_USER_INPUT'],
    ['a lone surrogate', { text: 'broken \ud800 text' }, 'BAD_USER_INPUT'],
    ['a NUL character', { text: 'nul \u0000 here' }, 'BAD_USER_INPUT'],
    ['a javascript: URL', { url: 'javascript:alert(1)' }, 'BAD_USER_INPUT'],
    ['a malformed URL', { url: 'not a url' }, 'BAD_USER_INPUT'],
    ['a bad language tag', { language: 'English' }, 'BAD_USER_INPUT'],
    ['a bad date', { publishedAt: 'yesterday' }, 'BAD_USER_INPUT'],
    ['a malformed team id', { teamId: 'nope' }, 'BAD_USER_INPUT'],
    ['another kind of id as team', { teamId: Buffer.from('Claim:00000000-0000-0000-0000-000000000000').toString('base64url') }, 'BAD_USER_INPUT'],
    ['a team that does not exist', { teamId: Buffer.from('Team:00000000-0000-0000-0000-000000000000').toString('base64url') }, 'NOT_FOUND'],
    ['a text over a million characters', { text: 'x'.repeat(1_000_001) }, 'PAYLOAD_TOO_LARGE'],
  ])('rejects %s and writes nothing', async (_label, overrides, code) => {
    const before = await databaseFingerprint(app);
    const result = await app.run(desk.editor, CREATE, { input: input(overrides) });
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0].extensions?.code).toBe(code);
    expect(result.errors?.[0].message).not.toMatch(/select|insert|constraint|relation|column/i);
    expect(await databaseFingerprint(app)).toBe(before);
  });

  it('lets editors and owners create, not reviewers or viewers; an outsider sees no team', async () => {
    expect((await app.run(desk.owner, CREATE, { input: input() })).errors).toBeUndefined();
    for (const user of [desk.reviewer, desk.viewer]) {
      const result = await app.run(user, CREATE, { input: input() });
      expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    const outsider = await app.run(desk.outsider, CREATE, { input: input() });
    expect(outsider.errors?.[0]).toMatchObject({ message: 'Team not found', extensions: { code: 'NOT_FOUND' } });
  });

  it('updates metadata, records the changed fields, and ignores a no-op', async () => {
    const { id } = await createArticle(app, desk);
    const update = `mutation($input: UpdateArticleInput!) { updateArticle(input: $input) { article { title outlet url } } }`;
    const data = await app.ok(desk.editor, update, { input: { articleId: id, title: 'New title', outlet: null } });
    expect(data.updateArticle.article).toEqual({ title: 'New title', outlet: null, url: 'https://news.example.com/budget' });
    await app.ok(desk.editor, update, { input: { articleId: id, title: 'New title' } });
    const [event, ...rest] = await app.sql(`SELECT before, after FROM history_events WHERE entity_id = $1 AND action = 'UPDATE'`, [
      Buffer.from(id, 'base64url').toString().split(':')[1],
    ]);
    expect(rest).toHaveLength(0);
    expect(event).toEqual({
      before: { title: 'Council approves record budget', outlet: 'Example News' },
      after: { title: 'New title', outlet: null },
    });
    const before = await databaseFingerprint(app);
    const bad = await app.run(desk.editor, update, { input: { articleId: id, title: '' } });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const forbidden = await app.run(desk.reviewer, update, { input: { articleId: id, title: 'x' } });
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await databaseFingerprint(app)).toBe(before);
  });

  it('filters articles by text, outlet and published range', async () => {
    const team = await createDesk(app);
    await createArticle(app, team, { title: 'Budget vote', outlet: 'Daily', publishedAt: '2026-01-10T00:00:00Z' });
    await createArticle(app, team, { title: 'Storm warning', outlet: 'Weekly', publishedAt: '2026-02-10T00:00:00Z' });
    await createArticle(app, team, { title: 'Budget 100% explained', outlet: 'Daily', publishedAt: null });
    const query = `query($filter: ArticleFilter) { articles(filter: $filter) { totalCount nodes { title } } }`;
    const titles = async (filter: Record<string, unknown>) =>
      (await app.ok(team.viewer, query, { filter: { teamId: team.teamId, ...filter } })).articles.nodes.map((node: { title: string }) => node.title);
    expect(await titles({ text: 'budget' })).toEqual(['Budget 100% explained', 'Budget vote']);
    expect(await titles({ text: '100%' })).toEqual(['Budget 100% explained']);
    expect(await titles({ outlet: 'Weekly' })).toEqual(['Storm warning']);
    expect(await titles({ publishedFrom: '2026-02-01T00:00:00Z' })).toEqual(['Storm warning']);
    expect(await titles({ publishedTo: '2026-02-01T00:00:00Z' })).toEqual(['Budget vote']);
    const reversed = await app.run(team.viewer, query, { filter: { publishedFrom: '2026-03-01T00:00:00Z', publishedTo: '2026-01-01T00:00:00Z' } });
    expect(reversed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    // Another team's articles are not in the caller's list at all.
    const mine = await app.ok(desk.viewer, `{ articles(first: 100) { nodes { title } } }`);
    expect(mine.articles.nodes.map((node: { title: string }) => node.title)).not.toContain('Storm warning');
  });

  it('serves the current revision and revisions by number', async () => {
    const { id } = await createArticle(app, desk);
    const data = await app.ok(
      desk.viewer,
      `query($id: ID!) { article(id: $id) {
      currentRevision { number body } revision(number: 1) { number } missing: revision(number: 9) { number }
      revisions { totalCount nodes { number } } } }`,
      { id },
    );
    expect(data.article).toEqual({
      currentRevision: { number: 1, body: ARTICLE_TEXT },
      revision: { number: 1 },
      missing: null,
      revisions: { totalCount: 1, nodes: [{ number: 1 }] },
    });
  });
});
