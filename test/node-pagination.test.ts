import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, type Desk } from './support/desk';
import { paginate } from '../src/shared/pagination';

describe('node(id) and nodes(ids)', () => {
  let app: TestApp;
  let desk: Desk;
  let articleId: string;
  let claimId: string;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
    articleId = (await createArticle(app, desk)).id;
    claimId = (await createClaim(app, desk, articleId, 'the lowest since 1999')).id;
  });
  afterAll(() => app?.close());

  it('resolves every kind of object by global ID with its concrete type', async () => {
    const verdict = await app.ok(
      desk.reviewer,
      `mutation($id: ID!) { submitVerdict(input: { claimId: $id, rating: TRUE }) { verdict { id reviewer { id } } } }`,
      { id: claimId },
    );
    const history = await app.ok(desk.viewer, `query($id: ID!) { claim(id: $id) { history { nodes { id } } } }`, { id: claimId });
    const ids = [
      desk.teamId,
      articleId,
      claimId,
      verdict.submitVerdict.verdict.id,
      verdict.submitVerdict.verdict.reviewer.id,
      history.claim.history.nodes[0].id,
    ];
    const data = await app.ok(desk.viewer, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids });
    expect(data.nodes.map((node: { __typename: string }) => node.__typename)).toEqual(['Team', 'Article', 'Claim', 'Verdict', 'User', 'HistoryEvent']);
    expect(data.nodes.map((node: { id: string }) => node.id)).toEqual(ids);
  });

  it("answers another team's object exactly like a missing one", async () => {
    const missing = Buffer.from('Claim:00000000-0000-4000-8000-000000000000').toString('base64url');
    const query = `query($id: ID!) { node(id: $id) { id } }`;
    expect(await app.run(desk.outsider, query, { id: claimId })).toEqual({ data: { node: null } });
    expect(await app.run(desk.outsider, query, { id: missing })).toEqual({ data: { node: null } });
    const direct = await app.run(desk.outsider, `query($id: ID!) { claim(id: $id) { id } }`, { id: claimId });
    const directMissing = await app.run(desk.outsider, `query($id: ID!) { claim(id: $id) { id } }`, { id: missing });
    expect(direct).toEqual(directMissing);
  });

  it('rejects a malformed ID and more than 100 ids', async () => {
    const bad = await app.run(desk.viewer, `{ node(id: "!!not-an-id!!") { id } }`);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const many = await app.run(desk.viewer, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: Array(101).fill(claimId) });
    expect(many.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe(paginate.name, () => {
  let app: TestApp;
  let desk: Desk;
  const titles: string[] = [];

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
    for (let index = 0; index < 7; index++) {
      titles.push(`Article ${index}`);
      await createArticle(app, desk, { title: `Article ${index}` });
    }
  });
  afterAll(() => app?.close());

  const QUERY = `query($first: Int, $after: String, $last: Int, $before: String) {
    articles(first: $first, after: $after, last: $last, before: $before) {
      totalCount edges { cursor node { title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`;
  const page = async (variables: Record<string, unknown>) => (await app.ok(desk.viewer, QUERY, variables)).articles;
  const names = (connection: { edges: { node: { title: string } }[] }) => connection.edges.map((edge) => edge.node.title);
  const newestFirst = () => [...titles].reverse();

  it('walks forward page by page to an exact last page', async () => {
    const first = await page({ first: 3 });
    expect(names(first)).toEqual(newestFirst().slice(0, 3));
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(first.totalCount).toBe(7);
    const second = await page({ first: 3, after: first.pageInfo.endCursor });
    expect(names(second)).toEqual(newestFirst().slice(3, 6));
    const last = await page({ first: 3, after: second.pageInfo.endCursor });
    expect(names(last)).toEqual(newestFirst().slice(6));
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const beyond = await page({ first: 3, after: last.pageInfo.endCursor });
    expect(beyond).toMatchObject({ edges: [], pageInfo: { hasNextPage: false, startCursor: null, endCursor: null } });
  });

  it('returns an exact page without claiming a next one', async () => {
    const exact = await page({ first: 7 });
    expect(names(exact)).toEqual(newestFirst());
    expect(exact.pageInfo.hasNextPage).toBe(false);
  });

  it('walks backwards with last/before', async () => {
    const tail = await page({ last: 2 });
    expect(names(tail)).toEqual(newestFirst().slice(5));
    expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = await page({ last: 2, before: tail.pageInfo.startCursor });
    expect(names(before)).toEqual(newestFirst().slice(3, 5));
    expect(before.pageInfo.hasNextPage).toBe(true);
    const head = await page({ last: 10, before: before.pageInfo.startCursor });
    expect(names(head)).toEqual(newestFirst().slice(0, 3));
    expect(head.pageInfo.hasPreviousPage).toBe(false);
  });

  it('answers an empty list for a team with no articles', async () => {
    const empty = await createDesk(app);
    const result = (await app.ok(empty.viewer, QUERY, { first: 5 })).articles;
    expect(result).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
  });

  it('defaults to 20 and bounds every page at 100', async () => {
    expect((await page({})).edges).toHaveLength(7);
    for (const variables of [{ first: 101 }, { first: -1 }, { last: 101 }, { first: 1, last: 1 }, { after: 'garbage' }, { first: 1, before: 'x' }]) {
      const result = await app.run(desk.viewer, QUERY, variables);
      expect([variables, result.errors?.[0].extensions?.code]).toEqual([variables, 'BAD_USER_INPUT']);
    }
  });

  it("pages nested connections (an article's claims) by cursor too", async () => {
    const { id } = await createArticle(app, desk, { text: 'one two three four five six' });
    for (const word of ['one', 'two', 'three', 'four', 'five']) await createClaim(app, desk, id, word);
    const nested = `query($id: ID!, $after: String) { article(id: $id) { claims(first: 2, after: $after) {
      totalCount nodes { quote } pageInfo { hasNextPage endCursor } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const data: { article: { claims: { totalCount: number; nodes: { quote: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } } =
        await app.ok(desk.viewer, nested, { id, after });
      expect(data.article.claims.totalCount).toBe(5);
      seen.push(...data.article.claims.nodes.map((node) => node.quote));
      if (!data.article.claims.pageInfo.hasNextPage) break;
      after = data.article.claims.pageInfo.endCursor;
    }
    expect(seen).toEqual(['one', 'two', 'three', 'four', 'five']);
    const backwards = await app.ok(desk.viewer, `query($id: ID!) { article(id: $id) { claims(last: 2) { nodes { quote } pageInfo { hasPreviousPage } } } }`, {
      id,
    });
    expect(backwards.article.claims).toEqual({ nodes: [{ quote: 'four' }, { quote: 'five' }], pageInfo: { hasPreviousPage: true } });
  });
});
