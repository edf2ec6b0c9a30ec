import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { rawId, ARTICLE_TEXT, createArticle, createClaim, createDesk, databaseFingerprint, type Desk } from './support/desk';
import { ClaimService } from '../src/modules/claim/claim.service';

const CREATE = `mutation($input: CreateClaimInput!) {
  createClaim(input: $input) {
    claim { id quote kind sourcing status version anchorState
      anchor { position { start end } quote { exact prefix suffix } }
      speaker { id name } article { id } revision { number } }
  }
}`;
const UPDATE = `mutation($input: UpdateClaimInput!) { updateClaim(input: $input) { claim { id version kind note quote sourcing } } }`;

describe(ClaimService.name, () => {
  let app: TestApp;
  let desk: Desk;
  let articleId: string;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
    articleId = (await createArticle(app, desk)).id;
  });
  afterAll(() => app?.close());

  describe('anchoring', () => {
    it('anchors by exact quote, filling in position and context', async () => {
      const data = await app.ok(desk.editor, CREATE, {
        input: { articleId, kind: 'DIRECT_QUOTE', anchor: { quote: { exact: 'We have never spent more on schools,' } } },
      });
      const exact = 'We have never spent more on schools,';
      const chars = [...ARTICLE_TEXT];
      const start = chars.join('').indexOf(exact); // the text before it is all BMP, so UTF-16 index = code points
      expect(data.createClaim.claim).toMatchObject({
        quote: exact,
        kind: 'DIRECT_QUOTE',
        sourcing: 'UNSOURCED',
        status: 'UNREVIEWED',
        version: 1,
        anchorState: 'ANCHORED',
        speaker: null,
        revision: { number: 1 },
        anchor: {
          position: { start, end: start + exact.length },
          quote: { exact, prefix: chars.slice(start - 32, start).join(''), suffix: chars.slice(start + exact.length, start + exact.length + 32).join('') },
        },
      });
      expect(data.createClaim.claim.anchor.quote.prefix.endsWith('said.\n‘')).toBe(true);
    });

    it('anchors by position, counting code points', async () => {
      const text = '🌍 The planet warmed 1.1°C, scientists said. 𝔘nicode after.';
      const { id } = await createArticle(app, desk, { text });
      const start = [...text].indexOf('T');
      const end = start + [...'The planet warmed 1.1°C'].length;
      const data = await app.ok(desk.editor, CREATE, { input: { articleId: id, kind: 'ASSERTION', anchor: { position: { start, end } } } });
      expect(start).toBe(2);
      expect(data.createClaim.claim.quote).toBe('The planet warmed 1.1°C');
      const byQuote = await app.ok(desk.editor, CREATE, { input: { articleId: id, kind: 'ASSERTION', anchor: { quote: { exact: 'nicode after' } } } });
      const chars = [...text];
      expect(byQuote.createClaim.claim.anchor.position).toEqual({ start: chars.indexOf('𝔘') + 1, end: chars.length - 1 });
    });

    it.each([
      ['a quote not in the text', { quote: { exact: 'not in this article' } }, 'ANCHOR_NOT_FOUND'],
      ['an ambiguous quote', { quote: { exact: 'the' } }, 'ANCHOR_AMBIGUOUS'],
      ['a start past the end', { position: { start: 5000, end: 5001 } }, 'ANCHOR_OUT_OF_RANGE'],
      ['a negative start', { position: { start: -1, end: 4 } }, 'ANCHOR_OUT_OF_RANGE'],
      ['an empty span', { position: { start: 4, end: 4 } }, 'ANCHOR_OUT_OF_RANGE'],
      ['both position and quote', { position: { start: 0, end: 4 }, quote: { exact: 'The' } }, 'BAD_USER_INPUT'],
      ['neither position nor quote', {}, 'BAD_USER_INPUT'],
      ['an empty quote', { quote: { exact: '' } }, 'BAD_USER_INPUT'],
    ])('rejects %s and writes nothing', async (_label, anchor, code) => {
      const before = await databaseFingerprint(app);
      const result = await app.run(desk.editor, CREATE, { input: { articleId, kind: 'ASSERTION', anchor } });
      expect(result.errors?.[0].extensions?.code).toBe(code);
      expect(await databaseFingerprint(app)).toBe(before);
    });

    it('reports how often an ambiguous quote occurs, and takes prefix or suffix to choose', async () => {
      const result = await app.run(desk.editor, CREATE, { input: { articleId, kind: 'ASSERTION', anchor: { quote: { exact: 'council' } } } });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'ANCHOR_AMBIGUOUS', occurrences: 2 });
      const chosen = await app.ok(desk.editor, CREATE, {
        input: { articleId, kind: 'ASSERTION', anchor: { quote: { exact: 'council', prefix: 'One ' } } },
      });
      expect(chosen.createClaim.claim.anchor.position.start).toBe(
        [
          ...'The city council approved a budget of $4.2 million on Tuesday, Mayor Ana Ruiz said.\n‘We have never spent more on schools,’ Ruiz told reporters.\nOne ',
        ].length,
      );
      const bySuffix = await app.ok(desk.editor, CREATE, {
        input: { articleId, kind: 'ASSERTION', anchor: { quote: { exact: 'council', suffix: ' approved' } } },
      });
      expect(bySuffix.createClaim.claim.anchor.position.start).toBe(9);
    });
  });

  it('derives sourcing from the speaker and rejects a contradiction', async () => {
    const named = await app.ok(desk.editor, `mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id } } }`, {
      input: { teamId: desk.teamId, kind: 'PERSON', name: 'Ana Ruiz', title: 'Mayor' },
    });
    const anonymous = await app.ok(desk.editor, `mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id } } }`, {
      input: { teamId: desk.teamId, kind: 'PERSON', anonymous: true, descriptor: 'One council member, who requested anonymity' },
    });
    const sourced = await app.ok(desk.editor, CREATE, {
      input: { articleId, kind: 'REPORTED_SPEECH', speakerId: named.createSource.source.id, anchor: { quote: { exact: 'Mayor Ana Ruiz said' } } },
    });
    expect(sourced.createClaim.claim).toMatchObject({ sourcing: 'SOURCED', speaker: { name: 'Ana Ruiz' } });
    const anon = await app.ok(desk.editor, CREATE, {
      input: { articleId, kind: 'REPORTED_SPEECH', speakerId: anonymous.createSource.source.id, anchor: { quote: { exact: 'the figures were inflated' } } },
    });
    expect(anon.createClaim.claim.sourcing).toBe('ANONYMOUS');
    const before = await databaseFingerprint(app);
    const contradiction = await app.run(desk.editor, CREATE, {
      input: { articleId, kind: 'ASSERTION', sourcing: 'UNSOURCED', speakerId: named.createSource.source.id, anchor: { quote: { exact: 'on Tuesday' } } },
    });
    expect(contradiction.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sourcing' });
    const otherTeamSource = await app.ok(desk.outsider, `mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id } } }`, {
      input: { teamId: (await app.ok(desk.outsider, '{ teams { nodes { id } } }')).teams.nodes[0].id, kind: 'PERSON', name: 'Someone Else' },
    });
    const before2 = await databaseFingerprint(app);
    const foreign = await app.run(desk.editor, CREATE, {
      input: { articleId, kind: 'ASSERTION', speakerId: otherTeamSource.createSource.source.id, anchor: { quote: { exact: 'on Tuesday' } } },
    });
    expect(foreign.errors?.[0]).toMatchObject({ message: 'Source not found', extensions: { code: 'NOT_FOUND' } });
    expect(await databaseFingerprint(app)).toBe(before2);
    expect(before).not.toBe(before2);
  });

  it('updates with the expected version, and a stale version changes nothing', async () => {
    const claim = await createClaim(app, desk, articleId, 'Unemployment fell to 3.1% last year');
    const updated = await app.ok(desk.editor, UPDATE, { input: { claimId: claim.id, expectedVersion: 1, note: 'check BLS', kind: 'ASSERTION' } });
    expect(updated.updateClaim.claim).toMatchObject({ version: 2, note: 'check BLS' });
    const before = await databaseFingerprint(app);
    const stale = await app.run(desk.editor, UPDATE, { input: { claimId: claim.id, expectedVersion: 1, note: 'lost update' } });
    expect(stale.errors?.[0].extensions).toEqual({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    expect(await databaseFingerprint(app)).toBe(before);
    const moved = await app.ok(desk.editor, UPDATE, {
      input: { claimId: claim.id, expectedVersion: 2, anchor: { quote: { exact: 'the lowest since 1999' } } },
    });
    expect(moved.updateClaim.claim).toMatchObject({ version: 3, quote: 'the lowest since 1999' });
    const events = await app.sql(`SELECT action, before, after FROM history_events WHERE entity_id = $1 ORDER BY id`, [rawId(claim.id)]);
    expect(events.map((event) => event.action)).toEqual(['CREATE', 'UPDATE', 'UPDATE']);
    expect(events[1]).toMatchObject({ before: { note: null, version: 1 }, after: { note: 'check BLS', version: 2 } });
    expect(events[2].after).toMatchObject({ quoteExact: 'the lowest since 1999', version: 3 });
    const forbidden = await app.run(desk.reviewer, UPDATE, { input: { claimId: claim.id, expectedVersion: 3, note: 'x' } });
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const badAnchor = await app.run(desk.editor, UPDATE, {
      input: { claimId: claim.id, expectedVersion: 3, anchor: { quote: { exact: 'nowhere to be found' } } },
    });
    expect(badAnchor.errors?.[0].extensions?.code).toBe('ANCHOR_NOT_FOUND');
  });

  it('soft-deletes with a reason: gone from lists, kept in history', async () => {
    const claim = await createClaim(app, desk, articleId, 'approved a budget of $4.2 million');
    const deleted = await app.ok(desk.editor, `mutation($input: DeleteClaimInput!) { deleteClaim(input: $input) { claim { id deletedAt version } } }`, {
      input: { claimId: claim.id, expectedVersion: 1, reason: 'duplicate' },
    });
    expect(deleted.deleteClaim.claim.deletedAt).toEqual(expect.any(String));
    const lookup = await app.run(desk.viewer, `query($id: ID!) { claim(id: $id) { id } }`, { id: claim.id });
    expect(lookup.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const list = await app.ok(desk.viewer, `query($a: ID) { claims(first: 100, filter: { articleId: $a }) { nodes { id } } }`, { a: articleId });
    expect(list.claims.nodes.map((node: { id: string }) => node.id)).not.toContain(claim.id);
    const [event] = await app.sql(`SELECT reason, after FROM history_events WHERE entity_id = $1 AND action = 'DELETE'`, [rawId(claim.id)]);
    expect(event.reason).toBe('duplicate');
    expect(event.after.deletedAt).toEqual(expect.any(String));
    const again = await app.run(desk.editor, `mutation($input: DeleteClaimInput!) { deleteClaim(input: $input) { claim { id } } }`, {
      input: { claimId: claim.id, expectedVersion: 2 },
    });
    expect(again.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('sets and clears the speaker with the expected version', async () => {
    const claim = await createClaim(app, desk, articleId, 'Ruiz told reporters');
    const source = await app.ok(desk.editor, `mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id } } }`, {
      input: { teamId: desk.teamId, kind: 'PERSON', name: 'Ana Ruiz 2' },
    });
    const SET = `mutation($input: SetClaimSpeakerInput!) { setClaimSpeaker(input: $input) { claim { version sourcing speaker { name } } } }`;
    const set = await app.ok(desk.editor, SET, { input: { claimId: claim.id, expectedVersion: 1, speakerId: source.createSource.source.id } });
    expect(set.setClaimSpeaker.claim).toEqual({ version: 2, sourcing: 'SOURCED', speaker: { name: 'Ana Ruiz 2' } });
    const cleared = await app.ok(desk.editor, SET, { input: { claimId: claim.id, expectedVersion: 2, speakerId: null } });
    expect(cleared.setClaimSpeaker.claim).toEqual({ version: 3, sourcing: 'UNSOURCED', speaker: null });
    const stale = await app.run(desk.editor, SET, { input: { claimId: claim.id, expectedVersion: 2, speakerId: null } });
    expect(stale.errors?.[0].extensions).toEqual({ code: 'VERSION_CONFLICT', currentVersion: 3 });
    const actions = await app.sql(`SELECT action, after FROM history_events WHERE entity_id = $1 ORDER BY id`, [rawId(claim.id)]);
    expect(actions.map((event) => event.action)).toEqual(['CREATE', 'SET_SPEAKER', 'SET_SPEAKER']);
    expect(actions[1].after).toMatchObject({ sourcing: 'SOURCED', speakerId: rawId(source.createSource.source.id) });
  });

  it('filters claims by kind, sourcing, status, rating and reviewer, and sorts them', async () => {
    const team = await createDesk(app, { quorum: 1 });
    const { id: article } = await createArticle(app, team);
    const a = await createClaim(app, team, article, 'Unemployment fell to 3.1% last year', { kind: 'ASSERTION' });
    const b = await createClaim(app, team, article, 'We have never spent more on schools,', { kind: 'DIRECT_QUOTE' });
    const c = await createClaim(app, team, article, 'the figures were inflated', { kind: 'REPORTED_SPEECH' });
    await app.ok(team.reviewer, `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }`, {
      input: { claimId: a.id, rating: 'FALSE' },
    });
    await app.ok(team.reviewer2, `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }`, {
      input: { claimId: b.id, rating: 'TRUE' },
    });
    const ids = async (filter: Record<string, unknown>, sort = 'POSITION') =>
      (
        await app.ok(team.viewer, `query($f: ClaimFilter, $s: ClaimSort) { claims(filter: $f, sort: $s) { nodes { id } } }`, { f: filter, s: sort })
      ).claims.nodes.map((node: { id: string }) => node.id);
    expect(await ids({ articleId: article })).toEqual([b.id, c.id, a.id]);
    expect(await ids({ kind: ['DIRECT_QUOTE', 'ASSERTION'] })).toEqual([b.id, a.id]);
    expect(await ids({ status: ['SETTLED'] })).toEqual([b.id, a.id]);
    expect(await ids({ status: ['UNREVIEWED'] })).toEqual([c.id]);
    expect(await ids({ rating: ['FALSE'] })).toEqual([a.id]);
    expect(await ids({ reviewerId: (await app.ok(team.reviewer2, '{ viewer { id } }')).viewer.id })).toEqual([b.id]);
    expect(await ids({ sourcing: ['UNSOURCED'] })).toEqual([b.id, c.id, a.id]);
    expect(await ids({}, 'CREATED')).toEqual([c.id, b.id, a.id]);
    expect(await ids({}, 'STATUS')).toEqual([c.id, b.id, a.id]);
    expect(await ids({}, 'UPDATED')).toHaveLength(3);
    const article2 = await app.ok(team.viewer, `query($id: ID!) { article(id: $id) { claims { totalCount nodes { id } } } }`, { id: article });
    expect(article2.article.claims).toEqual({ totalCount: 3, nodes: [{ id: b.id }, { id: c.id }, { id: a.id }] });
    // desk's viewer sees none of them
    const other = await app.ok(desk.viewer, `query($f: ClaimFilter) { claims(filter: $f) { totalCount } }`, {
      f: { kind: ['DIRECT_QUOTE', 'ASSERTION', 'REPORTED_SPEECH'] },
    });
    const own = await app.sql(`SELECT count(*)::int AS n FROM claims WHERE team_id = $1 AND deleted_at IS NULL`, [rawId(desk.teamId)]);
    expect(other.claims.totalCount).toBe(own[0].n);
  });
});
