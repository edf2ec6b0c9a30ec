import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from './support/app';
import { rawId, createArticle, createClaim, createDesk, databaseFingerprint, type Desk } from './support/desk';
import { MemberService } from '../src/modules/team/member.service';
import { PERMISSIONS, type Permission } from '../src/modules/team/permissions';
import { Role } from '../src/modules/team/role';


describe('permission matrix', () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
  });
  afterAll(() => app?.close());

  /** One representative operation per permission; each returns the GraphQL result. */
  const attempts: Partial<Record<Permission, (user: TestUser) => Promise<{ errors?: { extensions?: Record<string, unknown> }[] }>>> = {
    'team.read': async (user) => app.run(user, `query($t: ID) { team(id: $t) { name } articles(filter: { teamId: $t }) { totalCount } }`, { t: desk.teamId }),
    'verdict.write': async (user) => {
      const { id } = await createArticle(app, desk);
      const claim = await createClaim(app, desk, id, 'the lowest since 1999');
      return app.run(user, `mutation($c: ID!) { submitVerdict(input: { claimId: $c, rating: TRUE }) { verdict { id } } }`, { c: claim.id });
    },
    'evidence.write': async (user) => {
      const { id } = await createArticle(app, desk);
      const claim = await createClaim(app, desk, id, 'the lowest since 1999');
      return app.run(user, `mutation($c: ID!) { addEvidence(input: { claimId: $c, stance: CONTEXT, url: "https://e.example" }) { evidence { id } } }`, { c: claim.id });
    },
    'article.write': (user) => app.run(user, `mutation($t: ID!) { createArticle(input: { teamId: $t, title: "t", text: "body", allowDuplicate: true }) { article { id } } }`, { t: desk.teamId }),
    'claim.write': async (user) => {
      const { id } = await createArticle(app, desk);
      return app.run(user, `mutation($a: ID!) { createClaim(input: { articleId: $a, kind: ASSERTION, anchor: { quote: { exact: "the lowest since 1999" } } }) { claim { id } } }`, { a: id });
    },
    'source.write': (user) => app.run(user, `mutation($t: ID!) { createSource(input: { teamId: $t, kind: PERSON, name: "n" }) { source { id } } }`, { t: desk.teamId }),
    'team.update': (user) => app.run(user, `mutation($t: ID!) { updateTeam(input: { teamId: $t, name: "Renamed" }) { team { id } } }`, { t: desk.teamId }),
    'webhook.manage': (user) => app.run(user, `mutation($t: ID!) { createWebhookEndpoint(input: { teamId: $t, url: "https://hooks.example.org/in", eventTypes: [CLAIM_PUBLISHED] }) { endpoint { id } } }`, { t: desk.teamId }),
    'team.manageMembers': async (user) => {
      const email = `member.${Math.random().toString(36).slice(2)}@example.test`;
      return app.run(user, `mutation($t: ID!, $e: String!) { addTeamMember(input: { teamId: $t, email: $e, role: VIEWER }) { membership { role } } }`, { t: desk.teamId, e: email });
    },
  };

  const roles = [Role.VIEWER, Role.REVIEWER, Role.EDITOR, Role.OWNER];
  const userFor = (role: Role) => ({ VIEWER: desk.viewer, REVIEWER: desk.reviewer, EDITOR: desk.editor, OWNER: desk.owner })[role];

  for (const [permission, { role: required }] of Object.entries(PERMISSIONS)) {
    it(`${permission}: ${required} and above may, the roles below may not, outsiders see nothing`, async () => {
      const attempt = attempts[permission as Permission];
      if (!attempt) return void expect(['comment.write', 'claim.review']).toContain(permission); // covered by the workflow tests
      for (const role of roles) {
        const result = await attempt(userFor(role));
        const allowed = roles.indexOf(role) >= roles.indexOf(required);
        expect([permission, role, result.errors?.[0]?.extensions?.code ?? 'OK']).toEqual([permission, role, allowed ? 'OK' : 'FORBIDDEN']);
      }
      const outsider = await attempt(desk.outsider);
      expect(outsider.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });
  }
});

describe(MemberService.name, () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
  });
  afterAll(() => app?.close());

  const ADD = `mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { membership { role user { email name } } } }`;
  const CHANGE = `mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { membership { role } } }`;
  const REMOVE = `mutation($i: RemoveTeamMemberInput!) { removeTeamMember(input: $i) { userId team { id } } }`;
  const userId = async (user: TestUser) => (await app.ok(user, '{ viewer { id } }')).viewer.id as string;

  it('adds a member (creating the user), changes the role and removes them, all in history', async () => {
    const added = await app.ok(desk.owner, ADD, { i: { teamId: desk.teamId, email: 'New.Person@Example.test', name: 'New Person', role: 'REVIEWER' } });
    expect(added.addTeamMember.membership).toEqual({ role: 'REVIEWER', user: { email: 'new.person@example.test', name: 'New Person' } });
    const [user] = await app.sql(`SELECT id FROM users WHERE email = 'new.person@example.test'`);
    const globalUserId = Buffer.from(`User:${user.id}`).toString('base64url');
    const duplicate = await app.run(desk.owner, ADD, { i: { teamId: desk.teamId, email: 'new.person@example.test', role: 'VIEWER' } });
    expect(duplicate.errors?.[0].extensions?.code).toBe('ALREADY_EXISTS');
    expect((await app.ok(desk.owner, CHANGE, { i: { teamId: desk.teamId, userId: globalUserId, role: 'EDITOR' } })).changeMemberRole.membership.role).toBe('EDITOR');
    expect((await app.ok(desk.owner, REMOVE, { i: { teamId: desk.teamId, userId: globalUserId } })).removeTeamMember.userId).toBe(globalUserId);
    const events = await app.sql(`SELECT action, before, after FROM history_events WHERE entity_type = 'Membership' AND entity_id = $1 ORDER BY id`, [user.id]);
    expect(events).toEqual([
      { action: 'ADD_MEMBER', before: null, after: { userId: user.id, role: 'REVIEWER' } },
      { action: 'CHANGE_ROLE', before: { role: 'REVIEWER' }, after: { role: 'EDITOR' } },
      { action: 'REMOVE_MEMBER', before: { userId: user.id, role: 'EDITOR' }, after: null },
    ]);
    const bad = await app.run(desk.owner, ADD, { i: { teamId: desk.teamId, email: 'not-an-email', role: 'VIEWER' } });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('keeps at least one OWNER, even when two owners demote each other at once', async () => {
    const team = await createDesk(app);
    const ownerId = await userId(team.owner);
    const before = await databaseFingerprint(app);
    for (const [query, input] of [[CHANGE, { role: 'EDITOR' }], [REMOVE, {}]] as const) {
      const result = await app.run(team.owner, query, { i: { teamId: team.teamId, userId: ownerId, ...input } });
      expect(result.errors?.[0].extensions?.code).toBe('LAST_OWNER');
    }
    expect(await databaseFingerprint(app)).toBe(before);
    // a second owner; then both try to demote the other concurrently
    await app.ok(team.owner, CHANGE, { i: { teamId: team.teamId, userId: await userId(team.editor), role: 'OWNER' } });
    const editorId = await userId(team.editor);
    const results = await Promise.all([
      app.run(team.owner, CHANGE, { i: { teamId: team.teamId, userId: editorId, role: 'VIEWER' } }),
      app.run(team.editor, CHANGE, { i: { teamId: team.teamId, userId: ownerId, role: 'VIEWER' } }),
    ]);
    const owners = await app.sql(`SELECT count(*)::int AS n FROM memberships WHERE team_id = $1 AND role = 'OWNER'`, [rawId(team.teamId)]);
    expect(owners[0].n).toBe(1);
    expect(results.filter((result) => !result.errors)).toHaveLength(1);
    expect(results.find((result) => result.errors)?.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
