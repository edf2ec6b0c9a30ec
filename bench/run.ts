import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { isDeepStrictEqual } from 'node:util';
import { createDataSource } from '../src/db/data-source';
import { buildClaimgraphSchema } from '../src/schema';
import { toGlobalId } from '../src/shared/ids';
import { benchLayout, generateDataset, type BenchUser } from './dataset';
import { seededRandom as random } from './random';
import { BENCH_DATABASE, benchDatabaseExists, benchPostgres, postmasterPid, recreateBenchDatabase, withClient } from './postgres';
import { createCredentials, type AuthMode, type Credential } from './credentials';
import { ARTICLE_PAGE, CLAIM_QUEUE, POSTGRAPHILE_ARTICLE_PAGE, SUBMIT_VERDICT, postGraphileAsClaimgraph } from './queries';
import { graphqlOk, GroupCpuSampler, load, ProcessSampler, type BenchRequest, type LoadResult, type ProcessMemory } from './load';
import { buildServer, ROOT, startChild, startScriptNodeFlags, type ChildServer } from './processes';
import { EXPORT_PATH, monthOf, verdictReportQuery } from './optional';
import { downloadCsv, findPsql, psqlCopy, sameFields, teamScope, type Transfer } from './export-copy';
import { memoryBudgets, writeReport, type BenchReport, type Budget, type ScenarioResult } from './report';

/**
 * `npm run bench [-- --scale 1m] [--duration 10] [--connections 16] [--only a,b] [--reuse] [--profile]`
 *
 * Builds the data set in its own database, starts the real server (authentication on, SQL
 * statement counting on) and the bare limit handler as child processes on 127.0.0.1, drives them
 * with autocannon, and writes bench/results/latest.{json,md}.
 */

const GENERATOR_VERSION = 'v1';
const SEED = 'claimgraph-bench-1';

interface Options {
  claims: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  poolSize: number;
  only: Set<string>;
  reuse: boolean;
  profile: boolean;
  readme: boolean;
  /** Extra flags for the server's Node (e.g. "--max-semi-space-size=64"), to try runtime settings. */
  nodeFlags: string[];
  /** Server processes (WEB_CONCURRENCY): one per core by default, as the README advises. */
  workers: number;
  /** (a): timed runs per side, the limit and claimgraph taking turns. */
  rounds: number;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
  };
  const scale = value('scale') ?? '40k';
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(scale);
  if (!match) throw new Error(`--scale takes a claim count such as 40k or 1m, got ${scale}`);
  const claims = Math.round(Number(match[1]) * ({ k: 1_000, m: 1_000_000, '': 1 } as Record<string, number>)[match[2].toLowerCase()]);
  return {
    claims,
    durationSeconds: Number(value('duration') ?? 10),
    warmupSeconds: Number(value('warmup') ?? 10),
    connections: Number(value('connections') ?? 16),
    poolSize: Number(value('pool') ?? process.env.DB_POOL_SIZE ?? 10),
    only: new Set((value('only') ?? 'a,b,c,d,e,f').split(',').map((item) => item.trim().toLowerCase())),
    reuse: argv.includes('--reuse'),
    profile: argv.includes('--profile'),
    readme: !argv.includes('--no-readme'),
    nodeFlags: (value('node-flags') ?? '').split(' ').filter(Boolean),
    workers: Number(value('workers') ?? os.availableParallelism()),
    rounds: Math.max(1, Number(value('rounds') ?? 3)),
  };
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/** The bench Postgres's postmaster: its backends are the ones whose CPU is counted (see postmasterPid). */
let postmaster: number | null = null;

interface Fixtures {
  teams: Map<string, { id: string; claims: number; verdicts: number; articles: number }>;
  users: BenchUser[];
  credentials: Map<string, Credential>;
  authMode: AuthMode;
}

async function prepareDataset(url: string, options: Options): Promise<{ fixtures: Fixtures; generatedSeconds: number | null }> {
  const layout = benchLayout(Math.round(options.claims / 40));
  const meta = { generator: GENERATOR_VERSION, seed: SEED, layout };
  let reuse = false;
  if (options.reuse && (await benchDatabaseExists(url))) {
    reuse = await withClient(url, async (client) => {
      const found = await client.query(`SELECT value FROM bench.meta WHERE key = 'dataset'`).catch(() => null);
      return !!found?.rows[0] && isDeepStrictEqual(found.rows[0].value, meta);
    });
  }
  let generatedSeconds: number | null = null;
  if (!reuse) {
    log(`building the data set: ${layout.map((team) => `${team.slug} ${team.articles} articles x ${team.claimsPerArticle} claims`).join(', ')}`);
    const started = performance.now();
    await recreateBenchDatabase(url);
    const { users } = await withClient(url, async (client) => {
      const generated = await generateDataset(client, { seed: SEED, teams: layout, evidencePerClaim: 2, verdictsPerClaim: 3, sourcesPerTeam: 200 }, log);
      log('  VACUUM ANALYZE');
      await client.query('VACUUM ANALYZE');
      return generated;
    });
    const dataSource = createDataSource({ url, poolSize: 2, applicationName: 'claimgraph-bench' });
    await dataSource.initialize();
    const { mode, credentials } = await createCredentials(dataSource, users).finally(() => dataSource.destroy());
    await withClient(url, async (client) => {
      await client.query(`CREATE TABLE bench.meta (key text PRIMARY KEY, value jsonb NOT NULL)`);
      await client.query(`INSERT INTO bench.meta VALUES ('dataset', $1), ('credentials', $2)`, [JSON.stringify(meta), JSON.stringify({ mode, credentials })]);
    });
    generatedSeconds = (performance.now() - started) / 1000;
    log(`  data set ready in ${generatedSeconds.toFixed(0)} s (${mode === 'token' ? 'API tokens created through AuthService' : 'development header auth'})`);
  } else {
    log('reusing the existing bench data set (--reuse)');
  }
  const fixtures = await withClient(url, async (client) => {
    const teams = new Map(
      (
        await client.query(`
        SELECT t.slug, t.team_id AS id, t.articles,
               (SELECT count(*) FROM claims c WHERE c.team_id = t.team_id)::int AS claims,
               (SELECT count(*) FROM verdicts v WHERE v.team_id = t.team_id)::int AS verdicts
          FROM bench.teams t`)
      ).rows.map((row) => [row.slug as string, row]),
    );
    const users = (
      await client.query(`
      SELECT u.id, u.email, m.role, t.slug AS "teamSlug"
        FROM bench.teams t JOIN memberships m ON m.team_id = t.team_id JOIN users u ON u.id = m.user_id
       ORDER BY t.ordinal, u.email`)
    ).rows as BenchUser[];
    const stored = (await client.query(`SELECT value FROM bench.meta WHERE key = 'credentials'`)).rows[0].value as {
      mode: AuthMode;
      credentials: Credential[];
    };
    return { teams, users, credentials: new Map(stored.credentials.map((credential) => [credential.userId, credential])), authMode: stored.mode };
  });
  return { fixtures, generatedSeconds };
}

async function post(baseUrl: string, request: BenchRequest): Promise<{ status: number; body: string }> {
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: { ...request.headers, ...(request.body ? { 'content-type': 'application/json' } : {}) },
    body: request.body,
  });
  return { status: response.status, body: await response.text() };
}

/** One request, alone, with the statements the server sent for it (the difference of its totals). */
async function countedPost(server: ChildServer, request: BenchRequest): Promise<{ status: number; body: string; statements: number }> {
  const before = await statementTotal(server);
  const response = await post(server.baseUrl, request);
  return { ...response, statements: (await statementTotal(server)) - before };
}

function graphql(query: string, variables: Record<string, unknown>, credential: Credential): BenchRequest {
  return { method: 'POST', path: '/graphql', headers: credential.headers, body: JSON.stringify({ query, variables }) };
}

async function statementTotal(server: ChildServer): Promise<number> {
  const response = await fetch(`${server.baseUrl}/debug/sql-statements`);
  return ((await response.json()) as { total: number }).total;
}

/** Waits until the server has sent no statement for 300 ms; returns its statement total. */
async function settle(server: ChildServer): Promise<number | null> {
  let last = await statementTotal(server).catch(() => null);
  for (let attempt = 0; attempt < 100 && last !== null; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = await statementTotal(server);
    if (now === last) break;
    last = now;
  }
  return last;
}

/** Runs a load against the server with sampling of its memory/CPU and its SQL statement total. */
async function measure(server: ChildServer, run: () => Promise<LoadResult>): Promise<ScenarioResult> {
  const sampler = new ProcessSampler(server.pid);
  const before = await statementTotal(server).catch(() => null);
  const postgres = new GroupCpuSampler('postgres', BENCH_DATABASE, postmaster);
  postgres.start();
  sampler.start();
  const result = await run();
  const { peakRssBytes, cpuSeconds, processes } = sampler.stop();
  const postgresCpu = postgres.stop();
  // requests still in flight when the load stopped finish now; later counts must not see them
  const after = await settle(server);
  return {
    ...result,
    peakRssBytes,
    processes,
    cpuMsPerRequest: result.requests ? (cpuSeconds * 1000) / result.requests : null,
    postgresCpuMsPerRequest: result.requests ? (postgresCpu * 1000) / result.requests : null,
    sqlPerRequestInRun: before !== null && after !== null && result.requests ? (after - before) / result.requests : null,
  };
}

/**
 * Statements per request, in the steady state: each request is sent three times (`sends`; a
 * write, which cannot be repeated, once) and counts its fewest. (A worker looks a bearer token up
 * once per AUTH_CACHE_TTL_MS, and records its last_used_at once a minute: with two workers, three
 * sends put at least two on one of them.)
 */
async function precheck(server: ChildServer, requests: BenchRequest[], ok: (body: string) => boolean, sends = 3): Promise<{ min: number; max: number }> {
  let min = Infinity;
  let max = -Infinity;
  for (const request of requests) {
    let fewest = Infinity;
    for (let send = 0; send < sends; send++) {
      const response = await countedPost(server, request);
      if (response.status !== 200 || !ok(response.body)) {
        throw new Error(`${server.name}: ${request.path} answered ${response.status} ${response.body.slice(0, 500)}`);
      }
      fewest = Math.min(fewest, response.statements);
    }
    min = Math.min(min, fewest);
    max = Math.max(max, fewest);
  }
  return { min, max };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  // Read before anything of the bench's own runs: at the end it reports the bench's load.
  const loadAverageAtStart = os.loadavg()[0];
  const postgres = await benchPostgres();
  postmaster = await postmasterPid(postgres.url);
  log(`claimgraph bench: ${options.claims.toLocaleString('en')} claims on ${postgres.description}`);
  const children: ChildServer[] = [];
  try {
    const { fixtures, generatedSeconds } = await prepareDataset(postgres.url, options);
    const pgVersion = await withClient(postgres.url, async (client: Client) => (await client.query('SHOW server_version')).rows[0].server_version as string);
    const pick = random(42);
    const choose = <T>(items: T[]): T => items[Math.floor(pick() * items.length)];
    const team = (slug: string) => fixtures.teams.get(slug)!;
    const credentialOf = (userId: string) => fixtures.credentials.get(userId)!;
    const membersOf = (slug: string, role: BenchUser['role']) => fixtures.users.filter((user) => user.teamSlug === slug && user.role === role);

    const serverEnv = {
      DATABASE_URL: postgres.url,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      CLAIMGRAPH_COUNT_SQL: 'true',
      WEBHOOK_WORKER: 'false',
      DB_POOL_SIZE: String(options.poolSize),
      WEB_CONCURRENCY: String(options.workers),
      // The per-caller rate limiter stays on (its cost is part of every request), with a budget no
      // bench caller exhausts: a dozen reviewers sending thousands of requests a minute is the
      // load generator's doing, not a desk's.
      RATE_LIMIT_POINTS: '100000000',
      RATE_LIMIT_CONCURRENCY: '10000',
      ...(fixtures.authMode === 'dev-header' ? { NODE_ENV: 'development', CLAIMGRAPH_DEV_AUTH: 'true' } : {}),
    };
    const profileDir = path.join(ROOT, 'bench/results/profiles');
    // what `npm start` runs: the compiled server
    const serverEntry = buildServer();
    const startServer = (label: string) => {
      if (options.profile) fs.mkdirSync(profileDir, { recursive: true });
      return startChild({
        name: 'claimgraph',
        entry: serverEntry,
        env: serverEnv,
        nodeFlags: [
          ...startScriptNodeFlags(),
          ...options.nodeFlags,
          ...(options.profile ? ['--cpu-prof', '--cpu-prof-dir', path.join(profileDir, `server-${label}-${Date.now()}`)] : []),
        ],
        stopTimeoutMs: options.profile ? 180_000 : 15_000,
      });
    };
    // A token's first use in a minute also records last_used_at (one more statement, sent after
    // the response): use each once, so the statement counts of the checks below are the requests' own.
    const warmCredentials = async (target: ChildServer) => {
      for (const credential of fixtures.credentials.values()) await post(target.baseUrl, graphql('{ viewer { id } }', {}, credential));
      await new Promise((resolve) => setTimeout(resolve, 200));
    };
    let server = await startServer(`${[...options.only].join('')}`);
    children.push(server);
    const idleMemory = await idleProcessMemory(server, options.workers);
    log(`idle: ${idleMemory.map((process) => `${process.role} ${mb(process.peakRssBytes)} MB`).join(', ')}`);
    await warmCredentials(server);
    const scenarios: Record<string, unknown> = {};
    const budgets: Budget[] = [];
    const loadOptions = { connections: options.connections, durationSeconds: options.durationSeconds };

    // ---- (a) the reviewer article page, and its limit ----
    if (options.only.has('a')) {
      log('\n(a) reviewer article page');
      const articles = await withClient(
        postgres.url,
        async (client) =>
          (
            await client.query(`
        SELECT a.id, t.slug, t.claims_per_article AS claims FROM articles a JOIN bench.teams t ON t.team_id = a.team_id ORDER BY a.id`)
          ).rows as { id: string; slug: string; claims: number }[],
      );
      const pageArticles = articles.filter((article) => article.claims === 40);
      const reviewersBySlug = new Map([...fixtures.teams.keys()].map((slug) => [slug, membersOf(slug, 'REVIEWER').map((user) => credentialOf(user.id))]));
      const pageRequest = (article: { id: string; slug: string }) =>
        graphql(ARTICLE_PAGE, { id: toGlobalId('Article', article.id) }, choose(reviewersBySlug.get(article.slug)!));
      const limitRequest = (article: { id: string }): BenchRequest => ({
        method: 'POST',
        path: '/article',
        headers: {},
        body: JSON.stringify({ id: article.id }),
      });

      const limit = await startChild({
        name: 'limit',
        entry: 'bench/limit-server.ts',
        env: { DATABASE_URL: postgres.url, DB_POOL_SIZE: String(options.poolSize) },
      });
      children.push(limit);
      // PostGraphile 5 in as many processes as claimgraph, each with the same pool size
      installPostGraphile();
      const postgraphile = await startChild({
        name: 'postgraphile',
        entry: 'bench/postgraphile/server.ts',
        env: { DATABASE_URL: postgres.url, DB_POOL_SIZE: String(options.poolSize), WORKERS: String(options.workers), NODE_ENV: 'production' },
      });
      children.push(postgraphile);
      const postGraphileRequest = (article: { id: string }): BenchRequest => ({
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: POSTGRAPHILE_ARTICLE_PAGE, variables: { id: article.id } }),
      });
      // Like with like: for the same article all three must answer the same JSON (PostGraphile's
      // mapped onto claimgraph's names and encodings).
      for (const article of [pageArticles[0], choose(pageArticles), choose(pageArticles)]) {
        const fromServer = JSON.parse((await post(server.baseUrl, pageRequest(article))).body) as unknown;
        const fromLimit = JSON.parse((await post(limit.baseUrl, limitRequest(article))).body) as unknown;
        if (!isDeepStrictEqual(fromServer, fromLimit)) {
          throw new Error(
            `the limit's answer differs from the server's for article ${article.id}:\n${JSON.stringify(fromServer).slice(0, 800)}\n${JSON.stringify(fromLimit).slice(0, 800)}`,
          );
        }
        // both workers: each builds its schema on start, and /healthz answered with the first
        for (let attempt = 0; attempt < 2; attempt++) {
          const answer = await post(postgraphile.baseUrl, postGraphileRequest(article));
          const fromPostGraphile =
            answer.status === 200 && graphqlOk(answer.body) ? postGraphileAsClaimgraph(JSON.parse(answer.body)) : answer.body.slice(0, 800);
          if (!isDeepStrictEqual(fromServer, fromPostGraphile)) {
            throw new Error(
              `PostGraphile's answer differs from the server's for article ${article.id}:\n${JSON.stringify(fromServer).slice(0, 800)}\n${JSON.stringify(fromPostGraphile).slice(0, 800)}`,
            );
          }
        }
      }
      const sample = Array.from({ length: 20 }, () => pageRequest(choose(pageArticles)));
      const statements = await precheck(server, sample, graphqlOk);
      const short = articles.find((article) => article.claims === 4)!;
      const shortStatements = await precheck(server, [pageRequest(short)], graphqlOk);
      log(
        `  SQL statements per request: ${statements.min === statements.max ? statements.min : `${statements.min}-${statements.max}`} (40 claims), ${shortStatements.min} (4 claims); answers equal to the limit's`,
      );

      // json_build_object prints `{"data" : {"article" : {`
      const limitOk = (body: string) => /^\{"data" ?: ?\{"article" ?: ?\{/.test(body);
      const runServer = () =>
        measure(server, () => load({ url: server.baseUrl, ...loadOptions, next: () => pageRequest(choose(pageArticles)), verifyBody: graphqlOk }));
      const runLimit = () =>
        measure(limit, () => load({ url: limit.baseUrl, ...loadOptions, next: () => limitRequest(choose(pageArticles)), verifyBody: limitOk }));
      const runPostGraphile = () =>
        measure(postgraphile, () =>
          load({ url: postgraphile.baseUrl, ...loadOptions, next: () => postGraphileRequest(choose(pageArticles)), verifyBody: graphqlOk }),
        );
      if (options.warmupSeconds > 0) {
        await load({ url: limit.baseUrl, ...loadOptions, durationSeconds: options.warmupSeconds, next: () => limitRequest(choose(pageArticles)) });
        await load({ url: server.baseUrl, ...loadOptions, durationSeconds: options.warmupSeconds, next: () => pageRequest(choose(pageArticles)) });
        await load({
          url: postgraphile.baseUrl,
          ...loadOptions,
          durationSeconds: options.warmupSeconds,
          next: () => postGraphileRequest(choose(pageArticles)),
        });
      }
      // Interleaved rounds: the machine's speed drifts by tens of percent within minutes (other
      // tenants), so the two sides take turns and each figure sums all of its rounds.
      const limitRounds: ScenarioResult[] = [];
      const serverRounds: ScenarioResult[] = [];
      const postGraphileRounds: ScenarioResult[] = [];
      for (let round = 1; round <= options.rounds; round++) {
        limitRounds.push(await runLimit());
        serverRounds.push(await runServer());
        postGraphileRounds.push(await runPostGraphile());
        if (options.rounds > 1) {
          log(
            `  round ${round}: limit ${limitRounds[round - 1].requestsPerSecond.toFixed(0)} req/s, claimgraph ${serverRounds[round - 1].requestsPerSecond.toFixed(0)} req/s, ` +
              `PostGraphile ${postGraphileRounds[round - 1].requestsPerSecond.toFixed(0)} req/s`,
          );
        }
      }
      const limitResult = combineRounds(limitRounds);
      const serverResult = combineRounds(serverRounds);
      const postGraphileResult = combineRounds(postGraphileRounds);
      log(`  limit:        ${summary(limitResult)}`);
      log(`  claimgraph:   ${summary(serverResult)}`);
      log(`  PostGraphile: ${summary(postGraphileResult)}`);
      await limit.stop();
      await postgraphile.stop();
      const ratio = {
        requestsPerSecond: serverResult.requestsPerSecond / limitResult.requestsPerSecond,
        latencyP50: serverResult.latencyP50 / limitResult.latencyP50,
        latencyP99: serverResult.latencyP99 / limitResult.latencyP99,
        peakRss: serverResult.peakRssBytes / limitResult.peakRssBytes,
        cpuPerRequest: serverResult.cpuMsPerRequest! / limitResult.cpuMsPerRequest!,
      };
      scenarios.a = {
        server: { ...serverResult, sqlPerRequest: statements },
        limit: { ...limitResult, sqlPerRequest: { min: 1, max: 1 } },
        postgraphile: { ...postGraphileResult, workers: options.workers },
        ratio,
        postGraphileRatio: serverResult.requestsPerSecond / postGraphileResult.requestsPerSecond,
        shortArticleSql: shortStatements.min,
      };
      budgets.push({
        id: 'a-throughput',
        text: '(a) requests/s at least 0.8x the limit',
        pass: serverResult.failures === 0 && ratio.requestsPerSecond >= 0.8,
        detail: `${ratio.requestsPerSecond.toFixed(2)}x (${serverResult.requestsPerSecond.toFixed(0)} vs ${limitResult.requestsPerSecond.toFixed(0)} req/s${serverResult.failures ? `, ${serverResult.failures} failed requests` : ''})`,
      });
      budgets.push({
        id: 'a-postgraphile',
        text: `(a) requests/s at least 1.5x PostGraphile 5 in ${options.workers} processes (same data, answers checked equal)`,
        pass: serverResult.failures === 0 && postGraphileResult.failures === 0 && serverResult.requestsPerSecond >= 1.5 * postGraphileResult.requestsPerSecond,
        detail: `${(serverResult.requestsPerSecond / postGraphileResult.requestsPerSecond).toFixed(2)}x (${serverResult.requestsPerSecond.toFixed(0)} vs ${postGraphileResult.requestsPerSecond.toFixed(0)} req/s${postGraphileResult.failures ? `, PostGraphile ${postGraphileResult.failures} failed requests` : ''})`,
      });
      budgets.push({
        id: 'a-sql-constant',
        text: '(a) SQL statements per request constant in claims and reviewers',
        pass: statements.min === statements.max && shortStatements.min === statements.min,
        detail: `${statements.min === statements.max ? statements.min : `${statements.min}-${statements.max}`} for 40-claim articles, ${shortStatements.min} for a 4-claim article`,
      });
    }

    // ---- (b) the claim queue at 10k claims and at the big team's size ----
    if (options.only.has('b')) {
      log('\n(b) claim queue: status DISPUTED, sourcing ANONYMOUS/UNSOURCED, newest first, 50 a page through 2,000 claims');
      const results: Record<string, unknown> = {};
      const p99: Record<string, number> = {};
      for (const slug of ['bench-10k', 'bench-main']) {
        const { id, claims } = team(slug);
        const teamId = toGlobalId('Team', id);
        const reviewers = membersOf(slug, 'REVIEWER').map((user) => credentialOf(user.id));
        // Walk the 40 pages once, in order, checking each, to learn the cursors the load then picks from.
        const cursors: (string | null)[] = [null];
        let min = Infinity;
        let max = -Infinity;
        for (let page = 0; page < 40; page++) {
          const response = await countedPost(server, graphql(CLAIM_QUEUE, { teamId, after: cursors[page] }, reviewers[0]));
          const body = JSON.parse(response.body) as { data?: { claims: { edges: unknown[]; pageInfo: { endCursor: string } } }; errors?: unknown };
          if (!graphqlOk(response.body) || body.data!.claims.edges.length !== 50) {
            throw new Error(`claim queue page ${page + 1} of ${slug}: ${response.body.slice(0, 300)}`);
          }
          cursors.push(body.data!.claims.pageInfo.endCursor);
          min = Math.min(min, response.statements);
          max = Math.max(max, response.statements);
        }
        cursors.pop();
        const queue = {
          url: server.baseUrl,
          ...loadOptions,
          next: () => graphql(CLAIM_QUEUE, { teamId, after: choose(cursors) }, choose(reviewers)),
          verifyBody: graphqlOk,
        };
        // as for (a): the same load first, untimed, so both sizes are measured warm
        if (options.warmupSeconds > 0) await load({ ...queue, durationSeconds: options.warmupSeconds });
        const result = await measure(server, () => load(queue));
        log(`  ${slug} (${claims.toLocaleString('en')} claims): ${summary(result)}`);
        results[slug] = { ...result, claims, sqlPerRequest: { min, max } };
        p99[slug] = result.latencyP99;
      }
      scenarios.b = results;
      const big = team('bench-main').claims;
      budgets.push({
        id: 'b-p99-flat',
        text: `(b) p99 at ${compact(big)} claims within 1.5x of p99 at 10k`,
        pass: p99['bench-main'] <= 1.5 * p99['bench-10k'],
        detail: `${p99['bench-main']} ms vs ${p99['bench-10k']} ms (${(p99['bench-main'] / p99['bench-10k']).toFixed(2)}x)`,
      });
    }

    // ---- (c) verdictReport aggregates: the whole big team, and a month of its articles ----
    if (options.only.has('c')) {
      log('\n(c) verdictReport for the big team, and filtered to a month of its articles');
      const report = verdictReportQuery(await buildClaimgraphSchema());
      if ('unavailable' in report) {
        log(`  skipped: ${report.unavailable}`);
        scenarios.c = { skipped: report.unavailable };
      } else {
        const slug = 'bench-main';
        const teamId = toGlobalId('Team', team(slug).id);
        const owner = credentialOf(membersOf(slug, 'OWNER')[0].id);
        const month = await withClient(postgres.url, (client) => monthOf(client, team(slug).id));
        const variants = {
          team: { query: report.query, variables: { teamId }, bound: 100, text: `the whole team (${team(slug).claims.toLocaleString('en')} claims)` },
          month: {
            query: report.monthQuery,
            variables: { teamId, from: month.from.toISOString(), to: month.to.toISOString() },
            bound: 200,
            text: `a month of its articles (${month.articles.toLocaleString('en')} of ${team(slug).articles.toLocaleString('en')})`,
          },
        };
        const results: Record<string, unknown> = {};
        for (const [name, variant] of Object.entries(variants)) {
          const request = () => graphql(variant.query, variant.variables, owner);
          const statements = await precheck(server, [request()], graphqlOk, 1);
          const first = await post(server.baseUrl, request());
          const totalCount = (JSON.parse(first.body) as { data: { verdictReport: { totalCount?: number } } }).data.verdictReport.totalCount ?? null;
          if (options.warmupSeconds > 0)
            await load({ url: server.baseUrl, ...loadOptions, durationSeconds: options.warmupSeconds, next: request, verifyBody: graphqlOk });
          const result = await measure(server, () => load({ url: server.baseUrl, ...loadOptions, next: request, verifyBody: graphqlOk }));
          log(`  ${name}, ${variant.text}, ${totalCount?.toLocaleString('en')} claims in the report: ${summary(result)}`);
          results[name] = { ...result, sqlPerRequest: statements, team: slug, claims: totalCount, variables: variant.variables, note: variant.text };
          budgets.push({
            id: `c-${name}-p99`,
            text: `(c) verdictReport for ${variant.text}: p99 at most ${variant.bound} ms under ${options.connections} connections`,
            pass: result.latencyP99 <= variant.bound && result.failures === 0,
            detail: `p99 ${result.latencyP99} ms, p50 ${result.latencyP50} ms, ${result.requestsPerSecond.toFixed(0)} req/s, ${result.failures} failed`,
          });
        }
        scenarios.c = { ...results, query: report.query, monthQuery: report.monthQuery };
      }
    }

    // ---- (d) submitVerdict with expectedVersion ----
    if (options.only.has('d')) {
      log('\n(d) submitVerdict revising a verdict with expectedVersion');
      const targets = await withClient(
        postgres.url,
        async (client) =>
          (
            await client.query(
              `
        SELECT v.id, v.claim_id, v.reviewer_id, v.version, v.rating FROM verdicts v
         WHERE v.team_id = $1 AND v.withdrawn_at IS NULL ORDER BY bench.h(v.id::text) LIMIT 20000`,
              [team('bench-main').id],
            )
          ).rows as { id: string; claim_id: string; reviewer_id: string; version: number; rating: string }[],
      );
      const scale = ['FALSE', 'MOSTLY_FALSE', 'MIXED', 'MOSTLY_TRUE', 'TRUE'];
      const busy = new Set<number>();
      let written = 0;
      const next = () => {
        let index = Math.floor(pick() * targets.length);
        while (busy.has(index)) index = (index + 1) % targets.length;
        busy.add(index);
        const target = targets[index];
        // step to a neighbouring rating and back: statuses move as they do in a real review
        const position = scale.indexOf(target.rating);
        const rating = position < 0 ? 'MIXED' : scale[position === 4 ? 3 : position + (pick() < 0.5 && position > 0 ? -1 : 1)];
        return {
          ...graphql(
            SUBMIT_VERDICT,
            {
              input: { claimId: toGlobalId('Claim', target.claim_id), rating, rationale: 'Re-checked for the benchmark.', expectedVersion: target.version },
            },
            credentialOf(target.reviewer_id),
          ),
          onDone: (status: number, body: string) => {
            busy.delete(index);
            if (status !== 200 || !graphqlOk(body)) return;
            const verdict = (JSON.parse(body) as { data: { submitVerdict: { verdict: { version: number; rating: string } } } }).data.submitVerdict.verdict;
            target.version = verdict.version;
            target.rating = verdict.rating;
            written++;
          },
        };
      };
      const countRevisions = () =>
        withClient(postgres.url, async (client) =>
          Number((await client.query(`SELECT count(*) FROM history_events WHERE action = 'REVISE' AND entity_type = 'Verdict'`)).rows[0].count),
        );
      const statements = await precheck(
        server,
        [0, 1, 2].map(() => {
          const request = next();
          return { ...request, onDone: undefined };
        }),
        graphqlOk,
        1,
      ).finally(() => busy.clear());
      // the precheck's writes changed versions: reload them
      await withClient(postgres.url, async (client) => {
        const rows = (await client.query(`SELECT id, version, rating FROM verdicts WHERE id = ANY($1)`, [targets.map((target) => target.id)])).rows as {
          id: string;
          version: number;
          rating: string;
        }[];
        const byId = new Map(rows.map((row) => [row.id, row]));
        for (const target of targets) Object.assign(target, { version: byId.get(target.id)!.version, rating: byId.get(target.id)!.rating });
      });
      // as for (a): the same load first, untimed (it moves the versions along as the timed run does)
      if (options.warmupSeconds > 0) await load({ url: server.baseUrl, ...loadOptions, durationSeconds: options.warmupSeconds, next, verifyBody: graphqlOk });
      written = 0;
      const revisionsBefore = await countRevisions();
      const result = await measure(server, () => load({ url: server.baseUrl, ...loadOptions, next, verifyBody: graphqlOk }));
      const revisionsAfter = await countRevisions();
      log(`  ${summary(result)}; history REVISE events +${revisionsAfter - revisionsBefore} for ${written} acknowledged writes`);
      scenarios.d = { ...result, sqlPerRequest: statements, acknowledgedWrites: written, historyEvents: revisionsAfter - revisionsBefore };
      budgets.push({
        id: 'd-writes',
        text: '(d) at least 300 verdict writes/s, each with its history event',
        pass: result.requestsPerSecond >= 300 && result.failures === 0 && revisionsAfter - revisionsBefore >= written,
        detail: `${result.requestsPerSecond.toFixed(0)} writes/s, ${result.failures} failed, ${revisionsAfter - revisionsBefore} history events for ${written} acknowledged writes`,
      });
    }

    /**
     * (e) against its yardstick: the team's CSV download and psql's \copy of the same rows (see
     * bench/export-copy.ts), taking turns, `rounds` times each, after an untimed pair checked equal
     * field by field. Throughput in records/s (the download's file is a little longer: BOM, CR).
     */
    const versusPsql = async (slug: string): Promise<Record<string, unknown>> => {
      const psql = findPsql();
      if (!psql) {
        log('  psql \\copy comparison skipped: no psql on PATH (set PSQL)');
        budgets.push({
          id: 'e-copy-pace',
          text: `(e) CSV download of ${slug} at >= 0.9x psql \\copy of the same rows`,
          pass: false,
          detail: 'no psql to compare with',
        });
        return { skipped: 'no psql on PATH' };
      }
      const scope = teamScope(team(slug).id, slug);
      const url = `${server.baseUrl}${EXPORT_PATH(toGlobalId('Team', team(slug).id))}`;
      const ownerId = membersOf(slug, 'OWNER')[0].id;
      const ours: Transfer[] = [];
      const theirs: Transfer[] = [];
      // Fields compared on an untimed pass of each first: keeping and parsing the files would
      // otherwise cost the timed rounds (memory, then collecting gigabytes of strings at 1M).
      const check = await sameFields(
        (await downloadCsv(url, credentialOf(ownerId).headers, server.pid, true)).body!,
        (await psqlCopy(psql, postgres.url, scope, ownerId, true)).body!,
      );
      for (let round = 0; round < options.rounds; round++) {
        const download = () => downloadCsv(url, credentialOf(ownerId).headers, server.pid, false).then((transfer) => ours.push(transfer));
        const copy = () => psqlCopy(psql, postgres.url, scope, ownerId, false).then((transfer) => theirs.push(transfer));
        if (round % 2) await copy().then(download);
        else await download().then(copy);
      }
      const total = (transfers: Transfer[]) => {
        const seconds = transfers.reduce((sum, transfer) => sum + transfer.seconds, 0);
        const records = transfers.reduce((sum, transfer) => sum + transfer.records, 0);
        const bytes = transfers.reduce((sum, transfer) => sum + transfer.bytes, 0);
        return {
          records: transfers[0].records,
          rounds: transfers.length,
          seconds: transfers.map((transfer) => transfer.seconds),
          recordsPerSecond: records / seconds,
          megabytesPerSecond: bytes / 1e6 / seconds,
          peakRssBytes: Math.max(...transfers.map((transfer) => transfer.peakRssBytes)),
        };
      };
      const perSecond = (value: number) => Math.round(value).toLocaleString('en');
      const claimgraph = total(ours);
      const copy = total(theirs);
      const ratio = claimgraph.recordsPerSecond / copy.recordsPerSecond;
      log(
        `  ${slug}, download vs psql \\copy (${options.rounds} each, taking turns): ${perSecond(claimgraph.recordsPerSecond)} vs ${perSecond(copy.recordsPerSecond)} records/s ` +
          `(${claimgraph.megabytesPerSecond.toFixed(1)} vs ${copy.megabytesPerSecond.toFixed(1)} MB/s) = ${ratio.toFixed(2)}x; ` +
          `peak RSS: server process tree ${mb(claimgraph.peakRssBytes)} MB, psql ${mb(copy.peakRssBytes)} MB; ${check.detail}`,
      );
      budgets.push({
        id: 'e-copy-pace',
        text: `(e) CSV download of ${slug} at >= 0.9x psql \\copy of the same rows (records/s), fields equal`,
        pass: ratio >= 0.9 && check.equal,
        detail: `${ratio.toFixed(2)}x: ${perSecond(claimgraph.recordsPerSecond)} vs ${perSecond(copy.recordsPerSecond)} records/s (${claimgraph.megabytesPerSecond.toFixed(1)} vs ${copy.megabytesPerSecond.toFixed(1)} MB/s); ${check.detail}`,
      });
      return { claimgraph, psql: copy, ratio, fields: check };
    };

    // ---- (e) the CSV export, small and large ----
    if (options.only.has('e')) {
      log('\n(e) CSV export of verdict rows');
      // A fresh server: its memory before the export is not what earlier scenarios left behind.
      await server.stop();
      server = await startServer('e');
      children.push(server);
      await warmCredentials(server);
      const owner = (slug: string) => credentialOf(membersOf(slug, 'OWNER')[0].id);
      const probe = await fetch(`${server.baseUrl}${EXPORT_PATH(toGlobalId('Team', team('bench-export').id))}`, { headers: owner('bench-export').headers });
      await probe.body?.cancel();
      if (probe.status === 404) {
        log('  skipped: not available yet (GET /exports/verdicts.csv answers 404)');
        scenarios.e = { skipped: 'not available yet (GET /exports/verdicts.csv answers 404)' };
      } else {
        const results: Record<string, unknown> = {};
        for (const [slug, repeats] of [
          ['bench-export', 10],
          ['bench-main', 2],
        ] as const) {
          const sampler = new ProcessSampler(server.pid);
          const before = await statementTotal(server);
          sampler.start();
          const latencies: number[] = [];
          let rows = 0;
          let bytes = 0;
          for (let index = 0; index < repeats; index++) {
            const started = performance.now();
            const response = await fetch(`${server.baseUrl}${EXPORT_PATH(toGlobalId('Team', team(slug).id))}`, { headers: owner(slug).headers });
            if (response.status !== 200) throw new Error(`export of ${slug}: ${response.status} ${(await response.text()).slice(0, 300)}`);
            // Records, not line feeds: a quoted cell (an evidence URL list, a rationale) may hold
            // line feeds. RFC 4180 escapes a quote by doubling it, so toggling on every quote
            // byte leaves "inside a quoted cell" exact.
            rows = 0;
            let quoted = false;
            for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
              bytes += chunk.length;
              for (const byte of chunk) {
                if (byte === 34) quoted = !quoted;
                else if (byte === 10 && !quoted) rows++;
              }
            }
            latencies.push(performance.now() - started);
          }
          const { peakRssBytes, cpuSeconds } = sampler.stop();
          const after = await statementTotal(server);
          latencies.sort((x, y) => x - y);
          const result = {
            rows: rows - 1,
            requests: repeats,
            seconds: latencies.reduce((sum, value) => sum + value, 0) / repeats / 1000,
            latencyP50: latencies[Math.floor(repeats / 2)],
            latencyMax: latencies[repeats - 1],
            megabytesPerSecond: bytes / 1e6 / (latencies.reduce((sum, value) => sum + value, 0) / 1000),
            peakRssBytes,
            cpuMsPerRequest: (cpuSeconds * 1000) / repeats,
            sqlPerRequestInRun: (after - before) / repeats,
          };
          log(
            `  ${slug}: ${result.rows.toLocaleString('en')} rows in ${result.seconds.toFixed(2)} s, peak RSS ${mb(peakRssBytes)} MB, ${result.sqlPerRequestInRun} SQL statements`,
          );
          results[slug] = result;
        }
        scenarios.e = results;
        scenarios.eVersusPsql = await versusPsql('bench-main');
        const small = results['bench-export'] as { peakRssBytes: number; rows: number };
        const large = results['bench-main'] as { peakRssBytes: number; rows: number };
        budgets.push({
          id: 'e-rss-flat',
          text: `(e) peak RSS exporting ${compact(large.rows)} rows within 1.5x of ${compact(small.rows)} rows`,
          pass: large.peakRssBytes <= 1.5 * small.peakRssBytes,
          detail: `${mb(large.peakRssBytes)} MB vs ${mb(small.peakRssBytes)} MB`,
        });
      }
    }

    // ---- (f) one 1 MB plain-text importArticle (issue 14) ----
    if (options.only.has('f')) {
      log('\n(f) importArticle of 1 MB plain text');
      const text = megabyteOfArticles();
      // bench-short: no other scenario reads its articles or claims, so the imported claims change no other figure
      const editor = credentialOf(membersOf('bench-short', 'EDITOR')[0].id);
      const variables = {
        i: {
          teamId: toGlobalId('Team', team('bench-short').id),
          title: `Bench import ${new Date().toISOString()}`,
          content: text,
          format: 'TEXT',
          allowDuplicate: true,
        },
      };
      const started = performance.now();
      const response = await post(server.baseUrl, graphql(IMPORT_ARTICLE, variables, editor));
      const seconds = (performance.now() - started) / 1000;
      const body = JSON.parse(response.body) as { data?: { importArticle: { claims: unknown[] } }; errors?: unknown[] };
      if (response.status !== 200 || body.errors || !body.data) throw new Error(`(f) import failed: ${response.status} ${response.body.slice(0, 500)}`);
      const claims = body.data.importArticle.claims.length;
      scenarios.f = { bytes: Buffer.byteLength(text), claims, seconds };
      log(`  ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB, ${claims} claims in ${seconds.toFixed(1)} s`);
      budgets.push({
        id: 'f-import-1mb',
        text: '(f) a 1 MB plain-text importArticle finishes in under 10 s',
        pass: seconds < 10,
        detail: `${seconds.toFixed(1)} s for ${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB, ${claims} claims`,
      });
    }

    const underArticlePage = (scenarios.a as { server?: ScenarioResult } | undefined)?.server?.processes ?? null;
    const memory = { idle: idleMemory, underArticlePage };
    budgets.push(...memoryBudgets(memory));

    const report: BenchReport = {
      startedAt: startedAt.toISOString(),
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        postgres: pgVersion,
        loadAverageAtStart,
      },
      settings: { ...options, only: [...options.only], authMode: fixtures.authMode, postgres: postgres.description },
      dataset: {
        claims: [...fixtures.teams.values()].reduce((sum, value) => sum + value.claims, 0),
        verdicts: [...fixtures.teams.values()].reduce((sum, value) => sum + value.verdicts, 0),
        teams: Object.fromEntries(fixtures.teams),
        generatedSeconds,
      },
      scenarios,
      memory,
      budgets,
    };
    const markdown = writeReport(report, { readme: options.readme, partial: ['a', 'b', 'c', 'd', 'e', 'f'].some((scenario) => !options.only.has(scenario)) });
    log(`\n${markdown}`);
    for (const budget of budgets) log(`${budget.pass ? 'PASS' : 'FAIL'} ${budget.text}: ${budget.detail}`);
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
    await postgres.stop();
  }
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

function compact(value: number): string {
  return value >= 1_000_000 ? `${(value / 1_000_000).toFixed(value % 1_000_000 ? 2 : 0)}M` : value >= 1000 ? `${Math.round(value / 1000)}k` : String(value);
}

/**
 * Rounds of one side as one result: requests/s and CPU per request over all rounds together, the
 * peak RSS of any round, and the median round's latency percentiles (autocannon gives percentiles
 * per run, not histograms to merge).
 */
function combineRounds(rounds: ScenarioResult[]): ScenarioResult {
  if (rounds.length === 1) return rounds[0];
  const requests = rounds.reduce((sum, round) => sum + round.requests, 0);
  const durationSeconds = rounds.reduce((sum, round) => sum + round.durationSeconds, 0);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const perRequest = (pick: (round: ScenarioResult) => number | null): number | null => {
    if (rounds.some((round) => pick(round) === null) || requests === 0) return null;
    return rounds.reduce((sum, round) => sum + pick(round)! * round.requests, 0) / requests;
  };
  return {
    requests,
    durationSeconds,
    requestsPerSecond: requests / durationSeconds,
    latencyP50: median(rounds.map((round) => round.latencyP50)),
    latencyP99: median(rounds.map((round) => round.latencyP99)),
    latencyMean: rounds.reduce((sum, round) => sum + round.latencyMean * round.requests, 0) / Math.max(1, requests),
    failures: rounds.reduce((sum, round) => sum + round.failures, 0),
    bytesPerSecond: rounds.reduce((sum, round) => sum + round.bytesPerSecond * round.durationSeconds, 0) / durationSeconds,
    peakRssBytes: Math.max(...rounds.map((round) => round.peakRssBytes)),
    processes: peakPerProcess(rounds.flatMap((round) => round.processes ?? [])),
    cpuMsPerRequest: perRequest((round) => round.cpuMsPerRequest),
    postgresCpuMsPerRequest: perRequest((round) => round.postgresCpuMsPerRequest),
    sqlPerRequestInRun: perRequest((round) => round.sqlPerRequestInRun),
  };
}

/** Each process's highest peak over several samplings. */
function peakPerProcess(samples: ProcessMemory[]): ProcessMemory[] {
  const byPid = new Map<number, ProcessMemory>();
  for (const sample of samples) {
    const seen = byPid.get(sample.pid);
    if (!seen || sample.peakRssBytes > seen.peakRssBytes) byPid.set(sample.pid, sample);
  }
  return [...byPid.values()];
}

/**
 * Resident memory of each of the server's processes once it serves and nothing asks anything of
 * it: when every worker is up and no process's RSS moved by more than 1 MB for two seconds
 * (a worker still starting up grows for a while after the first one answers /healthz).
 */
async function idleProcessMemory(server: ChildServer, workers: number): Promise<ProcessMemory[]> {
  const deadline = Date.now() + 30_000;
  let previous = new Map<number, number>();
  let stableSince = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const processes = ProcessSampler.serverProcesses(server.pid).map((process) => ({ ...process, peakRssBytes: ProcessSampler.rssBytes(process.pid) }));
    const expected = workers > 1 ? workers + 1 : 1;
    const moved = processes.length !== expected || processes.some((process) => Math.abs(process.peakRssBytes - (previous.get(process.pid) ?? 0)) > 2 ** 20);
    if (moved) stableSince = Date.now();
    previous = new Map(processes.map((process) => [process.pid, process.peakRssBytes]));
    if (Date.now() - stableSince >= 2000 || Date.now() > deadline) return processes;
  }
}

function summary(result: ScenarioResult): string {
  return (
    `${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latencyP50} ms, p99 ${result.latencyP99} ms, ` +
    `${result.sqlPerRequestInRun?.toFixed(1) ?? '?'} SQL/req, peak RSS ${mb(result.peakRssBytes)} MB, ` +
    `${result.cpuMsPerRequest?.toFixed(2) ?? '?'} CPU ms/req (Postgres ${result.postgresCpuMsPerRequest?.toFixed(2) ?? '?'})${result.failures ? `, ${result.failures} FAILED` : ''}`
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

const IMPORT_ARTICLE = 'mutation($i: ImportArticleInput!) { importArticle(input: $i) { article { id } claims { id } } }';

/** 1,000,000 bytes of real news text: the repository's labelled articles, one after another, over again. */
function megabyteOfArticles(): string {
  const directory = path.join(__dirname, '..', 'test', 'fixtures');
  const texts = fs
    .readdirSync(path.join(directory, 'articles'))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => (JSON.parse(fs.readFileSync(path.join(directory, 'articles', file), 'utf8')) as { text: string }).text.trim());
  texts.push(fs.readFileSync(path.join(directory, 'kursk-monument.txt'), 'utf8').trim());
  let text = '';
  while (Buffer.byteLength(text) < 1_000_000) for (const article of texts) text += `${article}\n\n`;
  // cut at a paragraph boundary just under the megabyte
  return text.slice(0, text.lastIndexOf('\n\n', 1_000_000)).trim();
}

/**
 * PostGraphile is the bench's own package (bench/postgraphile/package.json, its lockfile pinned):
 * installed there on first use, so the project's install stays free of its Node 22 engine warnings.
 */
function installPostGraphile(): void {
  const directory = path.join(ROOT, 'bench', 'postgraphile');
  if (fs.existsSync(path.join(directory, 'node_modules', 'postgraphile', 'package.json'))) return;
  log('  installing PostGraphile into bench/postgraphile (npm ci, once)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: directory, stdio: 'inherit' });
}
