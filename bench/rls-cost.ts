/**
 * What the row-level-security wall costs per request: the reviewer-page queries (an article's
 * claims, their verdicts and evidence, by ids) run N times in a transaction scoped like a request,
 * once as the app role (policies evaluated) and once as the owner (policies bypassed), interleaved.
 *
 *   npm run bench:rls            (DATABASE_URL's server, or the embedded Postgres)
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { openDatabase } from '../src/db/database';
import { createDataSource, runMigrations } from '../src/db/data-source';
import { APP_ROLE } from '../src/db/request-db';

const ITERATIONS = Number(process.env.RLS_BENCH_ITERATIONS ?? 2000);
const DATABASE = 'claimgraph_rls_bench';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('warn');
  const server = await openDatabase(config, log, { migrate: false });
  const serverUrl = (server.dataSource.options as { url: string }).url;
  await server.dataSource.destroy();
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${DATABASE}`;
  const dataSource = createDataSource({ url: url.toString(), poolSize: 2 });
  await dataSource.initialize();
  await runMigrations(dataSource);
  await dataSource.destroy();

  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(`
    INSERT INTO users (id, email, name) SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'u' || i || '@bench.test', 'User ' || i FROM generate_series(1, 4) i;
    INSERT INTO teams (id, slug, name) SELECT ('10000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'team-' || i, 'Team ' || i FROM generate_series(1, 2) i;
    INSERT INTO articles (id, team_id, title, created_by)
      SELECT ('20000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, ('10000000-0000-4000-8000-' || lpad((1 + i % 2)::text, 12, '0'))::uuid,
             'Article ' || i, '00000000-0000-4000-8000-000000000001' FROM generate_series(1, 1000) i;
    INSERT INTO article_revisions (team_id, article_id, number, body, body_sha256, created_by)
      SELECT team_id, id, 1, repeat('word ', 400), repeat('0', 64), created_by FROM articles;
    INSERT INTO claims (team_id, article_id, revision_id, position_start, position_end, quote_exact, kind, sourcing, created_by)
      SELECT a.team_id, a.id, r.id, c * 10, c * 10 + 5, 'word ', 'ASSERTION', 'UNSOURCED', a.created_by
      FROM articles a JOIN article_revisions r ON r.article_id = a.id CROSS JOIN generate_series(1, 40) c;
    INSERT INTO verdicts (team_id, claim_id, reviewer_id, rating, judged_revision, judged_quote)
      SELECT c.team_id, c.id, ('00000000-0000-4000-8000-' || lpad(v::text, 12, '0'))::uuid, 'TRUE', 1, c.quote_exact
      FROM claims c CROSS JOIN generate_series(1, 3) v;
    INSERT INTO evidence (team_id, claim_id, stance, url, created_by)
      SELECT team_id, id, 'SUPPORTS', 'https://e.example/' || id, created_by FROM claims;
    ANALYZE;`);
  const articles = (await client.query(`SELECT id, team_id FROM articles ORDER BY id`)).rows as { id: string; team_id: string }[];

  const page = async (withRole: boolean, article: { id: string; team_id: string }): Promise<number> => {
    const started = process.hrtime.bigint();
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(
      withRole
        ? `SELECT set_config('role', '${APP_ROLE}', true), set_config('claimgraph.user_id', $1, true), set_config('claimgraph.team_ids', $2, true)`
        : `SELECT set_config('claimgraph.user_id', $1, true), set_config('claimgraph.team_ids', $2, true)`,
      ['00000000-0000-4000-8000-000000000001', `{${article.team_id}}`],
    );
    const claims = await client.query(
      `SELECT * FROM claims t WHERE t.article_id = $1 AND t.team_id = ANY($2) AND t.deleted_at IS NULL ORDER BY t.position_start, t.id LIMIT 41`,
      [article.id, [article.team_id]],
    );
    const ids = claims.rows.map((row) => row.id);
    await client.query(`SELECT * FROM verdicts t WHERE t.claim_id = ANY($1) AND t.team_id = ANY($2) AND t.withdrawn_at IS NULL`, [ids, [article.team_id]]);
    await client.query(`SELECT * FROM evidence t WHERE t.claim_id = ANY($1) AND t.team_id = ANY($2) AND t.removed_at IS NULL`, [ids, [article.team_id]]);
    await client.query(`SELECT * FROM users WHERE id = ANY($1)`, [['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']]);
    await client.query('COMMIT');
    return Number(process.hrtime.bigint() - started) / 1000;
  };

  const timings: Record<'with' | 'without', number[]> = { with: [], without: [] };
  for (let index = 0; index < 200; index++) {
    await page(true, articles[index % articles.length]);
    await page(false, articles[index % articles.length]);
  }
  for (let index = 0; index < ITERATIONS; index++) {
    const article = articles[(index * 7919) % articles.length];
    // interleaved, so drift in machine load hits both sides alike
    timings.with.push(await page(true, article));
    timings.without.push(await page(false, article));
  }
  await client.end();
  const stats = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return {
      p50: sorted[Math.floor(sorted.length / 2)],
      p99: sorted[Math.floor(sorted.length * 0.99)],
      mean: values.reduce((a, b) => a + b, 0) / values.length,
    };
  };
  const withRls = stats(timings.with);
  const without = stats(timings.without);
  console.log(`reviewer page (40 claims, 120 verdicts, 40 evidence; 5 statements + BEGIN/COMMIT), ${ITERATIONS} requests each`);
  console.log(`  RLS on  (SET ROLE ${APP_ROLE}): p50 ${withRls.p50.toFixed(0)} µs, p99 ${withRls.p99.toFixed(0)} µs, mean ${withRls.mean.toFixed(0)} µs`);
  console.log(`  RLS off (owner, bypassed):       p50 ${without.p50.toFixed(0)} µs, p99 ${without.p99.toFixed(0)} µs, mean ${without.mean.toFixed(0)} µs`);
  console.log(`  cost of the wall: ${(withRls.mean - without.mean).toFixed(0)} µs per request (${((withRls.mean / without.mean - 1) * 100).toFixed(1)}%)`);
  const cleanup = new Client({ connectionString: serverUrl });
  await cleanup.connect();
  await cleanup.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await cleanup.end();
  await server.embedded?.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
