import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createDesk, type Desk } from './support/desk';
import { postGraphQL, startServer, type HardenedServer } from './support/hardening';
import { TrustedDocuments, parseManifest } from '../src/http/trusted-documents';
import { loadConfig } from '../src/config';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const VIEWER = 'query Viewer { viewer { name } }';
const TEAM = 'query Team($slug: String!) { team(slug: $slug) { slug } }';
// four levels deep: over MAX_QUERY_DEPTH=3 of the servers below
const DEEP = 'query Deep { viewer { memberships { team { slug } } } }';
const CLAIM_CHANGED = 'subscription ClaimChanged($articleId: ID!) { claimChanged(articleId: $articleId) { claim { id } } }';
const CREATE_CLAIM = `mutation CreateClaim($articleId: ID!) {
  createClaim(input: { articleId: $articleId, kind: ASSERTION, anchor: { quote: { exact: "Unemployment fell to 3.1%" } } }) { claim { id } }
}`;
/** The manifest as GraphQL Codegen's client preset writes it: SHA-256 of each document → document. */
const MANIFEST = Object.fromEntries([VIEWER, TEAM, DEEP, CLAIM_CHANGED].map((document) => [sha256(document), document]));
const id = (document: string) => sha256(document);

describe(TrustedDocuments.name, () => {
  it('reads the manifests of GraphQL Codegen, Relay and Apollo alike', () => {
    expect(parseManifest({ abc: VIEWER }).get('abc')).toBe(VIEWER);
    // Relay's compiler: md5 ids
    expect(parseManifest({ '0f3f1c1e2d1b2a3c4d5e6f7a8b9c0d1e': VIEWER }).size).toBe(1);
    const apollo = parseManifest({
      format: 'apollo-persisted-query-manifest',
      version: 1,
      operations: [{ id: 'x1', name: 'Viewer', type: 'query', body: VIEWER }],
    });
    expect(apollo.get('x1')).toBe(VIEWER);
    expect(() => parseManifest({ abc: 42 })).toThrow(/not a string/);
    expect(() => parseManifest([VIEWER])).toThrow(/JSON object/);
  });

  it('refuses TRUSTED_DOCUMENTS_ONLY without a manifest, at start', () => {
    expect(() => loadConfig({ TRUSTED_DOCUMENTS_ONLY: 'true' })).toThrow(/needs TRUSTED_DOCUMENTS/);
  });
});

describe('trusted documents and persisted queries over HTTP and WebSocket', () => {
  let app: TestApp;
  let desk: Desk;
  let token: string;
  let manifestPath: string;
  let mixed: HardenedServer;
  let only: HardenedServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
    token = (await app.ok(desk.editor, 'mutation { createApiToken(input: { name: "front end" }) { token } }')).createApiToken.token as string;
    manifestPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'claimgraph-docs-')), 'persisted-documents.json');
    fs.writeFileSync(manifestPath, JSON.stringify(MANIFEST));
    const limits = { MAX_QUERY_DEPTH: '3', RATE_LIMIT_POINTS: '100000' };
    mixed = await startServer(app, { ...limits, TRUSTED_DOCUMENTS: manifestPath });
    only = await startServer(app, { ...limits, TRUSTED_DOCUMENTS: manifestPath, TRUSTED_DOCUMENTS_ONLY: 'true' });
  });

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await mixed?.close();
    await only?.close();
    await app?.close();
  });

  const post = (server: HardenedServer, body: unknown) => postGraphQL(server.graphqlUrl, body, bearer(token));
  const get = async (server: HardenedServer, params: Record<string, string>) => {
    const response = await fetch(`${server.graphqlUrl}?${new URLSearchParams(params)}`, {
      headers: { ...bearer(token), accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };
  const connect = (server: HardenedServer): Client => {
    const client = createClient({
      url: server.graphqlUrl.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
      connectionParams: bearer(token),
    });
    clients.push(client);
    return client;
  };
  /** One result of a query or mutation over WebSocket (the error list when it is refused). */
  const overSocket = (client: Client, payload: Record<string, unknown>) =>
    new Promise<any>((resolve, reject) => {
      let result: unknown = null;
      client.subscribe(payload as never, {
        next: (value) => {
          result = value;
        },
        error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
        complete: () => resolve(result),
      });
    });

  describe('with TRUSTED_DOCUMENTS (both work)', () => {
    it('runs a manifest document by its id, and any other document sent in full', async () => {
      const byId = await post(mixed, { documentId: id(TEAM), variables: { slug: desk.teamSlug } });
      expect(byId.status).toBe(200);
      expect(byId.body.data.team.slug).toBe(desk.teamSlug);
      // Relay's field name for the id
      expect((await post(mixed, { doc_id: id(VIEWER) })).body.data.viewer.name).toBe('Editor');
      expect((await post(mixed, { query: '{ viewer { email } }' })).body.data.viewer.email).toBe(desk.editor.email);
      expect((await get(mixed, { documentId: id(VIEWER) })).body.data.viewer.name).toBe('Editor');
    });

    it('says which id is unknown, and refuses an id together with a document', async () => {
      const unknown = await post(mixed, { documentId: 'no-such-id' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors[0].extensions.code).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
      expect(unknown.body.errors[0].message).toMatch(/no-such-id/);
      const both = await post(mixed, { documentId: id(VIEWER), query: VIEWER });
      expect(both.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    });

    it("speaks Apollo's automatic persisted queries end to end: hash, then hash and document, then hash alone", async () => {
      const query = `query Apq { viewer { name email } } # ${randomBytes(4).toString('hex')}`;
      const persistedQuery = { version: 1, sha256Hash: sha256(query) };
      const miss = await post(mixed, { extensions: { persistedQuery } });
      expect(miss.status).toBe(200);
      expect(miss.headers.get('cache-control')).toMatch(/no-cache/);
      expect(miss.body.errors[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
      const registered = await post(mixed, { query, extensions: { persistedQuery } });
      expect(registered.body.data.viewer.email).toBe(desk.editor.email);
      const hit = await post(mixed, { extensions: { persistedQuery } });
      expect(hit.body).toEqual(registered.body);
      // Apollo Client sends persisted queries as GETs when told to
      const overGet = await get(mixed, { extensions: JSON.stringify({ persistedQuery }) });
      expect(overGet.body).toEqual(registered.body);
      const wrong = await post(mixed, { query: VIEWER, extensions: { persistedQuery } });
      expect(wrong.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
      // a document of the manifest is known by its SHA-256 without registering it
      const manifestHit = await post(mixed, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(VIEWER) } } });
      expect(manifestHit.body.data.viewer.name).toBe('Editor');
    });

    it('applies the query limits and the rate limit to persisted documents', async () => {
      const deep = await post(mixed, { documentId: id(DEEP) });
      expect(deep.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', limit: 3, value: 4 });
      const deepApq = await post(mixed, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(DEEP) } } });
      expect(deepApq.body.errors[0].extensions.code).toBe('QUERY_TOO_DEEP');

      const scarce = await startServer(app, { TRUSTED_DOCUMENTS: manifestPath, MAX_QUERY_NODES: '100', RATE_LIMIT_POINTS: '3' });
      try {
        const answers = [];
        for (let i = 0; i < 4; i++) answers.push(await postGraphQL(scarce.graphqlUrl, { documentId: id(VIEWER) }, bearer(token)));
        expect(answers.slice(0, 3).map((answer) => answer.status)).toEqual([200, 200, 200]);
        expect(answers.slice(0, 3).map((answer) => answer.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0']);
        expect(answers[3].status).toBe(429);
        expect(answers[3].body.errors[0].extensions.code).toBe('RATE_LIMITED');
      } finally {
        await scarce.close();
      }
    });

    it('over WebSocket: ids, hashes and full documents', async () => {
      const client = connect(mixed);
      expect((await overSocket(client, { query: '', documentId: id(VIEWER) })).data.viewer.name).toBe('Editor');
      expect((await overSocket(client, { query: '{ viewer { email } }' })).data.viewer.email).toBe(desk.editor.email);
      const apq = await overSocket(client, {
        query: '',
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(TEAM) } },
        variables: { slug: desk.teamSlug },
      });
      expect(apq.data.team.slug).toBe(desk.teamSlug);
      const unknownHash = await overSocket(client, {
        query: '',
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ viewer { id } } # never sent') } },
      });
      expect(unknownHash.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      const unknownId = await overSocket(client, { query: '', documentId: 'nope' });
      expect(unknownId.errors[0].extensions.code).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
      const deep = await overSocket(client, { query: '', documentId: id(DEEP) });
      expect(deep.errors[0].extensions.code).toBe('QUERY_TOO_DEEP');
    });
  });

  describe('with TRUSTED_DOCUMENTS_ONLY=true', () => {
    it('refuses any other document before parsing it, and changes nothing', async () => {
      const article = await createArticle(app, desk);
      const before = await app.sql('SELECT count(*)::int AS n FROM claims');
      const refused = await post(only, { query: CREATE_CLAIM, variables: { articleId: article.id } });
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].extensions.code).toBe('DOCUMENT_NOT_TRUSTED');
      expect(refused.body.errors[0].message).toMatch(/documentId/);
      expect(await app.sql('SELECT count(*)::int AS n FROM claims')).toEqual(before);
      // not even parsed: a syntax error gets the same refusal, not GRAPHQL_PARSE_FAILED
      expect((await post(only, { query: '{ viewer {' })).body.errors[0].extensions.code).toBe('DOCUMENT_NOT_TRUSTED');
      // nor registered as an automatic persisted query
      const register = await post(only, {
        query: '{ viewer { id } }',
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ viewer { id } }') } },
      });
      expect(register.body.errors[0].extensions.code).toBe('DOCUMENT_NOT_TRUSTED');
      expect((await get(only, { query: '{ viewer { id } }' })).body.errors[0].extensions.code).toBe('DOCUMENT_NOT_TRUSTED');
    });

    it('runs the manifest: by id, by APQ hash, or by its exact text', async () => {
      expect((await post(only, { documentId: id(TEAM), variables: { slug: desk.teamSlug } })).body.data.team.slug).toBe(desk.teamSlug);
      expect((await post(only, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(VIEWER) } } })).body.data.viewer.name).toBe('Editor');
      expect((await post(only, { query: VIEWER })).body.data.viewer.name).toBe('Editor');
      expect((await post(only, { documentId: id(DEEP) })).body.errors[0].extensions.code).toBe('QUERY_TOO_DEEP');
    });

    it('over WebSocket: refuses other documents, serves a subscription by id', async () => {
      const article = await createArticle(app, desk);
      const client = connect(only);
      const refused = await overSocket(client, { query: '{ viewer { id } }' });
      expect(refused.errors[0].extensions.code).toBe('DOCUMENT_NOT_TRUSTED');
      const events: any[] = [];
      const dispose = client.subscribe({ query: '', documentId: id(CLAIM_CHANGED), variables: { articleId: article.id } } as never, {
        next: (value) => events.push(value),
        error: (error) => events.push({ error }),
        complete: () => undefined,
      });
      try {
        const hub = only.server.live.hub;
        const deadline = Date.now() + 15_000;
        while (!(hub.subscriberCount === 1 && hub.isListening) && !events.length && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 25));
        const created = (await app.ok(desk.editor, CREATE_CLAIM, { articleId: article.id })).createClaim.claim.id as string;
        while (!events.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
        expect(events[0]?.data?.claimChanged?.claim?.id).toBe(created);
      } finally {
        dispose();
      }
    });
  });
});
