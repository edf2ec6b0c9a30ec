import 'reflect-metadata';
import pino from 'pino';
import { Client } from 'pg';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { buildClaimgraphSchema } from '../src/schema';
import { createServer } from '../src/server';
import { enableStatementCounting, type RecordedStatement } from '../src/db/statement-counter';
import { replayable } from '../src/db/request-db';
import { toGlobalId } from '../src/shared/ids';
import { ARTICLE_PAGE, CLAIM_QUEUE, SUBMIT_VERDICT } from './queries';
import { monthOf, verdictReportQuery } from './optional';
import { BENCH_DATABASE, benchPostgres, postmasterPid, withClient } from './postgres';
import { GroupCpuSampler } from './load';
import { startProfiler } from './profiler';

/**
 * `npx tsx bench/explain.ts [a|b|c|month|d] [repeat]` (month: (c) filtered to bench-main's month, chosen as bench/run.ts chooses it): times `repeat` sequential requests in process (server and Postgres backend CPU), then runs one request of a scenario through an in-process server on
 * the bench data set, records every statement it sends, and prints EXPLAIN ANALYZE of each, run
 * as the request ran it (role claimgraph_app, the caller's teams, a read-only snapshot).
 */
async function main(): Promise<void> {
  const scenario = process.argv[2] ?? 'a';
  const postgres = await benchPostgres();
  const postmaster = await postmasterPid(postgres.url);
  const counter = enableStatementCounting();
  const dataSource = createDataSource({ url: postgres.url, poolSize: 2 });
  await dataSource.initialize();
  // GRAPHQL_SQL=false / GRAPHQL_JIT=false: the same request on the resolvers, for comparison
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: postgres.url,
    GRAPHQL_SQL: process.env.GRAPHQL_SQL ?? 'true',
    GRAPHQL_JIT: process.env.GRAPHQL_JIT ?? 'true',
  });
  const server = await createServer({ config, dataSource, schema: await buildClaimgraphSchema(), log: pino({ level: 'silent' }) });
  const { article, team, reviewer } = await withClient(
    postgres.url,
    async (client) =>
      (
        await client.query(
          `
    SELECT (SELECT a.id FROM articles a WHERE a.team_id = t.team_id ORDER BY a.id LIMIT 1) AS article, t.team_id AS team,
           (SELECT m.user_id FROM memberships m WHERE m.team_id = t.team_id AND m.role = 'REVIEWER' LIMIT 1) AS reviewer
      FROM bench.teams t WHERE t.slug = $1`,
          [scenario === 'b' || scenario === 'c' || scenario === 'month' ? 'bench-main' : 'bench-10k'],
        )
      ).rows[0],
  );
  const actor = await server.authenticator.actorFor(reviewer, 'bench');
  const run = (query: string, variables: Record<string, unknown>) =>
    server.apollo.executeOperation({ query, variables }, { contextValue: server.contextFor(actor) });
  let after: string | null = null;
  if (scenario === 'b') {
    // 20 pages deep: the cursor condition is what keyset pagination must serve from the index
    for (let page = 0; page < 20; page++) {
      const response = await run(CLAIM_QUEUE, { teamId: toGlobalId('Team', team), after });
      after = (response.body as unknown as { singleResult: { data: { claims: { pageInfo: { endCursor: string } } } } }).singleResult.data.claims.pageInfo
        .endCursor;
    }
  }
  // (d): the reviewer revises one of their verdicts, with the version they last saw
  const verdict = await withClient(
    postgres.url,
    async (client) =>
      (await client.query(`SELECT id, claim_id, version FROM verdicts WHERE reviewer_id = $1 AND withdrawn_at IS NULL ORDER BY id LIMIT 1`, [reviewer]))
        .rows[0] as { id: string; claim_id: string; version: number },
  );
  const ratings = ['TRUE', 'MOSTLY_TRUE'];
  const submitVariables = () => ({
    input: { claimId: toGlobalId('Claim', verdict.claim_id), rating: ratings[verdict.version % 2], expectedVersion: verdict.version, rationale: 'Re-checked.' },
  });
  const report = verdictReportQuery(await buildClaimgraphSchema());
  if ((scenario === 'c' || scenario === 'month') && 'unavailable' in report) throw new Error(report.unavailable);
  const month = scenario === 'month' ? await withClient(postgres.url, (client) => monthOf(client, team)) : null;
  const [query, variables] =
    scenario === 'b'
      ? [CLAIM_QUEUE, { teamId: toGlobalId('Team', team), after }]
      : scenario === 'c'
        ? [(report as { query: string }).query, { teamId: toGlobalId('Team', team) }]
        : month
          ? [(report as { monthQuery: string }).monthQuery, { teamId: toGlobalId('Team', team), from: month.from.toISOString(), to: month.to.toISOString() }]
          : scenario === 'd'
            ? [SUBMIT_VERDICT, submitVariables()]
            : [ARTICLE_PAGE, { id: toGlobalId('Article', article) }];
  const runScenario = async () => {
    const response = await run(query, scenario === 'd' ? submitVariables() : variables);
    const result = (response.body as unknown as { singleResult: { data?: { submitVerdict?: { verdict: { version: number } } }; errors?: unknown[] } })
      .singleResult;
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    if (scenario === 'd') verdict.version = result.data!.submitVerdict!.verdict.version;
  };
  await runScenario();
  const repeat = Number(process.argv[3] ?? 0);
  if (repeat > 0) {
    // sequential requests: wall time and this process's CPU per request (server work only, no HTTP)
    const profiler = process.env.BENCH_PROFILE ? await startProfiler() : null;
    // and the CPU of the data set's Postgres backends (a local server: their /proc entries)
    const backends = new GroupCpuSampler('postgres', BENCH_DATABASE, postmaster);
    backends.start();
    const cpu = process.cpuUsage();
    const wall = performance.now();
    for (let index = 0; index < repeat; index++) await runScenario();
    const used = process.cpuUsage(cpu);
    const postgresMs = (backends.stop() * 1000) / repeat;
    if (profiler) console.log(`profile: ${await profiler.stop(process.env.BENCH_PROFILE!)}`);
    console.log(
      `${repeat} sequential requests: ${((performance.now() - wall) / repeat).toFixed(2)} ms wall, ${((used.user + used.system) / 1000 / repeat).toFixed(2)} ms CPU per request, Postgres ${postgresMs.toFixed(2)} ms`,
    );
  }
  const statements: RecordedStatement[] = [];
  const stop = counter.record((statement) => statements.push(statement));
  let started = performance.now();
  await runScenario();
  console.log(`one request: ${(performance.now() - started).toFixed(1)} ms, ${statements.length} statements`);
  stop();
  const client = new Client({ connectionString: postgres.url });
  await client.connect();
  // Replayed in one transaction that is rolled back, as the request ran them: EXPLAIN ANALYZE
  // executes each statement, so later ones see what earlier ones did. Twice, printing the second
  // pass: the first pays this connection's one-time costs (catalog caches, plpgsql compilation,
  // foreign-key check plans) that a pooled server connection has long paid.
  const replay = async (print: (line: string) => void) => {
    let planning = 0;
    let execution = 0;
    await client.query('BEGIN');
    // (d): the verdict back at the version the request saw, or the replayed write would conflict
    if (scenario === 'd') await client.query('UPDATE verdicts SET version = $1 WHERE id = $2', [verdict.version - 1, verdict.id]);
    await client.query(
      `SELECT set_config('role', 'claimgraph_app', true), set_config('claimgraph.user_id', $1, true), set_config('claimgraph.team_ids', $2, true)`,
      [reviewer, `{${actor.teamIds.join(',')}}`],
    );
    // a one-round-trip mutation or read (BEGIN; scope; statement; COMMIT) is replayed statement by
    // statement, an EXECUTE after the PREPARE it needs
    const replayed = statements.flatMap(replayable);
    for (const statement of replayed) {
      if (statement.prepare) await client.query(`${statement.prepare.replace(/^PREPARE (\w+) AS[\s\S]*$/, 'DEALLOCATE ALL')}; ${statement.prepare}`);
      if (/^\s*(START TRANSACTION|BEGIN|COMMIT|SET TRANSACTION)/i.test(statement.text)) {
        print(`\n-- ${statement.text.slice(0, 100)}`);
        continue;
      }
      if (!/^\s*(SELECT|WITH|UPDATE|INSERT|DELETE|EXECUTE)/i.test(statement.text) || /set_config/.test(statement.text)) {
        await client.query(statement.text, statement.values);
        print(`\n-- ${statement.text.slice(0, 100)}`);
        continue;
      }
      started = performance.now();
      const plan = (await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, statement.values)).rows.map((row) => row['QUERY PLAN'] as string);
      planning += Number(/Planning Time: ([\d.]+)/.exec(plan.join('\n'))?.[1] ?? 0);
      execution += Number(/Execution Time: ([\d.]+)/.exec(plan.join('\n'))?.[1] ?? 0);
      print(`\n-- ${(performance.now() - started).toFixed(1)} ms: ${statement.text.replace(/\s+/g, ' ').slice(0, 300)}`);
      print(plan.join('\n'));
    }
    await client.query('ROLLBACK');
    print(`\n${statements.length} round trips; Postgres planning ${planning.toFixed(2)} ms, execution ${execution.toFixed(2)} ms (EXPLAIN ANALYZE)`);
  };
  await replay(() => undefined);
  await replay((line) => console.log(line));
  await client.end();
  await server.stop();
  await dataSource.destroy();
  await postgres.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
