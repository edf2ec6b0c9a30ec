import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../bench/processes';
import { createDatabase, graphql, sleep, spawnServer, stopServer, type ChildServer, type TestDatabase } from './support/child-server';

const PAGE = `query Page($articleId: ID!) { article(id: $articleId) { title claims(first: 20) { nodes { id quote status verdicts(first: 5) { nodes { rating } } } } } }`;
const IMPORT = 'mutation($i: ImportArticleInput!) { importArticle(input: $i) { article { id } claims { id } } }';
const SENTENCE = 'The council approved a budget of $4.2 million on Tuesday, Mayor Ana Ruiz said, and the figures were checked.';

/**
 * One editor imports a pathological document: 20,000 levels of nested spans around ~500 KB of
 * text. HTML-to-text, extraction and anchoring run in worker threads, so while it is processed the
 * server keeps answering everyone else at its usual speed.
 */
describe('a pathological import', () => {
  let database: TestDatabase;
  let server: ChildServer;

  beforeAll(async () => {
    database = await createDatabase();
    // the compiled server, as npm start runs it: its worker threads load the compiled tasks
    buildServer();
    server = await spawnServer({ DATABASE_URL: database.url, CLAIMGRAPH_DEV_AUTH: 'true', RATE_LIMIT_POINTS: '0' }, { compiled: true });
  });
  afterAll(async () => {
    if (server) await stopServer(server);
    await database?.drop();
  });

  it("leaves /healthz and a reviewer's article page answering within 100 ms", async () => {
    const editor = { 'x-claimgraph-user': 'editor@stall.example' };
    const reviewer = { 'x-claimgraph-user': 'reviewer@stall.example' };
    const teamId = (await graphql(server.graphqlUrl, 'mutation { createTeam(input: { slug: "stall", name: "Stall desk" }) { team { id } } }', {}, editor)).body
      .data.createTeam.team.id as string;
    const page = await graphql(
      server.graphqlUrl,
      IMPORT,
      { i: { teamId, title: 'Budget', content: `${SENTENCE} Unemployment fell to 3.1% last year, the lowest since 1999.`, format: 'TEXT' } },
      editor,
    );
    const articleId = page.body.data.importArticle.article.id as string;
    // the reviewer joins the team (directly in the database: membership is not what is tested here)
    await graphql(server.graphqlUrl, '{ viewer { id } }', {}, reviewer);
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(
      `INSERT INTO memberships (team_id, user_id, role)
      SELECT $1::uuid, id, 'REVIEWER' FROM users WHERE email = 'reviewer@stall.example'`,
      [Buffer.from(teamId, 'base64url').toString('utf8').split(':')[1]],
    );
    await admin.end();
    const read = () => graphql(server.graphqlUrl, PAGE, { articleId }, reviewer);
    expect((await read()).body.data.article.claims.nodes.length).toBeGreaterThan(0);

    const baseline: number[] = [];
    for (let probe = 0; probe < 20; probe++) {
      const at = performance.now();
      await read();
      baseline.push(performance.now() - at);
      await sleep(25);
    }

    const levels = 20_000;
    // text the extraction must read through but finds few claims in, so the import's time is CPU, not inserts
    const paragraphs = `<p>${SENTENCE}</p>${'<p>People walked along the river in the evening and talked about the weather with their neighbours.</p>'.repeat(5_000)}`;
    const html = `<html><body>${'<span>'.repeat(levels)}${paragraphs}${'</span>'.repeat(levels)}</body></html>`;
    let done = false;
    const started = performance.now();
    const pathological = graphql(server.graphqlUrl, IMPORT, { i: { teamId, title: 'Deep', content: html, format: 'HTML' } }, editor, 120_000).finally(() => {
      done = true;
    });

    const health: number[] = [];
    const pages: number[] = [];
    while (!done) {
      let at = performance.now();
      const healthz = await fetch(`${server.baseUrl}/healthz`);
      health.push(performance.now() - at);
      expect(healthz.status).toBe(200);
      at = performance.now();
      const answer = await read();
      pages.push(performance.now() - at);
      expect(answer.body.errors).toBeUndefined();
      await sleep(25);
    }
    const imported = await pathological;
    const importMs = performance.now() - started;
    const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.9)];
    console.info(
      `import of ${html.length} bytes nested ${levels} deep: ${importMs.toFixed(0)} ms; meanwhile ${health.length} /healthz ` +
        `(p90 ${p90(health).toFixed(1)}, max ${Math.max(...health).toFixed(1)} ms) and article pages (p90 ${p90(pages).toFixed(1)}, max ${Math.max(...pages).toFixed(1)} ms; before the import p90 ${p90(baseline).toFixed(1)} ms)`,
    );
    expect(imported.body.errors).toBeUndefined();
    expect(imported.body.data.importArticle.claims.length).toBeGreaterThan(0);
    // the import was long enough for the probes to mean something
    expect(health.length).toBeGreaterThanOrEqual(5);
    // The bound: /healthz and the reviewer's page answer within 100 ms (nine in ten) while
    // the import runs. The page's own time before the import is in the message, so a failure on a
    // machine too loaded to serve the page in 100 ms even alone says so, rather than being excused.
    const figures = `during the import p90 ${p90(pages).toFixed(1)} ms; before it, alone, p90 ${p90(baseline).toFixed(1)} ms (max ${Math.max(...baseline).toFixed(1)})`;
    expect(p90(health), `/healthz p90; article page ${figures}`).toBeLessThan(100);
    expect(p90(pages), `article page ${figures}`).toBeLessThan(100);
    expect(Math.max(...health, ...pages)).toBeLessThan(1000);
  });
});
