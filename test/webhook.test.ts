import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, rawId, type Desk } from './support/desk';
import { claimVersion, publishClaim, submitVerdict, PUBLISH, SUBMIT } from './report-fixture';
import { WebhookReceiver } from './support/webhook-receiver';
import { loadConfig, type WebhookConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { WebhookWorker } from '../src/modules/webhook/delivery-worker';

const CREATE = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id url eventTypes enabled version } } }`;
const UPDATE = `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { secret endpoint { id enabled version disabledReason } } }`;
const LOG = `query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { enabled disabledReason failingSince
  deliveries(first: 100) { totalCount nodes { eventId eventType state attempts deliveredAt lastError attemptLog { statusCode latencyMs responseExcerpt error ok } } } } } }`;
const ENV = {
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_POLL_INTERVAL_MS: '20',
  WEBHOOK_RETRY_BASE_MS: '40',
  WEBHOOK_RETRY_MAX_DELAY_MS: '200',
};

describe(WebhookWorker.name, () => {
  let app: TestApp;
  let desk: Desk;
  let receiver: WebhookReceiver;
  let baseConfig: WebhookConfig;
  const workers: WebhookWorker[] = [];

  /** A delivery worker on the test database (the app's own is off); `overrides` change its settings. */
  const worker = (overrides: Partial<WebhookConfig> = {}, dataSource = app.dataSource): WebhookWorker => {
    const created = new WebhookWorker(dataSource, { ...baseConfig, ...overrides }, pino({ level: 'silent' }));
    workers.push(created);
    return created;
  };

  const createEndpoint = async (eventTypes: string[], extra: Record<string, unknown> = {}) => {
    const data = await app.ok(desk.owner, CREATE, { input: { teamId: desk.teamId, url: receiver.url, eventTypes, ...extra } });
    return data.createWebhookEndpoint as { secret: string; endpoint: { id: string; version: number } };
  };

  const deliveries = (endpointId: string) =>
    app.sql<{ id: string; history_event_id: string; event_type: string; state: string; ordering_key: string }>(
      'SELECT id, history_event_id::text, event_type, state, ordering_key FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id',
      [rawId(endpointId)],
    );

  /** Waits until the worker has recorded every delivery of the endpoint as DELIVERED. */
  const allDelivered = async (endpointId: string): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while ((await deliveries(endpointId)).some((row) => row.state !== 'DELIVERED')) {
      if (Date.now() > deadline) throw new Error('deliveries still pending');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  const disable = (endpoint: { id: string }) => app.sql('UPDATE webhook_endpoints SET enabled = false WHERE id = $1', [rawId(endpoint.id)]);

  beforeAll(async () => {
    app = await createTestApp({ env: ENV });
    baseConfig = loadConfig({ ...ENV, WEBHOOK_WORKER: 'false' }).webhooks;
    desk = await createDesk(app, { quorum: 2 });
    receiver = new WebhookReceiver();
    await receiver.start();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((running) => running.stop()));
    receiver.received.length = 0;
    receiver.mode = 'ok';
    receiver.delayMs = 0;
    // endpoints of one test do not receive the next test's events
    await app.sql('UPDATE webhook_endpoints SET enabled = false');
  });
  afterAll(async () => {
    await receiver?.stop();
    await app?.close();
  });

  describe('endpoints (GraphQL)', () => {
    it('lets an OWNER add an endpoint, and shows its secret once', async () => {
      const { secret, endpoint } = await createEndpoint(['CLAIM_PUBLISHED', 'VERDICT_SUBMITTED'], { description: 'CMS' });
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(endpoint).toMatchObject({ url: receiver.url, eventTypes: ['CLAIM_PUBLISHED', 'VERDICT_SUBMITTED'], enabled: true, version: 1 });
      const listed = await app.ok(desk.owner, `query($id: ID!) { team(id: $id) { webhookEndpoints { nodes { id history { nodes { action after } } } } } }`, {
        id: desk.teamId,
      });
      const mine = listed.team.webhookEndpoints.nodes.find((node: any) => node.id === endpoint.id);
      expect(mine.history.nodes[0].action).toBe('CREATE');
      expect(JSON.stringify(mine.history.nodes)).not.toContain(secret.slice(6));
      const rotated = await app.ok(desk.owner, UPDATE, { input: { endpointId: endpoint.id, expectedVersion: 1, rotateSecret: true } });
      expect(rotated.updateWebhookEndpoint.secret).toMatch(/^whsec_/);
      expect(rotated.updateWebhookEndpoint.secret).not.toBe(secret);
      const stale = await app.run(desk.owner, UPDATE, { input: { endpointId: endpoint.id, expectedVersion: 1, enabled: false } });
      expect(stale.errors?.[0].extensions).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    });

    it('refuses editors, outsiders, private addresses and bad input, changing nothing', async () => {
      const count = async () => (await app.sql<{ n: number }>('SELECT count(*)::int AS n FROM webhook_endpoints'))[0].n;
      const before = await count();
      const input = { teamId: desk.teamId, url: 'https://hooks.example.org/in', eventTypes: ['CLAIM_PUBLISHED'] };
      expect((await app.run(desk.editor, CREATE, { input })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await app.run(desk.outsider, CREATE, { input })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
      const readByEditor = await app.run(desk.editor, `query($id: ID!) { team(id: $id) { webhookEndpoints { totalCount } } }`, { id: desk.teamId });
      expect(readByEditor.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      for (const bad of [
        { url: 'ftp://hooks.example.org/in' },
        { url: 'https://user:pw@hooks.example.org/in' },
        { url: 'http://10.0.0.7/in' },
        { url: 'http://169.254.169.254/latest/meta-data' },
        { url: 'http://[::1]:8080/' },
        { url: 'http://192.168.1.1/' },
        { url: 'not a url' },
        { eventTypes: [] },
        { secret: 'whsec_short' },
      ]) {
        const result = await app.run(desk.owner, CREATE, { input: { ...input, ...bad } });
        expect([JSON.stringify(bad), result.errors?.[0].extensions?.code]).toEqual([JSON.stringify(bad), 'BAD_USER_INPUT']);
      }
      expect(await count()).toBe(before);
    });
  });

  describe('the outbox', () => {
    it('gets one delivery per subscribed endpoint in the same transaction as the change, and none for a change that failed', async () => {
      const published = await createEndpoint(['CLAIM_PUBLISHED']);
      const verdicts = await createEndpoint(['VERDICT_SUBMITTED', 'CLAIM_STATUS_CHANGED']);
      const { id: article } = await createArticle(app, desk);
      const claim = (await createClaim(app, desk, article, 'We have never spent more on schools')).id;
      await submitVerdict(app, desk.reviewer, claim, 'TRUE');
      await publishClaim(app, desk, claim, 'TRUE');
      // publishing again fails (PUBLISHED): no event
      const again = await app.run(desk.editor, PUBLISH, {
        input: { claimId: claim, expectedVersion: await claimVersion(app, desk.editor, claim), rating: 'FALSE' },
      });
      expect(again.errors?.[0].extensions?.code).toBe('PUBLISHED');
      expect((await deliveries(published.endpoint.id)).map((row) => [row.event_type, row.ordering_key])).toEqual([['claim.published', rawId(claim)]]);
      expect((await deliveries(verdicts.endpoint.id)).map((row) => row.event_type)).toEqual(['verdict.submitted', 'claim.status_changed']);
      // each delivery is a committed history event of the same team
      const events = await app.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM webhook_deliveries d JOIN history_events h ON h.id = d.history_event_id
        WHERE d.endpoint_id = ANY($1::uuid[]) AND h.team_id = d.team_id`,
        [[rawId(published.endpoint.id), rawId(verdicts.endpoint.id)]],
      );
      expect(events[0].n).toBe(3);
    });
  });

  describe('delivery', () => {
    it('posts signed events (Standard Webhooks) with a stable id, and logs each attempt for the OWNER', async () => {
      const { secret, endpoint } = await createEndpoint(['CLAIM_PUBLISHED', 'ARTICLE_IMPORTED']);
      const { id: article } = await createArticle(app, desk, { title: 'Signed' });
      const claim = (await createClaim(app, desk, article, 'Unemployment fell to 3.1% last year')).id;
      await publishClaim(app, desk, claim, 'MOSTLY_FALSE', { rationale: 'It fell to 3.4%.' });
      worker().start();
      await receiver.waitFor(() => receiver.received.length >= 2);
      const verifier = new Webhook(secret);
      for (const { headers, body } of receiver.received) {
        expect(verifier.verify(body, headers)).toEqual(JSON.parse(body));
        expect(headers['content-type']).toBe('application/json');
        expect(JSON.parse(body).id).toBe(headers['webhook-id']);
      }
      // a forged body does not verify
      expect(() => verifier.verify(receiver.received[0].body.replace('Signed', 'Forged'), receiver.received[0].headers)).toThrow();
      const [imported, published] = receiver.payloads();
      expect(imported).toMatchObject({ type: 'article.imported', data: { entityType: 'Article', action: 'CREATE', articleId: article, teamId: desk.teamId } });
      expect(published).toMatchObject({
        type: 'claim.published',
        data: { entityType: 'Claim', entityId: claim, claimId: claim, articleId: article, action: 'PUBLISH', after: { publishedRating: 'MOSTLY_FALSE' } },
      });
      const rows = await deliveries(endpoint.id);
      expect(receiver.received.map((entry) => entry.headers['webhook-id'])).toEqual(rows.map((row) => `evt_${row.history_event_id}`));
      await allDelivered(endpoint.id);
      const log = await app.ok(desk.owner, LOG, { id: endpoint.id });
      expect(log.node.deliveries.totalCount).toBe(2);
      for (const delivery of log.node.deliveries.nodes) {
        expect(delivery).toMatchObject({ state: 'DELIVERED', attempts: 1, lastError: null });
        expect(delivery.attemptLog).toEqual([{ statusCode: 200, latencyMs: expect.any(Number), responseExcerpt: 'xx', error: null, ok: true }]);
      }
      // the log is the OWNER's
      expect((await app.run(desk.editor, LOG, { id: endpoint.id })).data?.node).toBeNull();
    });

    it('delivers everything, in order per claim, after the receiver was down for a while', async () => {
      const { endpoint } = await createEndpoint(['VERDICT_SUBMITTED', 'CLAIM_STATUS_CHANGED', 'CLAIM_PUBLISHED', 'CLAIM_UNPUBLISHED']);
      receiver.mode = 'fail';
      const running = worker({ concurrency: 8 });
      running.start();
      const { id: article } = await createArticle(app, desk);
      const claims = [
        (await createClaim(app, desk, article, 'The city council approved a budget of $4.2 million')).id,
        (await createClaim(app, desk, article, 'the lowest since 1999')).id,
      ];
      for (const claim of claims) {
        await submitVerdict(app, desk.reviewer, claim, 'TRUE');
        await submitVerdict(app, desk.reviewer2, claim, 'MOSTLY_TRUE');
        await app.ok(desk.reviewer2, SUBMIT, { input: { claimId: claim, rating: 'FALSE', expectedVersion: 1 } });
        await publishClaim(app, desk, claim, 'MIXED');
        await app.ok(desk.editor, `mutation($input: UnpublishClaimInput!) { unpublishClaim(input: $input) { claim { id } } }`, {
          input: { claimId: claim, expectedVersion: await claimVersion(app, desk.editor, claim) },
        });
      }
      const expected = await deliveries(endpoint.id);
      expect(expected.length).toBeGreaterThanOrEqual(14);
      // down: attempts fail and are retried, nothing is lost, later events of a claim wait for earlier ones
      await receiver.waitFor(() => receiver.received.length >= 6);
      // each refused attempt is in the log (recorded just after the receiver answered)
      const failedAttempts = async () =>
        (
          await app.sql<{ n: number }>('SELECT count(*)::int AS n FROM webhook_attempts WHERE endpoint_id = $1 AND NOT ok AND status_code = 503', [
            rawId(endpoint.id),
          ])
        )[0].n;
      await expect.poll(failedAttempts, { timeout: 10_000 }).toBeGreaterThanOrEqual(6);
      const heads = new Set(receiver.payloads().map((payload) => payload.id));
      expect(heads.size).toBeLessThanOrEqual(claims.length);
      receiver.received.length = 0;
      receiver.mode = 'ok';
      await receiver.waitFor(() => new Set(receiver.payloads().map((payload) => payload.id)).size >= expected.length);
      const got = receiver.payloads();
      expect(new Set(got.map((payload) => payload.id))).toEqual(new Set(expected.map((row) => `evt_${row.history_event_id}`)));
      for (const claim of claims) {
        const ids = got.filter((payload) => payload.data.claimId === claim).map((payload) => Number(payload.id.slice(4)));
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
      }
      await allDelivered(endpoint.id);
    });

    it('never lets two workers deliver the same event at once', async () => {
      const { endpoint } = await createEndpoint(['VERDICT_SUBMITTED', 'CLAIM_STATUS_CHANGED']);
      receiver.delayMs = 30;
      // a second instance: its own pool, as another server process would have
      const otherPool = createDataSource({ url: app.databaseUrl, poolSize: 4 });
      await otherPool.initialize();
      try {
        worker({ concurrency: 4 }).start();
        worker({ concurrency: 4 }, otherPool).start();
        const { id: article } = await createArticle(app, desk);
        for (const exact of [
          'The city council approved a budget of $4.2 million',
          'the lowest since 1999',
          'on Tuesday',
          'Unemployment fell to 3.1% last year',
        ]) {
          const claim = (await createClaim(app, desk, article, exact)).id;
          await submitVerdict(app, desk.reviewer, claim, 'TRUE');
          await submitVerdict(app, desk.reviewer2, claim, 'TRUE');
        }
        const expected = await deliveries(endpoint.id);
        expect(expected.length).toBe(16);
        await receiver.waitFor(() => receiver.received.length >= expected.length);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const ids = receiver.received.map((entry) => entry.headers['webhook-id']);
        expect(ids.length).toBe(expected.length);
        expect(new Set(ids).size).toBe(ids.length);
        await allDelivered(endpoint.id);
        const attempts = await app.sql<{ n: number }>('SELECT count(*)::int AS n FROM webhook_attempts WHERE endpoint_id = $1', [rawId(endpoint.id)]);
        expect(attempts[0].n).toBe(expected.length);
        expect(receiver.received).toHaveLength(expected.length);
      } finally {
        await Promise.all(workers.splice(0).map((running) => running.stop()));
        await otherPool.destroy();
      }
    });

    it('disables an endpoint that failed for too long and tells the team feed', async () => {
      const { endpoint } = await createEndpoint(['ARTICLE_IMPORTED']);
      receiver.mode = 'fail';
      worker({ disableAfterMs: 300 }).start();
      await createArticle(app, desk, { title: 'Never delivered' });
      await createArticle(app, desk, { title: 'Never delivered either' });
      const deadline = Date.now() + 15_000;
      let state: any;
      do {
        await new Promise((resolve) => setTimeout(resolve, 100));
        state = (await app.ok(desk.owner, LOG, { id: endpoint.id })).node;
      } while (state.enabled && Date.now() < deadline);
      expect(state.enabled).toBe(false);
      expect(state.disabledReason).toMatch(/^Every delivery failed for 0 h \(last: answered HTTP 503\)/);
      const feed = await app.ok(
        desk.owner,
        `query($id: ID!) { team(id: $id) { activity(first: 5) { nodes { action entityType entityNodeId actor { id } reason } } } }`,
        { id: desk.teamId },
      );
      expect(feed.team.activity.nodes).toContainEqual({
        action: 'DISABLE',
        entityType: 'WebhookEndpoint',
        entityNodeId: endpoint.id,
        actor: null,
        reason: state.disabledReason,
      });
      // the owner enables it again: the waiting deliveries go out
      receiver.mode = 'ok';
      receiver.received.length = 0;
      const version = (await app.sql<{ version: number }>('SELECT version FROM webhook_endpoints WHERE id = $1', [rawId(endpoint.id)]))[0].version;
      const enabled = await app.ok(desk.owner, UPDATE, { input: { endpointId: endpoint.id, expectedVersion: version, enabled: true } });
      expect(enabled.updateWebhookEndpoint.endpoint).toMatchObject({ enabled: true, disabledReason: null });
      await receiver.waitFor(() => receiver.received.length >= 2);
      expect(receiver.payloads().map((payload) => payload.type)).toEqual(['article.imported', 'article.imported']);
    });

    it('reaches no private address unless allow-listed, gives up on a silent receiver, and reads at most the response cap', async () => {
      const { endpoint } = await createEndpoint(['ARTICLE_IMPORTED'], { url: receiver.url.replace('127.0.0.1', 'localhost') });
      await createArticle(app, desk, { title: 'To localhost' });
      // without the allow-list, the worker refuses what the name resolves to
      expect(await worker({ allowedHosts: [] }).runOnce()).toBe(1);
      expect(receiver.received).toEqual([]);
      const [refused] = await app.sql<{ error: string; status_code: number | null }>('SELECT error, status_code FROM webhook_attempts WHERE endpoint_id = $1', [
        rawId(endpoint.id),
      ]);
      expect(refused).toEqual({ error: expect.stringMatching(/^localhost resolves to (127\.0\.0\.1|::1), a loopback address/), status_code: null });
      await disable(endpoint);

      const silent = await createEndpoint(['ARTICLE_IMPORTED']);
      receiver.mode = 'hang';
      await createArticle(app, desk, { title: 'No answer' });
      expect(await worker({ timeoutMs: 300 }).runOnce()).toBe(1);
      const [timedOut] = await app.sql<{ error: string; latency_ms: number }>('SELECT error, latency_ms FROM webhook_attempts WHERE endpoint_id = $1', [
        rawId(silent.endpoint.id),
      ]);
      expect(timedOut.error).toBe('no complete answer within 300 ms');
      expect(timedOut.latency_ms).toBeLessThan(2000);
      await disable(silent.endpoint);

      const chatty = await createEndpoint(['ARTICLE_IMPORTED']);
      receiver.mode = 'ok';
      receiver.responseBytes = 5_000_000;
      try {
        await createArticle(app, desk, { title: 'Long answer' });
        expect(await worker({ maxResponseBytes: 1024 }).runOnce()).toBe(1);
      } finally {
        receiver.responseBytes = 2;
      }
      const [capped] = await app.sql<{ ok: boolean; response_excerpt: string }>('SELECT ok, response_excerpt FROM webhook_attempts WHERE endpoint_id = $1', [
        rawId(chatty.endpoint.id),
      ]);
      expect(capped.ok).toBe(true);
      expect(capped.response_excerpt).toBe('x'.repeat(500));
    });
  });
});
