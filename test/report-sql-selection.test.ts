import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, type Pool } from 'pg';
import type { TestApp } from './support/app';
import { appWithDataset, pathComparison, serverBeside } from './support/dataset-app';
import type { BenchUser } from '../bench/dataset';
import { verdictReportQuery } from '../bench/optional';
import { createCredentials } from '../bench/credentials';
import { enableStatementCounting } from '../src/db/statement-counter';
import type { ClaimgraphServer } from '../src/server';
import { buildClaimgraphSchema } from '../src/schema';
import { toGlobalId } from '../src/shared/ids';

/**
 * `verdictReport` compiled to one SQL statement (src/modules/report/report.sql-selection.ts)
 * answers exactly what the resolvers answer: each operation runs on a server with it and on one
 * with GRAPHQL_SQL=false, as the same caller on the same real database, and the two responses
 * must be the same JSON text (alpha and the median included, errors included). The statement
 * counts show which path answered.
 */
describe('verdictReport compiled to SQL answers as the resolvers do', () => {
  let app: TestApp;
  let resolvers: ClaimgraphServer;
  let client: Client;
  let users: BenchUser[];
  let teams: Record<string, string>;
  let articles: { id: string; published_at: Date }[];
  /** A viewer of 'desk', 'solo' and 'empty' (not of 'other'): the generator's users belong to one team each. */
  let caller: string;
  let benchQuery: string;
  let monthQuery: string;
  const counter = enableStatementCounting();

  beforeAll(async () => {
    ({ app, client, users } = await appWithDataset({
      seed: 'report-sql-selection-test',
      evidencePerClaim: 1,
      verdictsPerClaim: 3,
      sourcesPerTeam: 10,
      teams: [
        { slug: 'desk', articles: 6, claimsPerArticle: 10 },
        { slug: 'solo', articles: 2, claimsPerArticle: 5 },
        { slug: 'empty', articles: 0, claimsPerArticle: 1 },
        { slug: 'other', articles: 1, claimsPerArticle: 2 },
      ],
    }));
    teams = Object.fromEntries((await client.query(`SELECT slug, id FROM teams`)).rows.map((row) => [row.slug, row.id]));
    articles = (await client.query(`SELECT id, published_at FROM articles WHERE team_id = $1 ORDER BY published_at, id`, [teams.desk])).rows;
    // one current verdict per claim in 'solo': no pairable values, alpha null
    await client.query(
      `UPDATE verdicts v SET withdrawn_at = now() WHERE v.team_id = $1
         AND v.id <> (SELECT w.id FROM verdicts w WHERE w.claim_id = v.claim_id ORDER BY w.created_at, w.id LIMIT 1)`,
      [teams.solo],
    );
    // a deleted article (its id in a filter is NOT_FOUND) and a URL the URL scalar rewrites
    await client.query(`UPDATE articles SET deleted_at = now() WHERE id = $1`, [articles[5].id]);
    await client.query(`UPDATE articles SET url = 'https://News.Example.COM/a b' WHERE id = $1`, [articles[0].id]);
    caller = users.find((user) => user.teamSlug === 'desk' && user.role === 'VIEWER')!.id;
    await client.query(`INSERT INTO memberships (team_id, user_id, role) SELECT t.id, $1, 'VIEWER' FROM teams t WHERE t.slug IN ('solo', 'empty')`, [caller]);
    await client.query('ANALYZE');
    const schema = await buildClaimgraphSchema();
    const queries = verdictReportQuery(schema);
    if ('unavailable' in queries) throw new Error(queries.unavailable);
    ({ query: benchQuery, monthQuery } = queries);
    resolvers = await serverBeside(app, { GRAPHQL_SQL: 'false', WEBHOOK_WORKER: 'false' }, schema);
  });
  afterAll(async () => {
    await resolvers?.stop();
    await client?.end();
    await app?.close();
  });

  const { runOn, both } = pathComparison(
    () => app,
    () => resolvers,
    counter,
    () => caller,
  );

  const teamId = (slug: string) => toGlobalId('Team', teams[slug]);
  const articleId = (index: number) => toGlobalId('Article', articles[index].id);
  /** Answered by the one statement: BEGIN, the scope, the statement, COMMIT in one round trip. */
  const compiledPath = (answer: { statements: number; roundTrips: number }) => {
    expect(answer.statements).toBe(4);
    expect(answer.roundTrips).toBe(1);
  };

  it("answers the benchmark's whole-team report in one round trip", async () => {
    const answer = await both(benchQuery, { teamId: teamId('desk') });
    expect(answer.body.errors).toBeUndefined();
    compiledPath(answer);
    const report = answer.body.data.verdictReport;
    expect(report.totalCount).toBe(50);
    expect(report.byReviewer.length).toBeGreaterThan(1);
    expect(report.agreement[0].alpha).toEqual(expect.any(Number));
    expect(report.agreement[0].pairableValues).toBeGreaterThan(0);
    expect(report.settledCount).toBeGreaterThan(0);
    expect(report.medianSecondsToSettle).toEqual(expect.any(Number));
    expect(report.sourcingByArticle[0].article.id).toEqual(expect.any(String));
    expect(report.sourcingByArticle.some((row: any) => row.article.url === 'https://news.example.com/a%20b')).toBe(true);
    // by slug too
    compiledPath(await both(benchQuery, { teamId: 'desk' }));
  });

  it("runs the whole team's report on its generic plan, a date range's as Postgres chooses", async () => {
    // Postgres's own choice for the whole-team statement was a fresh custom plan at every execution
    // at a million claims (bench/results/scale-1m-c.md); the statement's transaction now asks for
    // the generic plan. Counted per prepared statement on every connection of the pool.
    const plans = async (table: string) => {
      const pool = (app.dataSource.driver as unknown as { master: Pool }).master;
      const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
      try {
        let generic = 0;
        let custom = 0;
        for (const connection of clients) {
          const { rows } = await connection.query(
            `SELECT coalesce(sum(generic_plans), 0)::int AS generic, coalesce(sum(custom_plans), 0)::int AS custom
               FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '%' AND statement LIKE '%verdicts.csv%'`,
            [table],
          );
          generic += rows[0].generic;
          custom += rows[0].custom;
        }
        return { generic, custom };
      } finally {
        for (const connection of clients) connection.release();
      }
    };
    const before = await plans('report_team_figures');
    for (let run = 0; run < 8; run++) compiledPath(await runOn(app.server, benchQuery, { teamId: teamId('desk') }));
    const after = await plans('report_team_figures');
    expect(after.generic - before.generic).toBe(8);
    expect(after.custom - before.custom).toBe(0);
    // a range of dates: the statement reads the period rows; its first executions are custom plans
    const range = { teamId: teamId('desk'), from: articles[1].published_at.toISOString(), to: articles[3].published_at.toISOString() };
    const dated = await plans('report_period_figures');
    for (let run = 0; run < 3; run++) compiledPath(await runOn(app.server, monthQuery, range));
    expect((await plans('report_period_figures')).custom - dated.custom).toBe(3);
  });

  it('answers a range of publication dates (whole hours and part-hours) and a list of articles', async () => {
    const second = articles[1].published_at.getTime();
    const ranges = [
      [new Date(second), new Date(second + 3 * 3_600_000)],
      [new Date(second + 1), new Date(articles[4].published_at.getTime() + 1)],
      [new Date(Date.UTC(2024, 0, 1)), new Date(Date.UTC(2026, 0, 1))],
      [new Date(Date.UTC(2030, 0, 1)), new Date(Date.UTC(2030, 1, 1))],
    ];
    for (const [from, to] of ranges) {
      compiledPath(await both(monthQuery, { teamId: teamId('desk'), from: from.toISOString(), to: to.toISOString() }));
    }
    // open-ended ranges (an end of 'infinity', passed as text)
    const openEnded = `query($teamId: ID!, $from: DateTime, $to: DateTime) {
      verdictReport(filter: { teamId: $teamId, publishedFrom: $from, publishedTo: $to }) { totalCount byRating { count } byReviewer { verdicts } agreement { alpha pairableValues } medianSecondsToSettle sourcingByArticle { claims } }
    }`;
    compiledPath(await both(openEnded, { teamId: teamId('desk'), from: new Date(second + 1).toISOString() }));
    compiledPath(await both(openEnded, { teamId: teamId('desk'), to: new Date(second + 1).toISOString() }));
    const byArticles = `query($teamId: ID!, $ids: [ID!], $from: DateTime) {
      verdictReport(filter: { teamId: $teamId, articleIds: $ids, publishedFrom: $from }) {
        totalCount byStatus { status count } verdictCount agreement { level alpha units pairableValues } settledCount medianSecondsToSettle
        sourcingByArticle(first: 3) { title claims article { id title } } downloads { csv html }
      }
    }`;
    const listed = await both(byArticles, { teamId: teamId('desk'), ids: [articleId(2), articleId(0), articleId(2)] });
    compiledPath(listed);
    expect(listed.body.data.verdictReport.totalCount).toBe(20);
    compiledPath(await both(byArticles, { teamId: teamId('desk'), ids: [articleId(1)], from: articles[3].published_at.toISOString() }));
    compiledPath(await both(byArticles, { teamId: teamId('desk'), ids: [] }));
  });

  it('answers aliases, fragments, __typename and parts of the selection', async () => {
    const query = `query($teamId: ID!, $first: Int!, $withReviewers: Boolean!) {
      report: verdictReport(filter: { teamId: $teamId }) {
        __typename
        claims: totalCount
        ...Figures
        byReviewer @include(if: $withReviewers) { who: reviewer { email id } reviewerName byRating { count } }
        top: sourcingByArticle(first: $first) { ... on ArticleSourcing { unsourced title } article { __typename url createdBy { name } } }
        all: sourcingByArticle(first: 100) { claims }
        none: sourcingByArticle(first: 0) { claims }
      }
      again: verdictReport(filter: { teamId: "desk" }) { totalCount byPublishedRating { label rating count } publishedCount }
    }
    fragment Figures on VerdictReport { byRating { rating n: count label } agreement { __typename categories method level } downloads { jsonLines claimReview } }`;
    for (const variables of [
      { teamId: teamId('desk'), first: 2, withReviewers: true },
      { teamId: teamId('desk'), first: 20, withReviewers: false },
    ]) {
      compiledPath(await both(query, variables));
    }
  });

  it('answers an empty team and a team without pairable values (alpha null)', async () => {
    const empty = await both(benchQuery, { teamId: teamId('empty') });
    compiledPath(empty);
    expect(empty.body.data.verdictReport).toMatchObject({ totalCount: 0, byReviewer: [], medianSecondsToSettle: null, sourcingByArticle: [] });
    const solo = await both(benchQuery, { teamId: 'solo' });
    compiledPath(solo);
    expect(solo.body.data.verdictReport.agreement.map((level: any) => [level.alpha, level.units, level.pairableValues])).toEqual([
      [null, 0, 0],
      [null, 0, 0],
    ]);
  });

  it('leaves filters on claims or verdicts, the rows and refused input to the resolvers, with their errors', async () => {
    const filtered = `query($filter: VerdictReportFilter!, $first: Int) {
      verdictReport(filter: $filter) { totalCount verdictCount agreement { alpha } sourcingByArticle(first: $first) { claims } }
    }`;
    const resolved = async (variables: Record<string, unknown>) => {
      const answer = await both(filtered, variables);
      expect(answer.statements).toBeGreaterThan(4);
      return answer.body;
    };
    expect((await resolved({ filter: { teamId: teamId('desk'), status: ['SETTLED'] } })).data.verdictReport.totalCount).toBeGreaterThan(0);
    await resolved({ filter: { teamId: teamId('desk'), rating: ['TRUE'] } });
    await resolved({ filter: { teamId: teamId('desk'), reviewerId: toGlobalId('User', users.find((user) => user.role === 'REVIEWER')!.id) } });
    // errors: another team, a missing slug, an id of another type, a deleted article, an empty range, a bad page size
    const errors = async (variables: Record<string, unknown>) => {
      const answer = await both(filtered, variables);
      expect(answer.body.errors?.length).toBeGreaterThan(0);
    };
    await errors({ filter: { teamId: teamId('other') } });
    await errors({ filter: { teamId: 'other' } });
    await errors({ filter: { teamId: 'no-such-team' } });
    await errors({ filter: { teamId: ' ' } });
    await errors({ filter: { teamId: articleId(0) } });
    await errors({ filter: { teamId: teamId('desk'), articleIds: [articleId(5)] } });
    await errors({ filter: { teamId: teamId('desk'), articleIds: ['nonsense'] } });
    await errors({ filter: { teamId: teamId('desk'), publishedFrom: '2025-02-01T00:00:00Z', publishedTo: '2025-01-01T00:00:00Z' } });
    await errors({ filter: { teamId: teamId('desk') }, first: 101 });
    await errors({ filter: { teamId: teamId('solo'), articleIds: [articleId(0)] } });
    // the rows connection: the resolvers answer the whole root field
    const rows = await both(`query($teamId: ID!) { verdictReport(filter: { teamId: $teamId }) { totalCount rows(first: 2) { edges { node { quote } } } } }`, {
      teamId: teamId('desk'),
    });
    expect(rows.statements).toBeGreaterThan(4);
  });

  it("writes Postgres's text into HTTP responses as it is, with alpha and the median spliced in", async () => {
    const url = `${await app.listen()}/graphql`;
    const member = users.find((user) => user.id === caller)!;
    const {
      credentials: [credential],
    } = await createCredentials(app.dataSource, [member]);
    const post = async (variables: Record<string, unknown>) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...credential.headers },
        body: JSON.stringify({ query: benchQuery, variables }),
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    for (const slug of ['desk', 'solo', 'empty']) {
      const text = await post({ teamId: teamId(slug) });
      // unparsed: Postgres's separators, and no marker left ('desk' lists an article whose URL is rewritten in JavaScript)
      if (slug !== 'desk') expect(text).toMatch(/^\{"data":\{"verdictReport":\{"totalCount" : /);
      expect(text).not.toContain('"!');
      expect(JSON.parse(text)).toEqual(JSON.parse((await runOn(resolvers, benchQuery, { teamId: teamId(slug) })).text));
    }
  });

  it('prints medians that Postgres would write in exponent form as JavaScript does', async () => {
    // settle-time figures no real claim would have (a 12 µs settle; 39 million years), written
    // straight into the whole-team figure rows: both paths read the same rows
    await client.query(`INSERT INTO report_team_figures (team_id, figure, key, slot, n) VALUES ($1, 'settle', '0.00001234', 0, 1)`, [teams.empty]);
    await client.query(`INSERT INTO report_team_figures (team_id, figure, key, slot, n) VALUES ($1, 'settle', '1234000000000000', 0, 1000)`, [teams.solo]);
    const query = `query($teamId: ID!) { verdictReport(filter: { teamId: $teamId }) { settledCount medianSecondsToSettle } }`;
    const small = await both(query, { teamId: teamId('empty') });
    compiledPath(small);
    expect(small.body.data.verdictReport).toEqual({ settledCount: 1, medianSecondsToSettle: 0.00001234 });
    const large = await both(query, { teamId: teamId('solo') });
    compiledPath(large);
    expect(large.body.data.verdictReport.medianSecondsToSettle).toBe(1234000000000000);
    await client.query(`DELETE FROM report_team_figures WHERE figure = 'settle' AND key IN ('0.00001234', '1234000000000000')`);
  });

  it('sees a write at once (the figures are maintained, nothing is cached)', async () => {
    const before = (await both(benchQuery, { teamId: teamId('desk') })).body.data.verdictReport.totalCount;
    await client.query(
      `UPDATE claims SET deleted_at = now() WHERE id = (SELECT id FROM claims WHERE team_id = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1)`,
      [teams.desk],
    );
    const after = await both(benchQuery, { teamId: teamId('desk') });
    compiledPath(after);
    expect(after.body.data.verdictReport.totalCount).toBe(before - 1);
  });
});
