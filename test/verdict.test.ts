import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from './support/app';
import { rawId, createArticle, createClaim, createDesk, databaseFingerprint, type Desk } from './support/desk';
import { VerdictService } from '../src/modules/verdict/verdict.service';
import { Role } from '../src/modules/team/role';

const SUBMIT = `mutation($input: SubmitVerdictInput!) {
  submitVerdict(input: $input) { verdict { id rating rationale confidence version current reviewer { id } } claim { id status } }
}`;
const WITHDRAW = `mutation($input: WithdrawVerdictInput!) { withdrawVerdict(input: $input) { verdict { id current withdrawnAt version } claim { status } } }`;

describe(VerdictService.name, () => {
  let app: TestApp;
  let desk: Desk;
  let articleId: string;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app, { quorum: 2 });
    articleId = (await createArticle(app, desk)).id;
  });
  afterAll(() => app?.close());

  const submit = (user: TestUser, claimId: string, rating: string, extra: Record<string, unknown> = {}) =>
    app.ok(user, SUBMIT, { input: { claimId, rating, ...extra } }).then((data) => data.submitVerdict);

  it('creates, revises with the expected version, and withdraws a verdict, each in history', async () => {
    const claim = await createClaim(app, desk, articleId, 'Unemployment fell to 3.1% last year');
    const first = await submit(desk.reviewer, claim.id, 'MOSTLY_TRUE', { rationale: 'BLS table 4', confidence: 0.7 });
    expect(first.verdict).toMatchObject({ rating: 'MOSTLY_TRUE', rationale: 'BLS table 4', version: 1, current: true });
    expect(first.claim.status).toBe('IN_REVIEW');

    const before = await databaseFingerprint(app);
    const missingVersion = await app.run(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE' } });
    expect(missingVersion.errors?.[0].extensions).toEqual({ code: 'ALREADY_EXISTS', verdictId: first.verdict.id, currentVersion: 1 });
    const staleVersion = await app.run(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE', expectedVersion: 7 } });
    expect(staleVersion.errors?.[0].extensions).toEqual({ code: 'VERSION_CONFLICT', currentVersion: 1 });
    expect(await databaseFingerprint(app)).toBe(before);

    const revised = await submit(desk.reviewer, claim.id, 'TRUE', { expectedVersion: 1, rationale: 'BLS table 4, revised' });
    expect(revised.verdict).toMatchObject({ id: first.verdict.id, rating: 'TRUE', version: 2 });

    const withdrawn = await app.ok(desk.reviewer, WITHDRAW, { input: { verdictId: first.verdict.id, expectedVersion: 2, reason: 'wrong claim' } });
    expect(withdrawn.withdrawVerdict).toMatchObject({ verdict: { current: false, version: 3 }, claim: { status: 'UNREVIEWED' } });

    const events = await app.sql(`SELECT action, before, after, reason FROM history_events WHERE entity_id = $1 ORDER BY id`, [rawId(first.verdict.id)]);
    expect(events.map((event) => event.action)).toEqual(['SUBMIT', 'REVISE', 'WITHDRAW']);
    expect(events[1]).toMatchObject({
      before: { rating: 'MOSTLY_TRUE', rationale: 'BLS table 4', version: 1 },
      after: { rating: 'TRUE', rationale: 'BLS table 4, revised', version: 2 },
    });
    expect(events[2]).toMatchObject({ reason: 'wrong claim', after: { withdrawnAt: expect.any(String), version: 3 } });
    // A new verdict after withdrawal is a fresh record; the withdrawn one stays.
    const again = await submit(desk.reviewer, claim.id, 'FALSE');
    expect(again.verdict.id).not.toBe(first.verdict.id);
    const all = await app.ok(
      desk.viewer,
      `query($id: ID!) { claim(id: $id) { verdicts(includeWithdrawn: true) { totalCount } current: verdicts { totalCount } } }`,
      { id: claim.id },
    );
    expect(all.claim).toEqual({ verdicts: { totalCount: 2 }, current: { totalCount: 1 } });
  });

  it('writes the history a verdict write owes, field for field, and refuses what it must with nothing changed', async () => {
    const claim = await createClaim(app, desk, articleId, 'the lowest since 1999');
    const before = await databaseFingerprint(app);
    const nothingToRevise = await app.run(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE', expectedVersion: 1 } });
    expect(nothingToRevise.errors?.[0].extensions).toEqual({ code: 'VERSION_CONFLICT', currentVersion: null });
    const missing = await app.run(desk.reviewer, SUBMIT, { input: { claimId: 'Q2xhaW06MDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAw', rating: 'TRUE' } });
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await databaseFingerprint(app)).toBe(before);

    const first = await submit(desk.reviewer, claim.id, 'TRUE', { confidence: 0.25 });
    await submit(desk.reviewer, claim.id, 'FALSE', { expectedVersion: 1, confidence: 0.25 });
    const events = await app.sql(`SELECT action, actor_id, claim_id, article_id, before, after FROM history_events WHERE entity_id = $1 ORDER BY id`, [
      rawId(first.verdict.id),
    ]);
    expect(events).toEqual([
      {
        action: 'SUBMIT',
        actor_id: desk.reviewer.id,
        claim_id: rawId(claim.id),
        article_id: rawId(articleId),
        before: null,
        after: {
          claimId: rawId(claim.id),
          reviewerId: desk.reviewer.id,
          rating: 'TRUE',
          rationale: null,
          confidence: 0.25,
          version: 1,
          withdrawnAt: null,
          judgedRevision: 1,
          judgedQuote: 'the lowest since 1999',
        },
      },
      // a revision records what changed, and only that
      {
        action: 'REVISE',
        actor_id: desk.reviewer.id,
        claim_id: rawId(claim.id),
        article_id: rawId(articleId),
        before: { rating: 'TRUE', version: 1 },
        after: { rating: 'FALSE', version: 2 },
      },
    ]);

    await app.ok(desk.editor, `mutation($input: PublishClaimInput!) { publishClaim(input: $input) { claim { id } } }`, {
      input: { claimId: claim.id, expectedVersion: 1, rating: 'FALSE', override: true, reason: 'Desk decision' },
    });
    const published = await databaseFingerprint(app);
    const refused = await app.run(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE', expectedVersion: 2 } });
    expect(refused.errors?.[0].extensions?.code).toBe('PUBLISHED');
    expect(await databaseFingerprint(app)).toBe(published);
  });

  it('commits each verdict of a multi-mutation operation on its own, whether it went out alone or in a savepoint', async () => {
    const claims: Awaited<ReturnType<typeof createClaim>>[] = [];
    for (const text of ['Unemployment fell to 3.1% last year', 'the lowest since 1999', 'the figures were inflated'])
      claims.push(await createClaim(app, desk, articleId, text));
    const MANY = `mutation($a: SubmitVerdictInput!, $b: SubmitVerdictInput!, $c: SubmitVerdictInput!) {
      a: submitVerdict(input: $a) { ...payload } b: submitVerdict(input: $b) { ...payload } c: submitVerdict(input: $c) { ...payload }
    }
    fragment payload on VerdictPayload { verdict { version } claim { verdicts { totalCount } } }`;
    const current = async () =>
      (await app.sql(`SELECT claim_id, version FROM verdicts WHERE claim_id = ANY($1) ORDER BY claim_id`, [claims.map((claim) => rawId(claim.id))]))
        .map((row) => [claims.findIndex((claim) => rawId(claim.id) === row.claim_id), row.version])
        .sort();
    // a goes out as its own transaction, and its payload's read opens the request's transaction;
    // b then runs in a savepoint of that one, c too and fails (no verdict to revise): a and b stay
    // (the payload is non-null, so the operation's data is null)
    const first = await app.run(desk.reviewer, MANY, {
      a: { claimId: claims[0].id, rating: 'TRUE' },
      b: { claimId: claims[1].id, rating: 'FALSE' },
      c: { claimId: claims[2].id, rating: 'MIXED', expectedVersion: 1 },
    });
    expect(first.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([[['c'], 'VERSION_CONFLICT']]);
    expect(await current()).toEqual([
      [0, 1],
      [1, 1],
    ]);
    // a alone again, then b and c fail in their savepoints: a stays
    const second = await app.run(desk.reviewer, MANY, {
      a: { claimId: claims[0].id, rating: 'MOSTLY_TRUE', expectedVersion: 1 },
      b: { claimId: claims[1].id, rating: 'TRUE', expectedVersion: 9 },
      c: { claimId: claims[2].id, rating: 'TRUE', expectedVersion: 9 },
    });
    expect(second.errors?.[0]).toMatchObject({ path: ['b'], extensions: { code: 'VERSION_CONFLICT' } });
    expect(await current()).toEqual([
      [0, 2],
      [1, 1],
    ]);
    // and the happy path: every payload answered
    const third = await app.run(desk.reviewer, MANY, {
      a: { claimId: claims[0].id, rating: 'TRUE', expectedVersion: 2 },
      b: { claimId: claims[1].id, rating: 'MIXED', expectedVersion: 1 },
      c: { claimId: claims[2].id, rating: 'TRUE' },
    });
    const payload = (version: number) => ({ verdict: { version }, claim: { verdicts: { totalCount: 1 } } });
    expect(third).toEqual({ data: { a: payload(3), b: payload(2), c: payload(1) } });
  });

  it('derives status from quorum and the disagreement rule', async () => {
    const cases: [string[], string][] = [
      [[], 'UNREVIEWED'],
      [['TRUE'], 'IN_REVIEW'],
      [['TRUE', 'MOSTLY_TRUE'], 'SETTLED'],
      [['TRUE', 'TRUE'], 'SETTLED'],
      [['TRUE', 'MIXED'], 'DISPUTED'],
      [['FALSE', 'MOSTLY_FALSE'], 'SETTLED'],
      [['MISLEADING', 'MISLEADING'], 'SETTLED'],
      [['MISLEADING', 'UNVERIFIABLE'], 'DISPUTED'],
      [['MISLEADING', 'FALSE'], 'DISPUTED'],
      [['UNVERIFIABLE'], 'IN_REVIEW'],
    ];
    const team = await createDesk(app, { quorum: 2 });
    const { id: article } = await createArticle(app, team);
    const reviewers = [team.reviewer, team.reviewer2];
    for (const [ratings, expected] of cases) {
      const claim = await createClaim(app, team, article, 'Unemployment fell to 3.1% last year');
      for (const [index, rating] of ratings.entries()) await submit(reviewers[index], claim.id, rating);
      const data = await app.ok(team.viewer, `query($id: ID!) { claim(id: $id) { status } }`, { id: claim.id });
      expect([ratings, data.claim.status]).toEqual([ratings, expected]);
    }
  });

  it('re-derives every claim when the quorum changes, and records the status changes', async () => {
    const team = await createDesk(app, { quorum: 2 });
    const { id: article } = await createArticle(app, team);
    const claim = await createClaim(app, team, article, 'the lowest since 1999');
    await submit(team.reviewer, claim.id, 'TRUE');
    await app.ok(team.owner, `mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { id } } }`, {
      input: { teamId: team.teamId, verdictQuorum: 1 },
    });
    const data = await app.ok(
      team.viewer,
      `query($id: ID!) { claim(id: $id) { status history(filter: { actions: ["STATUS_CHANGE"] }) { nodes { before after } } } }`,
      { id: claim.id },
    );
    expect(data.claim.status).toBe('SETTLED');
    expect(data.claim.history.nodes).toEqual([
      { before: { status: 'IN_REVIEW' }, after: { status: 'SETTLED' } },
      { before: { status: 'UNREVIEWED' }, after: { status: 'IN_REVIEW' } },
    ]);
  });

  it('lets reviewers and up give verdicts, not viewers; only the author withdraws', async () => {
    const claim = await createClaim(app, desk, articleId, 'the figures were inflated');
    const before = await databaseFingerprint(app);
    const viewer = await app.run(desk.viewer, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE' } });
    expect(viewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const outsider = await app.run(desk.outsider, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE' } });
    expect(outsider.errors?.[0]).toMatchObject({ message: 'Claim not found', extensions: { code: 'NOT_FOUND' } });
    const badConfidence = await app.run(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE', confidence: 1.5 } });
    expect(badConfidence.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const badRating = await app.run(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'PANTS_ON_FIRE' } });
    expect(badRating.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await databaseFingerprint(app)).toBe(before);
    const editorVerdict = await submit(desk.editor, claim.id, 'FALSE');
    const notYours = await app.run(desk.reviewer, WITHDRAW, { input: { verdictId: editorVerdict.verdict.id, expectedVersion: 1 } });
    expect(notYours.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('answers viewerVerdict and lists verdicts with their reviewers', async () => {
    const claim = await createClaim(app, desk, articleId, 'Mayor Ana Ruiz said');
    await submit(desk.reviewer, claim.id, 'TRUE');
    await submit(desk.reviewer2, claim.id, 'MOSTLY_TRUE');
    const query = `query($id: ID!) { claim(id: $id) { viewerVerdict { rating } verdicts { nodes { rating reviewer { name } } } } }`;
    const data = await app.ok(desk.reviewer2, query, { id: claim.id });
    expect(data.claim.viewerVerdict).toEqual({ rating: 'MOSTLY_TRUE' });
    expect(data.claim.verdicts.nodes).toEqual([
      { rating: 'TRUE', reviewer: { name: 'Reviewer' } },
      { rating: 'MOSTLY_TRUE', reviewer: { name: 'Reviewer Two' } },
    ]);
    expect((await app.ok(desk.viewer, query, { id: claim.id })).claim.viewerVerdict).toBeNull();
  });

  it('keeps one current verdict per reviewer when the same reviewer submits concurrently', async () => {
    const team = await createDesk(app, { quorum: 3 });
    const { id: article } = await createArticle(app, team);
    const claim = await createClaim(app, team, article, 'on Tuesday');
    const extra: TestUser[] = [];
    for (let index = 0; index < 3; index++) {
      const user = await app.user(`Parallel ${index}`);
      await app.addMember(team.teamId, user, Role.REVIEWER);
      extra.push(user);
    }
    const results = await Promise.all([...extra, ...extra].map((user) => app.run(user, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE' } })));
    const ok = results.filter((result) => !result.errors);
    // the second of each pair waited for the first and is told it now has a verdict
    const conflicts = results.filter((result) => result.errors?.[0].extensions?.code === 'ALREADY_EXISTS');
    expect(ok).toHaveLength(3);
    expect(conflicts).toHaveLength(3);
    const rows = await app.sql(`SELECT count(*)::int AS n FROM verdicts WHERE claim_id = $1 AND withdrawn_at IS NULL`, [rawId(claim.id)]);
    expect(rows[0].n).toBe(3);
    const status = await app.ok(team.viewer, `query($id: ID!) { claim(id: $id) { status } }`, { id: claim.id });
    expect(status.claim.status).toBe('SETTLED');
  });
});
