import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Client } from 'pg';
import type { TestApp } from './support/app';
import { appWithDataset, pathComparison, serverBeside } from './support/dataset-app';
import type { BenchUser } from '../bench/dataset';
import { ARTICLE_PAGE } from '../bench/queries';
import { createCredentials } from '../bench/credentials';
import { enableStatementCounting } from '../src/db/statement-counter';
import type { ClaimgraphServer } from '../src/server';
import { base64urlSql, globalIdSql, type NodeType, toGlobalId } from '../src/shared/ids';

/**
 * The read path compiled to one SQL statement (src/http/sql-selection.ts) answers exactly what
 * the resolvers answer: every operation below runs on a server with it (the default) and on one
 * with GRAPHQL_SQL=false, as the same caller on the same real database, and the two responses
 * must be the same JSON text (keys in the same order, errors included). The statement counts
 * show which path answered.
 */
describe('SQL-compiled reads answer as the resolvers do', () => {
  let app: TestApp;
  let resolvers: ClaimgraphServer;
  let client: Client;
  let users: BenchUser[];
  let articles: { id: string; slug: string }[];
  let claims: { id: string; article_id: string; slug: string }[];
  const counter = enableStatementCounting();

  beforeAll(async () => {
    ({ app, client, users } = await appWithDataset({
      seed: 'sql-selection-test',
      evidencePerClaim: 2,
      verdictsPerClaim: 3,
      sourcesPerTeam: 10,
      teams: [
        { slug: 'desk', articles: 3, claimsPerArticle: 12 },
        { slug: 'other', articles: 1, claimsPerArticle: 4 },
      ],
    }));
    articles = (await client.query(`SELECT a.id, t.slug FROM articles a JOIN teams t ON t.id = a.team_id ORDER BY a.created_at, a.id`)).rows;
    claims = (
      await client.query(`SELECT c.id, c.article_id, t.slug FROM claims c JOIN teams t ON t.id = c.team_id ORDER BY c.article_id, c.position_start, c.id`)
    ).rows;
    const desk = articles.filter((article) => article.slug === 'desk');
    // What the generator does not make: null relations, a withdrawn verdict, a deleted claim and
    // article, a URL the URL scalar rewrites, an article without claims.
    const first = claims.filter((claim) => claim.article_id === desk[0].id);
    await client.query(`UPDATE claims SET speaker_id = NULL, sourcing = 'UNSOURCED' WHERE id = $1`, [first[0].id]);
    await client.query(`UPDATE evidence SET source_id = NULL, url = 'https://Example.ORG/a b?x=1#frag' WHERE claim_id = $1`, [first[1].id]);
    await client.query(`UPDATE evidence SET url = 'https://example.org' WHERE claim_id = $1`, [first[2].id]);
    await client.query(`UPDATE verdicts SET withdrawn_at = now() WHERE id = (SELECT id FROM verdicts WHERE claim_id = $1 ORDER BY created_at, id LIMIT 1)`, [
      first[3].id,
    ]);
    await client.query(`UPDATE claims SET deleted_at = now() WHERE id = $1`, [first[4].id]);
    await client.query(`UPDATE articles SET deleted_at = now() WHERE id = $1`, [desk[2].id]);
    await client.query(`UPDATE claims SET deleted_at = now() WHERE article_id = $1`, [desk[1].id]);
    await client.query('ANALYZE');
    resolvers = await serverBeside(app, { GRAPHQL_SQL: 'false', WEBHOOK_WORKER: 'false' });
  });
  afterAll(async () => {
    await resolvers?.stop();
    await client?.end();
    await app?.close();
  });

  const reviewer = () => users.find((user) => user.teamSlug === 'desk' && user.role === 'REVIEWER')!;
  const articleId = (index: number) => toGlobalId('Article', articles.filter((article) => article.slug === 'desk')[index].id);

  const { runOn, both } = pathComparison(
    () => app,
    () => resolvers,
    counter,
    () => reviewer().id,
  );

  it("encodes global ids and cursors in SQL as Node's base64url does", async () => {
    const types: NodeType[] = [
      'Team',
      'User',
      'Article',
      'ArticleRevision',
      'Claim',
      'Source',
      'Evidence',
      'Verdict',
      'Comment',
      'Assignment',
      'HistoryEvent',
      'ApiToken',
      'WebhookEndpoint',
      'TeamInvitation',
    ];
    for (const type of types) {
      const { rows } = await client.query(
        `SELECT raw::text AS raw, ${globalIdSql(type, 'raw')} AS id FROM (SELECT gen_random_uuid() AS raw FROM generate_series(1, 200)) uuids
         UNION ALL SELECT raw::text, ${globalIdSql(type, 'raw')} FROM (SELECT (random() * 9e18)::bigint AS raw FROM generate_series(1, 50) UNION ALL SELECT 1 UNION ALL SELECT 9223372036854775807) bigints`,
      );
      for (const row of rows) expect(row.id).toBe(toGlobalId(type, row.raw));
    }
    // every length around the padding and Postgres's 76-character line breaks, non-ASCII included
    const { rows } = await client.query(
      `SELECT t, ${base64urlSql('t')} AS encoded FROM (SELECT left(repeat(md5(i::text) || 'é"[]', 4), i) AS t FROM generate_series(0, 150) i) texts`,
    );
    for (const row of rows) expect(row.encoded).toBe(Buffer.from(row.t, 'utf8').toString('base64url'));
  });

  it('answers the reviewer article page in one statement, as the resolvers do', async () => {
    const page = await both(ARTICLE_PAGE, { id: articleId(0) });
    expect(page.body.errors).toBeUndefined();
    expect(page.body.data.article.claims.totalCount).toBe(11);
    // BEGIN, the caller's scope, the page and COMMIT, in one round trip
    expect(page.statements).toBe(4);
    expect(page.roundTrips).toBe(1);
    expect(page.resolvedStatements).toBeGreaterThan(page.statements);
    const edges = page.body.data.article.claims.edges;
    expect(edges[0].node.speaker).toBeNull();
    expect(edges[1].node.evidence.nodes[0]).toMatchObject({ url: 'https://example.org/a%20b?x=1#frag', source: null });
    expect(edges[2].node.evidence.nodes[0].url).toBe('https://example.org/');
    expect(edges[3].node.verdicts.nodes).toHaveLength(2);
  });

  it('walks nested connections with first/after and last/before, and empty pages', async () => {
    const query = `query Page($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $verdicts: Int) {
      article(id: $id) {
        claims(first: $first, after: $after, last: $last, before: $before) {
          totalCount
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges {
            cursor
            node {
              id
              verdicts(first: $verdicts) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id createdAt } } }
              withdrawn: verdicts(includeWithdrawn: true, last: 2) { pageInfo { hasNextPage hasPreviousPage } nodes { id current withdrawnAt } }
            }
          }
        }
      }
    }`;
    const first = await both(query, { id: articleId(0), first: 4, verdicts: 1 });
    expect(first.statements).toBe(4);
    const claimsPage = first.body.data.article.claims;
    expect(claimsPage.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await both(query, { id: articleId(0), first: 4, after: claimsPage.pageInfo.endCursor, verdicts: 2 });
    expect(second.body.data.article.claims.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const verdictCursor = claimsPage.edges[0].node.verdicts.pageInfo.endCursor;
    expect(verdictCursor).toBeTruthy();
    const backward = await both(query, { id: articleId(0), last: 3, before: second.body.data.article.claims.pageInfo.endCursor, verdicts: 0 });
    expect(backward.body.data.article.claims.edges).toHaveLength(3);
    expect(backward.statements).toBe(4);
    await both(query, { id: articleId(0), last: 20, verdicts: 3 });
    await both(query, { id: articleId(0), first: 0, verdicts: 1 });
    await both(query, { id: articleId(0), last: 0, before: claimsPage.pageInfo.endCursor, verdicts: 1 });
    // past the end, and an article whose claims are all deleted
    await both(query, { id: articleId(0), first: 100, after: claimsPage.edges[0].cursor, verdicts: 100 });
    await both(query, { id: articleId(1), first: 5, verdicts: 1 });
  });

  it('handles aliases, fragments, variables, @include/@skip, __typename and relations by id', async () => {
    const query = `query Shapes($id: ID!, $claimId: ID!, $withEvidence: Boolean!, $skipVerdicts: Boolean!, $n: Int) {
      one: article(id: $id) { ...ArticleBits claims(first: $n) { nodes { ... on Claim { quote } ...ClaimBits } } }
      two: article(id: $id) { heading: title __typename ... on Node { id } createdBy { name } }
      claim(id: $claimId) {
        id status version createdAt updatedAt deletedAt anchorState via note judgedQuote disputedAt extractionConfidence checkworthiness
        article { id title byline publishedAt currentRevisionNumber }
        speaker { id kind name title affiliation url anonymous descriptor version displayName }
        evidence(first: 5) { edges { node { id claim { id } stance note createdAt removedAt createdBy { id } } } }
        verdicts { nodes { id judgedRevision judgedQuote updatedAt claim { id quote } reviewer { id email createdAt } } }
      }
    }
    fragment ArticleBits on Article { id headline: title url outlet language createdAt ... on Node { id } }
    fragment ClaimBits on Claim {
      id kind sourcing
      evidence(first: 2) @include(if: $withEvidence) { totalCount nodes { url quotedPassage source { __typename displayName anonymous } } }
      verdicts @skip(if: $skipVerdicts) { totalCount nodes { current rating confidence rationale reviewer { name } } }
      speaker { __typename id name anonymous }
      ...Anchored
    }
    fragment Anchored on Claim { anchor { __typename position { start end } quote { exact prefix suffix } } kind }`;
    const claimId = toGlobalId('Claim', claims.filter((claim) => claim.article_id === articles.filter((article) => article.slug === 'desk')[0].id)[5].id);
    for (const flags of [
      { withEvidence: true, skipVerdicts: false, n: 6 },
      { withEvidence: false, skipVerdicts: true, n: null },
    ]) {
      const answer = await both(query, { id: articleId(0), claimId, ...flags });
      expect(answer.body.errors).toBeUndefined();
      expect(answer.statements).toBe(4);
    }
  });

  it("leaves errors to the resolvers: another team's, missing, deleted and malformed ids, refused arguments", async () => {
    const query = `query One($id: ID!, $first: Int, $after: String) { article(id: $id) { title claims(first: $first, after: $after) { nodes { id } } } }`;
    const other = toGlobalId('Article', articles.find((article) => article.slug === 'other')!.id);
    const cases: Record<string, unknown>[] = [
      { id: other },
      { id: toGlobalId('Article', '00000000-0000-4000-8000-000000000000') },
      { id: articleId(2) },
      { id: 'not-an-id' },
      { id: toGlobalId('Claim', claims[0].id) },
      { id: articleId(0), first: 101 },
      { id: articleId(0), first: -1 },
      { id: articleId(0), after: 'bm90IGEgY3Vyc29y' },
      { id: articleId(0), after: Buffer.from('["x","y"]').toString('base64url') },
    ];
    for (const variables of cases) {
      const answer = await both(query, variables);
      expect(answer.body.errors?.length, JSON.stringify(variables)).toBeGreaterThan(0);
    }
    const deletedClaim = toGlobalId('Claim', (await client.query(`SELECT id FROM claims WHERE deleted_at IS NOT NULL LIMIT 1`)).rows[0].id);
    const gone = await both(`query($id: ID!) { claim(id: $id) { id } }`, { id: deletedClaim });
    expect(gone.body.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const foreign = await both(`query($id: ID!) { claim(id: $id) { id } }`, { id: toGlobalId('Claim', claims.find((claim) => claim.slug === 'other')!.id) });
    expect(foreign.body.errors?.[0].extensions.code).toBe('NOT_FOUND');
  });

  it('runs what needs code on the resolvers, beside compiled root fields, in the same transaction', async () => {
    const mixed = await both(
      `query Mixed($id: ID!) {
        viewer { name }
        article(id: $id) { title claims(first: 3) { nodes { id quote } } }
        withCode: article(id: $id) { claims(first: 2) { nodes { anchor { utf16Position { start end } } viewerVerdict { id } } } }
      }`,
      { id: articleId(0) },
    );
    expect(mixed.body.errors).toBeUndefined();
    expect(mixed.body.data.viewer.name).toBeTruthy();
    // the resolvers' part costs its own statements, but BEGIN and COMMIT are shared
    expect(mixed.statements).toBeLessThan(mixed.resolvedStatements + 1);
    // a failing resolver beside a compiled field: data null, as for the whole operation
    const failing = await both(`query F($id: ID!, $bad: ID!) { article(id: $id) { title } other: article(id: $bad) { title } }`, {
      id: articleId(0),
      bad: articleId(2),
    });
    expect(failing.body.data).toBeNull();
  });

  it("writes Postgres's JSON text into HTTP responses as it is, and URLs as the URL scalar serialises them", async () => {
    const url = `${await app.listen()}/graphql`;
    const {
      credentials: [credential],
    } = await createCredentials(app.dataSource, [reviewer()]);
    const post = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...credential.headers },
        body: JSON.stringify({ query, variables }),
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    const inProcess = async (query: string, variables: Record<string, unknown>) => JSON.parse((await runOn(app.server, query, variables)).text);
    // an article whose URLs are all serialised already: its text is Postgres's, never parsed by
    // the server (which runs in this process)
    const parse = vi.spyOn(JSON, 'parse');
    let plain: string;
    try {
      plain = await post(ARTICLE_PAGE, { id: articleId(1) });
      expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.startsWith('{"id":'))).toEqual([]);
    } finally {
      parse.mockRestore();
    }
    expect(plain).toMatch(/^\{"data":\{"article":\{"id":"/);
    expect(JSON.parse(plain)).toEqual(await inProcess(ARTICLE_PAGE, { id: articleId(1) }));
    // URLs at the edges of WHATWG's serialisation: whatever the compiled path answers (as it is,
    // normalised, or through the resolvers for one they refuse) is what the resolvers answer
    const candidates = [
      'https://example.org/',
      'https://example.org',
      'http://example.org:80/x',
      'https://example.org:8443/',
      'http://example.org:443/',
      'https://EXAMPLE.org/a',
      'https://example.org/a/../b',
      'https://example.org/a/./b',
      'https://example.org/a/.',
      'https://example.org/.well-known/x',
      'https://example.org/%2e%2E/b',
      'https://example.org/a%2fb%41%zz',
      'https://example.org/a b',
      "https://example.org/it's",
      "https://example.org/?q=it's",
      'https://example.org/?q=a b&r=<x>',
      'https://example.org/#a b',
      'https://example.org/#it`s',
      'https://example.org/?',
      'https://example.org/#',
      'https://example.org/a?b#c?d',
      'https://user:pw@example.org/',
      'https://1.2.3.4/',
      'https://0x7f.1/',
      'https://123/',
      'https://a.123/',
      'https://a.0x1/',
      'https://192.168.0.1.example/',
      'https://xn--nxasmq6b.com/',
      'https://xn--a.com/',
      'https://example.org./',
      'https://ex_ample.org/',
      'https://example.org/a\\b',
      'https://example.org/a|b^c',
      'https://example.org/{x}[y]',
      'https://münchen.de/',
      'https://example.org/ü',
      'https://a-.org/',
      'https://-a.org/',
      'https://a..b/',
      'https://',
      'https://example.org/a\tb',
      'https:// spaced.org/',
      'https://example.org/a~b!$&()*+,;=:@',
    ];
    const evidence = (
      await client.query(
        `SELECT e.id FROM evidence e JOIN claims c ON c.id = e.claim_id
          WHERE c.article_id = (SELECT id FROM articles WHERE id = $1) AND c.deleted_at IS NULL AND e.removed_at IS NULL ORDER BY e.id`,
        [articles.filter((article) => article.slug === 'desk')[0].id],
      )
    ).rows.map((row) => row.id as string);
    expect(evidence.length).toBeGreaterThan(8);
    // a few URLs at a time: one the URL scalar refuses sends the whole page to the resolvers
    for (let start = 0; start < candidates.length; start += 4) {
      const batch = candidates.slice(start, start + 4);
      await client.query(`UPDATE evidence SET url = ($2::text[])[1 + (array_position($1::uuid[], id) - 1) % $3] WHERE id = ANY($1::uuid[])`, [
        evidence,
        batch,
        batch.length,
      ]);
      await both(ARTICLE_PAGE, { id: articleId(0) });
      const overHttp = JSON.parse((await post(ARTICLE_PAGE, { id: articleId(0) })).replace(/"requestId":"[^"]*"/g, '"requestId":"…"'));
      expect(overHttp, batch.join(' ')).toEqual(await inProcess(ARTICLE_PAGE, { id: articleId(0) }));
    }
  });

  it('answers without credentials as the resolvers do', async () => {
    for (const server of [app.server, resolvers]) {
      const response = await server.apollo.executeOperation(
        { query: ARTICLE_PAGE, variables: { id: articleId(0) } },
        { contextValue: server.contextFor(null) },
      );
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      expect(response.body.singleResult.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
  });
});
