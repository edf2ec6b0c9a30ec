import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsonld from 'jsonld';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, type Desk } from './support/desk';
import { claimReview } from '../src/modules/report/formats/claim-review';
import { ADD_EVIDENCE, createSource, publishClaim, submitVerdict } from './report-fixture';
import { ISO_DATE_TIME, check, offlineLoader } from './support/claim-review-schema';

describe(claimReview.name, () => {
  let app: TestApp;
  let base: string;
  let desk: Desk;
  let token: string;
  const claims: Record<string, string> = {};

  beforeAll(async () => {
    app = await createTestApp();
    base = await app.listen();
    desk = await createDesk(app, { quorum: 2 });
    token = (await app.ok(desk.viewer, `mutation { createApiToken(input: { name: "claimreview" }) { token } }`)).createApiToken.token;
    const { id: article } = await createArticle(app, desk, { byline: 'J. Doe', outlet: 'Example News', publishedAt: '2026-03-01T10:00:00Z' });
    const ruiz = await createSource(app, desk, { kind: 'PERSON', name: 'Ana Ruiz', url: 'https://city.example.gov/mayor' });
    const council = await createSource(app, desk, { kind: 'ORGANIZATION', name: 'City Council' });
    const member = await createSource(app, desk, { kind: 'PERSON', anonymous: true, descriptor: 'One council member' });
    claims.k1 = (await createClaim(app, desk, article, 'We have never spent more on schools', { speakerId: ruiz, kind: 'DIRECT_QUOTE' })).id;
    claims.k2 = (await createClaim(app, desk, article, 'The city council approved a budget of $4.2 million', { speakerId: council })).id;
    claims.k3 = (await createClaim(app, desk, article, 'the figures were inflated', { speakerId: member })).id;
    claims.k4 = (await createClaim(app, desk, article, 'Unemployment fell to 3.1% last year')).id;
    claims.k5 = (await createClaim(app, desk, article, 'the lowest since 1999')).id;
    claims.k6 = (await createClaim(app, desk, article, 'on Tuesday')).id;

    await submitVerdict(app, desk.reviewer, claims.k1, 'TRUE');
    await submitVerdict(app, desk.reviewer2, claims.k1, 'TRUE');
    await app.ok(desk.reviewer, ADD_EVIDENCE, { input: { claimId: claims.k1, stance: 'SUPPORTS', url: 'https://budget.example.gov/schools' } });
    await app.ok(desk.reviewer, ADD_EVIDENCE, { input: { claimId: claims.k1, stance: 'CONTEXT', quotedPassage: 'no URL, not cited as a link' } });
    await publishClaim(app, desk, claims.k1, 'TRUE', { rationale: 'School spending is at a record, per the adopted budget.' });
    await publishClaim(app, desk, claims.k2, 'MISLEADING', { rationale: 'The figure omits the capital budget.' });
    await publishClaim(app, desk, claims.k4, 'UNVERIFIABLE');
    // k3: settled (FALSE + MOSTLY_FALSE) but not published; k5 unreviewed; k6 disputed
    await submitVerdict(app, desk.reviewer, claims.k3, 'FALSE');
    await submitVerdict(app, desk.reviewer2, claims.k3, 'MOSTLY_FALSE');
    await submitVerdict(app, desk.reviewer, claims.k6, 'TRUE');
    await submitVerdict(app, desk.reviewer2, claims.k6, 'FALSE');
  });
  afterAll(() => app?.close());

  const download = async (query: string) => {
    const response = await fetch(`${base}/exports/verdicts.claimreview.jsonld?team=${desk.teamSlug}${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/ld+json; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename=".+-verdicts-\d{4}-\d{2}-\d{2}\.claimreview\.jsonld"$/);
    return response.json();
  };

  it('publishes one valid ClaimReview per published claim', async () => {
    const document = await download('&reviewUrl=https://desk.example.org/fact-checks/{id}');
    expect(document['@context']).toBe('https://schema.org');
    const reviews = document['@graph'];
    expect(reviews).toHaveLength(3);
    expect(reviews.map((review: any) => review.claimReviewed)).toEqual([
      'The city council approved a budget of $4.2 million',
      'We have never spent more on schools',
      'Unemployment fell to 3.1% last year',
    ]);
    for (const [index, review] of reviews.entries()) expect([index, check(review, `@graph[${index}]`)]).toEqual([index, []]);

    const [council, schools, unemployment] = reviews;
    expect(schools).toEqual({
      '@type': 'ClaimReview',
      url: `https://desk.example.org/fact-checks/${claims.k1}`,
      claimReviewed: 'We have never spent more on schools',
      reviewRating: { '@type': 'Rating', ratingValue: 5, bestRating: 5, worstRating: 1, alternateName: 'True' },
      itemReviewed: {
        '@type': 'Claim',
        author: { '@type': 'Person', name: 'Ana Ruiz', url: 'https://city.example.gov/mayor' },
        datePublished: '2026-03-01T10:00:00.000Z',
        appearance: {
          '@type': 'CreativeWork',
          headline: 'Council approves record budget',
          url: 'https://news.example.com/budget',
          datePublished: '2026-03-01T10:00:00.000Z',
          publisher: { '@type': 'Organization', name: 'Example News' },
        },
        inLanguage: 'en',
      },
      author: { '@type': 'Organization', name: expect.stringMatching(/^Desk \d+$/), url: 'https://desk.example.org' },
      publisher: { '@type': 'Organization', name: expect.stringMatching(/^Desk \d+$/), url: 'https://desk.example.org' },
      datePublished: expect.stringMatching(ISO_DATE_TIME),
      reviewBody: 'School spending is at a record, per the adopted budget.',
      citation: [{ '@type': 'CreativeWork', url: 'https://budget.example.gov/schools' }],
    });
    // off the scale: alternateName only
    expect(council.reviewRating).toEqual({ '@type': 'Rating', alternateName: 'Misleading' });
    expect(council.itemReviewed.author).toEqual({ '@type': 'Organization', name: 'City Council' });
    expect(unemployment.reviewRating).toEqual({ '@type': 'Rating', alternateName: 'Unverifiable' });
    // no speaker: the article's byline made the claim
    expect(unemployment.itemReviewed.author).toEqual({ '@type': 'Person', name: 'J. Doe' });
    expect(unemployment.reviewBody).toBeUndefined();
    expect(unemployment.citation).toBeUndefined();
  });

  it('adds SETTLED claims on request, with their consensus rating, dated when they settled', async () => {
    const reviews = (await download('&includeSettled=true'))['@graph'];
    expect(reviews).toHaveLength(4);
    for (const [index, review] of reviews.entries()) expect([index, check(review, `@graph[${index}]`)]).toEqual([index, []]);
    const settled = reviews.find((review: any) => review.claimReviewed === 'the figures were inflated');
    const row = await app.ok(desk.viewer, `query($filter: VerdictReportFilter!) { verdictReport(filter: $filter) { rows { nodes { quote settledAt } } } }`, {
      filter: { teamId: desk.teamId, status: ['SETTLED'] },
    });
    const settledAt = row.verdictReport.rows.nodes.find((node: any) => node.quote === 'the figures were inflated').settledAt;
    expect(settled).toMatchObject({
      reviewRating: { '@type': 'Rating', ratingValue: 2, bestRating: 5, worstRating: 1, alternateName: 'Mostly false' },
      itemReviewed: { author: { '@type': 'Person', name: 'One council member' } },
      datePublished: settledAt,
      // the default review URL: this server's public fact-check page
      url: `${base}/fact-checks/${claims.k3}`,
    });
    expect(settled.reviewBody).toBeUndefined();
  });

  it('parses as JSON-LD (jsonld, safe mode, offline) into schema.org ClaimReviews', async () => {
    const document = await download('&includeSettled=true');
    const expanded = await jsonld.expand(document, { documentLoader: offlineLoader, safe: true } as jsonld.Options.Expand);
    expect(expanded).toHaveLength(4);
    const S = 'http://schema.org/';
    for (const node of expanded as any[]) {
      expect(node['@type']).toEqual([`${S}ClaimReview`]);
      expect(
        Object.keys(node)
          .filter((key) => !key.startsWith('@'))
          .every((key) => key.startsWith(S)),
      ).toBe(true);
      expect(node[`${S}url`][0]['@id']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fact-checks\//);
      expect(node[`${S}datePublished`][0]).toMatchObject({ '@type': `${S}Date` });
      expect(node[`${S}reviewRating`][0]['@type']).toEqual([`${S}Rating`]);
      expect(node[`${S}itemReviewed`][0]['@type']).toEqual([`${S}Claim`]);
      expect(node[`${S}author`][0][`${S}name`][0]['@value']).toMatch(/^Desk \d+$/);
    }
    const quads = await jsonld.toRDF(document, { documentLoader: offlineLoader, format: 'application/n-quads', safe: true } as jsonld.Options.ToRdf);
    expect(String(quads)).toContain('<http://schema.org/claimReviewed> "We have never spent more on schools"');
  });

  it('has a checker that does catch bad ClaimReviews', () => {
    const problems = check(
      {
        '@type': 'ClaimReview',
        claimReviewed: '',
        url: 'javascript:alert(1)',
        datePublished: '01/03/2026',
        reviewRating: { '@type': 'Rating', ratingValue: 5 },
        itemReviewed: { '@type': 'Claim', author: { '@type': 'Person' } },
        colour: 'red',
      },
      'review',
    );
    expect(problems).toEqual([
      'review: ClaimReview lacks recommended author',
      'review.claimReviewed: "" is not Text',
      'review.url: "javascript:alert(1)" is not URL',
      'review.datePublished: "01/03/2026" is not Date or DateTime',
      'review.reviewRating: Rating lacks required alternateName',
      'review.itemReviewed: Claim lacks recommended datePublished',
      'review.itemReviewed: Claim lacks recommended appearance',
      'review.itemReviewed.author: Person lacks required name',
      'review.colour: not a property of ClaimReview here',
    ]);
  });

  it('exports an empty graph when nothing is published', async () => {
    const empty = await createDesk(app);
    const emptyToken = (await app.ok(empty.viewer, `mutation { createApiToken(input: { name: "x" }) { token } }`)).createApiToken.token;
    const response = await fetch(`${base}/exports/verdicts.claimreview.jsonld?team=${empty.teamSlug}`, { headers: { authorization: `Bearer ${emptyToken}` } });
    expect(await response.json()).toEqual({ '@context': 'https://schema.org', '@graph': [] });
  });
});
