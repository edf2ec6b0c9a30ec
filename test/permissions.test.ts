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
      return app.run(user, `mutation($c: ID!) { addEvidence(input: { claimId: $c, stance: CONTEXT, url: "https://e.example" }) { evidence { id } } }`, {
        c: claim.id,
      });
    },
    'article.write': (user) =>
      app.run(user, `mutation($t: ID!) { createArticle(input: { teamId: $t, title: "t", text: "body", allowDuplicate: true }) { article { id } } }`, {
        t: desk.teamId,
      }),
    'claim.write': async (user) => {
      const { id } = await createArticle(app, desk);
      return app.run(
        user,
        `mutation($a: ID!) { createClaim(input: { articleId: $a, kind: ASSERTION, anchor: { quote: { exact: "the lowest since 1999" } } }) { claim { id } } }`,
        { a: id },
      );
    },
    'source.write': (user) =>
      app.run(user, `mutation($t: ID!) { createSource(input: { teamId: $t, kind: PERSON, name: "n" }) { source { id } } }`, { t: desk.teamId }),
    'team.update': (user) => app.run(user, `mutation($t: ID!) { updateTeam(input: { teamId: $t, name: "Renamed" }) { team { id } } }`, { t: desk.teamId }),
    'webhook.manage': (user) =>
      app.run(
        user,
        `mutation($t: ID!) { createWebhookEndpoint(input: { teamId: $t, url: "https://hooks.example.org/in", eventTypes: [CLAIM_PUBLISHED] }) { endpoint { id } } }`,
        { t: desk.teamId },
      ),
    'team.manageMembers': async (user) => {
      const email = `member.${Math.random().toString(36).slice(2)}@example.test`;
      return app.run(user, `mutation($t: ID!, $e: String!) { addTeamMember(input: { teamId: $t, email: $e, role: VIEWER }) { invitation { role } } }`, {
        t: desk.teamId,
        e: email,
      });
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

  const ADD = `mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { invitation { id email role status teamName teamSlug } } }`;
  const CHANGE = `mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { membership { role } } }`;
  const REMOVE = `mutation($i: RemoveTeamMemberInput!) { removeTeamMember(input: $i) { userId team { id } } }`;
  const INVITATIONS = '{ viewer { invitations { id teamName teamSlug role status } memberships { role team { id } } } }';
  const ACCEPT = `mutation($i: RespondToInvitationInput!) { acceptTeamInvitation(input: $i) { invitation { status } membership { role user { email } } } }`;
  const DECLINE = `mutation($i: RespondToInvitationInput!) { declineTeamInvitation(input: $i) { invitation { status } } }`;
  const userId = async (user: TestUser) => (await app.ok(user, '{ viewer { id } }')).viewer.id as string;

  it('invites by email: the invitee accepts and joins; role changes and removal follow, all in history', async () => {
    const invitee = await app.user('New Person');
    const invited = await app.ok(desk.owner, ADD, { i: { teamId: desk.teamId, email: invitee.email.toUpperCase(), role: 'REVIEWER' } });
    expect(invited.addTeamMember.invitation).toMatchObject({ email: invitee.email, role: 'REVIEWER', status: 'PENDING', teamSlug: desk.teamSlug });
    // not a member yet: the team cannot see them, they cannot see the team
    const members = async () =>
      (
        await app.ok(desk.owner, `query($id: ID!) { node(id: $id) { ... on Team { memberships(first: 50) { nodes { user { email } } } } } }`, {
          id: desk.teamId,
        })
      ).node.memberships.nodes.map((node: any) => node.user.email);
    expect(await members()).not.toContain(invitee.email);
    const pending = (await app.ok(invitee, INVITATIONS)).viewer;
    expect(pending.memberships).toEqual([]);
    expect(pending.invitations).toEqual([
      { id: invited.addTeamMember.invitation.id, teamName: expect.any(String), teamSlug: desk.teamSlug, role: 'REVIEWER', status: 'PENDING' },
    ]);
    const duplicate = await app.run(desk.owner, ADD, { i: { teamId: desk.teamId, email: invitee.email, role: 'VIEWER' } });
    expect(duplicate.errors?.[0].extensions?.code).toBe('ALREADY_EXISTS');
    // nobody else can answer it
    const stolen = await app.run(desk.outsider, ACCEPT, { i: { invitationId: invited.addTeamMember.invitation.id } });
    expect(stolen.errors?.[0].extensions?.code).toBe('NOT_FOUND');

    const accepted = await app.ok(invitee, ACCEPT, { i: { invitationId: invited.addTeamMember.invitation.id } });
    expect(accepted.acceptTeamInvitation).toEqual({ invitation: { status: 'ACCEPTED' }, membership: { role: 'REVIEWER', user: { email: invitee.email } } });
    expect(await members()).toContain(invitee.email);
    expect((await app.ok(invitee, INVITATIONS)).viewer.invitations).toEqual([]);
    const again = await app.run(invitee, ACCEPT, { i: { invitationId: invited.addTeamMember.invitation.id } });
    expect(again.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const member = await app.run(desk.owner, ADD, { i: { teamId: desk.teamId, email: invitee.email, role: 'VIEWER' } });
    expect(member.errors?.[0].extensions?.code).toBe('ALREADY_EXISTS');

    const globalUserId = Buffer.from(`User:${invitee.id}`).toString('base64url');
    expect((await app.ok(desk.owner, CHANGE, { i: { teamId: desk.teamId, userId: globalUserId, role: 'EDITOR' } })).changeMemberRole.membership.role).toBe(
      'EDITOR',
    );
    expect((await app.ok(desk.owner, REMOVE, { i: { teamId: desk.teamId, userId: globalUserId } })).removeTeamMember.userId).toBe(globalUserId);
    const events = await app.sql(`SELECT action, before, after, reason FROM history_events WHERE entity_type = 'Membership' AND entity_id = $1 ORDER BY id`, [
      invitee.id,
    ]);
    expect(events).toEqual([
      { action: 'ADD_MEMBER', before: null, after: { userId: invitee.id, role: 'REVIEWER' }, reason: 'accepted an invitation' },
      { action: 'CHANGE_ROLE', before: { role: 'REVIEWER' }, after: { role: 'EDITOR' }, reason: null },
      { action: 'REMOVE_MEMBER', before: { userId: invitee.id, role: 'EDITOR' }, after: null, reason: null },
    ]);
    const bad = await app.run(desk.owner, ADD, { i: { teamId: desk.teamId, email: 'not-an-email', role: 'VIEWER' } });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers an invitation identically whether the email has an account or not, and shows the team no personal data', async () => {
    const existing = await app.user('Someone Elsewhere');
    const SHAPE = `mutation($i: AddTeamMemberInput!) { addTeamMember(input: $i) { invitation { email role status teamName teamSlug respondedAt } } }`;
    const before = await app.sql(`SELECT count(*)::int AS n FROM users`);
    const forExisting = await app.run(desk.owner, SHAPE, { i: { teamId: desk.teamId, email: existing.email, role: 'VIEWER' } });
    const forNobody = await app.run(desk.owner, SHAPE, { i: { teamId: desk.teamId, email: 'nobody.here@example.test', role: 'VIEWER' } });
    const strip = (result: any) => ({ ...result.data.addTeamMember.invitation, email: null });
    expect(forExisting.errors).toBeUndefined();
    expect(strip(forExisting)).toEqual(strip(forNobody));
    // no account was made for the unknown address, and the existing one is not visible to the team
    expect(await app.sql(`SELECT count(*)::int AS n FROM users`)).toEqual(before);
    const lookup = await app.ok(desk.owner, `query($id: ID!) { node(id: $id) { id } }`, { id: Buffer.from(`User:${existing.id}`).toString('base64url') });
    expect(lookup.node).toBeNull();
    // the invitee declines: the team sees that, and still nothing of them
    const [invitation] = (await app.ok(existing, INVITATIONS)).viewer.invitations;
    expect((await app.ok(existing, DECLINE, { i: { invitationId: invitation.id } })).declineTeamInvitation.invitation.status).toBe('DECLINED');
    expect((await app.ok(existing, INVITATIONS)).viewer.memberships).toEqual([]);
  });

  it('keeps at least one OWNER, even when two owners demote each other at once', async () => {
    const team = await createDesk(app);
    const ownerId = await userId(team.owner);
    const before = await databaseFingerprint(app);
    for (const [query, input] of [
      [CHANGE, { role: 'EDITOR' }],
      [REMOVE, {}],
    ] as const) {
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
