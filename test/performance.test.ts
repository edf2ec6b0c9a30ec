import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import type { TestApp } from './support/app';
import { appWithDataset, serverBeside } from './support/dataset-app';
import type { BenchUser } from '../bench/dataset';
import { ARTICLE_PAGE, CLAIM_QUEUE, LIMIT_ARTICLE_PAGE_SQL } from '../bench/queries';
import { enableStatementCounting, type RecordedStatement } from '../src/db/statement-counter';
import type { ClaimgraphServer } from '../src/server';
import { toGlobalId } from '../src/shared/ids';
import { RequestDb, replayable } from '../src/db/request-db';

/**
 * The performance budgets that are properties, not timings (those are `npm run bench`'s):
 * the reviewer article page costs a fixed number of SQL statements whatever the number of claims
 * and reviewers, and the claim queue and the article page never scan claims or verdicts
 * sequentially. Data comes from the benchmark's own set-based generator.
 */
describe('performance', () => {
  let app: TestApp;
  let client: Client;
  let users: BenchUser[];
  let articles: { id: string; slug: string }[];
  const counter = enableStatementCounting();

  beforeAll(async () => {
    // Two short teams for the statement counts, and a 20k-claim team big enough for the planner
    // to prefer a sequential scan wherever an index does not serve the query.
    ({ app, client, users } = await appWithDataset(
      {
        seed: 'performance-test',
        evidencePerClaim: 2,
        verdictsPerClaim: 3,
        sourcesPerTeam: 30,
        teams: [
          { slug: 'short', articles: 2, claimsPerArticle: 4 },
          { slug: 'long', articles: 2, claimsPerArticle: 40 },
        ],
      },
      {
        seed: 'performance-test-queue',
        evidencePerClaim: 0,
        verdictsPerClaim: 3,
        sourcesPerTeam: 30,
        history: false,
        teams: [{ slug: 'queue', articles: 500, claimsPerArticle: 40 }],
      },
    ));
    await client.query('ANALYZE');
    articles = (await client.query(`SELECT a.id, t.slug FROM articles a JOIN teams t ON t.id = a.team_id ORDER BY a.created_at`)).rows;
  });
  afterAll(async () => {
    await client?.end();
    await app?.close();
  });

  const reviewerOf = (slug: string) => users.find((user) => user.teamSlug === slug && user.role === 'REVIEWER')!;

  /** Runs an operation through Apollo as `user`, with the statements it sent. */
  async function run(server: ClaimgraphServer, user: BenchUser, query: string, variables: Record<string, unknown>) {
    const actor = await server.authenticator.actorFor(user.id, 'test');
    const statements: RecordedStatement[] = [];
    const stop = counter.record((statement) => statements.push(statement));
    const before = counter.total;
    try {
      const response = await server.apollo.executeOperation({ query, variables }, { contextValue: server.contextFor(actor) });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      const result = JSON.parse(JSON.stringify(response.body.singleResult)) as { data?: any; errors?: unknown[] };
      expect(result.errors).toBeUndefined();
      return { data: result.data, statements, count: counter.total - before };
    } finally {
      stop();
    }
  }

  const articlePage = (slug: string) => {
    const article = articles.find((candidate) => candidate.slug === slug)!;
    return run(app.server, reviewerOf(slug), ARTICLE_PAGE, { id: toGlobalId('Article', article.id) });
  };

  it('answers the reviewer article page with the same SQL statements for 4 claims as for 40, whatever the reviewers', async () => {
    const short = await articlePage('short');
    const long = await articlePage('long');
    const reviewers = (page: typeof short) =>
      new Set(page.data.article.claims.edges.flatMap((edge: any) => edge.node.verdicts.nodes.map((verdict: any) => verdict.reviewer.id))).size;
    expect(short.data.article.claims.totalCount).toBe(4);
    expect(long.data.article.claims.totalCount).toBe(40);
    expect(reviewers(long)).toBeGreaterThan(reviewers(short));
    expect(long.count).toBe(short.count);
    // BEGIN with the caller's scope, article, claims (+ speakers), evidence (+ sources),
    // verdicts (+ reviewers), COMMIT: a regression to a query per relation shows here first.
    expect(long.count).toBeLessThanOrEqual(7);
  });

  it("answers the article page exactly as the benchmark's one-statement limit does, with and without graphql-jit", async () => {
    const article = articles.find((candidate) => candidate.slug === 'long')!;
    const page = await articlePage('long');
    const [{ body }] = (await client.query(LIMIT_ARTICLE_PAGE_SQL, [article.id])).rows;
    expect(page.data).toEqual(JSON.parse(body).data);

    const interpreter = await serverBeside(app, { GRAPHQL_JIT: 'false' });
    try {
      const interpreted = await run(interpreter, reviewerOf('long'), ARTICLE_PAGE, { id: toGlobalId('Article', article.id) });
      expect(interpreted.data).toEqual(page.data);
    } finally {
      await interpreter.stop();
    }
  });

  it('still refuses to acknowledge a transaction that a failed statement aborted (COMMIT answers ROLLBACK)', async () => {
    const user = reviewerOf('long');
    const teamIds = (await client.query(`SELECT id FROM teams WHERE slug = 'long'`)).rows.map((row) => row.id as string);
    const aborted = new RequestDb(app.dataSource, { userId: user.id, teamIds }, 'write');
    await aborted.query('SELECT 1');
    await expect(aborted.query('SELECT 1 / 0')).rejects.toThrow();
    await expect(aborted.finish('commit')).rejects.toThrow(/aborted/);

    const committed = new RequestDb(app.dataSource, { userId: user.id, teamIds }, 'write');
    await committed.transaction((manager) =>
      manager.query(`UPDATE sources SET title = 'Committed' WHERE id = (SELECT id FROM sources WHERE team_id = $1 LIMIT 1)`, [teamIds[0]]),
    );
    await committed.finish('commit');
    expect((await client.query(`SELECT count(*)::int AS n FROM sources WHERE title = 'Committed'`)).rows[0].n).toBe(1);
  });

  /** Plan nodes that read claims or verdicts sequentially, in the plan of `statement` run as the caller. */
  async function sequentialScans(statement: RecordedStatement & { prepare?: string }, user: BenchUser): Promise<string[]> {
    const teamIds = users.filter((candidate) => candidate.id === user.id).map((candidate) => candidate.teamSlug);
    const ids = (await client.query(`SELECT id FROM teams WHERE slug = ANY($1)`, [teamIds])).rows.map((row) => row.id);
    await client.query('BEGIN');
    try {
      await client.query(
        `SELECT set_config('role', 'claimgraph_app', true), set_config('claimgraph.user_id', $1, true), set_config('claimgraph.team_ids', $2, true)`,
        [user.id, `{${ids.join(',')}}`],
      );
      // a one-round-trip read EXECUTEs a statement its connection prepared: prepared here too
      if (statement.prepare) await client.query(statement.prepare);
      const [{ 'QUERY PLAN': plan }] = (await client.query(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.values)).rows;
      const found: string[] = [];
      const walk = (node: any) => {
        if (node['Node Type'] === 'Seq Scan' && ['claims', 'verdicts'].includes(node['Relation Name'])) found.push(`Seq Scan on ${node['Relation Name']}`);
        for (const child of node.Plans ?? []) walk(child);
      };
      walk(plan[0].Plan);
      return found;
    } finally {
      await client.query('ROLLBACK');
      if (statement.prepare) await client.query(statement.prepare.replace(/^PREPARE (\w+) AS[\s\S]*$/, 'DEALLOCATE $1'));
    }
  }

  it('pages the claim queue and the article page by index: no sequential scan of claims or verdicts', async () => {
    const reviewer = reviewerOf('queue');
    const teamId = toGlobalId('Team', (await client.query(`SELECT id FROM teams WHERE slug = 'queue'`)).rows[0].id);
    const first = await run(app.server, reviewer, CLAIM_QUEUE, { teamId, after: null });
    expect(first.data.claims.edges).toHaveLength(50);
    let page = first;
    for (let index = 0; index < 10; index++) {
      page = await run(app.server, reviewer, CLAIM_QUEUE, { teamId, after: page.data.claims.pageInfo.endCursor });
    }
    const byRating = await run(
      app.server,
      reviewer,
      `query($teamId: ID!) {
      claims(filter: { teamId: $teamId, rating: [MISLEADING] }, first: 50) { edges { node { id } } }
    }`,
      { teamId },
    );
    const articleOfQueue = articles.find((candidate) => candidate.slug === 'queue')!;
    const articlePageOfQueue = await run(app.server, reviewer, ARTICLE_PAGE, { id: toGlobalId('Article', articleOfQueue.id) });

    const checked: string[] = [];
    for (const { statements } of [first, page, byRating, articlePageOfQueue]) {
      for (const statement of statements.flatMap(replayable)) {
        if (!/^\s*SELECT/i.test(statement.sql ?? statement.text) || !/\b(claims|verdicts)\b/.test(statement.sql ?? statement.text)) continue;
        checked.push(statement.text);
        expect({ sql: statement.text.replace(/\s+/g, ' '), scans: await sequentialScans(statement, reviewer) }).toEqual({
          sql: statement.text.replace(/\s+/g, ' '),
          scans: [],
        });
      }
    }
    // the queue's first page, a page 11 pages deep, the rating filter, and the article page (one
    // statement reading its claims, evidence and verdicts: src/http/sql-selection.ts)
    expect(checked.length).toBeGreaterThanOrEqual(4);
    // the article page is a prepared statement EXECUTEd in its one round trip, and was checked as such
    expect(checked.some((text) => text.startsWith('EXECUTE '))).toBe(true);
    expect(articlePageOfQueue.count).toBeLessThanOrEqual(4);
  });
});
