import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, databaseFingerprint, type Desk } from './support/desk';
import { ClaimReviewImportService } from '../src/modules/publishing/claim-review-import.service';

const IMPORT = `mutation($input: ImportClaimReviewsInput!) { importClaimReviews(input: $input) {
  alreadyImported claims { id quote status article { title url outlet publishedAt }
    externalVerdict { organizationName organizationUrl rating ratingValue bestRating worstRating url datePublished claimAuthor } } } }`;

const review = (overrides: Record<string, unknown> = {}) => ({
  '@type': 'ClaimReview',
  url: 'https://other-checkers.example/checks/budget',
  claimReviewed: 'The council approved a budget of $4.2 million',
  datePublished: '2026-02-10',
  author: { '@type': 'Organization', name: 'Other Checkers', url: 'https://other-checkers.example' },
  reviewRating: { '@type': 'Rating', ratingValue: 2, bestRating: 5, worstRating: 1, alternateName: 'Mostly false' },
  itemReviewed: {
    '@type': 'Claim',
    author: { '@type': 'Person', name: 'Ana Ruiz' },
    appearance: {
      '@type': 'CreativeWork',
      url: 'https://news.example.com/budget',
      headline: 'Council budget',
      publisher: { '@type': 'Organization', name: 'Example News' },
      datePublished: '2026-02-01',
    },
  },
  ...overrides,
});

describe(ClaimReviewImportService.name, () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
  });
  afterAll(() => app?.close());

  const importDocument = (document: unknown, user = desk.editor) =>
    app.run(user, IMPORT, { input: { teamId: desk.teamId, document: typeof document === 'string' ? document : JSON.stringify(document) } });

  it('imports a feed (DataFeed, @graph, schema: prefixes) as claims with external verdicts, once per review URL', async () => {
    const feed = {
      '@context': 'https://schema.org',
      '@type': 'DataFeed',
      dataFeedElement: [
        review(),
        {
          '@type': 'DataFeedItem',
          item: {
            ...review({ url: 'https://other-checkers.example/checks/jobs', claimReviewed: 'Unemployment fell to 3.1% last year' }),
            reviewRating: { '@type': 'Rating', alternateName: 'Misleading' },
          },
        },
      ],
    };
    const result = await importDocument(feed);
    expect(result.errors).toBeUndefined();
    const { claims, alreadyImported } = result.data!.importClaimReviews;
    expect(alreadyImported).toBe(0);
    expect(claims).toHaveLength(2);
    expect(claims[0]).toMatchObject({
      quote: 'The council approved a budget of $4.2 million',
      status: 'UNREVIEWED',
      article: { title: 'Council budget', url: 'https://news.example.com/budget', outlet: 'Example News', publishedAt: '2026-02-01T00:00:00.000Z' },
      externalVerdict: {
        organizationName: 'Other Checkers',
        organizationUrl: 'https://other-checkers.example/',
        rating: 'Mostly false',
        ratingValue: 2,
        bestRating: 5,
        worstRating: 1,
        url: 'https://other-checkers.example/checks/budget',
        datePublished: '2026-02-10T00:00:00.000Z',
        claimAuthor: 'Ana Ruiz',
      },
    });
    expect(claims[1].externalVerdict).toMatchObject({ rating: 'Misleading', ratingValue: null });
    // the same reviews again, in another shape: nothing new
    const again = await importDocument({ '@graph': [{ ...review(), '@type': 'schema:ClaimReview' }] });
    expect(again.data!.importClaimReviews).toEqual({ alreadyImported: 1, claims: [] });
  });

  it('points reviewers to the external verdict from a similar claim of their own, and flags repeats at import', async () => {
    const { id: article } = await createArticle(app, desk);
    const own = await createClaim(app, desk, article, 'The city council approved a budget of $4.2 million');
    const similar = await app.ok(
      desk.reviewer,
      `query($id: ID!) { claim(id: $id) { similarClaims { similarity claim { quote externalVerdict { organizationName rating url } } } } }`,
      { id: own.id },
    );
    expect(similar.claim.similarClaims[0].claim).toEqual({
      quote: 'The council approved a budget of $4.2 million',
      externalVerdict: { organizationName: 'Other Checkers', rating: 'Mostly false', url: 'https://other-checkers.example/checks/budget' },
    });
    const imported = await app.ok(
      desk.editor,
      `mutation($input: ImportArticleInput!) { importArticle(input: $input) { claims { quote repeatOf { externalVerdict { organizationName } } } } }`,
      {
        input: { teamId: desk.teamId, title: 'Jobs', content: 'Unemployment fell to 3.1% last year, the minister said.' },
      },
    );
    const repeats = imported.importArticle.claims.filter((claim: any) => claim.repeatOf);
    expect(repeats.map((claim: any) => claim.repeatOf.externalVerdict.organizationName)).toContain('Other Checkers');
  });

  it('refuses bad or partial JSON-LD with a problem per item, importing nothing', async () => {
    const before = await databaseFingerprint(app);
    const notJson = await importDocument('{"@type": "ClaimReview",');
    expect(notJson.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'document' });
    expect(notJson.errors?.[0].message).toMatch(/^document is not JSON/);

    const partial = await importDocument([
      review({ url: 'https://other-checkers.example/checks/fine' }),
      review({ claimReviewed: '' }),
      review({ url: 'javascript:alert(1)', reviewRating: { '@type': 'Rating' } }),
      { '@type': 'WebPage', name: 'not a review' },
      review({ author: { '@type': 'Organization' }, datePublished: 'last Tuesday' }),
    ]);
    expect(partial.errors?.[0].message).toMatch(
      /^4 items of the document are not a usable ClaimReview; nothing was imported\. item 1 claimReviewed: is missing or empty/,
    );
    expect(partial.errors?.[0].extensions?.problems).toEqual([
      { index: 1, path: 'claimReviewed', message: 'is missing or empty' },
      { index: 2, path: 'url', message: 'is missing or not an http(s) URL (it is where the review is read)' },
      { index: 2, path: 'reviewRating', message: 'has neither alternateName nor a numeric ratingValue' },
      { index: 3, path: '@type', message: 'is "WebPage", not ClaimReview' },
      { index: 4, path: 'author.name', message: 'is missing: whose review is this?' },
      { index: 4, path: 'datePublished', message: 'is not an ISO 8601 date' },
    ]);
    expect((await importDocument({ '@context': 'https://schema.org', '@graph': [] })).errors?.[0].extensions?.problems).toEqual([
      { index: 0, path: '', message: 'the document holds no ClaimReview' },
    ]);
    expect((await importDocument([review({ url: 'https://other-checkers.example/checks/viewer' })], desk.viewer)).errors?.[0].extensions?.code).toBe(
      'FORBIDDEN',
    );
    expect((await importDocument([review({ url: 'https://other-checkers.example/checks/outsider' })], desk.outsider)).errors?.[0].extensions?.code).toBe(
      'NOT_FOUND',
    );
    expect(await databaseFingerprint(app)).toBe(before);
  });

  /** The CLI as a child process; resolves with its exit code and output. */
  const cli = (args: string[], input?: string): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = execFile(
        'npx',
        ['tsx', 'src/cli/index.ts', ...args],
        {
          cwd: path.resolve(__dirname, '..'),
          env: { ...process.env, DATABASE_URL: app.databaseUrl, LOG_LEVEL: 'silent' },
          timeout: 120_000,
        },
        (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      );
      child.stdin!.end(input ?? '');
    });

  it('imports from the command line', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'claimgraph-claimreviews-'));
    try {
      const file = path.join(directory, 'feed.jsonld');
      fs.writeFileSync(
        file,
        JSON.stringify([review({ url: 'https://other-checkers.example/checks/cli', claimReviewed: 'Schools got a record $1.9 million' })]),
      );
      const run = await cli(['import-claimreviews', file, '--team', desk.teamSlug, '--as', desk.editor.email]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('Other Checkers\tMostly false\tSchools got a record $1.9 million');
      expect(run.stdout).toContain('imported 1 ClaimReviews (0 imported before)');
      const bad = await cli(['import-claimreviews', '-', '--team', desk.teamSlug, '--as', desk.editor.email], JSON.stringify({ '@type': 'ClaimReview' }));
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(
        /^error: 1 item of the document is not a usable ClaimReview; nothing was imported\. item 0 claimReviewed: is missing or empty/,
      );
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  }, 180_000);
});
