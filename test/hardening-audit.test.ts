import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditServer } from 'graphql-http';
import { createTestApp, type TestApp } from './support/app';
import { startServer, type HardenedServer } from './support/hardening';

describe('GraphQL over HTTP conformance (graphql-http audit)', () => {
  let app: TestApp;
  let running: HardenedServer;

  beforeAll(async () => {
    app = await createTestApp();
    // The audit fires its requests all at once from one address: no in-flight cap for it.
    running = await startServer(app, { CLAIMGRAPH_DEV_AUTH: 'true', LOG_LEVEL: 'silent', RATE_LIMIT_CONCURRENCY: '0' });
  });
  afterAll(async () => {
    await running?.close();
    await app?.close();
  });

  // Not MUSTs: Apollo answers request errors with 400 under application/json too (SHOULD 200),
  // and CSRF prevention refuses GETs that carry no preflight-forcing header (MAY).
  it('passes every MUST of the audit against the running server', async () => {
    const results = await auditServer({ url: running.graphqlUrl });
    const failedMusts = results.filter((result) => result.name.startsWith('MUST') && result.status !== 'ok');
    expect(failedMusts.map((result) => result.name)).toEqual([]);
    expect(results.filter((result) => result.name.startsWith('MUST')).length).toBeGreaterThan(10);
  });
});
