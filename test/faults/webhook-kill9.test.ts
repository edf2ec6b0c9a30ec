import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { createDatabase, graphql, rawId, spawnServer, stopServer, type ChildServer, type TestDatabase } from './support/child-server';
import { WebhookReceiver } from '../support/webhook-receiver';

const OWNER = { 'x-claimgraph-user': 'owner@webhook-kill9.example' };

describe('kill -9 in the middle of a webhook delivery', () => {
  let database: TestDatabase;
  let server: ChildServer | null = null;
  const receiver = new WebhookReceiver();
  const env = (url: string) => ({
    DATABASE_URL: url,
    CLAIMGRAPH_DEV_AUTH: 'true',
    RATE_LIMIT_POINTS: '0',
    LOG_LEVEL: 'warn',
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOK_POLL_INTERVAL_MS: '50',
    WEBHOOK_TIMEOUT_MS: '1500',
    WEBHOOK_RETRY_BASE_MS: '100',
  });

  beforeAll(async () => {
    database = await createDatabase();
    await receiver.start();
  });
  afterAll(async () => {
    if (server) await stopServer(server, 'SIGKILL');
    await receiver.stop();
    await database?.drop();
  });

  it('sends the event again, with the same id, from the restarted server', async () => {
    server = await spawnServer(env(database.url));
    const team = await graphql(server.graphqlUrl, 'mutation { createTeam(input: { slug: "hooks", name: "Hook desk" }) { team { id } } }', {}, OWNER);
    const teamId = team.body.data.createTeam.team.id as string;
    const created = await graphql(
      server.graphqlUrl,
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
      {
        input: { teamId, url: receiver.url, eventTypes: ['ARTICLE_IMPORTED'] },
      },
      OWNER,
    );
    const { secret, endpoint } = created.body.data.createWebhookEndpoint;

    // the receiver takes the request and never answers: the server dies while it waits
    receiver.mode = 'hang';
    await graphql(
      server.graphqlUrl,
      'mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id } } }',
      {
        input: { teamId, title: 'Delivered twice', text: 'The mayor said the budget was $4.2 million.' },
      },
      OWNER,
    );
    await receiver.waitFor(() => receiver.hung.length === 1);
    const victim = server;
    process.kill(victim.pid, 'SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');

    receiver.mode = 'ok';
    server = await spawnServer(env(database.url));
    // the dead server's lease (2 x timeout + 5 s) runs out, then the new one delivers
    await receiver.waitFor(() => receiver.received.length === 1, 60_000);
    const [first] = receiver.hung;
    const [again] = receiver.received;
    expect(again.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(again.body).toBe(first.body);
    expect(new Webhook(secret).verify(again.body, again.headers)).toMatchObject({ type: 'article.imported' });

    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    try {
      const deadline = Date.now() + 10_000;
      let rows: { state: string; attempts: number }[] = [];
      do {
        rows = (await sql.query('SELECT state, attempts FROM webhook_deliveries WHERE endpoint_id = $1', [rawId(endpoint.id)])).rows;
        if (rows[0]?.state === 'DELIVERED') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      } while (Date.now() < deadline);
      // the killed attempt left no record; the one that got through did
      expect(rows).toEqual([{ state: 'DELIVERED', attempts: 1 }]);
    } finally {
      await sql.end();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received).toHaveLength(1);
  });
});
