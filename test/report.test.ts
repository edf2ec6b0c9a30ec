import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk } from './support/desk';
import { ReportService } from '../src/modules/report/report.service';
import { ADD_EVIDENCE, buildReportDataset, publishClaim, rawId, setSettleTimes, submitVerdict, type ReportDataset } from './report-fixture';

const FIGURES = `query($filter: VerdictReportFilter!) {
  verdictReport(filter: $filter) {
    totalCount verdictCount publishedCount settledCount medianSecondsToSettle
    byStatus { status count }
    bySourcing { sourcing count }
    byRating { rating label count }
    byPublishedRating { rating count }
    byReviewer { reviewer { name } reviewerName verdicts byRating { rating count } }
    agreement { method level alpha units pairableValues categories }
    sourcingByArticle { article { title } claims sourced anonymous unsourced }
  }
}`;

const ROWS = `query($filter: VerdictReportFilter!, $first: Int, $after: String, $last: Int, $before: String) {
  verdictReport(filter: $filter) {
    rows(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node {
        claim { id } article { id title url } quote kind sourcing status speakerName speaker { name descriptor }
        verdicts { rating reviewerName reviewer { name } }
        consensusRating publishedRating publishedRationale publishedAt importedAt settledAt
        evidence { url stance published }
      } }
    }
  }
}`;

const nonZero = <T extends { count: number }>(counts: T[]): T[] => counts.filter((entry) => entry.count > 0);

describe(ReportService.name, () => {
  let app: TestApp;
  let data: ReportDataset;
  let evidenceUrl: string;

  beforeAll(async () => {
    app = await createTestApp();
    data = await buildReportDataset(app);
    const { desk, claims } = data;
    // c1 published TRUE citing its evidence; c2 published MOSTLY_FALSE citing none
    evidenceUrl = 'https://budget.example.gov/2026?table=4,5&note="final"';
    await app.ok(desk.reviewer, ADD_EVIDENCE, { input: { claimId: claims.c1, stance: 'SUPPORTS', url: evidenceUrl } });
    await publishClaim(app, desk, claims.c1, 'TRUE', { rationale: 'Council minutes confirm the figure.' });
    await publishClaim(app, desk, claims.c2, 'MOSTLY_FALSE', { evidenceIds: [] });
    await setSettleTimes(app, [
      { claimId: claims.c1, created: '2026-03-02T00:00:00Z', settled: '2026-03-02T01:00:00Z' }, // 1 h
      { claimId: claims.c2, created: '2026-03-02T00:00:00Z', settled: '2026-03-02T03:00:00Z' }, // 3 h
      { claimId: claims.c5, created: '2026-03-02T00:00:00Z', settled: '2026-03-03T02:00:00Z' }, // 26 h
      // c4 settled once (2 h) but is DISPUTED now: not in the median, which would otherwise be 2.5 h
      { claimId: claims.c4, created: '2026-03-02T00:00:00Z', settled: '2026-03-02T02:00:00Z' },
    ]);
  });
  afterAll(() => app?.close());

  it('computes the figures of a known data set (counted and computed by hand)', async () => {
    const { verdictReport: report } = await app.ok(data.desk.viewer, FIGURES, { filter: { teamId: data.desk.teamId } });
    expect(report.totalCount).toBe(7);
    expect(report.byStatus).toEqual([
      { status: 'UNREVIEWED', count: 1 },
      { status: 'IN_REVIEW', count: 1 },
      { status: 'DISPUTED', count: 2 },
      { status: 'NEEDS_REREVIEW', count: 0 },
      { status: 'SETTLED', count: 3 },
    ]);
    expect(report.bySourcing).toEqual([
      { sourcing: 'SOURCED', count: 2 },
      { sourcing: 'ANONYMOUS', count: 2 },
      { sourcing: 'UNSOURCED', count: 3 },
    ]);
    expect(report.verdictCount).toBe(12);
    expect(report.byRating).toEqual([
      { rating: 'TRUE', label: 'True', count: 4 },
      { rating: 'MOSTLY_TRUE', label: 'Mostly true', count: 1 },
      { rating: 'MIXED', label: 'Mixed', count: 1 },
      { rating: 'MOSTLY_FALSE', label: 'Mostly false', count: 1 },
      { rating: 'FALSE', label: 'False', count: 2 },
      { rating: 'MISLEADING', label: 'Misleading', count: 2 },
      { rating: 'UNVERIFIABLE', label: 'Unverifiable', count: 1 },
    ]);
    expect(report.publishedCount).toBe(2);
    expect(nonZero(report.byPublishedRating)).toEqual([
      { rating: 'TRUE', count: 1 },
      { rating: 'MOSTLY_FALSE', count: 1 },
    ]);

    const reviewers = report.byReviewer.map((reviewer: any) => ({
      name: reviewer.reviewer.name,
      verdicts: reviewer.verdicts,
      ratings: Object.fromEntries(nonZero(reviewer.byRating).map((entry: any) => [entry.rating, entry.count])),
    }));
    expect(reviewers).toEqual([
      { name: 'Reviewer', verdicts: 5, ratings: { TRUE: 3, FALSE: 1, MISLEADING: 1 } },
      { name: 'Reviewer Two', verdicts: 5, ratings: { TRUE: 1, MIXED: 1, MOSTLY_FALSE: 1, MISLEADING: 1, UNVERIFIABLE: 1 } },
      { name: 'Editor', verdicts: 2, ratings: { MOSTLY_TRUE: 1, FALSE: 1 } },
    ]);

    // Krippendorff's alpha by hand. Pairable claims (two or more current verdicts): c1 T,T; c2 F,MF;
    // c3 T,X; c4 MIS,MIS,F; c5 MT,T (c7 has one verdict). Coincidences o_ck (ordered pairs / (m-1)):
    //   T-T 2, T-X 1, X-T 1, F-MF 1, MF-F 1, MIS-MIS 1 (c4: 2 pairs / 2), MIS-F 1, F-MIS 1, MT-T 1, T-MT 1.
    // Nominal: n_T 4, n_X 1, n_MT 1, n_F 2, n_MF 1, n_MIS 2; n = 11; disagreeing pairs Σ_{c≠k} o = 8;
    //   Σ_{c≠k} n_c n_k = 11² − (16+1+1+4+1+4) = 94; alpha = 1 − (n−1)·8/94 = 1 − 80/94 = 7/47.
    // Ordinal (the 1..5 scale; MIS and U dropped, so c4 keeps one value and leaves): o as above without
    //   MIS; n_F 1, n_MF 1, n_X 1, n_MT 1, n_T 4; n = 8. δ_ck = Σ_{g=c..k} n_g − (n_c+n_k)/2:
    //   δ(T,X) = 6 − 2.5 = 3.5, δ(T,MT) = 5 − 2.5 = 2.5, δ(F,MF) = 2 − 1 = 1, δ(F,X) = 2, δ(F,MT) = 3,
    //   δ(F,T) = 8 − 2.5 = 5.5, δ(MF,X) = 1, δ(MF,MT) = 2, δ(MF,T) = 7 − 2.5 = 4.5, δ(X,MT) = 1.
    //   Observed Σ o δ² = 2·12.25 + 2·1 + 2·6.25 = 39. Expected Σ n_c n_k δ² over ordered pairs
    //   = 2·(4·12.25 + 4·6.25 + 1 + 4 + 9 + 4·30.25 + 1 + 4 + 4·20.25 + 1) = 2·296 = 592.
    //   alpha = 1 − (n−1)·39/592 = 1 − 273/592 = 319/592.
    const [nominal, ordinal] = report.agreement;
    expect(nominal).toMatchObject({ level: 'NOMINAL', units: 5, pairableValues: 11 });
    expect(nominal.method).toMatch(/Krippendorff's alpha, nominal/);
    expect(nominal.alpha).toBeCloseTo(7 / 47, 12);
    expect(nominal.categories).toHaveLength(7);
    expect(ordinal).toMatchObject({ level: 'ORDINAL', units: 4, pairableValues: 8, categories: ['TRUE', 'MOSTLY_TRUE', 'MIXED', 'MOSTLY_FALSE', 'FALSE'] });
    expect(ordinal.method).toMatch(/Krippendorff's alpha, ordinal/);
    expect(ordinal.alpha).toBeCloseTo(319 / 592, 12);

    // Median of c1 1 h, c2 3 h, c5 26 h (claims SETTLED now) = 3 h
    expect(report.settledCount).toBe(3);
    expect(report.medianSecondsToSettle).toBe(10_800);

    expect(report.sourcingByArticle).toEqual([
      { article: { title: 'Council approves record budget' }, claims: 4, sourced: 1, anonymous: 1, unsourced: 2 },
      { article: { title: 'Schools spending, a month on' }, claims: 3, sourced: 1, anonymous: 1, unsourced: 1 },
    ]);
  });

  it("lists rows in article order with each reviewer's rating, the publication and the evidence", async () => {
    const { verdictReport } = await app.ok(data.desk.viewer, ROWS, { filter: { teamId: data.desk.teamId }, first: 100 });
    const rows = verdictReport.rows.edges.map((edge: any) => edge.node);
    const { claims } = data;
    expect(rows.map((row: any) => row.claim.id)).toEqual([claims.c1, claims.c2, claims.c3, claims.c4, claims.c5, claims.c7, claims.c6]);
    expect(verdictReport.rows.totalCount).toBe(7);
    expect(rows[0]).toMatchObject({
      quote: 'The city council approved a budget of $4.2 million on Tuesday',
      kind: 'REPORTED_SPEECH',
      sourcing: 'SOURCED',
      status: 'SETTLED',
      speakerName: 'Ana Ruiz',
      article: { id: data.a1, title: 'Council approves record budget', url: 'https://news.example.com/budget' },
      verdicts: [
        { rating: 'TRUE', reviewerName: 'Reviewer', reviewer: { name: 'Reviewer' } },
        { rating: 'TRUE', reviewerName: 'Reviewer Two', reviewer: { name: 'Reviewer Two' } },
      ],
      consensusRating: 'TRUE',
      publishedRating: 'TRUE',
      publishedRationale: 'Council minutes confirm the figure.',
      publishedAt: expect.any(String),
      settledAt: '2026-03-02T01:00:00.000Z',
      evidence: [{ url: new URL(evidenceUrl).href, stance: 'SUPPORTS', published: true }],
    });
    expect(rows[1]).toMatchObject({
      sourcing: 'ANONYMOUS',
      speakerName: 'One council member',
      speaker: { name: null, descriptor: 'One council member' },
      consensusRating: 'MOSTLY_FALSE',
      publishedRating: 'MOSTLY_FALSE',
    });
    expect(rows[2]).toMatchObject({ status: 'DISPUTED', consensusRating: null, publishedRating: null, settledAt: null, speakerName: null });
    // c5: MOSTLY_TRUE + TRUE, median 4.5, a half step toward MIXED
    expect(rows[4]).toMatchObject({ status: 'SETTLED', consensusRating: 'MOSTLY_TRUE', publishedRating: null });
    expect(rows[6]).toMatchObject({ status: 'UNREVIEWED', verdicts: [], evidence: [] });
  });

  it('pages rows forwards and backwards with cursors', async () => {
    const filter = { teamId: data.desk.teamId };
    const all = (await app.ok(data.desk.viewer, ROWS, { filter, first: 100 })).verdictReport.rows.edges.map((edge: any) => edge.node.claim.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await app.ok(data.desk.viewer, ROWS, { filter, first: 3, after })).verdictReport.rows;
      seen.push(...page.edges.map((edge: any) => edge.node.claim.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
    const lastTwo = (await app.ok(data.desk.viewer, ROWS, { filter, last: 2 })).verdictReport.rows;
    expect(lastTwo.edges.map((edge: any) => edge.node.claim.id)).toEqual(all.slice(5));
    expect(lastTwo.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = (await app.ok(data.desk.viewer, ROWS, { filter, last: 3, before: lastTwo.pageInfo.startCursor })).verdictReport.rows;
    expect(before.edges.map((edge: any) => edge.node.claim.id)).toEqual(all.slice(2, 5));
    const bad = await app.run(data.desk.viewer, ROWS, { filter, first: 2, after: 'bm90LWEtY3Vyc29y' });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const tooMany = await app.run(data.desk.viewer, ROWS, { filter, first: 101 });
    expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('filters by article, date range, status, sourcing, rating and reviewer', async () => {
    const { desk, claims, a2, reviewers } = data;
    const ids = async (filter: Record<string, unknown>) =>
      (await app.ok(desk.viewer, ROWS, { filter: { teamId: desk.teamId, ...filter }, first: 100 })).verdictReport.rows.edges.map(
        (edge: any) => edge.node.claim.id,
      );
    const name = (list: string[]) => list.map((id) => Object.entries(claims).find(([, claimId]) => claimId === id)![0]);
    expect(name(await ids({ status: ['SETTLED'] }))).toEqual(['c1', 'c2', 'c5']);
    expect(name(await ids({ sourcing: ['ANONYMOUS'] }))).toEqual(['c2', 'c7']);
    expect(name(await ids({ rating: ['MISLEADING', 'UNVERIFIABLE'] }))).toEqual(['c4', 'c7']);
    expect(name(await ids({ reviewerId: userGlobalId(reviewers.r3.id) }))).toEqual(['c4', 'c5']);
    expect(name(await ids({ articleIds: [a2] }))).toEqual(['c5', 'c7', 'c6']);
    expect(name(await ids({ publishedFrom: '2026-04-01T00:00:00Z' }))).toEqual(['c5', 'c7', 'c6']);
    expect(name(await ids({ publishedTo: '2026-04-01T00:00:00Z' }))).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(name(await ids({ status: ['DISPUTED', 'SETTLED'], sourcing: ['UNSOURCED'] }))).toEqual(['c3', 'c4']);

    // figures follow the filter: reviewer R3's claims are c4 and c5, with all their current verdicts
    const figures = await app.ok(desk.viewer, FIGURES, { filter: { teamId: desk.teamId, reviewerId: userGlobalId(reviewers.r3.id) } });
    expect(figures.verdictReport.totalCount).toBe(2);
    expect(nonZero(figures.verdictReport.byRating).map((entry: any) => [entry.rating, entry.count])).toEqual([
      ['TRUE', 1],
      ['MOSTLY_TRUE', 1],
      ['FALSE', 1],
      ['MISLEADING', 2],
    ]);
  });

  it('gives members of another team nothing, and rejects bad filters', async () => {
    const { desk, a1 } = data;
    const outsider = await app.run(desk.outsider, FIGURES, { filter: { teamId: desk.teamId } });
    expect(outsider.errors?.[0]).toMatchObject({ message: 'Team not found', extensions: { code: 'NOT_FOUND' } });
    expect(outsider.data).toBeNull();
    // the outsider's own team, naming this team's article: not found, as a missing one
    const other = await createDesk(app);
    const foreignArticle = await app.run(other.viewer, FIGURES, { filter: { teamId: other.teamId, articleIds: [a1] } });
    expect(foreignArticle.errors?.[0]).toMatchObject({ message: 'Article not found', extensions: { code: 'NOT_FOUND' } });
    const foreignReviewer = await app.run(other.viewer, FIGURES, { filter: { teamId: other.teamId, reviewerId: userGlobalId(desk.reviewer.id) } });
    expect(foreignReviewer.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const badDates = await app.run(desk.viewer, FIGURES, {
      filter: { teamId: desk.teamId, publishedFrom: '2026-05-01T00:00:00Z', publishedTo: '2026-04-01T00:00:00Z' },
    });
    expect(badDates.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const badId = await app.run(desk.viewer, FIGURES, { filter: { teamId: desk.teamId, articleIds: ['nope'] } });
    expect(badId.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const noCaller = await app.run(null, FIGURES, { filter: { teamId: desk.teamId } });
    expect(noCaller.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers an empty report with zeros and undefined statistics', async () => {
    const empty = await createDesk(app);
    const article = await createArticle(app, empty);
    const claim = await createClaim(app, empty, article.id, 'on Tuesday');
    await submitVerdict(app, empty.reviewer, claim.id, 'TRUE');
    const { verdictReport: report } = await app.ok(empty.viewer, FIGURES, { filter: { teamId: empty.teamId, status: ['SETTLED'] } });
    expect(report).toMatchObject({ totalCount: 0, verdictCount: 0, settledCount: 0, medianSecondsToSettle: null, sourcingByArticle: [] });
    expect(report.agreement.map((figure: any) => [figure.alpha, figure.units])).toEqual([
      [null, 0],
      [null, 0],
    ]);
    const downloads = await app.ok(
      empty.viewer,
      `query($filter: VerdictReportFilter!) { verdictReport(filter: $filter) { downloads { csv jsonLines claimReview html } } }`,
      {
        filter: { teamId: empty.teamId, status: ['SETTLED'] },
      },
    );
    expect(downloads.verdictReport.downloads.csv).toBe(`/exports/verdicts.csv?team=${encodeURIComponent(empty.teamId)}&status=SETTLED`);
    expect(rawId(empty.teamId)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

function userGlobalId(userId: string): string {
  return Buffer.from(`User:${userId}`, 'utf8').toString('base64url');
}
