import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../src/modules/team/role';
import { createTestApp, type GraphQLResult, type TestApp, type TestUser } from './support/app';
import { ARTICLE_TEXT, createArticle, createClaim, createDesk, type Desk } from './support/desk';
import { rawId } from './report-fixture';
import { seededRandom as random } from '../bench/random';
import { periodRanges, REPORT_SPANS } from '../src/modules/report/report.figures';

/**
 * The figures the write path keeps (src/modules/report/report-figures.sql) against the same figures
 * computed from the claims, after rounds of concurrent writes of every kind that moves them.
 * A report filtered on every status (all claims, so the same figures) takes the computing path; the
 * unfiltered report and the article filters take the maintained one.
 */

const FIGURES = `query($filter: VerdictReportFilter!) {
  verdictReport(filter: $filter) {
    totalCount verdictCount publishedCount settledCount medianSecondsToSettle
    byStatus { status count }
    bySourcing { sourcing count }
    byRating { rating count }
    byPublishedRating { rating count }
    byReviewer { reviewerName verdicts byRating { rating count } }
    agreement { level alpha units pairableValues }
    sourcingByArticle(first: 100) { article { id } claims sourced anonymous unsourced }
  }
}`;

const ALL_STATUSES = ['UNREVIEWED', 'IN_REVIEW', 'DISPUTED', 'NEEDS_REREVIEW', 'SETTLED'];
const RATINGS = ['TRUE', 'MOSTLY_TRUE', 'MIXED', 'MOSTLY_FALSE', 'FALSE', 'MISLEADING', 'UNVERIFIABLE'];
const QUOTES = [
  'approved a budget of $4.2 million',
  'We have never spent more on schools',
  'the figures were inflated',
  'Unemployment fell to 3.1% last year',
  'the lowest since 1999',
  'Mayor Ana Ruiz said',
];
/**
 * Errors a write may meet when other writes race it (and, on a loaded machine, a statement that
 * waited past STATEMENT_TIMEOUT_MS behind a quorum change); anything else (a 5xx, a deadlock) fails the test.
 */
const EXPECTED_CODES = new Set([
  'QUERY_TIMEOUT',
  'VERSION_CONFLICT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PUBLISHED',
  'NOT_SETTLED',
  'BAD_USER_INPUT',
  'ANCHOR_NOT_FOUND',
  'ANCHOR_AMBIGUOUS',
]);

describe('maintained report figures', () => {
  let app: TestApp;
  let desk: Desk;
  let reviewers: TestUser[];
  const articles: string[] = [];
  const unexpected: string[] = [];
  const refused = new Map<string, Set<string>>();
  const succeeded = new Set<string>();

  const expectTyped = (label: string, result: GraphQLResult): void => {
    if (!result.errors?.length) succeeded.add(label);
    for (const error of result.errors ?? []) refused.set(label, (refused.get(label) ?? new Set()).add(`${error.extensions?.code} ${error.message}`));
    for (const error of result.errors ?? []) {
      if (!EXPECTED_CODES.has(error.extensions?.code)) unexpected.push(`${label}: ${error.extensions?.code} ${error.message}`);
    }
  };

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app, { quorum: 2 });
    const extra = [await app.user('Reviewer Three'), await app.user('Reviewer Four')];
    for (const user of extra) await app.addMember(desk.teamId, user, Role.REVIEWER);
    reviewers = [desk.reviewer, desk.reviewer2, desk.editor, ...extra];
    for (const publishedAt of ['2026-01-10T08:00:00Z', '2026-02-10T08:45:00Z', '2026-02-20T08:05:00Z', '2026-03-05T08:00:00Z']) {
      const id = (await createArticle(app, desk, { publishedAt })).id;
      articles.push(id);
      for (const quote of QUOTES.slice(0, 4)) await createClaim(app, desk, id, quote);
    }
  });
  afterAll(() => app?.close());

  const claimRows = () =>
    app.sql<{ id: string; version: number; article_id: string; deleted: boolean }>(
      `SELECT id, version, article_id, deleted_at IS NOT NULL AS deleted FROM claims WHERE team_id = $1 ORDER BY id`,
      [rawId(desk.teamId)],
    );
  const globalClaim = (id: string) => Buffer.from(`Claim:${id}`).toString('base64url');
  const globalVerdict = (id: string) => Buffer.from(`Verdict:${id}`).toString('base64url');

  /** One random write; typed refusals are fine (the race decides), anything else is recorded. */
  async function randomWrite(pick: () => number): Promise<void> {
    const choose = <T>(values: T[]): T => values[Math.floor(pick() * values.length)];
    const claims = (await claimRows()).filter((claim) => !claim.deleted);
    const claim = choose(claims);
    const kind = pick();
    if (kind < 0.4 && claim) {
      const reviewer = choose(reviewers);
      const input = { claimId: globalClaim(claim.id), rating: choose(RATINGS), rationale: 'checked' };
      const first = await app.run(reviewer, `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }`, { input });
      const code = first.errors?.[0]?.extensions?.code;
      if (code === 'ALREADY_EXISTS') {
        const revised = await app.run(reviewer, `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }`, {
          input: { ...input, expectedVersion: first.errors?.[0]?.extensions?.currentVersion },
        });
        expectTyped('revise', revised);
      } else expectTyped('submit', first);
    } else if (kind < 0.52) {
      const [verdict] = await app.sql<{ id: string; version: number; reviewer_id: string }>(
        `SELECT id, version, reviewer_id FROM verdicts WHERE team_id = $1 AND withdrawn_at IS NULL ORDER BY md5(id::text || $2) LIMIT 1`,
        [rawId(desk.teamId), String(pick())],
      );
      const reviewer = reviewers.find((user) => user.id === verdict?.reviewer_id);
      if (verdict && reviewer) {
        const result = await app.run(reviewer, `mutation($input: WithdrawVerdictInput!) { withdrawVerdict(input: $input) { verdict { id } } }`, {
          input: { verdictId: globalVerdict(verdict.id), expectedVersion: verdict.version, reason: 'second thoughts' },
        });
        expectTyped('withdraw', result);
      }
    } else if (kind < 0.6) {
      const result = await app.run(desk.editor, `mutation($input: CreateClaimInput!) { createClaim(input: $input) { claim { id } } }`, {
        input: {
          articleId: choose(articles),
          anchor: { quote: { exact: choose(QUOTES) } },
          kind: 'ASSERTION',
          sourcing: choose(['SOURCED', 'ANONYMOUS', 'UNSOURCED']),
        },
      });
      expectTyped('create claim', result);
    } else if (kind < 0.65 && claim) {
      const result = await app.run(desk.editor, `mutation($input: DeleteClaimInput!) { deleteClaim(input: $input) { claim { id } } }`, {
        input: { claimId: globalClaim(claim.id), expectedVersion: claim.version, reason: 'duplicate' },
      });
      expectTyped('delete claim', result);
    } else if (kind < 0.71 && claim) {
      const result = await app.run(desk.editor, `mutation($input: UpdateClaimInput!) { updateClaim(input: $input) { claim { id } } }`, {
        input: { claimId: globalClaim(claim.id), expectedVersion: claim.version, sourcing: choose(['ANONYMOUS', 'UNSOURCED']) },
      });
      expectTyped('sourcing', result);
    } else if (kind < 0.77 && claim) {
      const dispute = pick() < 0.5;
      const result = dispute
        ? await app.run(desk.editor, `mutation($input: MarkClaimDisputedInput!) { markClaimDisputed(input: $input) { claim { id } } }`, {
            input: { claimId: globalClaim(claim.id), expectedVersion: claim.version, reason: 'the desk disagrees' },
          })
        : await app.run(desk.editor, `mutation($input: ResolveClaimDisputeInput!) { resolveClaimDispute(input: $input) { claim { id } } }`, {
            input: { claimId: globalClaim(claim.id), expectedVersion: claim.version, reason: 'settled by the desk' },
          });
      expectTyped('dispute mark', result);
    } else if (kind < 0.82 && claim) {
      const publish = pick() < 0.6;
      const result = publish
        ? await app.run(desk.editor, `mutation($input: PublishClaimInput!) { publishClaim(input: $input) { claim { id } } }`, {
            input: { claimId: globalClaim(claim.id), expectedVersion: claim.version, rating: choose(RATINGS), override: true, reason: 'now' },
          })
        : await app.run(desk.editor, `mutation($input: UnpublishClaimInput!) { unpublishClaim(input: $input) { claim { id } } }`, {
            input: { claimId: globalClaim(claim.id), expectedVersion: claim.version, reason: 'correction' },
          });
      expectTyped('publish', result);
    } else if (kind < 0.87) {
      const result = await app.run(desk.owner, `mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { id } } }`, {
        input: { teamId: desk.teamId, verdictQuorum: choose([1, 2, 3]) },
      });
      expectTyped('quorum', result);
    } else if (kind < 0.94) {
      // the words of the first quote change, and back: claims with verdicts need re-review
      const article = choose(articles);
      const text = pick() < 0.5 ? ARTICLE_TEXT.replace('$4.2 million', '$4.3 million') : ARTICLE_TEXT;
      const result = await app.run(desk.editor, `mutation($input: ReviseArticleInput!) { reviseArticle(input: $input) { article { id } } }`, {
        input: { articleId: article, text },
      });
      expectTyped('revise article', result);
    } else if (pick() < 0.5) {
      // no operation deletes an article yet; the column is the contract the figures follow
      const article = rawId(choose(articles));
      await app.sql(`UPDATE articles SET deleted_at = CASE WHEN deleted_at IS NULL THEN now() END WHERE id = $1`, [article]);
    } else {
      // a new publication date moves the article into or out of the month the scopes filter on
      const result = await app.run(desk.editor, `mutation($input: UpdateArticleInput!) { updateArticle(input: $input) { article { id } } }`, {
        input: {
          articleId: choose(articles),
          // between months, days, hours and five minutes, and within five minutes (08:45 to 08:47:10)
          publishedAt: choose([
            '2026-01-20T08:00:00Z',
            '2026-02-10T08:15:00Z',
            '2026-02-10T08:40:00Z',
            '2026-02-10T08:42:30Z',
            '2026-02-10T08:47:10Z',
            '2026-02-15T08:20:00Z',
            '2026-03-10T08:00:00Z',
          ]),
        },
      });
      expectTyped('article date', result);
    }
  }

  const report = async (filter: Record<string, unknown>) => (await app.ok(desk.viewer, FIGURES, { filter: { teamId: desk.teamId, ...filter } })).verdictReport;

  /** The maintained report equals the computed one; the median within the histogram's rounding (0.05%). */
  async function expectSameFigures(filter: Record<string, unknown>): Promise<void> {
    const maintained = await report(filter);
    const computed = await report({ ...filter, status: ALL_STATUSES });
    const { medianSecondsToSettle: maintainedMedian, ...maintainedRest } = maintained;
    const { medianSecondsToSettle: computedMedian, ...computedRest } = computed;
    expect(maintainedRest).toEqual(computedRest);
    if (computedMedian === null) expect(maintainedMedian).toBeNull();
    else expect(Math.abs(maintainedMedian - computedMedian)).toBeLessThanOrEqual(computedMedian * 5e-4 + 1e-9);
  }

  /** The whole team, two of its articles (a filter may name only articles not deleted), a month. */
  const scopes = async (): Promise<Record<string, unknown>[]> => {
    const live = await app.sql<{ id: string }>('SELECT id FROM articles WHERE team_id = $1 AND deleted_at IS NULL ORDER BY published_at', [rawId(desk.teamId)]);
    const named = articles.filter((id) => live.some((row) => row.id === rawId(id))).slice(0, 2);
    return [
      {},
      ...(named.length ? [{ articleIds: named }] : []),
      { publishedFrom: '2026-02-01T00:00:00Z', publishedTo: '2026-03-01T00:00:00Z' },
      // ends inside days and hours: whole days, hours and five minutes from the period rows
      { publishedFrom: '2026-02-10T08:30:00Z', publishedTo: '2026-02-20T08:10:00Z' },
      { publishedFrom: '2026-02-10T08:30:00Z' },
      { publishedTo: '2026-02-20T08:10:00Z' },
      { publishedFrom: '2026-02-10T08:30:00Z', publishedTo: '2026-02-10T08:50:00Z' },
      // ends inside five minutes: the part-five-minutes from the articles' rows
      { publishedFrom: '2026-02-10T08:41:00Z', publishedTo: '2026-02-10T08:46:00Z' },
      { publishedFrom: '2026-02-09T23:58:00Z', publishedTo: '2026-02-20T08:07:59.999Z' },
      { publishedFrom: '2026-02-10T08:47:10Z', publishedTo: '2026-02-10T08:47:10.001Z' },
      // ends on period boundaries: five minutes, an hour, days
      { publishedFrom: '2026-02-10T08:45:00Z', publishedTo: '2026-02-10T08:50:00Z' },
      { publishedFrom: '2026-02-10T08:00:00Z', publishedTo: '2026-02-10T09:00:00Z' },
      { publishedFrom: '2026-02-10T00:00:00Z', publishedTo: '2026-02-21T00:00:00Z' },
    ];
  };

  it('keeps every figure equal to a computation from the claims through concurrent writes of every kind', async () => {
    const pick = random(20261203);
    for (let round = 0; round < 12; round++) {
      await Promise.all(Array.from({ length: 8 }, () => randomWrite(pick)));
      if (round % 4 === 3) for (const filter of await scopes()) await expectSameFigures(filter);
    }
    expect(unexpected).toEqual([]);
    // every kind of write got through at least once (the refusals, for a failure's message)
    expect({ succeeded: [...succeeded].sort(), refused: Object.fromEntries([...refused].map(([label, codes]) => [label, [...codes]])) }).toMatchObject({
      succeeded: expect.arrayContaining([
        'article date',
        'create claim',
        'delete claim',
        'dispute mark',
        'publish',
        'quorum',
        'revise article',
        'sourcing',
        'submit',
        'withdraw',
      ]),
    });
    // the writes moved what the figures count
    const [moved] = await app.sql<{ statuses: number; withdrawn: number; deleted: number }>(
      `SELECT count(DISTINCT status)::int AS statuses,
              (SELECT count(*)::int FROM verdicts WHERE team_id = $1 AND withdrawn_at IS NOT NULL) AS withdrawn,
              count(*) FILTER (WHERE deleted_at IS NOT NULL)::int AS deleted
         FROM claims WHERE team_id = $1`,
      [rawId(desk.teamId)],
    );
    expect(moved.statuses).toBeGreaterThanOrEqual(3);
    expect(moved.withdrawn).toBeGreaterThan(0);
    expect(moved.deleted).toBeGreaterThan(0);
    for (const filter of await scopes()) await expectSameFigures(filter);
  }, 120_000);

  /**
   * An article's deletion waits for every figure slot of its team; a write that holds a slot and
   * then needs the article's claims-by-sourcing row (a claim added, deleted or re-sourced in that
   * article) must not be waiting for the deletion at that moment. A transaction holding slot 0
   * keeps the deletion waiting while the write starts; then it lets go.
   */
  it.each([
    ['delete claim', 'deleteClaim'],
    ['create claim', 'createClaim'],
    ['re-source a claim', 'updateClaim'],
  ])('lets an article be deleted while a write that moves its claims per sourcing runs (%s)', async (_label, mutation) => {
    const article = await createArticle(app, desk, { publishedAt: '2026-02-15T08:00:00Z' });
    const claim = await createClaim(app, desk, article.id, QUOTES[0]);
    const teamId = rawId(desk.teamId);
    const holder = new Client({ connectionString: app.databaseUrl, application_name: 'figures-slot-holder' });
    const deleter = new Client({ connectionString: app.databaseUrl, application_name: 'figures-article-deleter' });
    await holder.connect();
    await deleter.connect();
    const waiting = async (applicationName: string | null): Promise<number> => {
      const [row] = await app.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND ($1::text IS NULL OR application_name = $1)`,
        [applicationName],
      );
      return row.n;
    };
    const until = async (done: () => Promise<boolean>): Promise<void> => {
      for (let tries = 0; !(await done()); tries++) {
        if (tries > 200) throw new Error('timed out waiting for a lock wait');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(1128737909, claimgraph_report_slot_key($1, 0))`, [teamId]);
      const deletion = deleter.query('UPDATE articles SET deleted_at = now() WHERE id = $1', [rawId(article.id)]);
      await until(async () => (await waiting('figures-article-deleter')) === 1);
      let finished = false;
      const input =
        mutation === 'deleteClaim'
          ? { claimId: claim.id, expectedVersion: claim.version, reason: 'duplicate' }
          : mutation === 'updateClaim'
            ? { claimId: claim.id, expectedVersion: claim.version, sourcing: 'ANONYMOUS' }
            : { articleId: article.id, anchor: { quote: { exact: QUOTES[1] } }, kind: 'ASSERTION', sourcing: 'UNSOURCED' };
      const inputType = `${mutation[0].toUpperCase()}${mutation.slice(1)}Input`;
      const write = app.run(desk.editor, `mutation($input: ${inputType}!) { ${mutation}(input: $input) { claim { id } } }`, { input }).finally(() => {
        finished = true;
      });
      // the write either goes through at once or waits on a lock of its own; then the slot is let go
      await until(async () => finished || (await waiting(null)) >= 2);
      await holder.query('COMMIT');
      const [result] = await Promise.all([write, deletion]);
      expect(result.errors ?? []).toEqual([]);
    } finally {
      await holder.end();
      await deleter.end();
    }
    await expectSameFigures({});
    await app.sql('UPDATE articles SET deleted_at = NULL WHERE id = $1', [rawId(article.id)]);
    await expectSameFigures({});
    await expectSameFigures({ articleIds: [article.id] });
  });

  it("moves an article's rows between days, hours and five minutes when its publication date changes", async () => {
    const article = await createArticle(app, desk, { publishedAt: '2026-04-01T10:02:00Z' });
    for (const quote of QUOTES.slice(0, 2)) await createClaim(app, desk, article.id, quote);
    // each covers one period whole (five minutes, hour, day) that the article enters or leaves
    const ranges = [
      ['2026-04-01T10:00:30Z', '2026-04-01T10:04:59Z'],
      ['2026-04-01T10:04:00Z', '2026-04-01T10:11:00Z'],
      ['2026-04-01T09:59:00Z', '2026-04-01T11:01:00Z'],
      ['2026-04-01T10:59:00Z', '2026-04-01T12:01:00Z'],
      ['2026-03-31T23:59:00Z', '2026-04-02T00:01:00Z'],
      ['2026-04-01T23:59:00Z', '2026-04-03T00:01:00Z'],
    ].map(([publishedFrom, publishedTo]) => ({ publishedFrom, publishedTo }));
    const expectAll = async (): Promise<void> => {
      for (const range of ranges) await expectSameFigures(range);
    };
    await expectAll();
    for (const publishedAt of ['2026-04-01T10:07:00Z', '2026-04-01T11:07:00Z', '2026-04-02T11:07:00Z', '2026-04-02T11:08:00Z']) {
      await app.ok(desk.editor, `mutation($input: UpdateArticleInput!) { updateArticle(input: $input) { article { id } } }`, {
        input: { articleId: article.id, publishedAt },
      });
      await expectAll();
    }
    await app.sql('UPDATE articles SET deleted_at = now() WHERE id = $1', [rawId(article.id)]);
    await expectAll();
    await app.sql('UPDATE articles SET deleted_at = NULL WHERE id = $1', [rawId(article.id)]);
    await expectAll();
  });

  it('reads the maintained rows, which a rebuild from the claims reproduces exactly', async () => {
    const snapshot = () =>
      app.sql<{ level: string; figure: string; key: string; n: string }>(`
        SELECT 'team' AS level, figure, key, sum(n)::text AS n FROM report_team_figures GROUP BY figure, key HAVING sum(n) <> 0
        UNION ALL
        SELECT article_id::text, figure, key, sum(n)::text FROM report_article_figures GROUP BY article_id, figure, key HAVING sum(n) <> 0
        UNION ALL
        SELECT 'period ' || span || ' ' || start::text, figure, key, sum(n)::text FROM report_period_figures GROUP BY span, start, figure, key HAVING sum(n) <> 0
        UNION ALL
        SELECT 'claims ' || article_id, counted::text, published_at::text, concat_ws(' ', claims, sourced, anonymous, unsourced)
          FROM report_article_claims WHERE claims <> 0
        ORDER BY 1, 2, 3`);
    const before = await snapshot();
    expect(before.length).toBeGreaterThan(20);

    // a figure row changed by hand shows in the unfiltered report, not in the computed one
    const { totalCount } = await report({});
    await app.sql(
      `UPDATE report_team_figures SET n = n + 5 WHERE (team_id, figure, key, slot) IN (
      SELECT team_id, figure, key, slot FROM report_team_figures WHERE team_id = $1 AND figure = 'claim' LIMIT 1)`,
      [rawId(desk.teamId)],
    );
    expect((await report({})).totalCount).toBe(totalCount + 5);
    expect((await report({ status: ALL_STATUSES })).totalCount).toBe(totalCount);
    // so does a period row in a report over dates, for a day, an hour, five minutes the range covers whole
    for (const span of REPORT_SPANS) {
      const [period] = await app.sql<{ start: Date }>(
        `SELECT start FROM report_period_figures WHERE team_id = $1 AND span = $2 AND figure = 'claim' AND n > 0 ORDER BY start LIMIT 1`,
        [rawId(desk.teamId), span],
      );
      const dated = {
        publishedFrom: new Date(period.start.getTime() - 60_000).toISOString(),
        publishedTo: new Date(period.start.getTime() + span * 1000 + 60_000).toISOString(),
      };
      const { totalCount: datedCount } = await report(dated);
      await app.sql(
        `UPDATE report_period_figures SET n = n + 3 WHERE (team_id, span, start, figure, key, slot) IN (
        SELECT team_id, span, start, figure, key, slot FROM report_period_figures WHERE team_id = $1 AND span = $2 AND start = $3 AND figure = 'claim' LIMIT 1)`,
        [rawId(desk.teamId), span, period.start],
      );
      expect((await report(dated)).totalCount).toBe(datedCount + 3);
      expect((await report({ ...dated, status: ALL_STATUSES })).totalCount).toBe(datedCount);
    }

    await app.sql('SELECT claimgraph_rebuild_report_figures(ARRAY(SELECT id FROM teams))');
    expect(await snapshot()).toEqual(before);
    expect((await report({})).totalCount).toBe(totalCount);
  });

  it('gives the application role read access to its own teams only', async () => {
    const rows = await app.sql<{ table: string; writable: boolean }>(`
      SELECT t AS table, has_table_privilege('claimgraph_app', t, 'INSERT') OR has_table_privilege('claimgraph_app', t, 'UPDATE') AS writable
        FROM unnest(ARRAY['report_team_figures', 'report_article_figures', 'report_period_figures', 'report_article_claims']) t`);
    expect(rows.every((row) => !row.writable)).toBe(true);
    const outsider = await app.run(desk.outsider, FIGURES, { filter: { teamId: desk.teamId } });
    expect(outsider.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('keeps figures for the periods the read side decomposes ranges into', async () => {
    const [row] = await app.sql<{ spans: number[] }>('SELECT claimgraph_report_spans() AS spans');
    expect(row.spans).toEqual([...REPORT_SPANS]);
  });
});

describe('periodRanges', () => {
  /** Every part of [from, to) in exactly one place: a run of whole periods or the articles read one by one. */
  function tiles(from: number, to: number): void {
    const { periods, lo, hi } = periodRanges(from, to);
    const parts = [
      ...periods.filter((period) => period.from < period.to).map((period) => [period.from, period.to]),
      [from, Math.min(lo, to)],
      [Math.max(hi, from), to],
    ].filter(([start, end]) => start < end);
    parts.sort((a, b) => a[0] - b[0]);
    let at = from;
    for (const [start, end] of parts) {
      expect(start).toBe(at);
      at = end;
    }
    expect(at).toBe(Math.max(from, to));
    for (const period of periods.filter((period) => period.from < period.to)) {
      for (const end of [period.from, period.to].filter(Number.isFinite)) expect(end % (period.span * 1000)).toBe(0);
    }
    // the articles read one by one are within five minutes of the ends
    if (from < to && Number.isFinite(from)) expect(Math.min(lo, to) - from).toBeLessThan(300_000);
    if (from < to && Number.isFinite(to)) expect(to - Math.max(hi, from)).toBeLessThan(300_000);
  }

  it('tiles a range with whole days, hours and five minutes, leaving under five minutes at each end', () => {
    const pick = random(20261204);
    const base = Date.parse('2026-02-10T00:00:00Z');
    for (let index = 0; index < 2000; index++) {
      const length = [1_000, 400_000, 4_000_000, 90_000_000, 3_000_000_000][index % 5];
      const from = base + Math.floor(pick() * 86_400_000 * 3);
      // some ends on a boundary
      const align = [1, 1000, 300_000, 3_600_000, 86_400_000][Math.floor(pick() * 5)];
      const start = Math.floor(from / align) * align;
      tiles(start, start + Math.floor(pick() * length));
    }
    tiles(base, base);
    tiles(base + 5, base);
    tiles(-Infinity, base + 123_456);
    tiles(base + 123_456, Infinity);
    tiles(-Infinity, Infinity);
  });
});
