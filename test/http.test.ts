import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';

describe('HTTP transport', () => {
  let app: TestApp;
  let url: string;

  beforeAll(async () => {
    app = await createTestApp({ env: { CLAIMGRAPH_DEV_AUTH: 'true' } });
    url = `${await app.listen()}/graphql`;
  });
  afterAll(() => app?.close());

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('answers a JSON POST, acting as the development user', async () => {
    const response = await post({ query: '{ viewer { email name } }' }, { 'x-claimgraph-user': 'Dev@Example.test' });
    expect(response.status).toBe(200);
    // one user's answer, stale after any write: no cache could use an ETag of it
    expect(response.headers.get('etag')).toBeNull();
    expect(await response.json()).toEqual({ data: { viewer: { email: 'dev@example.test', name: 'dev' } } });
    const local = await post({ query: '{ viewer { email } }' });
    expect(await local.json()).toEqual({ data: { viewer: { email: 'local@claimgraph.localhost' } } });
  });

  it('runs a mutation end to end over HTTP', async () => {
    const response = await post(
      {
        query: 'mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { slug viewerRole } } }',
        variables: { input: { slug: 'http-desk', name: 'HTTP desk' } },
      },
      { 'x-claimgraph-user': 'owner@example.test' },
    );
    expect(await response.json()).toEqual({ data: { createTeam: { team: { slug: 'http-desk', viewerRole: 'OWNER' } } } });
  });

  it('serves a self-contained GraphiQL page to browsers', async () => {
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('GraphiQL');
    // Everything is inline: no script, stylesheet or font is fetched from elsewhere.
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/i);
    expect(html.length).toBeGreaterThan(100_000);
    // the headers tab is open and shows where the bearer token goes
    expect(html).toContain('"defaultEditorToolsVisibility":"headers"');
    expect(html).toMatch(/"headers":"\{\\n {2}\\"Authorization\\": \\"Bearer /);
  });

  it('serves the GraphiQL page compressed and cacheable', async () => {
    // fetch would decompress it: ask with node:http to see what travels
    const get = (headers: Record<string, string>) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: number }>((resolve, reject) => {
        http
          .get(url, { headers: { accept: 'text/html', ...headers } }, (response) => {
            let bytes = 0;
            response.on('data', (chunk: Buffer) => (bytes += chunk.length));
            response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, bytes }));
          })
          .on('error', reject);
      });
    const plain = await get({});
    const brotli = await get({ 'accept-encoding': 'gzip, deflate, br' });
    const gzip = await get({ 'accept-encoding': 'gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(brotli.bytes).toBeLessThan(plain.bytes / 4);
    expect(gzip.bytes).toBeLessThan(plain.bytes / 3);
    expect(brotli.headers['cache-control']).toMatch(/max-age=\d+/);
    expect(brotli.headers.vary).toMatch(/Accept-Encoding/);
    const again = await get({ 'accept-encoding': 'br', 'if-none-match': brotli.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.bytes).toBe(0);
  });

  it('answers bad JSON and oversize bodies with typed errors', async () => {
    const badJson = await post('{"query": ');
    expect(badJson.status).toBe(400);
    expect((await badJson.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
    const huge = await post({ query: '{ viewer { id } }', variables: { padding: 'x'.repeat(17 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
    expect((await huge.json()).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('never shows internals: a syntax error gets a clean message, no stack', async () => {
    const response = await post({ query: '{ viewer { ' });
    const body = await response.json();
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(JSON.stringify(body)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
  });
});
