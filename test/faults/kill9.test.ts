import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { createDatabase, graphql, rawId, sleep, spawnServer, stopServer, type ChildServer, type TestDatabase } from './support/child-server';

const EDITOR = { 'x-claimgraph-user': 'editor@kill9.example' };
const CREATE_SOURCE = 'mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id name } } }';
const CREATE_ARTICLE = 'mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id title } revision { id } } }';

interface Acknowledged {
  kind: 'source' | 'article';
  id: string;
  label: string;
}

describe('kill -9 during a stream of mutations', () => {
  let database: TestDatabase;
  let server: ChildServer | null = null;
  const env = (url: string) => ({ DATABASE_URL: url, CLAIMGRAPH_DEV_AUTH: 'true', RATE_LIMIT_POINTS: '0', LOG_LEVEL: 'warn' });

  beforeAll(async () => {
    database = await createDatabase();
  });
  afterAll(async () => {
    if (server) await stopServer(server, 'SIGKILL');
    await database?.drop();
  });

  it('keeps every acknowledged mutation with its history event, and nothing half-written, over three kills', async () => {
    server = await spawnServer(env(database.url));
    const team = await graphql(server.graphqlUrl, 'mutation { createTeam(input: { slug: "kill9", name: "Kill desk" }) { team { id } } }', {}, EDITOR);
    const teamId = team.body.data.createTeam.team.id as string;
    const acknowledged: Acknowledged[] = [];
    let cutOff = 0;
    const refused: unknown[] = [];

    for (let round = 0; round < 3; round++) {
      const target = server;
      let running = true;
      const writer = async (worker: number) => {
        for (let sequence = 0; running; sequence++) {
          const label = `r${round}-w${worker}-${sequence}`;
          const article = sequence % 3 === 0;
          try {
            const answer = article
              ? await graphql(
                  target.graphqlUrl,
                  CREATE_ARTICLE,
                  { input: { teamId, title: label, text: `Text of ${label}. The mayor said the budget was $4.2 million.` } },
                  EDITOR,
                )
              : await graphql(target.graphqlUrl, CREATE_SOURCE, { input: { teamId, kind: 'PERSON', name: label } }, EDITOR);
            const payload = article ? answer.body?.data?.createArticle?.article : answer.body?.data?.createSource?.source;
            if (answer.status === 200 && !answer.body.errors && payload) acknowledged.push({ kind: article ? 'article' : 'source', id: payload.id, label });
            else refused.push(answer.body);
          } catch {
            // the connection was cut by the kill: not acknowledged, may or may not have committed
            cutOff++;
            return;
          }
        }
      };
      const before = acknowledged.length;
      const writers = Array.from({ length: 6 }, (_, worker) => writer(worker));
      while (acknowledged.length - before < 60) await sleep(10);
      process.kill(target.pid, 'SIGKILL');
      running = false;
      await Promise.all(writers);
      expect((await target.exited).signal).toBe('SIGKILL');
      server = await spawnServer(env(database.url));
    }

    expect(acknowledged.length).toBeGreaterThanOrEqual(180);
    // a request either got its answer or lost its connection to the kill; none was refused
    expect(refused).toEqual([]);
    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    try {
      const sourceIds = acknowledged.filter((entry) => entry.kind === 'source').map((entry) => rawId(entry.id));
      const articleIds = acknowledged.filter((entry) => entry.kind === 'article').map((entry) => rawId(entry.id));
      const sources = await sql.query<{ id: string; name: string; events: number }>(
        `SELECT s.id, s.name, (SELECT count(*)::int FROM history_events h WHERE h.entity_id = s.id AND h.entity_type = 'Source' AND h.action = 'CREATE') AS events
           FROM sources s WHERE s.id = ANY($1::uuid[])`,
        [sourceIds],
      );
      expect(sources.rowCount).toBe(sourceIds.length);
      for (const row of sources.rows) expect(row.events).toBe(1);
      const articles = await sql.query<{ id: string; revisions: number; events: number }>(
        `SELECT a.id,
                (SELECT count(*)::int FROM article_revisions r WHERE r.article_id = a.id) AS revisions,
                (SELECT count(*)::int FROM history_events h WHERE h.entity_id = a.id AND h.entity_type = 'Article') AS events
           FROM articles a WHERE a.id = ANY($1::uuid[])`,
        [articleIds],
      );
      expect(articles.rowCount).toBe(articleIds.length);
      for (const row of articles.rows) {
        expect(row.revisions).toBe(1);
        expect(row.events).toBeGreaterThanOrEqual(1);
      }
      // Nothing half-written anywhere, acknowledged or not: every row has its event, every event its row.
      const orphans = await sql.query<{ kind: string; count: number }>(`
        SELECT 'source without event' AS kind, count(*)::int FROM sources s WHERE NOT EXISTS (SELECT 1 FROM history_events h WHERE h.entity_id = s.id)
        UNION ALL SELECT 'article without revision', count(*)::int FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_revisions r WHERE r.article_id = a.id)
        UNION ALL SELECT 'article without event', count(*)::int FROM articles a WHERE NOT EXISTS (SELECT 1 FROM history_events h WHERE h.entity_id = a.id)
        UNION ALL SELECT 'event without source', count(*)::int FROM history_events h WHERE h.entity_type = 'Source' AND NOT EXISTS (SELECT 1 FROM sources s WHERE s.id = h.entity_id)
        UNION ALL SELECT 'event without article', count(*)::int FROM history_events h WHERE h.entity_type = 'Article' AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = h.entity_id)`);
      expect(Object.fromEntries(orphans.rows.map((row) => [row.kind, row.count]))).toEqual({
        'source without event': 0,
        'article without revision': 0,
        'article without event': 0,
        'event without source': 0,
        'event without article': 0,
      });
    } finally {
      await sql.end();
    }
    // and the restarted server serves them
    const listed = await graphql(server.graphqlUrl, `query($teamId: ID) { sources(teamId: $teamId, first: 1) { totalCount } }`, { teamId }, EDITOR);
    expect(listed.body.data.sources.totalCount).toBeGreaterThanOrEqual(acknowledged.filter((entry) => entry.kind === 'source').length);
    expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);
    console.info(`kill -9: ${acknowledged.length} acknowledged mutations kept over 3 kills (${cutOff} cut off in flight)`);
  });
});
