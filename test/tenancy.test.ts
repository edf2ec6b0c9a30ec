import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, databaseFingerprint, type Desk } from './support/desk';
import { createDataSource } from '../src/db/data-source';
import { createServer } from '../src/server';
import { buildClaimgraphSchema } from '../src/schema';
import { loadConfig } from '../src/config';
import pino from 'pino';

/** Every object of one desk: an article with a claim, a source, evidence, a verdict, history. */
async function populate(app: TestApp, desk: Desk) {
  const article = await createArticle(app, desk);
  const source = (
    await app.ok(desk.editor, `mutation($t: ID!) { createSource(input: { teamId: $t, kind: PERSON, name: "Ana Ruiz" }) { source { id } } }`, { t: desk.teamId })
  ).createSource.source.id;
  const claim = await createClaim(app, desk, article.id, 'Unemployment fell to 3.1% last year', { speakerId: source });
  const evidence = (
    await app.ok(desk.reviewer, `mutation($c: ID!) { addEvidence(input: { claimId: $c, stance: SUPPORTS, url: "https://a.example/1" }) { evidence { id } } }`, {
      c: claim.id,
    })
  ).addEvidence.evidence.id;
  const verdict = (await app.ok(desk.reviewer, `mutation($c: ID!) { submitVerdict(input: { claimId: $c, rating: TRUE }) { verdict { id } } }`, { c: claim.id }))
    .submitVerdict.verdict.id;
  const history = (await app.ok(desk.viewer, `query($c: ID!) { claim(id: $c) { history { nodes { id } } } }`, { c: claim.id })).claim.history.nodes[0].id;
  const reviewerId = (await app.ok(desk.reviewer, '{ viewer { id } }')).viewer.id;
  return { article: article.id, revision: article.revisionId, source, claim: claim.id, evidence, verdict, history, reviewerId, team: desk.teamId };
}

const fakeId = (type: string) => Buffer.from(`${type}:00000000-0000-4000-8000-00000000abcd`).toString('base64url');

describe('tenant isolation', () => {
  let app: TestApp;
  let a: Desk;
  let b: Desk;
  let ids: Awaited<ReturnType<typeof populate>>;

  beforeAll(async () => {
    app = await createTestApp();
    a = await createDesk(app);
    b = await createDesk(app);
    ids = await populate(app, a);
    await populate(app, b);
  });
  afterAll(() => app?.close());

  it("answers every lookup of another team's object exactly like a missing one", async () => {
    const probes: [string, string, string][] = [
      ['team', `query($id: ID) { team(id: $id) { id } }`, 'Team'],
      ['article', `query($id: ID!) { article(id: $id) { id } }`, 'Article'],
      ['claim', `query($id: ID!) { claim(id: $id) { id } }`, 'Claim'],
      ['source', `query($id: ID!) { source(id: $id) { id } }`, 'Source'],
    ];
    for (const [field, query, type] of probes) {
      const foreign = await app.run(b.owner, query, { id: (ids as Record<string, string>)[field] });
      const missing = await app.run(b.owner, query, { id: fakeId(type) });
      expect(foreign.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      expect(foreign).toEqual(missing);
    }
    const everyId = [ids.team, ids.article, ids.revision, ids.source, ids.claim, ids.evidence, ids.verdict, ids.history, ids.reviewerId];
    const nodes = await app.ok(b.owner, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: everyId });
    expect(nodes.nodes).toEqual(everyId.map(() => null));
    for (const id of everyId) {
      expect(await app.run(b.owner, `query($id: ID!) { node(id: $id) { id } }`, { id })).toEqual({ data: { node: null } });
    }
  });

  it("leaves another team's objects out of every list and filter", async () => {
    const lists = await app.ok(
      b.owner,
      `{
      teams(first: 100) { nodes { id } }
      articles(first: 100) { nodes { id } }
      claims(first: 100) { nodes { id } }
      sources(first: 100) { nodes { id } }
    }`,
    );
    const seen = JSON.stringify(lists);
    for (const id of Object.values(ids)) expect(seen).not.toContain(id);
    for (const [query, variables] of [
      [`query($t: ID) { articles(filter: { teamId: $t }) { totalCount } }`, { t: ids.team }],
      [`query($t: ID) { claims(filter: { teamId: $t }) { totalCount } }`, { t: ids.team }],
      [`query($a: ID) { claims(filter: { articleId: $a }) { totalCount } }`, { a: ids.article }],
      [`query($t: ID) { sources(teamId: $t) { totalCount } }`, { t: ids.team }],
    ] as const) {
      const result = await app.run(b.owner, query, variables);
      expect(result.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    // Filters by another team's source or reviewer match nothing of theirs.
    const bySpeaker = await app.ok(b.owner, `query($s: ID) { claims(filter: { speakerId: $s }) { totalCount } }`, { s: ids.source });
    expect(bySpeaker.claims.totalCount).toBe(0);
    const byReviewer = await app.ok(b.owner, `query($r: ID) { claims(filter: { reviewerId: $r }) { totalCount } }`, { r: ids.reviewerId });
    expect(byReviewer.claims.totalCount).toBe(0);
    const viewerOfB = await app.ok(b.viewer, '{ viewer { memberships { team { id } } } }');
    expect(JSON.stringify(viewerOfB)).not.toContain(ids.team);
  });

  it("refuses every mutation on another team's objects with NOT_FOUND and changes nothing", async () => {
    const mutations: [string, Record<string, unknown>][] = [
      [`mutation($i: UpdateTeamInput!) { updateTeam(input: $i) { team { id } } }`, { teamId: ids.team, name: 'hijacked' }],
      [
        `mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { invitation { role } } }`,
        { teamId: ids.team, email: 'spy@example.test', role: 'OWNER' },
      ],
      [`mutation($i: CreateArticleInput!) { createArticle(input: $i) { article { id } } }`, { teamId: ids.team, title: 'x', text: 'y' }],
      [`mutation($i: UpdateArticleInput!) { updateArticle(input: $i) { article { id } } }`, { articleId: ids.article, title: 'x' }],
      [
        `mutation($i: CreateClaimInput!) { createClaim(input: $i) { claim { id } } }`,
        { articleId: ids.article, kind: 'ASSERTION', anchor: { quote: { exact: 'Unemployment' } } },
      ],
      [`mutation($i: UpdateClaimInput!) { updateClaim(input: $i) { claim { id } } }`, { claimId: ids.claim, expectedVersion: 1, note: 'x' }],
      [`mutation($i: DeleteClaimInput!) { deleteClaim(input: $i) { claim { id } } }`, { claimId: ids.claim, expectedVersion: 1 }],
      [`mutation($i: SetClaimSpeakerInput!) { setClaimSpeaker(input: $i) { claim { id } } }`, { claimId: ids.claim, expectedVersion: 1, speakerId: null }],
      [`mutation($i: CreateSourceInput!) { createSource(input: $i) { source { id } } }`, { teamId: ids.team, kind: 'PERSON', name: 'x' }],
      [`mutation($i: UpdateSourceInput!) { updateSource(input: $i) { source { id } } }`, { sourceId: ids.source, expectedVersion: 1, name: 'x' }],
      [`mutation($i: AddEvidenceInput!) { addEvidence(input: $i) { evidence { id } } }`, { claimId: ids.claim, stance: 'REFUTES', url: 'https://x.example' }],
      [`mutation($i: RemoveEvidenceInput!) { removeEvidence(input: $i) { evidence { id } } }`, { evidenceId: ids.evidence }],
      [`mutation($i: SubmitVerdictInput!) { submitVerdict(input: $i) { verdict { id } } }`, { claimId: ids.claim, rating: 'FALSE' }],
      [`mutation($i: WithdrawVerdictInput!) { withdrawVerdict(input: $i) { verdict { id } } }`, { verdictId: ids.verdict, expectedVersion: 1 }],
    ];
    const before = await databaseFingerprint(app);
    for (const [mutation, input] of mutations) {
      const result = await app.run(b.owner, mutation, { i: input });
      expect([mutation, result.errors?.[0].extensions?.code]).toEqual([mutation, 'NOT_FOUND']);
      expect(result.errors?.[0].message).toMatch(/^\w+ not found$/);
    }
    expect(await databaseFingerprint(app)).toBe(before);
  });

  it("keeps a second wall in the database: unfiltered SQL on the app's connection path sees only the caller's teams", async () => {
    const actorB = await b.owner.actor();
    const tables = await app.sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'team_id' ORDER BY 1`,
    );
    expect(tables.length).toBeGreaterThanOrEqual(9);
    const context = app.server.contextFor(actorB);
    try {
      const [{ current_user: role }] = await context.db.query<{ current_user: string }>('SELECT current_user');
      expect(role).toBe('claimgraph_app');
      for (const { table_name: table } of tables) {
        const rows = await context.db.query<{ team_id: string }>(`SELECT DISTINCT team_id::text FROM ${table}`);
        const foreign = rows.filter((row) => row.team_id !== null && !actorB.teamIds.includes(row.team_id));
        expect([table, foreign]).toEqual([table, []]);
      }
      const teams = await context.db.query<{ id: string }>('SELECT id::text FROM teams');
      expect(teams.map((row) => row.id).sort()).toEqual([...actorB.teamIds].sort());
    } finally {
      await context.db.finish('rollback');
    }
    // Writing a row into another team is refused by the policy itself.
    const writer = app.server.contextFor(actorB);
    const rawTeamA = Buffer.from(ids.team, 'base64url').toString().split(':')[1];
    await expect(
      writer.db.transaction((manager) =>
        manager.query(`INSERT INTO sources (team_id, kind, name, created_by) VALUES ($1, 'PERSON', 'planted', $2)`, [rawTeamA, actorB.userId]),
      ),
    ).rejects.toThrow();
    await writer.db.finish('rollback');
    const planted = await app.sql(`SELECT count(*)::int AS n FROM sources WHERE name = 'planted'`);
    expect(planted[0].n).toBe(0);
  });

  it('forces row-level security with a policy on every table that has a team_id', async () => {
    // `policies`: those that apply to every role (the application's included); the other policies
    // are each for one dedicated role only (public reads, the webhook worker), never the application's.
    const rows = await app.sql<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; policies: number; others: string[] }>(`
      SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
             (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid AND p.polroles = '{0}') AS policies,
             (SELECT coalesce(array_agg(DISTINCT r.rolname::text ORDER BY r.rolname::text), '{}'::text[]) FROM pg_policy p JOIN pg_roles r ON r.oid = ANY (p.polroles)
               WHERE p.polrelid = c.oid) AS others
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r'
        AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'team_id' AND NOT a.attisdropped) OR c.relname = 'teams')`);
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const row of rows) {
      expect(row).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true, policies: 1 });
      for (const role of row.others) expect(['claimgraph_public', 'claimgraph_webhooks']).toContain(role);
    }
  });

  it('never lets team settings leak across requests that share pooled connections', async () => {
    // A pool of 2 serves 2 teams x 60 concurrent requests: each connection is reused many times.
    const dataSource = createDataSource({ url: app.databaseUrl, poolSize: 2 });
    await dataSource.initialize();
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: app.databaseUrl });
    const server = await createServer({ config, dataSource, schema: await buildClaimgraphSchema(), log: pino({ level: 'silent' }) });
    try {
      const desks = [a, b];
      const teamIds = desks.map((desk) => Buffer.from(desk.teamId, 'base64url').toString().split(':')[1]);
      const actors = await Promise.all(desks.map((desk) => desk.reviewer.actor()));
      const results = await Promise.all(
        Array.from({ length: 120 }, async (_, index) => {
          const which = index % 2;
          const context = server.contextFor(actors[which]);
          const response = await server.apollo.executeOperation(
            {
              query: `{ claims(first: 100) { nodes { id article { id team { id } } verdicts { nodes { reviewer { id } } } } } articles { nodes { team { id } } } }`,
            },
            { contextValue: context },
          );
          const raw = server.contextFor(actors[which]);
          const rows = await raw.db.query<{ team_id: string }>('SELECT team_id::text FROM claims UNION ALL SELECT team_id::text FROM verdicts');
          await raw.db.finish('rollback');
          return { which, body: JSON.stringify(response.body), rows };
        }),
      );
      for (const { which, body, rows } of results) {
        const own = desks[which].teamId;
        const other = desks[1 - which].teamId;
        expect(body).toContain(own);
        expect(body).not.toContain(other);
        expect(rows.every((row) => row.team_id === teamIds[which])).toBe(true);
      }
    } finally {
      await server.stop();
      await dataSource.destroy();
    }
  });
});
