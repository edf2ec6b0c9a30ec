import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestApp, type TestApp } from './app';
import { createArticle, createClaim, createDesk, databaseFingerprint } from './desk';
import { postGraphQL, startServer, type HardenedServer, type HttpResult } from './hardening';
import { mutationBodies, queryBodies, rawRequests, type FuzzSeed } from './fuzz';
import { arbitraryString, stringPositions } from './fuzz-schema';
import { buildClaimgraphSchema } from '../../src/schema';
import { FILTER_PARAMETERS } from '../../src/modules/report/report.filter';
import { EXPORT_FORMATS } from '../../src/modules/report/formats';

/** Hand-made cursors of one and two values (the lengths of the lists' sort keys) that fit no sort key's type. */
const FORGED_CURSORS = [['notadate'], ['notadate', 'notauuid'], [{}, null]].map((values) => Buffer.from(JSON.stringify(values)).toString('base64url'));

export interface FuzzRuns {
  queries: number;
  mutations: number;
  raw: number;
  /** Arbitrary strings sent into each string argument of the schema (each place gets this many). */
  stringsPerArgument: number;
  /** Arbitrary values of download parameters. */
  downloads: number;
}

/**
 * Property-based fuzzing of the running server: hostile queries and variables, hostile writes
 * (each rejected one must leave the database exactly as it was), malformed bodies. `npm test` runs
 * it briefly (test/hardening-fuzz.test.ts), the faults suite ten times longer.
 */
export function fuzzSuite(runs: FuzzRuns): void {
  // Each property checks answers, not speed: its time limit grows with its number of requests (at
  // 300 ms a request, what a loaded 2-core machine can take), never below the configured one.
  const timeFor = (requests: number) => Math.max(60_000, requests * 300);
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
    seed = {
      claimId: claim.id,
      articleId: article.id,
      teamId: desk.teamId,
      sourceId: source.createSource.source.id,
      verdictId: verdict.submitVerdict.verdict.id,
    };
    editorToken = (await app.ok(desk.editor, `mutation { createApiToken(input: { name: "fuzz" }) { token } }`)).createApiToken.token;
    running = await startServer(app, { RATE_LIMIT_POINTS: '0', LOG_LEVEL: 'silent' });
  });

  afterAll(async () => {
    await running?.close();
    await app?.close();
  });

  describe(`fuzzing the GraphQL endpoint (fast-check, ${runs.queries + runs.mutations + runs.raw} runs)`, () => {
    it(
      `sends arbitrary strings into every string argument of the schema (${runs.stringsPerArgument} per place), and a NUL, which is BAD_USER_INPUT`,
      async () => {
        const positions = stringPositions(await buildClaimgraphSchema());
        expect(positions.length).toBeGreaterThan(150);
        const headers = { authorization: `Bearer ${editorToken}` };
        for (const position of positions) {
          const refused = await postGraphQL(running.graphqlUrl, position.body('a\u0000b', seed), headers);
          expectHandled(refused);
          expect(refused.body.errors?.[0]?.extensions?.code, `${position.label}: ${JSON.stringify(refused.body)}`).toBe('BAD_USER_INPUT');
          if (/\((after|before)\)$/.test(position.label)) {
            // a hand-made cursor whose values do not fit the list's sort keys
            for (const cursor of FORGED_CURSORS) {
              const forged = await postGraphQL(running.graphqlUrl, position.body(cursor, seed), headers);
              expectHandled(forged);
              // (a list the editor may not read at all is FORBIDDEN before its arguments are looked at)
              expect(['BAD_USER_INPUT', 'FORBIDDEN'], `${position.label}: ${JSON.stringify(forged.body)}`).toContain(forged.body.errors?.[0]?.extensions?.code);
            }
          }
          await fc.assert(
            fc.asyncProperty(arbitraryString, async (value) => {
              const result = await postGraphQL(running.graphqlUrl, position.body(value, seed), headers);
              expect(result.status, position.label).toBeLessThan(500);
              expectHandled(result);
            }),
            { numRuns: runs.stringsPerArgument },
          );
        }
        expect((await fetch(`${running.baseUrl}/readyz`)).status).toBe(200);
        // some 200 places, each a NUL, its arbitrary strings and, for cursors, three forged ones
      },
      timeFor(250 * (runs.stringsPerArgument + 2)),
    );

    it(
      `sends arbitrary strings into every download parameter (${runs.downloads} runs)`,
      async () => {
        const formats = Object.values(EXPORT_FORMATS).map((format) => format.fileName);
        const parameters = [...FILTER_PARAMETERS, 'includeSettled', 'reviewUrl', 'download'];
        const download = async (file: string, parameter: string, value: string) => {
          const search = new URLSearchParams(parameter === 'team' ? {} : { team: seed.teamId });
          search.append(parameter, value);
          const response = await fetch(`${running.baseUrl}/exports/${file}?${search}`, { headers: { authorization: `Bearer ${editorToken}` } });
          const text = await response.text();
          return { status: response.status, headers: response.headers, body: text };
        };
        for (const parameter of parameters) {
          const refused = await download(formats[0], parameter, 'x\u0000');
          expectHandled(refused);
          expect(refused.status, parameter).toBe(400);
          expect(JSON.parse(refused.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
        }
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...formats), fc.constantFrom(...parameters), arbitraryString, async (file, parameter, value) => {
            expectHandled(await download(file, parameter, value));
          }),
          { numRuns: runs.downloads },
        );
      },
      timeFor(runs.downloads + 30),
    );

    it(
      'answers hostile queries and variables without a server error',
      async () => {
        await fc.assert(
          fc.asyncProperty(queryBodies(seed), async (body) => {
            expectHandled(await postGraphQL(running.graphqlUrl, body, { authorization: `Bearer ${editorToken}` }));
          }),
          { numRuns: runs.queries },
        );
        expect((await fetch(`${running.baseUrl}/readyz`)).status).toBe(200);
      },
      timeFor(runs.queries),
    );

    it(
      'leaves the database exactly as it was after every rejected write',
      async () => {
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
        // each run: the write and a fingerprint of the database before and after it
      },
      timeFor(runs.mutations * 3),
    );

    it(
      'answers malformed bodies (invalid UTF-8, other charsets, broken JSON, odd GETs) with client errors',
      async () => {
        await fc.assert(
          fc.asyncProperty(rawRequests, async (raw) => {
            const headers: Record<string, string> = { authorization: `Bearer ${editorToken}`, 'apollo-require-preflight': 'true' };
            if (raw.contentType) headers['content-type'] = raw.contentType;
            const response = await fetch(`${running.graphqlUrl}${raw.search}`, {
              method: raw.method,
              headers,
              body: raw.body ? (raw.body as unknown as BodyInit) : undefined,
            });
            const text = await response.text();
            expectHandled({ status: response.status, headers: response.headers, body: text });
          }),
          { numRuns: runs.raw },
        );
        expect((await fetch(`${running.baseUrl}/healthz`)).status).toBe(200);
      },
      timeFor(runs.raw),
    );
  });
}
