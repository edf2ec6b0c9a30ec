import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { rawId, createArticle, createClaim, createDesk, databaseFingerprint, type Desk } from './support/desk';
import { SourceService } from '../src/modules/source/source.service';
import { EvidenceService } from '../src/modules/evidence/evidence.service';

const CREATE_SOURCE = `mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id name displayName anonymous descriptor kind title version } } }`;
const UPDATE_SOURCE = `mutation($input: UpdateSourceInput!) { updateSource(input: $input) { source { id name title version } } }`;
const ADD = `mutation($input: AddEvidenceInput!) { addEvidence(input: $input) { evidence { id stance url quotedPassage source { name } } claim { id } } }`;
const REMOVE = `mutation($input: RemoveEvidenceInput!) { removeEvidence(input: $input) { evidence { id removedAt } } }`;

describe(SourceService.name, () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
  });
  afterAll(() => app?.close());

  it('creates named and anonymous sources and searches them by name', async () => {
    const named = await app.ok(desk.editor, CREATE_SOURCE, { input: { teamId: desk.teamId, kind: 'PERSON', name: 'José Ramírez', title: 'Governor' } });
    expect(named.createSource.source).toMatchObject({ name: 'José Ramírez', displayName: 'José Ramírez', anonymous: false, version: 1 });
    const anonymous = await app.ok(desk.editor, CREATE_SOURCE, {
      input: { teamId: desk.teamId, kind: 'PERSON', anonymous: true, descriptor: 'a European diplomat' },
    });
    expect(anonymous.createSource.source).toMatchObject({ name: null, displayName: 'a European diplomat', anonymous: true });
    await app.ok(desk.editor, CREATE_SOURCE, { input: { teamId: desk.teamId, kind: 'ORGANIZATION', name: 'Korean Central News Agency' } });
    const search = async (text: string) =>
      (await app.ok(desk.viewer, `query($s: String) { sources(search: $s) { nodes { displayName } } }`, { s: text })).sources.nodes.map(
        (node: { displayName: string }) => node.displayName,
      );
    expect(await search('jose')).toEqual(['José Ramírez']);
    expect(await search('RAMÍREZ')).toEqual(['José Ramírez']);
    expect(await search('news agency')).toEqual(['Korean Central News Agency']);
    expect(await search('diplomat')).toEqual(['a European diplomat']);
    expect(await search('nobody')).toEqual([]);
    const outsider = await app.ok(desk.outsider, `{ sources { totalCount } }`);
    expect(outsider.sources.totalCount).toBe(0);
  });

  it.each([
    ['a named source without name', { kind: 'PERSON' }],
    ['an anonymous source without descriptor', { kind: 'PERSON', anonymous: true }],
    ['an anonymous source with a name', { kind: 'PERSON', anonymous: true, descriptor: 'an aide', name: 'Bob' }],
    ['a non-http url', { kind: 'DOCUMENT', name: 'Report', url: 'ftp://example.com/x' }],
    ['an unknown kind', { kind: 'ALIEN', name: 'x' }],
  ])('rejects %s and writes nothing', async (_label, input) => {
    const before = await databaseFingerprint(app);
    const result = await app.run(desk.editor, CREATE_SOURCE, { input: { teamId: desk.teamId, ...input } });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await databaseFingerprint(app)).toBe(before);
  });

  it('updates with the expected version and refuses reviewers', async () => {
    const created = await app.ok(desk.editor, CREATE_SOURCE, { input: { teamId: desk.teamId, kind: 'PERSON', name: 'Ana Ruiz' } });
    const id = created.createSource.source.id;
    const updated = await app.ok(desk.editor, UPDATE_SOURCE, { input: { sourceId: id, expectedVersion: 1, title: 'Mayor' } });
    expect(updated.updateSource.source).toMatchObject({ title: 'Mayor', version: 2 });
    const before = await databaseFingerprint(app);
    const stale = await app.run(desk.editor, UPDATE_SOURCE, { input: { sourceId: id, expectedVersion: 1, title: 'Senator' } });
    expect(stale.errors?.[0].extensions).toEqual({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    const reviewer = await app.run(desk.reviewer, UPDATE_SOURCE, { input: { sourceId: id, expectedVersion: 2, title: 'Senator' } });
    expect(reviewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const incoherent = await app.run(desk.editor, UPDATE_SOURCE, { input: { sourceId: id, expectedVersion: 2, anonymous: true } });
    expect(incoherent.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await databaseFingerprint(app)).toBe(before);
    const [event] = await app.sql(`SELECT before, after FROM history_events WHERE entity_id = $1 AND action = 'UPDATE'`, [rawId(id)]);
    expect(event).toEqual({ before: { title: null, version: 1 }, after: { title: 'Mayor', version: 2 } });
  });
});

describe(EvidenceService.name, () => {
  let app: TestApp;
  let desk: Desk;
  let claimId: string;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
    const { id } = await createArticle(app, desk);
    claimId = (await createClaim(app, desk, id, 'Unemployment fell to 3.1% last year')).id;
  });
  afterAll(() => app?.close());

  it('adds evidence, lists it on the claim, and removes it with the record kept', async () => {
    const source = await app.ok(desk.editor, CREATE_SOURCE, { input: { teamId: desk.teamId, kind: 'ORGANIZATION', name: 'Bureau of Labor Statistics' } });
    const added = await app.ok(desk.reviewer, ADD, {
      input: { claimId, stance: 'SUPPORTS', url: 'https://bls.example.gov/table4', quotedPassage: 'Rate: 3.1%', sourceId: source.createSource.source.id },
    });
    expect(added.addEvidence.evidence).toMatchObject({
      stance: 'SUPPORTS',
      url: 'https://bls.example.gov/table4',
      source: { name: 'Bureau of Labor Statistics' },
    });
    const second = await app.ok(desk.reviewer2, ADD, { input: { claimId, stance: 'CONTEXT', url: 'https://example.org/methodology' } });
    const list = await app.ok(desk.viewer, `query($id: ID!) { claim(id: $id) { evidence { totalCount nodes { stance } } } }`, { id: claimId });
    expect(list.claim.evidence).toEqual({ totalCount: 2, nodes: [{ stance: 'SUPPORTS' }, { stance: 'CONTEXT' }] });

    const notAuthor = await app.run(desk.reviewer, REMOVE, { input: { evidenceId: second.addEvidence.evidence.id } });
    expect(notAuthor.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const removed = await app.ok(desk.editor, REMOVE, { input: { evidenceId: second.addEvidence.evidence.id, reason: 'off topic' } });
    expect(removed.removeEvidence.evidence.removedAt).toEqual(expect.any(String));
    const after = await app.ok(desk.viewer, `query($id: ID!) { claim(id: $id) { evidence { totalCount } } }`, { id: claimId });
    expect(after.claim.evidence.totalCount).toBe(1);
    const again = await app.run(desk.editor, REMOVE, { input: { evidenceId: second.addEvidence.evidence.id } });
    expect(again.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const events = await app.sql(`SELECT action, reason, claim_id FROM history_events WHERE entity_type = 'Evidence' ORDER BY id`);
    expect(events.map((event) => [event.action, event.reason])).toEqual([
      ['ADD', null],
      ['ADD', null],
      ['REMOVE', 'off topic'],
    ]);
    expect(new Set(events.map((event) => event.claim_id))).toEqual(new Set([rawId(claimId)]));
    const activity = await app.ok(desk.viewer, `query($id: ID!) { claim(id: $id) { activity { nodes { action } } } }`, { id: claimId });
    expect(activity.claim.activity.nodes.map((node: { action: string }) => node.action)).toEqual(['REMOVE', 'ADD', 'ADD', 'CREATE']);
  });

  it.each([
    ['no reference at all', { stance: 'SUPPORTS' }, 'BAD_USER_INPUT'],
    ['a bad stance', { stance: 'MAYBE', url: 'https://x.example' }, 'BAD_USER_INPUT'],
    ['a non-http url', { stance: 'SUPPORTS', url: 'mailto:x@example.com' }, 'BAD_USER_INPUT'],
    [
      'a source of another team',
      { stance: 'SUPPORTS', sourceId: Buffer.from('Source:00000000-0000-4000-8000-000000000000').toString('base64url') },
      'NOT_FOUND',
    ],
  ])('rejects %s and writes nothing', async (_label, input, code) => {
    const before = await databaseFingerprint(app);
    const result = await app.run(desk.reviewer, ADD, { input: { claimId, ...input } });
    expect(result.errors?.[0].extensions?.code).toBe(code);
    expect(await databaseFingerprint(app)).toBe(before);
  });

  it('refuses viewers and outsiders', async () => {
    const viewer = await app.run(desk.viewer, ADD, { input: { claimId, stance: 'SUPPORTS', url: 'https://x.example' } });
    expect(viewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const outsider = await app.run(desk.outsider, ADD, { input: { claimId, stance: 'SUPPORTS', url: 'https://x.example' } });
    expect(outsider.errors?.[0]).toMatchObject({ message: 'Claim not found', extensions: { code: 'NOT_FOUND' } });
  });
});
