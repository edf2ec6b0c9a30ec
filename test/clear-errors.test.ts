import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, databaseFingerprint, type Desk } from './support/desk';

const SUBMIT = `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id version } } }`;

describe('errors a client can act on', () => {
  let app: TestApp;
  let desk: Desk;
  let articleId: string;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
    articleId = (await createArticle(app, desk)).id;
  });
  afterAll(() => app?.close());

  it('a second submitVerdict without expectedVersion says the caller already has one, its version and how to revise it', async () => {
    const claim = await createClaim(app, desk, articleId, 'Unemployment fell to 3.1% last year');
    const first = await app.ok(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE' } });
    await app.ok(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'MOSTLY_TRUE', expectedVersion: 1 } });
    const before = await databaseFingerprint(app);

    const again = await app.run(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'FALSE' } });
    expect(again.data).toBeNull();
    expect(again.errors).toHaveLength(1);
    expect(again.errors![0].extensions).toEqual({ code: 'ALREADY_EXISTS', verdictId: first.submitVerdict.verdict.id, currentVersion: 2 });
    expect(again.errors![0].message).toMatch(/already have a verdict on this claim \(version 2\)/);
    expect(again.errors![0].message).toMatch(/expectedVersion: 2/);
    expect(await databaseFingerprint(app)).toBe(before);

    // doing what the message says works
    const revised = await app.ok(desk.reviewer, SUBMIT, {
      input: { claimId: claim.id, rating: 'FALSE', expectedVersion: again.errors![0].extensions!.currentVersion },
    });
    expect(revised.submitVerdict.verdict).toEqual({ id: first.submitVerdict.verdict.id, version: 3 });
    // a stale expectedVersion stays a VERSION_CONFLICT: that caller knew of the verdict
    const stale = await app.run(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE', expectedVersion: 2 } });
    expect(stale.errors?.[0].extensions).toEqual({ code: 'VERSION_CONFLICT', currentVersion: 3 });
  });

  it('validation errors name the field the client sent: importArticle content, not the internal text', async () => {
    const before = await databaseFingerprint(app);
    const binary = await app.run(desk.editor, `mutation($input: ImportArticleInput!) { importArticle(input: $input) { article { id } } }`, {
      input: { teamId: desk.teamId, title: 'A binary file', content: 'PK\u0003\u0004 not really text\u0001\u0002', format: 'TEXT' },
    });
    expect(binary.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'content' });
    expect(binary.errors?.[0].message).toMatch(/^content contains control characters/);
    // createArticle calls the same field text, and is told so
    const created = await app.run(desk.editor, `mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id } } }`, {
      input: { teamId: desk.teamId, title: 'A binary file', text: 'binary\u0001\u0002' },
    });
    expect(created.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'text' });
    expect(await databaseFingerprint(app)).toBe(before);
  });

  it('a verdict report filter error names the GraphQL filter field, and the export its query parameter', async () => {
    const report = (filter: Record<string, unknown>) =>
      app.run(desk.viewer, `query($filter: VerdictReportFilter!) { verdictReport(filter: $filter) { totalCount } }`, { filter });
    const reviewer = await report({ teamId: desk.teamId, reviewerId: 'not-a-user-id' });
    expect(reviewer.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.reviewerId' });
    expect(reviewer.errors?.[0].message).toBe('filter.reviewerId is not a valid User ID');
    const articles = await report({ teamId: desk.teamId, articleIds: ['nope'] });
    expect(articles.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.articleIds' });
    const dates = await report({ teamId: desk.teamId, publishedFrom: '2026-03-02T00:00:00Z', publishedTo: '2026-03-01T00:00:00Z' });
    expect(dates.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.publishedFrom' });
    expect(dates.errors?.[0].message).toBe('filter.publishedFrom must be before filter.publishedTo');

    const base = await app.listen();
    const token = await app.ok(desk.viewer, `mutation { createApiToken(input: { name: "errors test" }) { token } }`);
    const download = await fetch(`${base}/exports/verdicts.csv?team=${desk.teamSlug}&reviewer=not-a-user-id&article=nope`, {
      headers: { authorization: `Bearer ${token.createApiToken.token}` },
    });
    expect(download.status).toBe(400);
    const body = (await download.json()) as { errors: { extensions: { field: string } }[] };
    expect(body.errors[0].extensions.field).toBe('article');
  });

  it('nodes(ids) with one malformed id: null there, an error whose path names its index, the rest intact', async () => {
    const claim = await createClaim(app, desk, articleId, 'the lowest since 1999');
    const result = await app.run(desk.viewer, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, {
      ids: [articleId, '!!not-an-id!!', claim.id],
    });
    expect(result.data).toEqual({ nodes: [{ __typename: 'Article', id: articleId }, null, { __typename: 'Claim', id: claim.id }] });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({
      message: 'ids[1] is not a valid ID',
      path: ['nodes', 1],
      extensions: { code: 'BAD_USER_INPUT', field: 'ids', index: 1 },
    });
  });
});
