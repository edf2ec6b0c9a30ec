import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from './support/app';
import { rawId, createArticle, createClaim, createDesk, databaseFingerprint, type Desk } from './support/desk';
import { ClaimWorkflowService } from '../src/modules/claim/claim-workflow.service';
import { AssignmentService } from '../src/modules/assignment/assignment.service';
import { CommentService } from '../src/modules/comment/comment.service';

const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');

const SUBMIT = `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id version } claim { status } } }`;
const WITHDRAW = `mutation($input: WithdrawVerdictInput!) { withdrawVerdict(input: $input) { verdict { id } } }`;
const CLAIM_FIELDS = `id version status disputedReason disputedAt published { rating rationale publishedAt publishedBy { name } evidence { id stance } }`;
const MARK = `mutation($input: MarkClaimDisputedInput!) { markClaimDisputed(input: $input) { claim { ${CLAIM_FIELDS} } } }`;
const RESOLVE = `mutation($input: ResolveClaimDisputeInput!) { resolveClaimDispute(input: $input) { claim { ${CLAIM_FIELDS} } } }`;
const PUBLISH = `mutation($input: PublishClaimInput!) { publishClaim(input: $input) { claim { ${CLAIM_FIELDS} } } }`;
const UNPUBLISH = `mutation($input: UnpublishClaimInput!) { unpublishClaim(input: $input) { claim { ${CLAIM_FIELDS} } } }`;
const ADD_EVIDENCE = `mutation($input: AddEvidenceInput!) { addEvidence(input: $input) { evidence { id } } }`;

describe(ClaimWorkflowService.name, () => {
  let app: TestApp;
  let desk: Desk;
  let articleId: string;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app, { quorum: 2 });
    articleId = (await createArticle(app, desk)).id;
  });
  afterAll(() => app?.close());

  it('marks a claim disputed over agreeing verdicts, and resolving hands status back to the verdicts', async () => {
    const claim = await createClaim(app, desk, articleId, 'Unemployment fell to 3.1% last year');
    await app.ok(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE' } });
    await app.ok(desk.reviewer2, SUBMIT, { input: { claimId: claim.id, rating: 'MOSTLY_TRUE' } });
    expect((await app.ok(desk.viewer, `query($id: ID!) { claim(id: $id) { status } }`, { id: claim.id })).claim.status).toBe('SETTLED');

    const before = await databaseFingerprint(app);
    const noReason = await app.run(desk.editor, MARK, { input: { claimId: claim.id, expectedVersion: 1, reason: '   ' } });
    expect(noReason.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const reviewer = await app.run(desk.reviewer, MARK, { input: { claimId: claim.id, expectedVersion: 1, reason: 'x' } });
    expect(reviewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const outsider = await app.run(desk.outsider, MARK, { input: { claimId: claim.id, expectedVersion: 1, reason: 'x' } });
    expect(outsider.errors?.[0]).toMatchObject({ message: 'Claim not found', extensions: { code: 'NOT_FOUND' } });
    const stale = await app.run(desk.editor, MARK, { input: { claimId: claim.id, expectedVersion: 9, reason: 'x' } });
    expect(stale.errors?.[0].extensions).toEqual({ code: 'VERSION_CONFLICT', currentVersion: 1 });
    expect(await databaseFingerprint(app)).toBe(before);

    const marked = await app.ok(desk.editor, MARK, { input: { claimId: claim.id, expectedVersion: 1, reason: 'The rate excludes discouraged workers' } });
    expect(marked.markClaimDisputed.claim).toMatchObject({
      version: 2,
      status: 'DISPUTED',
      disputedReason: 'The rate excludes discouraged workers',
      disputedAt: expect.any(String),
    });
    const twice = await app.run(desk.editor, MARK, { input: { claimId: claim.id, expectedVersion: 2, reason: 'again' } });
    expect(twice.errors?.[0].extensions?.code).toBe('ALREADY_EXISTS');

    const resolved = await app.ok(desk.editor, RESOLVE, { input: { claimId: claim.id, expectedVersion: 2, reason: 'Footnote added' } });
    expect(resolved.resolveClaimDispute.claim).toMatchObject({ version: 3, status: 'SETTLED', disputedReason: null, disputedAt: null });
    const notDisputed = await app.run(desk.editor, RESOLVE, { input: { claimId: claim.id, expectedVersion: 3 } });
    expect(notDisputed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    const events = await app.sql(`SELECT action, before, after, reason, actor_id FROM history_events WHERE entity_id = $1 ORDER BY id`, [rawId(claim.id)]);
    expect(events.map((event) => event.action)).toEqual([
      'CREATE',
      'STATUS_CHANGE',
      'STATUS_CHANGE',
      'MARK_DISPUTED',
      'STATUS_CHANGE',
      'RESOLVE_DISPUTE',
      'STATUS_CHANGE',
    ]);
    expect(events[3]).toMatchObject({
      reason: 'The rate excludes discouraged workers',
      actor_id: desk.editor.id,
      before: { disputedAt: null, disputedReason: null, disputedBy: null, version: 1 },
      after: { disputedReason: 'The rate excludes discouraged workers', disputedBy: desk.editor.id, version: 2 },
    });
    expect(events[4]).toMatchObject({ before: { status: 'SETTLED' }, after: { status: 'DISPUTED' } });
    expect(events[5]).toMatchObject({ reason: 'Footnote added', after: { disputedAt: null, disputedReason: null, version: 3 } });
    expect(events[6]).toMatchObject({ before: { status: 'DISPUTED' }, after: { status: 'SETTLED' } });
  });

  it('keeps a claim DISPUTED after resolving when the verdicts themselves disagree', async () => {
    const claim = await createClaim(app, desk, articleId, 'the lowest since 1999');
    await app.ok(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE' } });
    await app.ok(desk.reviewer2, SUBMIT, { input: { claimId: claim.id, rating: 'FALSE' } });
    await app.ok(desk.editor, MARK, { input: { claimId: claim.id, expectedVersion: 1, reason: 'Needs a third look' } });
    const resolved = await app.ok(desk.editor, RESOLVE, { input: { claimId: claim.id, expectedVersion: 2 } });
    expect(resolved.resolveClaimDispute.claim).toMatchObject({ status: 'DISPUTED', disputedReason: null });
  });

  it('publishes the desk verdict with cited evidence, freezes verdicts, and unpublishes, all in history', async () => {
    const claim = await createClaim(app, desk, articleId, 'approved a budget of $4.2 million');
    const verdict = (await app.ok(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'MOSTLY_TRUE' } })).submitVerdict.verdict;
    const first = (await app.ok(desk.reviewer, ADD_EVIDENCE, { input: { claimId: claim.id, stance: 'SUPPORTS', url: 'https://city.example/budget.pdf' } }))
      .addEvidence.evidence;
    const second = (await app.ok(desk.reviewer2, ADD_EVIDENCE, { input: { claimId: claim.id, stance: 'CONTEXT', url: 'https://city.example/minutes' } }))
      .addEvidence.evidence;
    const otherClaim = await createClaim(app, desk, articleId, 'on Tuesday');
    const foreign = (await app.ok(desk.reviewer, ADD_EVIDENCE, { input: { claimId: otherClaim.id, stance: 'SUPPORTS', url: 'https://x.example' } })).addEvidence
      .evidence;

    const before = await databaseFingerprint(app);
    const byReviewer = await app.run(desk.reviewer, PUBLISH, { input: { claimId: claim.id, expectedVersion: 1, rating: 'TRUE' } });
    expect(byReviewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const wrongEvidence = await app.run(desk.editor, PUBLISH, { input: { claimId: claim.id, expectedVersion: 1, rating: 'TRUE', evidenceIds: [foreign.id] } });
    expect(wrongEvidence.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'evidenceIds' });
    const notEvidence = await app.run(desk.editor, PUBLISH, { input: { claimId: claim.id, expectedVersion: 1, rating: 'TRUE', evidenceIds: [claim.id] } });
    expect(notEvidence.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const badRating = await app.run(desk.editor, PUBLISH, { input: { claimId: claim.id, expectedVersion: 1, rating: 'PANTS_ON_FIRE' } });
    expect(badRating.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await databaseFingerprint(app)).toBe(before);

    // Default: every current piece of evidence, oldest first.
    const published = await app.ok(desk.editor, PUBLISH, {
      input: { claimId: claim.id, expectedVersion: 1, rating: 'TRUE', override: true, reason: 'Desk decision', rationale: 'Matches the adopted budget' },
    });
    expect(published.publishClaim.claim).toMatchObject({
      version: 2,
      published: {
        rating: 'TRUE',
        rationale: 'Matches the adopted budget',
        publishedAt: expect.any(String),
        publishedBy: { name: 'Editor' },
        evidence: [
          { id: first.id, stance: 'SUPPORTS' },
          { id: second.id, stance: 'CONTEXT' },
        ],
      },
    });
    const [row] = await app.sql(`SELECT published_rating, published_rationale, published_by, published_evidence_ids FROM claims WHERE id = $1`, [
      rawId(claim.id),
    ]);
    expect(row).toEqual({
      published_rating: 'TRUE',
      published_rationale: 'Matches the adopted budget',
      published_by: desk.editor.id,
      published_evidence_ids: [rawId(first.id), rawId(second.id)],
    });

    // Published: verdicts are frozen, and the refusal changes nothing.
    const frozen = await databaseFingerprint(app);
    const revise = await app.run(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'FALSE', expectedVersion: 1 } });
    expect(revise.errors?.[0].extensions?.code).toBe('PUBLISHED');
    const fresh = await app.run(desk.reviewer2, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE' } });
    expect(fresh.errors?.[0].extensions?.code).toBe('PUBLISHED');
    const withdraw = await app.run(desk.reviewer, WITHDRAW, { input: { verdictId: verdict.id, expectedVersion: 1 } });
    expect(withdraw.errors?.[0].extensions?.code).toBe('PUBLISHED');
    const republish = await app.run(desk.editor, PUBLISH, { input: { claimId: claim.id, expectedVersion: 2, rating: 'FALSE' } });
    expect(republish.errors?.[0].extensions?.code).toBe('PUBLISHED');
    expect(await databaseFingerprint(app)).toBe(frozen);

    const unpublished = await app.ok(desk.editor, UNPUBLISH, { input: { claimId: claim.id, expectedVersion: 2, reason: 'New figures from the council' } });
    expect(unpublished.unpublishClaim.claim).toMatchObject({ version: 3, published: null });
    await app.ok(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'FALSE', expectedVersion: 1 } });
    const notPublished = await app.run(desk.editor, UNPUBLISH, { input: { claimId: claim.id, expectedVersion: 3 } });
    expect(notPublished.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    // An explicit choice of evidence, and [] for none.
    const chosen = await app.ok(desk.editor, PUBLISH, {
      input: { claimId: claim.id, expectedVersion: 3, rating: 'MOSTLY_FALSE', override: true, reason: 'Desk decision', evidenceIds: [second.id, second.id] },
    });
    expect(chosen.publishClaim.claim.published).toMatchObject({ rating: 'MOSTLY_FALSE', rationale: null, evidence: [{ id: second.id }] });
    await app.ok(desk.editor, UNPUBLISH, { input: { claimId: claim.id, expectedVersion: 4 } });
    const none = await app.ok(desk.editor, PUBLISH, {
      input: { claimId: claim.id, expectedVersion: 5, rating: 'FALSE', override: true, reason: 'Desk decision', evidenceIds: [] },
    });
    expect(none.publishClaim.claim.published.evidence).toEqual([]);

    const events = await app.sql(
      `SELECT action, before, after, reason FROM history_events WHERE entity_id = $1 AND action IN ('PUBLISH', 'UNPUBLISH') ORDER BY id`,
      [rawId(claim.id)],
    );
    expect(events.map((event) => event.action)).toEqual(['PUBLISH', 'UNPUBLISH', 'PUBLISH', 'UNPUBLISH', 'PUBLISH']);
    expect(events[0]).toMatchObject({
      before: { publishedAt: null, publishedRating: null, version: 1 },
      after: {
        publishedRating: 'TRUE',
        publishedRationale: 'Matches the adopted budget',
        publishedBy: desk.editor.id,
        publishedEvidenceIds: [rawId(first.id), rawId(second.id)],
        version: 2,
      },
    });
    expect(events[1]).toMatchObject({
      reason: 'New figures from the council',
      before: { publishedRating: 'TRUE' },
      after: { publishedRating: null, publishedAt: null },
    });
  });

  it('serialises a publish against concurrent verdict writes: every verdict lands before it or is refused', async () => {
    const claim = await createClaim(app, desk, articleId, 'Mayor Ana Ruiz said');
    const reviewers = [desk.reviewer, desk.reviewer2, desk.editor, desk.owner];
    const results = await Promise.all([
      ...reviewers.map((user) => app.run(user, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE' } })),
      app.run(desk.editor, PUBLISH, { input: { claimId: claim.id, expectedVersion: 1, rating: 'TRUE', override: true, reason: 'Desk decision' } }),
    ]);
    expect(results[4].errors).toBeUndefined();
    const [publishEvent] = await app.sql(`SELECT id FROM history_events WHERE entity_id = $1 AND action = 'PUBLISH'`, [rawId(claim.id)]);
    const verdictEvents = await app.sql(`SELECT id FROM history_events WHERE claim_id = $1 AND entity_type = 'Verdict'`, [rawId(claim.id)]);
    const accepted = results.slice(0, 4).filter((result) => !result.errors).length;
    const refused = results.slice(0, 4).filter((result) => result.errors?.[0].extensions?.code === 'PUBLISHED').length;
    expect(accepted + refused).toBe(4);
    expect(verdictEvents).toHaveLength(accepted);
    for (const event of verdictEvents) expect(BigInt(event.id)).toBeLessThan(BigInt(publishEvent.id));
  });
});

const ASSIGN = `mutation($input: AssignReviewerInput!) { assignReviewer(input: $input) { assignment { id version state dueAt overdue reviewer { id } assignedBy { id } claim { id } } } }`;
const REASSIGN = `mutation($input: ReassignReviewerInput!) { reassignReviewer(input: $input) { assignment { id version state dueAt reviewer { id } } } }`;
const CANCEL = `mutation($input: CancelAssignmentInput!) { cancelAssignment(input: $input) { assignment { id version state cancelledAt } } }`;
const QUEUE = `query($filter: AssignmentFilter, $first: Int, $after: String) {
  viewer { assignments(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id state overdue dueAt claim { id } } } }
}`;

describe(AssignmentService.name, () => {
  let app: TestApp;
  let desk: Desk;
  let articleId: string;
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
    articleId = (await createArticle(app, desk)).id;
  });
  afterAll(() => app?.close());

  it('assigns, refuses a second open assignment, reassigns with the version, cancels, all in history', async () => {
    const claim = await createClaim(app, desk, articleId, 'Unemployment fell to 3.1% last year');
    const reviewerId = globalId('User', desk.reviewer.id);
    const assigned = await app.ok(desk.editor, ASSIGN, { input: { claimId: claim.id, reviewerId, dueAt: inDays(2) } });
    const assignment = assigned.assignReviewer.assignment;
    expect(assignment).toMatchObject({
      version: 1,
      state: 'OPEN',
      overdue: false,
      reviewer: { id: reviewerId },
      assignedBy: { id: globalId('User', desk.editor.id) },
      claim: { id: claim.id },
    });

    const before = await databaseFingerprint(app);
    const duplicate = await app.run(desk.editor, ASSIGN, { input: { claimId: claim.id, reviewerId } });
    expect(duplicate.errors?.[0].extensions?.code).toBe('ALREADY_EXISTS');
    const byReviewer = await app.run(desk.reviewer, ASSIGN, { input: { claimId: claim.id, reviewerId: globalId('User', desk.reviewer2.id) } });
    expect(byReviewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const viewer = await app.run(desk.editor, ASSIGN, { input: { claimId: claim.id, reviewerId: globalId('User', desk.viewer.id) } });
    expect(viewer.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reviewerId' });
    const outsider = await app.run(desk.editor, ASSIGN, { input: { claimId: claim.id, reviewerId: globalId('User', desk.outsider.id) } });
    expect(outsider.errors?.[0]).toMatchObject({ message: 'User not found', extensions: { code: 'NOT_FOUND' } });
    const past = await app.run(desk.editor, ASSIGN, { input: { claimId: claim.id, reviewerId: globalId('User', desk.reviewer2.id), dueAt: inDays(-1) } });
    expect(past.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dueAt' });
    const stale = await app.run(desk.editor, REASSIGN, { input: { assignmentId: assignment.id, expectedVersion: 7, dueAt: inDays(3) } });
    expect(stale.errors?.[0].extensions).toEqual({ code: 'VERSION_CONFLICT', currentVersion: 1 });
    const nothing = await app.run(desk.editor, REASSIGN, { input: { assignmentId: assignment.id, expectedVersion: 1 } });
    expect(nothing.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await databaseFingerprint(app)).toBe(before);

    const moved = await app.ok(desk.editor, REASSIGN, {
      input: { assignmentId: assignment.id, expectedVersion: 1, reviewerId: globalId('User', desk.reviewer2.id) },
    });
    expect(moved.reassignReviewer.assignment).toMatchObject({ version: 2, reviewer: { id: globalId('User', desk.reviewer2.id) }, dueAt: assignment.dueAt });
    const undated = await app.ok(desk.editor, REASSIGN, { input: { assignmentId: assignment.id, expectedVersion: 2, dueAt: null } });
    expect(undated.reassignReviewer.assignment).toMatchObject({ version: 3, dueAt: null });
    const cancelled = await app.ok(desk.editor, CANCEL, { input: { assignmentId: assignment.id, expectedVersion: 3, reason: 'covered elsewhere' } });
    expect(cancelled.cancelAssignment.assignment).toMatchObject({ version: 4, state: 'CANCELLED', cancelledAt: expect.any(String) });
    const again = await app.run(desk.editor, CANCEL, { input: { assignmentId: assignment.id, expectedVersion: 4 } });
    expect(again.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    // once closed, the same reviewer can be asked again
    await app.ok(desk.editor, ASSIGN, { input: { claimId: claim.id, reviewerId: globalId('User', desk.reviewer2.id) } });

    const history = await app.ok(
      desk.viewer,
      `query($id: ID!) { node(id: $id) { ... on Assignment { state history { nodes { action reason before after actor { id } } } } } }`,
      { id: assignment.id },
    );
    expect(history.node.history.nodes.map((node: { action: string }) => node.action)).toEqual(['CANCEL', 'REASSIGN', 'REASSIGN', 'ASSIGN']);
    expect(history.node.history.nodes[0]).toMatchObject({ reason: 'covered elsewhere', after: { cancelledAt: expect.any(String), version: 4 } });
    expect(history.node.history.nodes[2]).toMatchObject({
      before: { reviewer: globalId('User', desk.reviewer.id) },
      after: { reviewer: globalId('User', desk.reviewer2.id), version: 2 },
    });
  });

  it("completes the reviewer's assignment when they submit a verdict, in the same transaction", async () => {
    const claim = await createClaim(app, desk, articleId, 'the figures were inflated');
    const {
      assignReviewer: { assignment },
    } = await app.ok(desk.editor, ASSIGN, { input: { claimId: claim.id, reviewerId: globalId('User', desk.reviewer.id), dueAt: inDays(1) } });
    // someone else's verdict leaves it open
    await app.ok(desk.reviewer2, SUBMIT, { input: { claimId: claim.id, rating: 'FALSE' } });
    const open = await app.ok(desk.reviewer, `query($id: ID!) { node(id: $id) { ... on Assignment { state } } }`, { id: assignment.id });
    expect(open.node.state).toBe('OPEN');
    // a refused verdict (stale version) leaves it open too
    const refused = await app.run(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'FALSE', expectedVersion: 3 } });
    expect(refused.errors?.[0].extensions?.code).toBe('VERSION_CONFLICT');
    await app.ok(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'MOSTLY_FALSE' } });
    const done = await app.ok(desk.reviewer, `query($id: ID!) { node(id: $id) { ... on Assignment { state version completedAt } } }`, { id: assignment.id });
    expect(done.node).toMatchObject({ state: 'COMPLETED', version: 2, completedAt: expect.any(String) });
    const [submit] = await app.sql(`SELECT id FROM history_events WHERE claim_id = $1 AND entity_type = 'Verdict' AND actor_id = $2`, [
      rawId(claim.id),
      desk.reviewer.id,
    ]);
    const [complete] = await app.sql(`SELECT id, actor_id, before, after FROM history_events WHERE entity_id = $1 AND action = 'COMPLETE'`, [
      rawId(assignment.id),
    ]);
    expect(complete.actor_id).toBe(desk.reviewer.id);
    // the same instant the API shows, written as JavaScript writes every other timestamp in history
    expect(complete).toMatchObject({ before: { completedAt: null, version: 1 }, after: { completedAt: done.node.completedAt, version: 2 } });
    expect(complete.after.completedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(BigInt(complete.id)).toBeGreaterThan(BigInt(submit.id));
  });

  it('refuses to assign reviewers to a published claim', async () => {
    const claim = await createClaim(app, desk, articleId, 'Ruiz told reporters');
    await app.ok(desk.editor, PUBLISH, { input: { claimId: claim.id, expectedVersion: 1, rating: 'TRUE', override: true, reason: 'Desk decision' } });
    const result = await app.run(desk.editor, ASSIGN, { input: { claimId: claim.id, reviewerId: globalId('User', desk.reviewer.id) } });
    expect(result.errors?.[0].extensions?.code).toBe('PUBLISHED');
  });

  it("serves a reviewer's queue with open and overdue filters, soonest due first, paged", async () => {
    const team = await createDesk(app);
    const { id: article } = await createArticle(app, team);
    const quotes = ['Unemployment fell to 3.1% last year', 'the lowest since 1999', 'on Tuesday', 'the figures were inflated', 'Mayor Ana Ruiz said'];
    const claims = [];
    for (const quote of quotes) claims.push(await createClaim(app, team, article, quote));
    const assign = async (claimId: string, dueAt: string | null) =>
      (await app.ok(team.editor, ASSIGN, { input: { claimId, reviewerId: globalId('User', team.reviewer.id), dueAt } })).assignReviewer.assignment;
    const later = await assign(claims[0].id, inDays(5));
    const soon = await assign(claims[1].id, inDays(1));
    const undated = await assign(claims[2].id, null);
    const overdue = await assign(claims[3].id, inDays(1));
    const done = await assign(claims[4].id, inDays(3));
    // due dates in the past cannot be given, so age one directly
    await app.sql(`UPDATE assignments SET due_at = now() - interval '2 days' WHERE id = $1`, [rawId(overdue.id)]);
    await app.ok(team.reviewer, SUBMIT, { input: { claimId: claims[4].id, rating: 'TRUE' } });
    // someone else's assignment is not in this queue
    await app.ok(team.editor, ASSIGN, { input: { claimId: claims[0].id, reviewerId: globalId('User', team.reviewer2.id) } });

    const all = await app.ok(team.reviewer, QUEUE, {});
    expect(all.viewer.assignments.nodes.map((node: { id: string }) => node.id)).toEqual([overdue.id, soon.id, done.id, later.id, undated.id]);
    const open = await app.ok(team.reviewer, QUEUE, { filter: { open: true } });
    expect(open.viewer.assignments.nodes.map((node: { id: string }) => node.id)).toEqual([overdue.id, soon.id, later.id, undated.id]);
    const late = await app.ok(team.reviewer, QUEUE, { filter: { overdue: true } });
    expect(late.viewer.assignments.nodes).toEqual([expect.objectContaining({ id: overdue.id, overdue: true, state: 'OPEN' })]);
    const onTime = await app.ok(team.reviewer, QUEUE, { filter: { open: true, overdue: false } });
    expect(onTime.viewer.assignments.totalCount).toBe(3);
    const closed = await app.ok(team.reviewer, QUEUE, { filter: { open: false } });
    expect(closed.viewer.assignments.nodes).toEqual([expect.objectContaining({ id: done.id, state: 'COMPLETED' })]);

    const page1 = await app.ok(team.reviewer, QUEUE, { first: 2 });
    expect(page1.viewer.assignments.pageInfo.hasNextPage).toBe(true);
    const page2 = await app.ok(team.reviewer, QUEUE, { first: 2, after: page1.viewer.assignments.pageInfo.endCursor });
    const page3 = await app.ok(team.reviewer, QUEUE, { first: 2, after: page2.viewer.assignments.pageInfo.endCursor });
    expect(
      [...page1.viewer.assignments.nodes, ...page2.viewer.assignments.nodes, ...page3.viewer.assignments.nodes].map((node: { id: string }) => node.id),
    ).toEqual([overdue.id, soon.id, done.id, later.id, undated.id]);
    expect(page3.viewer.assignments.pageInfo.hasNextPage).toBe(false);

    const onClaim = await app.ok(
      team.viewer,
      `query($id: ID!) { claim(id: $id) { assignments { nodes { reviewer { name } } } all: assignments(includeClosed: true) { totalCount } } }`,
      { id: claims[0].id },
    );
    expect(onClaim.claim.assignments.nodes).toEqual([{ reviewer: { name: 'Reviewer' } }, { reviewer: { name: 'Reviewer Two' } }]);
    const outsiderQueue = await app.ok(team.outsider, QUEUE, {});
    expect(outsiderQueue.viewer.assignments.totalCount).toBe(0);
  });
});

const ADD_COMMENT = `mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id body version edited author { id } parent { id } } } }`;
const EDIT_COMMENT = `mutation($input: EditCommentInput!) { editComment(input: $input) { comment { id body version edited } } }`;
const DELETE_COMMENT = `mutation($input: DeleteCommentInput!) { deleteComment(input: $input) { comment { id body deletedAt version } } }`;
const THREAD = `query($id: ID!) { claim(id: $id) { comments { totalCount nodes { id body deletedAt replies { totalCount nodes { id body replies { nodes { id body } } } } } } } }`;

describe(CommentService.name, () => {
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

  it('threads comments by reply, edits keep the old text in history, deletion is soft', async () => {
    const add = (user: TestUser, body: string, parentId?: string) =>
      app.ok(user, ADD_COMMENT, { input: { claimId, body, parentId } }).then((data) => data.addComment.comment);
    const root = await add(desk.reviewer, 'Which survey is this?');
    const answer = await add(desk.reviewer2, 'The household survey', root.id);
    const followUp = await add(desk.reviewer, 'Seasonally adjusted?', answer.id);
    const second = await add(desk.editor, 'Second thread');
    expect(answer).toMatchObject({ parent: { id: root.id }, author: { id: globalId('User', desk.reviewer2.id) }, version: 1, edited: false });

    const before = await databaseFingerprint(app);
    const viewer = await app.run(desk.viewer, ADD_COMMENT, { input: { claimId, body: 'hi' } });
    expect(viewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const blank = await app.run(desk.reviewer, ADD_COMMENT, { input: { claimId, body: ' \n ' } });
    expect(blank.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const otherClaim = await createClaim(app, desk, (await createArticle(app, desk)).id, 'on Tuesday');
    const fingerprint = await databaseFingerprint(app);
    const crossClaim = await app.run(desk.reviewer, ADD_COMMENT, { input: { claimId: otherClaim.id, body: 'x', parentId: root.id } });
    expect(crossClaim.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'parentId' });
    const notAuthor = await app.run(desk.editor, EDIT_COMMENT, { input: { commentId: root.id, expectedVersion: 1, body: 'edited by someone else' } });
    expect(notAuthor.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const notAuthorDelete = await app.run(desk.reviewer2, DELETE_COMMENT, { input: { commentId: root.id, expectedVersion: 1 } });
    expect(notAuthorDelete.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const stale = await app.run(desk.reviewer, EDIT_COMMENT, { input: { commentId: root.id, expectedVersion: 5, body: 'x' } });
    expect(stale.errors?.[0].extensions).toEqual({ code: 'VERSION_CONFLICT', currentVersion: 1 });
    expect(await databaseFingerprint(app)).toBe(fingerprint);
    expect(before).not.toBe(fingerprint);

    const edited = await app.ok(desk.reviewer, EDIT_COMMENT, { input: { commentId: root.id, expectedVersion: 1, body: 'Which survey is this, CPS?' } });
    expect(edited.editComment.comment).toEqual({ id: root.id, body: 'Which survey is this, CPS?', version: 2, edited: true });

    // An editor may delete anyone's comment; the thread keeps it as a placeholder while it has replies.
    const deleted = await app.ok(desk.editor, DELETE_COMMENT, { input: { commentId: root.id, expectedVersion: 2, reason: 'off topic' } });
    expect(deleted.deleteComment.comment).toMatchObject({ body: null, deletedAt: expect.any(String), version: 3 });
    const editDeleted = await app.run(desk.reviewer, EDIT_COMMENT, { input: { commentId: root.id, expectedVersion: 3, body: 'back' } });
    expect(editDeleted.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const replyToDeleted = await app.run(desk.reviewer, ADD_COMMENT, { input: { claimId, body: 'x', parentId: root.id } });
    expect(replyToDeleted.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    await app.ok(desk.editor, DELETE_COMMENT, { input: { commentId: second.id, expectedVersion: 1 } });

    const thread = await app.ok(desk.viewer, THREAD, { id: claimId });
    expect(thread.claim.comments).toEqual({
      totalCount: 1,
      nodes: [
        {
          id: root.id,
          body: null,
          deletedAt: expect.any(String),
          replies: {
            totalCount: 1,
            nodes: [{ id: answer.id, body: 'The household survey', replies: { nodes: [{ id: followUp.id, body: 'Seasonally adjusted?' }] } }],
          },
        },
      ],
    });

    // the deleted comment's text stays in history for its author and editors (a viewer's is redacted: history-view.test.ts)
    const history = await app.ok(
      desk.editor,
      `query($id: ID!) { node(id: $id) { ... on Comment { history { nodes { action reason before after actor { id } } } } } }`,
      { id: root.id },
    );
    expect(history.node.history.nodes).toEqual([
      {
        action: 'DELETE',
        reason: 'off topic',
        before: { deletedAt: null, version: 2 },
        after: { deletedAt: expect.any(String), version: 3 },
        actor: { id: globalId('User', desk.editor.id) },
      },
      {
        action: 'EDIT',
        reason: null,
        before: { body: 'Which survey is this?', version: 1 },
        after: { body: 'Which survey is this, CPS?', version: 2 },
        actor: { id: globalId('User', desk.reviewer.id) },
      },
      {
        action: 'CREATE',
        reason: null,
        before: null,
        after: expect.objectContaining({ body: 'Which survey is this?', parent: null }),
        actor: { id: globalId('User', desk.reviewer.id) },
      },
    ]);
    const outsider = await app.ok(desk.outsider, `query($id: ID!) { node(id: $id) { id } }`, { id: answer.id });
    expect(outsider.node).toBeNull();
  });
});

describe('history_events', () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
    await createClaim(app, desk, (await createArticle(app, desk)).id, 'on Tuesday');
  });
  afterAll(() => app?.close());

  it.each([
    ['UPDATE', `UPDATE history_events SET reason = 'rewritten'`],
    ['DELETE', 'DELETE FROM history_events'],
    ['TRUNCATE', 'TRUNCATE history_events'],
  ])('refuses %s even for the table owner', async (operation, statement) => {
    const before = await app.sql(`SELECT count(*)::int AS n, md5(string_agg(h::text, '|' ORDER BY id)) AS digest FROM history_events h`);
    await expect(app.sql(statement)).rejects.toThrow(`history_events is append-only: ${operation} is not allowed`);
    // and as the application's role, inside a request-like transaction
    const runner = app.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT set_config('role', 'claimgraph_app', true)`);
      await expect(runner.query(statement)).rejects.toThrow();
    } finally {
      await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
    const after = await app.sql(`SELECT count(*)::int AS n, md5(string_agg(h::text, '|' ORDER BY id)) AS digest FROM history_events h`);
    expect(after).toEqual(before);
    expect(before[0].n).toBeGreaterThan(0);
  });

  it('serves the team-wide activity feed, filterable by actor, action and time', async () => {
    const from = new Date().toISOString();
    await createClaim(app, desk, (await createArticle(app, desk)).id, 'the lowest since 1999');
    const to = new Date(Date.now() + 1000).toISOString();
    const FEED = `query($id: ID!, $filter: HistoryFilter) { node(id: $id) { ... on Team { activity(filter: $filter, first: 50) { nodes { action entityType actor { id } node { id } } } } } }`;
    const all = await app.ok(desk.viewer, FEED, { id: desk.teamId });
    expect(all.node.activity.nodes.map((node: { entityType: string }) => node.entityType)).toEqual(['Claim', 'Article', 'Claim', 'Article', 'Team']);
    const recent = await app.ok(desk.viewer, FEED, { id: desk.teamId, filter: { from, to, actions: ['CREATE'], actorId: globalId('User', desk.editor.id) } });
    expect(recent.node.activity.nodes).toEqual([
      { action: 'CREATE', entityType: 'Claim', actor: { id: globalId('User', desk.editor.id) }, node: { id: expect.any(String) } },
      { action: 'CREATE', entityType: 'Article', actor: { id: globalId('User', desk.editor.id) }, node: { id: expect.any(String) } },
    ]);
    const outsider = await app.ok(desk.outsider, FEED, { id: desk.teamId });
    expect(outsider.node).toBeNull();
  });
});
