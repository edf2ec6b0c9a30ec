import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createDesk, databaseFingerprint, type Desk } from './support/desk';
import { TeamService } from '../src/modules/team/team.service';

const CREATE = `mutation($input: CreateTeamInput!) { createTeam(input: $input) { team { id slug name verdictQuorum viewerRole } } }`;
const UPDATE = `mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { id name verdictQuorum } } }`;

describe(TeamService.name, () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
  });
  afterAll(() => app?.close());

  it('creates a team with the caller as OWNER and records the creation', async () => {
    const founder = await app.user('Founder');
    const data = await app.ok(founder, CREATE, { input: { slug: 'fact-desk', name: ' Fact Desk ' } });
    expect(data.createTeam.team).toMatchObject({ slug: 'fact-desk', name: 'Fact Desk', verdictQuorum: 2, viewerRole: 'OWNER' });
    const [membership] = await app.sql('SELECT role FROM memberships WHERE user_id = $1', [founder.id]);
    expect(membership.role).toBe('OWNER');
    const events = await app.sql(`SELECT action, actor_id, after FROM history_events WHERE entity_type = 'Team' AND actor_id = $1`, [founder.id]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'CREATE', actor_id: founder.id });
    expect(events[0].after).toMatchObject({ slug: 'fact-desk', name: 'Fact Desk', verdictQuorum: 2 });
  });

  it.each([
    [{ slug: 'Bad Slug', name: 'x' }, 'slug'],
    [{ slug: '-dash', name: 'x' }, 'slug'],
    [{ slug: 'ok-slug', name: '   ' }, 'name'],
    [{ slug: 'ok-slug', name: 'x', verdictQuorum: 0 }, 'verdictQuorum'],
    [{ slug: 'ok-slug', name: 'x', verdictQuorum: 51 }, 'verdictQuorum'],
  ])('rejects %j with BAD_USER_INPUT and writes nothing', async (input, field) => {
    const user = await app.user();
    const before = await databaseFingerprint(app);
    const result = await app.run(user, CREATE, { input });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(result.errors?.[0].extensions?.problems)).toContain(field);
    expect(await databaseFingerprint(app)).toBe(before);
  });

  it('answers a taken slug with ALREADY_EXISTS and writes nothing', async () => {
    const user = await app.user();
    const before = await databaseFingerprint(app);
    const result = await app.run(user, CREATE, { input: { slug: desk.teamSlug, name: 'Copy' } });
    expect(result.errors?.[0].extensions?.code).toBe('ALREADY_EXISTS');
    expect(result.errors?.[0].message).toBe('A team with this slug already exists');
    expect(await databaseFingerprint(app)).toBe(before);
  });

  it('needs a caller', async () => {
    const result = await app.run(null, CREATE, { input: { slug: 'anon-team', name: 'x' } });
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it("lists only the caller's teams and finds one by slug or id", async () => {
    const data = await app.ok(desk.reviewer, `{ teams { totalCount nodes { slug viewerRole } } }`);
    expect(data.teams).toEqual({ totalCount: 1, nodes: [{ slug: desk.teamSlug, viewerRole: 'REVIEWER' }] });
    const bySlug = await app.ok(desk.reviewer, `query($slug: String) { team(slug: $slug) { id } }`, { slug: desk.teamSlug });
    expect(bySlug.team.id).toBe(desk.teamId);
    const outsider = await app.run(desk.outsider, `query($id: ID) { team(id: $id) { id } }`, { id: desk.teamId });
    expect(outsider.errors?.[0]).toMatchObject({ message: 'Team not found', extensions: { code: 'NOT_FOUND' } });
    const missingSlug = await app.run(desk.outsider, `query($slug: String) { team(slug: $slug) { id } }`, { slug: desk.teamSlug });
    expect(missingSlug.errors?.[0]).toMatchObject({ message: 'Team not found', extensions: { code: 'NOT_FOUND' } });
  });

  it('lets only an OWNER change the team, and records what changed', async () => {
    const denied = await app.run(desk.editor, UPDATE, { input: { teamId: desk.teamId, name: 'Renamed' } });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const data = await app.ok(desk.owner, UPDATE, { input: { teamId: desk.teamId, name: 'Renamed desk', verdictQuorum: 3 } });
    expect(data.updateTeam.team).toMatchObject({ name: 'Renamed desk', verdictQuorum: 3 });
    const history = await app.ok(desk.owner, `query($id: ID) { team(id: $id) { history(first: 1) { nodes { action before after actor { id } } } } }`, {
      id: desk.teamId,
    });
    expect(history.team.history.nodes[0]).toMatchObject({
      action: 'UPDATE',
      before: { name: 'Desk 1', verdictQuorum: 2 },
      after: { name: 'Renamed desk', verdictQuorum: 3 },
    });
  });

  it('lists members with their roles', async () => {
    const data = await app.ok(desk.viewer, `query($id: ID) { team(id: $id) { memberships(first: 10) { totalCount nodes { role user { name } } } } }`, {
      id: desk.teamId,
    });
    expect(data.team.memberships.totalCount).toBe(5);
    expect(data.team.memberships.nodes.map((node: { role: string }) => node.role).sort()).toEqual(['EDITOR', 'OWNER', 'REVIEWER', 'REVIEWER', 'VIEWER']);
  });
});
