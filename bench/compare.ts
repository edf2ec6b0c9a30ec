import 'reflect-metadata';
import path from 'node:path';
import { toGlobalId } from '../src/shared/ids';
import { ARTICLE_PAGE } from './queries';
import { verdictReportQuery } from './optional';
import { buildClaimgraphSchema } from '../src/schema';
import { BENCH_DATABASE, benchPostgres, postmasterPid, withClient } from './postgres';
import { GroupCpuSampler, graphqlOk, load, ProcessSampler, type ProcessMemory } from './load';
import { buildServer, startChild, type ChildServer } from './processes';
import type { Credential } from './credentials';

/**
 * `npx tsx bench/compare.ts --a <tree> --b <tree> [--rounds 6] [--seconds 5] [--connections 16]
 *   [--a-env K=V,K=V] [--b-env ...] [--a-flags "..."] [--b-flags "..."]`
 *
 * A/B of the reviewer article page between two source trees (e.g. a copy with a change reverted),
 * on the bench data set (run `npm run bench` once first). The two servers run side by side and
 * take turns in short rounds, so both see the same machine: on a shared 2-core box, load from
 * elsewhere moves absolute figures by 2x within minutes, and only interleaved runs compare.
 * `--report`: the whole team's verdictReport (scenario (c)) instead of the page.
 */
function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const envOf = (value: string | undefined) =>
  Object.fromEntries(
    (value ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );

async function main(): Promise<void> {
  const rounds = Number(option('rounds') ?? 6);
  const seconds = Number(option('seconds') ?? 5);
  const connections = Number(option('connections') ?? 16);
  const postgres = await benchPostgres();
  const postmaster = await postmasterPid(postgres.url);
  const { articles, credentials } = await withClient(postgres.url, async (client) => {
    const reviewers = new Map<string, string[]>();
    for (const row of (
      await client.query(`
      SELECT m.user_id, t.slug FROM memberships m JOIN bench.teams t ON t.team_id = m.team_id WHERE m.role = 'REVIEWER'`)
    ).rows as { user_id: string; slug: string }[]) {
      reviewers.set(row.slug, [...(reviewers.get(row.slug) ?? []), row.user_id]);
    }
    const rows = (await client.query(`SELECT a.id, t.slug FROM articles a JOIN bench.teams t ON t.team_id = a.team_id WHERE t.claims_per_article = 40`))
      .rows as { id: string; slug: string }[];
    return { articles: rows, credentials: reviewers };
  });
  const stored = await withClient(
    postgres.url,
    async (client) => (await client.query(`SELECT value FROM bench.meta WHERE key = 'credentials'`)).rows[0].value as { credentials: Credential[] },
  );
  const byUser = new Map(stored.credentials.map((credential) => [credential.userId, credential]));
  // --report: the bench's scenario (c) request instead (the whole big team's verdictReport)
  const report = process.argv.includes('--report') ? verdictReportQuery(await buildClaimgraphSchema()) : null;
  if (report && 'unavailable' in report) throw new Error(report.unavailable);
  const mainTeam = report
    ? await withClient(
        postgres.url,
        async (client) => (await client.query(`SELECT team_id FROM bench.teams WHERE slug = 'bench-main'`)).rows[0].team_id as string,
      )
    : null;
  const request = () => {
    if (report && mainTeam) {
      const reviewers = credentials.get('bench-main')!;
      return {
        method: 'POST' as const,
        path: '/graphql',
        headers: byUser.get(reviewers[Math.floor(Math.random() * reviewers.length)])!.headers,
        body: JSON.stringify({ query: report.query, variables: { teamId: toGlobalId('Team', mainTeam) } }),
      };
    }
    const article = articles[Math.floor(Math.random() * articles.length)];
    const reviewers = credentials.get(article.slug)!;
    const credential = byUser.get(reviewers[Math.floor(Math.random() * reviewers.length)])!;
    return {
      method: 'POST' as const,
      path: '/graphql',
      headers: credential.headers,
      body: JSON.stringify({ query: ARTICLE_PAGE, variables: { id: toGlobalId('Article', article.id) } }),
    };
  };

  const sides: {
    label: string;
    server: ChildServer;
    requests: number;
    seconds: number;
    cpu: number;
    pgCpu: number;
    p50: number[];
    p99: number[];
    failures: number;
    idleRss: ProcessMemory[];
    peakRss: Map<number, ProcessMemory>;
  }[] = [];
  for (const side of ['a', 'b']) {
    const tree = path.resolve(option(side) ?? '.');
    const server = await startChild({
      name: `${side}:${tree}`,
      entry: buildServer(tree),
      cwd: tree,
      nodeFlags: (option(`${side}-flags`) ?? '').split(' ').filter(Boolean),
      env: {
        DATABASE_URL: postgres.url,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        CLAIMGRAPH_COUNT_SQL: 'true',
        WEBHOOK_WORKER: 'false',
        RATE_LIMIT_POINTS: '100000000',
        RATE_LIMIT_CONCURRENCY: '10000',
        ...envOf(option(`${side}-env`)),
      },
    });
    sides.push({
      label: `${side} (${tree}${option(`${side}-env`) ? ` ${option(`${side}-env`)}` : ''}${option(`${side}-flags`) ? ` ${option(`${side}-flags`)}` : ''})`,
      server,
      requests: 0,
      seconds: 0,
      cpu: 0,
      pgCpu: 0,
      p50: [],
      p99: [],
      failures: 0,
      idleRss: [],
      peakRss: new Map(),
    });
  }
  try {
    // both started: their resident memory before any request (a worker still starting grows for a while)
    await new Promise((resolve) => setTimeout(resolve, 5000));
    for (const side of sides) {
      side.idleRss = ProcessSampler.serverProcesses(side.server.pid).map((process) => ({ ...process, peakRssBytes: ProcessSampler.rssBytes(process.pid) }));
    }
    for (const side of sides) {
      for (const credential of byUser.values())
        await fetch(`${side.server.baseUrl}/graphql`, {
          method: 'POST',
          headers: { ...credential.headers, 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ viewer { id } }' }),
        });
      await load({ url: side.server.baseUrl, connections, durationSeconds: 3, next: request });
    }
    for (let round = 0; round < rounds; round++) {
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        const sampler = new ProcessSampler(side.server.pid);
        const pg = new GroupCpuSampler('postgres', BENCH_DATABASE, postmaster);
        pg.start();
        sampler.start();
        const result = await load({ url: side.server.baseUrl, connections, durationSeconds: seconds, next: request, verifyBody: graphqlOk });
        const { cpuSeconds, processes } = sampler.stop();
        side.pgCpu += pg.stop();
        side.cpu += cpuSeconds;
        for (const process of processes) {
          if ((side.peakRss.get(process.pid)?.peakRssBytes ?? 0) < process.peakRssBytes) side.peakRss.set(process.pid, process);
        }
        side.requests += result.requests;
        side.seconds += result.durationSeconds;
        side.p50.push(result.latencyP50);
        side.p99.push(result.latencyP99);
        side.failures += result.failures;
        console.log(`round ${round + 1} ${side.label.slice(0, 1)}: ${result.requestsPerSecond.toFixed(1)} req/s, p50 ${result.latencyP50} ms`);
      }
    }
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
    console.log('');
    for (const side of sides) {
      console.log(
        `${side.label}\n  ${(side.requests / side.seconds).toFixed(1)} req/s, median p50 ${median(side.p50)} ms, median p99 ${median(side.p99)} ms, ` +
          `server CPU ${((side.cpu * 1000) / side.requests).toFixed(2)} ms/req, Postgres CPU ${((side.pgCpu * 1000) / side.requests).toFixed(2)} ms/req, ${side.failures} failed\n` +
          `  RSS MB idle / peak: ${side.idleRss.map((process) => `${process.role} ${mb(process.peakRssBytes)} / ${mb(side.peakRss.get(process.pid)?.peakRssBytes ?? 0)}`).join(', ')}`,
      );
    }
  } finally {
    for (const side of sides) await side.server.stop();
    await postgres.stop();
  }
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
