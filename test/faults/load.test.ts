import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import autocannon from 'autocannon';
import { collectGarbage, createDatabase, graphql, rssOf, sleep, spawnServer, stopServer, type ChildServer, type TestDatabase } from './support/child-server';

const CONNECTIONS = 8;
const WARM_UP_SECONDS = 15;
const LOAD_SECONDS = 60;

const REVIEWER_PAGE = `query ReviewerPage($articleId: ID!) {
  article(id: $articleId) {
    id title currentRevision { number }
    claims(first: 20) { totalCount edges { cursor node {
      id quote status version speaker { displayName }
      verdicts(first: 5) { nodes { rating rationale reviewer { name } } }
      evidence(first: 5) { nodes { stance url } }
      activity(first: 5) { nodes { action at } }
    } } }
  }
}`;

type Result = autocannon.Result;

function run(options: autocannon.Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * RSS once the load pauses and a full collection has run: what the process holds on to, not where
 * the garbage collector's saw-tooth happens to be (it swings by a third under this load).
 */
async function settledRss(server: ChildServer): Promise<number> {
  await sleep(1000);
  await collectGarbage(server);
  await sleep(1000);
  return rssOf(server.pid);
}

/** A GraphQL result without `errors` (graphql-js writes errors first). */
const graphqlOk = (body: string): boolean => body.startsWith('{"data":') && !body.includes('"errors":[');

describe('sustained load on loopback', () => {
  let database: TestDatabase;
  let server: ChildServer;
  let requests: autocannon.Request[];

  beforeAll(async () => {
    database = await createDatabase();
    server = await spawnServer(
      {
        DATABASE_URL: database.url,
        CLAIMGRAPH_DEV_AUTH: 'true',
        LOG_LEVEL: 'info',
        // the rate limiter stays in the path, with a budget this load never reaches
        RATE_LIMIT_POINTS: '100000000',
        RATE_LIMIT_CONCURRENCY: String(CONNECTIONS * 2),
      },
      { inspect: true },
    );
    const dev = { 'x-claimgraph-user': 'editor@load.example' };
    const team = await graphql(server.graphqlUrl, 'mutation { createTeam(input: { slug: "load", name: "Load desk" }) { team { id } } }', {}, dev);
    const teamId = team.body.data.createTeam.team.id as string;
    const text = Array.from({ length: 12 }, (_, index) => `Statement number ${index} says the budget grew by ${index + 1}.${index} percent.`).join(' ');
    const article = await graphql(
      server.graphqlUrl,
      'mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id } } }',
      { input: { teamId, title: 'Load article', text } },
      dev,
    );
    const articleId = article.body.data.createArticle.article.id as string;
    const claimIds: string[] = [];
    for (let index = 0; index < 12; index++) {
      const claim = await graphql(
        server.graphqlUrl,
        'mutation($input: CreateClaimInput!) { createClaim(input: $input) { claim { id } } }',
        {
          input: { articleId, kind: 'ASSERTION', anchor: { quote: { exact: `Statement number ${index} says` } } },
        },
        dev,
      );
      claimIds.push(claim.body.data.createClaim.claim.id);
    }
    for (const claimId of claimIds.slice(0, 6)) {
      await graphql(
        server.graphqlUrl,
        'mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }',
        { input: { claimId, rating: 'MOSTLY_TRUE', rationale: 'Checked' } },
        dev,
      );
    }
    const token = (await graphql(server.graphqlUrl, 'mutation { createApiToken(input: { name: "load" }) { token } }', {}, dev)).body.data.createApiToken
      .token as string;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const post = (query: string, variables: Record<string, unknown> = {}): autocannon.Request => ({
      method: 'POST',
      path: '/graphql',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    requests = [
      post(REVIEWER_PAGE, { articleId }),
      post('query Queue($teamId: ID) { claims(first: 20, filter: { teamId: $teamId }, sort: STATUS) { totalCount nodes { id status quote } } }', { teamId }),
      post('query Me { viewer { id name memberships { role team { slug } } } }'),
      post('mutation Comment($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }', {
        input: { claimId: claimIds[0], body: 'Looked at the council minutes again.' },
      }),
      post('query Claim($id: ID!) { node(id: $id) { ... on Claim { quote verdicts { nodes { rating } } history(first: 5) { nodes { action } } } } }', {
        id: claimIds[1],
      }),
    ];
  });

  afterAll(async () => {
    if (server) await stopServer(server);
    await database?.drop();
  });

  it(`serves ${LOAD_SECONDS} s at ${CONNECTIONS} connections with zero errors and flat memory`, async () => {
    // verifyBody is in autocannon 8 but not in its typings
    const options = { url: server.baseUrl, connections: CONNECTIONS, requests, verifyBody: graphqlOk, timeout: 10 } as autocannon.Options;
    const warm = await run({ ...options, duration: WARM_UP_SECONDS });
    expect(warm.errors + warm.timeouts + warm.non2xx + warm.mismatches).toBe(0);
    const rssAfterWarmUp = await settledRss(server);
    const samples: number[] = [];
    const sampler = setInterval(() => void rssOf(server.pid).then((rss) => samples.push(rss)), 5000);
    const result = await run({ ...options, duration: LOAD_SECONDS });
    clearInterval(sampler);
    const rssAtEnd = await settledRss(server);
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    console.info(
      `load: ${result.requests.total} requests in ${LOAD_SECONDS} s (${result.requests.average.toFixed(0)}/s), ` +
        `latency p50 ${result.latency.p50} ms p99 ${result.latency.p99} ms; errors ${result.errors}, timeouts ${result.timeouts}, ` +
        `non-2xx ${result.non2xx}, GraphQL errors ${result.mismatches}; settled RSS after warm-up ${mb(rssAfterWarmUp)}, at end ${mb(rssAtEnd)} ` +
        `(${(((rssAtEnd - rssAfterWarmUp) / rssAfterWarmUp) * 100).toFixed(1)}%), RSS under load every 5 s: ${samples.map(mb).join(' ')}`,
    );
    // throughput depends on the machine (two shared cores here): only check that load happened
    expect(result.requests.total).toBeGreaterThan(LOAD_SECONDS * 2);
    expect({ errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, graphqlErrors: result.mismatches }).toEqual({
      errors: 0,
      timeouts: 0,
      non2xx: 0,
      graphqlErrors: 0,
    });
    expect(Math.abs(rssAtEnd - rssAfterWarmUp) / rssAfterWarmUp).toBeLessThanOrEqual(0.1);
    expect(server.child.exitCode).toBeNull();
  });
});
