import net from 'node:net';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from './support/app';
import { createArticle, createClaim, createDesk, type Desk } from './support/desk';
import pg from 'pg';
import { EventHub } from '../src/modules/live/event-hub';

const root = path.resolve(__dirname, '..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface Subscription {
  received: Record<string, any>[];
  errors: unknown[];
  completed: boolean;
  dispose(): void;
}

function subscribe(client: Client, query: string, variables: Record<string, unknown>): Subscription {
  const subscription: Subscription = { received: [], errors: [], completed: false, dispose: () => undefined };
  subscription.dispose = client.subscribe(
    { query, variables },
    {
      next: (value) => subscription.received.push(value as Record<string, any>),
      error: (error) => subscription.errors.push(error),
      complete: () => {
        subscription.completed = true;
      },
    },
  );
  return subscription;
}

const CLAIM_CHANGED = `subscription($articleId: ID!) {
  claimChanged(articleId: $articleId) { event { action actor { id } before after } claim { id status version disputedReason article { id } } }
}`;
const VERDICT_CHANGED = `subscription($claimId: ID, $articleId: ID) {
  verdictChanged(claimId: $claimId, articleId: $articleId) { event { action } verdict { rating version reviewer { name } } claim { id status } }
}`;
const TEAM_ACTIVITY = `subscription($teamId: ID!) { teamActivity(teamId: $teamId) { id action entityType entityNodeId } }`;

/**
 * Two claimgraph processes on one database: subscribers on this test's in-process server, writes
 * through a second server running as a child process. Only Postgres connects them.
 */
describe('live updates across instances', () => {
  let app: TestApp;
  let child: ChildProcess | null = null;
  let childLog = '';
  let wsUrl: string;
  let otherUrl: string;
  let deskA: Desk;
  let deskB: Desk;
  let articleA: string;
  let claimA: { id: string; version: number };
  const clients: Client[] = [];

  const connect = (user: TestUser, extra: Record<string, unknown> = {}): Client => {
    // mixed-case keys on purpose: connection parameters are read like HTTP headers
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
      connectionParams: { 'X-Claimgraph-User': user.email, ...extra },
    });
    clients.push(client);
    return client;
  };

  /** A GraphQL request to the OTHER process, over HTTP, as `user`. */
  const remote = async (user: TestUser, query: string, variables: Record<string, unknown>) => {
    const response = await fetch(otherUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-claimgraph-user': user.email },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
    if (body.errors) throw new Error(`remote errors: ${JSON.stringify(body.errors)}`);
    return body.data!;
  };

  beforeAll(async () => {
    app = await createTestApp({ env: { CLAIMGRAPH_DEV_AUTH: 'true' } });
    wsUrl = `${(await app.listen()).replace('http', 'ws')}/graphql`;
    deskA = await createDesk(app, { quorum: 2 });
    deskB = await createDesk(app, { quorum: 2 });
    articleA = (await createArticle(app, deskA)).id;
    claimA = await createClaim(app, deskA, articleA, 'Unemployment fell to 3.1% last year');

    const port = await freePort();
    otherUrl = `http://127.0.0.1:${port}/graphql`;
    // The same entry point as `npx tsx src/main.ts`, in one process (no npx/tsx wrapper to outlive it).
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: app.databaseUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        CLAIMGRAPH_DEV_AUTH: 'true',
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (childLog += chunk));
    child.stderr!.on('data', (chunk) => (childLog += chunk));
    await until(
      async () => {
        if (child!.exitCode !== null) throw new Error(`second server exited: ${childLog}`);
        try {
          return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
        } catch {
          return false;
        }
      },
      'the second server to start',
      90_000,
    );
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await app?.close();
  });

  it("delivers a change made through the other process, scoped to the subscriber's team", { timeout: 60_000 }, async () => {
    const hub = app.server.live.hub;
    const claimSub = subscribe(connect(deskA.viewer), CLAIM_CHANGED, { articleId: articleA });
    const verdictSub = subscribe(connect(deskA.viewer), VERDICT_CHANGED, { claimId: claimA.id });
    const activityA = subscribe(connect(deskA.viewer), TEAM_ACTIVITY, { teamId: deskA.teamId });
    const activityB = subscribe(connect(deskB.viewer), TEAM_ACTIVITY, { teamId: deskB.teamId });
    // team B's members cannot even start watching team A
    const peekArticle = subscribe(connect(deskB.editor), CLAIM_CHANGED, { articleId: articleA });
    const peekTeam = subscribe(connect(deskB.editor), TEAM_ACTIVITY, { teamId: deskA.teamId });
    await until(() => peekArticle.completed && peekTeam.completed, 'the refused subscriptions');
    expect(peekArticle.received).toEqual([{ errors: [expect.objectContaining({ message: 'Article not found', extensions: { code: 'NOT_FOUND' } })] }]);
    expect(peekTeam.received).toEqual([{ errors: [expect.objectContaining({ message: 'Team not found', extensions: { code: 'NOT_FOUND' } })] }]);
    // all four are live once their streams have their starting snapshots
    await until(() => hub.subscriberCount === 4 && hub.isListening, 'the subscriptions to be live');

    await remote(deskA.reviewer, `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }`, {
      input: { claimId: claimA.id, rating: 'MOSTLY_TRUE' },
    });
    await until(() => verdictSub.received.length >= 1 && claimSub.received.length >= 1 && activityA.received.length >= 2, 'the verdict events');
    expect(verdictSub.received[0]).toEqual({
      data: {
        verdictChanged: {
          event: { action: 'SUBMIT' },
          verdict: { rating: 'MOSTLY_TRUE', version: 1, reviewer: { name: 'Reviewer' } },
          claim: { id: claimA.id, status: 'IN_REVIEW' },
        },
      },
    });
    expect(claimSub.received[0].data.claimChanged).toMatchObject({
      event: { action: 'STATUS_CHANGE', before: { status: 'UNREVIEWED' }, after: { status: 'IN_REVIEW' } },
      claim: { id: claimA.id, status: 'IN_REVIEW', article: { id: articleA } },
    });

    await remote(deskA.editor, `mutation($input: MarkClaimDisputedInput!) { markClaimDisputed(input: $input) { claim { id } } }`, {
      input: { claimId: claimA.id, expectedVersion: 1, reason: 'Seasonal adjustment' },
    });
    // a change in team B, through the same other process
    await remote(deskB.editor, `mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id } } }`, {
      input: { teamId: deskB.teamId, title: 'Team B only', text: 'Nothing to see in team A.' },
    });
    await until(() => claimSub.received.length >= 3 && activityB.received.length >= 1 && activityA.received.length >= 4, 'the dispute and team B events');
    expect(claimSub.received.slice(1).map((value) => [value.data.claimChanged.event.action, value.data.claimChanged.claim.status])).toEqual([
      ['MARK_DISPUTED', 'DISPUTED'],
      ['STATUS_CHANGE', 'DISPUTED'],
    ]);
    expect(claimSub.received[1].data.claimChanged).toMatchObject({
      event: { actor: { id: Buffer.from(`User:${deskA.editor.id}`).toString('base64url') }, after: { disputedReason: 'Seasonal adjustment', version: 2 } },
      claim: { version: 2, disputedReason: 'Seasonal adjustment' },
    });
    expect(activityA.received.map((value) => value.data.teamActivity.action)).toEqual(['SUBMIT', 'STATUS_CHANGE', 'MARK_DISPUTED', 'STATUS_CHANGE']);

    // let anything stray arrive before asserting absence
    await new Promise((resolve) => setTimeout(resolve, 500));
    const teamBEntities = activityB.received.map((value) => value.data.teamActivity.entityType);
    expect(teamBEntities).toEqual(['Article']);
    expect(activityA.received).toHaveLength(4);
    expect(verdictSub.received).toHaveLength(1);
    for (const subscription of [claimSub, verdictSub, activityA, activityB]) expect(subscription.errors).toEqual([]);
  });

  it('checks membership again for every event: a removed member stops receiving', { timeout: 60_000 }, async () => {
    const hub = app.server.live.hub;
    const before = hub.subscriberCount;
    const leaving = subscribe(connect(deskA.reviewer2), TEAM_ACTIVITY, { teamId: deskA.teamId });
    const staying = subscribe(connect(deskA.owner), TEAM_ACTIVITY, { teamId: deskA.teamId });
    await until(() => hub.subscriberCount === before + 2, 'the subscriptions to be live');
    const note = (text: string, version: number) =>
      remote(deskA.editor, `mutation($input: UpdateClaimInput!) { updateClaim(input: $input) { claim { version } } }`, {
        input: { claimId: claimA.id, expectedVersion: version, note: text },
      });
    const { updateClaim } = await note('first note', 2);
    await until(() => leaving.received.length === 1 && staying.received.length === 1, 'the first note');

    await app.sql('DELETE FROM memberships WHERE team_id = $1 AND user_id = $2', [
      Buffer.from(deskA.teamId, 'base64url').toString().split(':')[1],
      deskA.reviewer2.id,
    ]);
    await note('second note', updateClaim.claim.version);
    await until(() => staying.received.length === 2, 'the second note');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(leaving.received).toHaveLength(1);
    expect(leaving.errors).toEqual([]);
  });

  it('authenticates with a bearer token in the connection parameters, and stops when it is revoked', { timeout: 60_000 }, async () => {
    const hub = app.server.live.hub;
    const created = await app.ok(deskA.viewer, `mutation { createApiToken(input: { name: "live" }) { token apiToken { id } } }`);
    const { token, apiToken } = created.createApiToken;
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: { authorization: `Bearer ${token}` } });
    clients.push(client);
    const before = hub.subscriberCount;
    const viaToken = subscribe(client, TEAM_ACTIVITY, { teamId: deskA.teamId });
    await until(() => hub.subscriberCount === before + 1, 'the token subscription');
    const version = (await app.ok(deskA.viewer, `query($id: ID!) { claim(id: $id) { version } }`, { id: claimA.id })).claim.version;
    await remote(deskA.editor, `mutation($input: UpdateClaimInput!) { updateClaim(input: $input) { claim { version } } }`, {
      input: { claimId: claimA.id, expectedVersion: version, note: 'seen through a token' },
    });
    await until(() => viaToken.received.length === 1, 'the event through the token');
    expect(viaToken.received[0].data.teamActivity).toMatchObject({ action: 'UPDATE', entityType: 'Claim' });

    await app.ok(deskA.viewer, `mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { apiToken { revokedAt } } }`, {
      input: { tokenId: apiToken.id },
    });
    await remote(deskA.editor, `mutation($input: UpdateClaimInput!) { updateClaim(input: $input) { claim { version } } }`, {
      input: { claimId: claimA.id, expectedVersion: version + 1, note: 'not for revoked tokens' },
    });
    await until(() => viaToken.completed, 'the subscription to end');
    expect(viaToken.received.slice(1)).toEqual([{ errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })] }]);
    await until(() => hub.subscriberCount === before, 'the server to drop it');
  });

  it('answers a subscription sent over plain HTTP with a pointer to WebSocket', async () => {
    const response = await fetch(otherUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-claimgraph-user': deskA.viewer.email },
      body: JSON.stringify({ query: 'subscription($teamId: ID!) { teamActivity(teamId: $teamId) { id } }', variables: { teamId: deskA.teamId } }),
    });
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toMatchObject({ message: expect.stringContaining('WebSocket'), extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('refuses a connection with bad credentials', async () => {
    const refused = subscribe(connect(deskA.viewer, { Authorization: 'Bearer not-a-token' }), TEAM_ACTIVITY, { teamId: deskA.teamId });
    await until(() => refused.errors.length === 1, 'the refusal');
    expect((refused.errors[0] as { code?: number }).code).toBe(4403);
  });

  it('ends a subscription at once when the client unsubscribes', async () => {
    const hub = app.server.live.hub;
    const before = hub.subscriberCount;
    const subscription = subscribe(connect(deskA.viewer), TEAM_ACTIVITY, { teamId: deskA.teamId });
    await until(() => hub.subscriberCount === before + 1, 'the subscription');
    subscription.dispose();
    // no event has to arrive for the server to let go of it
    await until(() => hub.subscriberCount === before, 'the server to drop the subscription', 5_000);
  });
});

describe(EventHub.name, () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app?.close());

  it('polls history from its last snapshot: reconnects after losing its connection and delivers what committed meanwhile', { timeout: 60_000 }, async () => {
    const silent = { warn: () => undefined, error: () => undefined, info: () => undefined, debug: () => undefined } as never;
    const hub = new EventHub(app.databaseUrl, silent, 50);
    const desk = await createDesk(app);
    const teamId = Buffer.from(desk.teamId, 'base64url').toString().split(':')[1];
    const rename = (name: string) =>
      app.ok(desk.owner, `mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { name } } }`, { input: { teamId: desk.teamId, name } });
    try {
      const stream = hub.subscribe(teamId, (notice) => notice.entityType === 'Team');
      await hub.whenStarted(stream);
      // what committed before the subscription started is not delivered: the team's CREATE
      await rename('Desk one');
      const first = await stream.next();
      expect(first.value).toMatchObject({ entityType: 'Team', action: 'UPDATE', teamId });

      // kill the poller's backend from the server side, and change the team while it is down
      await app.sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'claimgraph-listener' AND datname = current_database()`);
      await until(() => !hub.isListening, 'the hub to notice');
      await rename('Desk two');
      await until(() => hub.isListening, 'the hub to reconnect', 30_000);
      await rename('Desk three');
      const names = [await stream.next(), await stream.next()].map((next) => (next.value as { entityId: string; action: string }).action);
      expect(names).toEqual(['UPDATE', 'UPDATE']);
      const events = await app.sql(`SELECT after->>'name' AS name FROM history_events WHERE entity_id = $1 AND action = 'UPDATE' ORDER BY id`, [teamId]);
      expect(events.map((event) => event.name)).toEqual(['Desk one', 'Desk two', 'Desk three']);
      await stream.return();
      expect(hub.subscriberCount).toBe(0);
    } finally {
      await hub.stop();
    }
  });

  it('delivers an event whose transaction commits after a later one', { timeout: 60_000 }, async () => {
    const silent = { warn: () => undefined, error: () => undefined, info: () => undefined, debug: () => undefined } as never;
    const hub = new EventHub(app.databaseUrl, silent, 50);
    const desk = await createDesk(app);
    const teamId = Buffer.from(desk.teamId, 'base64url').toString().split(':')[1];
    const slow = new pg.Client({ connectionString: app.databaseUrl });
    await slow.connect();
    try {
      const stream = hub.subscribe(teamId, () => true);
      await hub.whenStarted(stream);
      const insert = `INSERT INTO history_events (team_id, entity_type, entity_id, action) VALUES ($1, 'Team', $1, $2) RETURNING id`;
      // the slow transaction takes the lower id, and commits after a faster one was delivered
      await slow.query('BEGIN');
      const [early] = (await slow.query(insert, [teamId, 'EARLY_ID'])).rows;
      const [late] = await app.sql(insert, [teamId, 'LATE_ID']);
      expect(BigInt(early.id)).toBeLessThan(BigInt(late.id));
      expect((await stream.next()).value).toMatchObject({ id: String(late.id), action: 'LATE_ID' });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await slow.query('COMMIT');
      expect((await stream.next()).value).toMatchObject({ id: String(early.id), action: 'EARLY_ID' });
      await stream.return();
    } finally {
      await slow.end();
      await hub.stop();
    }
  });
});
