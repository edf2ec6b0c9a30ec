import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestApp, type TestApp } from './app';
import { createArticle, createClaim, createDesk, databaseFingerprint } from './desk';
import { postGraphQL, startServer, type HardenedServer, type HttpResult } from './hardening';
import { mutationBodies, queryBodies, rawRequests, type FuzzSeed } from './fuzz';

export interface FuzzRuns {
  queries: number;
  mutations: number;
  raw: number;
}

/**
 * Property-based fuzzing of the running server: hostile queries and variables, hostile writes
 * (each rejected one must leave the database exactly as it was), malformed bodies. `npm test` runs
 * it briefly (test/hardening-fuzz.test.ts), the faults suite ten times longer.
 */
export function fuzzSuite(runs: FuzzRuns): void {
  let app: TestApp;
  let running: HardenedServer;
  let seed: FuzzSeed;
  let editorToken: string;

  /** What every answer to hostile input must satisfy: a client error or a result, never a server failure. */
  function expectHandled(result: HttpResult): void {
    expect(result.status, JSON.stringify(result.body).slice(0, 500)).toBeLessThan(500);
    const text = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
    expect(text).not.toContain('INTERNAL_SERVER_ERROR');
    expect(text).not.toMatch(/stacktrace|QueryFailedError|\bat \S+\.ts:\d+/);
  }

  beforeAll(async () => {
    app = await createTestApp();
    const desk = await createDesk(app);
    const article = await createArticle(app, desk);
    const claim = await createClaim(app, desk, article.id, 'approved a budget of $4.2 million');
    const source = await app.ok(desk.editor, `mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id } } }`, {
      input: { teamId: desk.teamId, kind: 'PERSON', name: 'Ana Ruiz' },
    });
    const verdict = await app.ok(desk.editor, `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }`, {
      input: { claimId: claim.id, rating: 'MOSTLY_TRUE' },
    });
    seed = { claimId: claim.id, articleId: article.id, teamId: desk.teamId, sourceId: source.createSource.source.id, verdictId: verdict.submitVerdict.verdict.id };
    editorToken = (await app.ok(desk.editor, `mutation { createApiToken(input: { name: "fuzz" }) { token } }`)).createApiToken.token;
    running = await startServer(app, { RATE_LIMIT_POINTS: '0', LOG_LEVEL: 'silent' });
  });

  afterAll(async () => {
    await running?.close();
    await app?.close();
  });

  describe(`fuzzing the GraphQL endpoint (fast-check, ${runs.queries + runs.mutations + runs.raw} runs)`, () => {
    it('answers hostile queries and variables without a server error', async () => {
      await fc.assert(
        fc.asyncProperty(queryBodies(seed), async (body) => {
          expectHandled(await postGraphQL(running.graphqlUrl, body, { authorization: `Bearer ${editorToken}` }));
        }),
        { numRuns: runs.queries },
      );
      expect((await fetch(`${running.baseUrl}/readyz`)).status).toBe(200);
    });

    it('leaves the database exactly as it was after every rejected write', async () => {
      let rejected = 0;
      await fc.assert(
        fc.asyncProperty(mutationBodies(seed), async ({ name, body }) => {
          const before = await databaseFingerprint(app);
          const result = await postGraphQL(running.graphqlUrl, body, { authorization: `Bearer ${editorToken}` });
          expectHandled(result);
          const payload = result.body?.data?.[name];
          if (result.body.errors?.length && !payload) {
            rejected++;
            expect(await databaseFingerprint(app)).toBe(before);
          }
        }),
        { numRuns: runs.mutations },
      );
      expect(rejected).toBeGreaterThan(runs.mutations / 2);
    });

    it('answers malformed bodies (invalid UTF-8, other charsets, broken JSON, odd GETs) with client errors', async () => {
      await fc.assert(
        fc.asyncProperty(rawRequests, async (raw) => {
          const headers: Record<string, string> = { authorization: `Bearer ${editorToken}`, 'apollo-require-preflight': 'true' };
          if (raw.contentType) headers['content-type'] = raw.contentType;
          const response = await fetch(`${running.graphqlUrl}${raw.search}`, { method: raw.method, headers, body: raw.body ? (raw.body as unknown as BodyInit) : undefined });
          const text = await response.text();
          expectHandled({ status: response.status, headers: response.headers, body: text });
        }),
        { numRuns: runs.raw },
      );
      expect((await fetch(`${running.baseUrl}/healthz`)).status).toBe(200);
    });
  });
}
