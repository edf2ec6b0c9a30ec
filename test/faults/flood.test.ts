import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import autocannon from 'autocannon';
import { createDatabase, graphql, sleep, spawnServer, stopServer, type ChildServer, type TestDatabase } from './support/child-server';

const READ_PAGE = `query Page($articleId: ID!) { article(id: $articleId) { title claims(first: 20) { nodes { id quote status verdicts(first: 5) { nodes { rating } } } } } }`;

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

interface Desk {
  token: string;
  articleId: string;
}

interface FloodRun {
  baseline: number[];
  underFlood: number[];
  failures: unknown[];
  flood: autocannon.Result;
  /** SQL statements the server sent while the flood ran. */
  statements: number;
}

describe('one team flooding', () => {
  let database: TestDatabase;
  const servers: ChildServer[] = [];

  beforeAll(async () => {
    database = await createDatabase();
  });

  afterAll(async () => {
    for (const server of servers) await stopServer(server);
    await database?.drop();
  });

  async function setUpDesk(server: ChildServer, who: string, slug: string): Promise<Desk> {
    const dev = { 'x-claimgraph-user': who };
    const team = await graphql(
      server.graphqlUrl,
      'mutation($slug: String!) { createTeam(input: { slug: $slug, name: "Desk" }) { team { id } } }',
      { slug },
      dev,
    );
    const teamId = team.body.data.createTeam.team.id as string;
    const article = await graphql(
      server.graphqlUrl,
      'mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id } } }',
      {
        input: { teamId, title: 'An article', text: 'The council approved a budget of $4.2 million. Unemployment fell to 3.1% last year.' },
      },
      dev,
    );
    const articleId = article.body.data.createArticle.article.id as string;
    for (const exact of ['approved a budget of $4.2 million', 'Unemployment fell to 3.1%']) {
      await graphql(
        server.graphqlUrl,
        'mutation($input: CreateClaimInput!) { createClaim(input: $input) { claim { id } } }',
        { input: { articleId, kind: 'ASSERTION', anchor: { quote: { exact } } } },
        dev,
      );
    }
    const token = (await graphql(server.graphqlUrl, 'mutation { createApiToken(input: { name: "flood" }) { token } }', {}, dev)).body.data.createApiToken
      .token as string;
    return { token, articleId };
  }

  /** The calm team's reviewer, reading one page after another for `ms`. */
  async function calmReads(server: ChildServer, desk: Desk, ms: number, failures: unknown[]): Promise<number[]> {
    const latencies: number[] = [];
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const started = performance.now();
      const answer = await graphql(server.graphqlUrl, READ_PAGE, { articleId: desk.articleId }, { authorization: `Bearer ${desk.token}` });
      latencies.push(performance.now() - started);
      if (answer.status !== 200 || answer.body.errors) failures.push(answer.body);
      await sleep(50);
    }
    return latencies;
  }

  const statements = async (server: ChildServer): Promise<number> =>
    ((await (await fetch(`${server.baseUrl}/debug/sql-statements`)).json()) as { total: number }).total;

  it('is refused from memory once over budget, and the other team keeps reading at its usual speed', async () => {
    // default limits: 1,000 points a minute and 8 requests in flight per token
    const protectedRun = await measured({});
    // the same flood, as long, with rate limiting off, for comparison
    const openRun = await measured({ RATE_LIMIT_POINTS: '0' }, protectedRun.spentAfterMs);

    const p50 = (values: number[]) => percentile(values, 0.5);
    const p95 = (values: number[]) => percentile(values, 0.95);
    const describeRun = (run: FloodRun) =>
      `${run.flood.requests.total} flood requests (${run.flood['2xx']} served, ${run.flood.non2xx} refused, ${run.statements} SQL statements), ` +
      `calm reviewer p50 ${p50(run.baseline).toFixed(0)} -> ${p50(run.underFlood).toFixed(0)} ms, p95 ${p95(run.baseline).toFixed(0)} -> ${p95(run.underFlood).toFixed(0)} ms`;
    console.info(
      `flood with rate limits (budget spent after ${protectedRun.spentAfterMs} ms): ${describeRun(protectedRun)}\nflood without: ${describeRun(openRun)}`,
    );

    expect(protectedRun.failures).toEqual([]);
    // the flooder got its budget (1,000 one-point queries, 8 at a time), then 429s
    expect(protectedRun.flood['2xx']).toBeLessThanOrEqual(1000);
    expect(protectedRun.flood.non2xx).toBeGreaterThan(0);
    // refused requests cost the database nothing: only the served ones ran SQL (a few statements
    // each), plus authentication for the requests in flight when the budget ran out
    expect(protectedRun.statements).toBeLessThan(protectedRun.flood['2xx'] * 8 + 200);
    // once the flooder is over budget its refusals are cheap and slow (tarpitted): the calm
    // reviewer reads at about its usual speed, and far faster than with no limits
    const baseline = p50(protectedRun.baseline);
    expect(p50(protectedRun.underFlood)).toBeLessThan(Math.max(baseline * 3, baseline + 50));
    expect(p50(protectedRun.underFlood)).toBeLessThan(p50(openRun.underFlood));
  });

  /**
   * A server with `env`; 64 connections of one team flooding while the other team reads: first
   * until the flooder's budget is spent (or `floodFirstMs`), then the calm reviewer is measured.
   */
  async function measured(env: Record<string, string>, floodFirstMs?: number): Promise<FloodRun & { spentAfterMs: number }> {
    const tag = Object.keys(env).length ? 'open' : 'limited';
    const failures: unknown[] = [];
    const server = await spawnServer({ DATABASE_URL: database.url, CLAIMGRAPH_DEV_AUTH: 'true', CLAIMGRAPH_COUNT_SQL: 'true', LOG_LEVEL: 'warn', ...env });
    servers.push(server);
    const flooder = await setUpDesk(server, `flooder-${tag}@flood.example`, `flooders-${tag}`);
    const calm = await setUpDesk(server, `reviewer-${tag}@calm.example`, `calm-${tag}`);
    const baseline = await calmReads(server, calm, 5000, failures);
    const before = await statements(server);
    const floodQuery = JSON.stringify({ query: '{ claims(first: 20) { nodes { id quote } } }' });
    let instance: autocannon.Instance | null = null;
    const flood = new Promise<autocannon.Result>((resolve, reject) => {
      instance = autocannon(
        {
          url: server.baseUrl,
          connections: 64,
          duration: 120,
          requests: [
            { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${flooder.token}` }, body: floodQuery },
          ],
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
    });
    const started = Date.now();
    if (floodFirstMs === undefined) {
      // until the flooder's own requests come back 429 for its budget
      for (;;) {
        await sleep(500);
        const probe = await graphql(server.graphqlUrl, '{ __typename }', {}, { authorization: `Bearer ${flooder.token}` });
        if (probe.status === 429 && /points per/.test(probe.body.errors?.[0]?.message ?? '')) break;
        if (Date.now() - started > 60_000) throw new Error('the flooder never spent its budget');
      }
    } else {
      await sleep(floodFirstMs);
    }
    const spentAfterMs = Date.now() - started;
    const underFlood = await calmReads(server, calm, 8000, failures);
    (instance as autocannon.Instance | null)?.stop();
    const result = await flood;
    const during = (await statements(server)) - before;
    await stopServer(server);
    return { baseline, underFlood, failures, flood: result, statements: during, spentAfterMs };
  }
});
