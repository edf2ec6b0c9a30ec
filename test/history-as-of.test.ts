import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from './support/app';
import { createArticle, createClaim, createDesk, type Desk } from './support/desk';
import { AsOfService, replay } from '../src/modules/history/as-of.service';

const VERDICT = 'id rating rationale confidence version withdrawnAt current reviewer { name }';
const CLAIM = `id version status kind note quote sourcing anchorState disputedReason disputedAt deletedAt
  published { rating rationale publishedAt publishedBy { name } evidence { id } }
  verdicts { totalCount nodes { ${VERDICT} } }
  allVerdicts: verdicts(includeWithdrawn: true) { totalCount nodes { ${VERDICT} } }
  viewerVerdict { id rating version }`;
const LIVE = `query($id: ID!) { claim(id: $id) { ${CLAIM} } }`;
const AS_OF = `query($id: ID!, $at: DateTime!) { claim(id: $id) { asOf(at: $at) { ${CLAIM} } } }`;
const VERDICT_LIVE = `query($id: ID!) { node(id: $id) { ... on Verdict { ${VERDICT} } } }`;
const VERDICT_AS_OF = `query($id: ID!, $at: DateTime!) { node(id: $id) { ... on Verdict { asOf(at: $at) { ${VERDICT} } } } }`;
const SUBMIT = `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id version } } }`;

describe(AsOfService.name, () => {
  let app: TestApp;
  let desk: Desk;
  let articleId: string;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app, { quorum: 2 });
    articleId = (await createArticle(app, desk)).id;
  });
  afterAll(() => app?.close());

  /** The database's clock, which stamps history events. */
  const now = async (): Promise<string> => (await app.sql(`SELECT to_json(clock_timestamp()) #>> '{}' AS now`))[0].now;

  it('answers asOf at every step of a scripted review with exactly the state of that step', async () => {
    const beforeCreation = await now();
    const claim = await createClaim(app, desk, articleId, 'Unemployment fell to 3.1% last year');
    const ADD_EVIDENCE = `mutation($input: AddEvidenceInput!) { addEvidence(input: $input) { evidence { id } } }`;
    const steps: { label: string; at: string; viewer: TestUser }[] = [];
    const snapshots: unknown[] = [];
    const verdictSnapshots: Record<string, unknown>[] = [];
    let verdictIds: string[] = [];

    const record = async (label: string, viewer: TestUser = desk.reviewer) => {
      const at = await now();
      const state = (await app.ok(viewer, LIVE, { id: claim.id })).claim;
      verdictIds = state.allVerdicts.nodes.map((node: { id: string }) => node.id);
      const verdicts: Record<string, unknown> = {};
      for (const id of verdictIds) verdicts[id] = (await app.ok(viewer, VERDICT_LIVE, { id })).node;
      steps.push({ label, at, viewer });
      snapshots.push(state);
      verdictSnapshots.push(verdicts);
      // a step the state machine is meant to pass through, asserted as we go
      return state;
    };
    const submit = (user: TestUser, rating: string, expectedVersion?: number, rationale?: string) =>
      app.ok(user, SUBMIT, { input: { claimId: claim.id, rating, expectedVersion, rationale } }).then((data) => data.submitVerdict.verdict);
    const claimVersion = async () => (await app.ok(desk.viewer, LIVE, { id: claim.id })).claim.version as number;

    expect((await record('created')).status).toBe('UNREVIEWED');
    const first = await submit(desk.reviewer, 'TRUE', undefined, 'BLS table A-1');
    expect((await record('first verdict')).status).toBe('IN_REVIEW');
    const second = await submit(desk.reviewer2, 'MOSTLY_TRUE');
    expect((await record('quorum, agreeing')).status).toBe('SETTLED');
    await submit(desk.reviewer, 'FALSE', 1, 'Misread the table');
    expect((await record('revised into disagreement')).status).toBe('DISPUTED');
    await submit(desk.reviewer, 'TRUE', 2, 'BLS table A-1, seasonally adjusted');
    expect((await record('revised back')).status).toBe('SETTLED');
    await app.ok(desk.editor, `mutation($input: MarkClaimDisputedInput!) { markClaimDisputed(input: $input) { claim { id } } }`, {
      input: { claimId: claim.id, expectedVersion: await claimVersion(), reason: 'U-6 tells another story' },
    });
    expect((await record('marked disputed')).disputedReason).toBe('U-6 tells another story');
    await app.ok(desk.editor, `mutation($input: ResolveClaimDisputeInput!) { resolveClaimDispute(input: $input) { claim { id } } }`, {
      input: { claimId: claim.id, expectedVersion: await claimVersion(), reason: 'U-3 is the headline rate' },
    });
    expect((await record('dispute resolved')).status).toBe('SETTLED');
    await app.ok(desk.editor, `mutation($input: UpdateClaimInput!) { updateClaim(input: $input) { claim { id } } }`, {
      input: { claimId: claim.id, expectedVersion: await claimVersion(), note: 'Headline rate', kind: 'REPORTED_SPEECH' },
    });
    await record('edited');
    const evidence = (await app.ok(desk.reviewer, ADD_EVIDENCE, { input: { claimId: claim.id, stance: 'SUPPORTS', url: 'https://bls.example.gov/a1' } }))
      .addEvidence.evidence;
    await app.ok(desk.editor, `mutation($input: PublishClaimInput!) { publishClaim(input: $input) { claim { id } } }`, {
      input: { claimId: claim.id, expectedVersion: await claimVersion(), rating: 'TRUE', rationale: 'Matches BLS', override: true, reason: 'Desk decision' },
    });
    expect((await record('published')).published).toMatchObject({ rating: 'TRUE', evidence: [{ id: evidence.id }] });
    await app.ok(desk.editor, `mutation($input: UnpublishClaimInput!) { unpublishClaim(input: $input) { claim { id } } }`, {
      input: { claimId: claim.id, expectedVersion: await claimVersion(), reason: 'Revised figures' },
    });
    expect((await record('unpublished')).published).toBeNull();
    await app.ok(desk.reviewer2, `mutation($input: WithdrawVerdictInput!) { withdrawVerdict(input: $input) { verdict { id } } }`, {
      input: { verdictId: second.id, expectedVersion: 1, reason: 'conflict of interest' },
    });
    expect((await record('withdrawn', desk.reviewer2)).status).toBe('IN_REVIEW');
    await submit(desk.reviewer2, 'MOSTLY_TRUE');
    expect((await record('a fresh verdict after withdrawal', desk.reviewer2)).allVerdicts.totalCount).toBe(3);

    // Every step, asked afterwards, by the same reader: identical to what they saw at the time.
    for (const [index, step] of steps.entries()) {
      const asOf = (await app.ok(step.viewer, AS_OF, { id: claim.id, at: step.at })).claim.asOf;
      expect([step.label, asOf]).toEqual([step.label, snapshots[index]]);
      for (const id of verdictIds) {
        const verdictAsOf = (await app.ok(step.viewer, VERDICT_AS_OF, { id, at: step.at })).node.asOf;
        expect([step.label, id, verdictAsOf]).toEqual([step.label, id, verdictSnapshots[index][id] ?? null]);
      }
    }
    expect((await app.ok(desk.viewer, AS_OF, { id: claim.id, at: beforeCreation })).claim.asOf).toBeNull();
    expect((await app.ok(desk.viewer, VERDICT_AS_OF, { id: first.id, at: beforeCreation })).node.asOf).toBeNull();
    const outsider = await app.run(desk.outsider, VERDICT_AS_OF, { id: first.id, at: steps[2].at });
    expect(outsider.data?.node).toBeNull();
  });

  it("lists a verdict's revisions with what changed between consecutive ones", async () => {
    const claim = await createClaim(app, desk, articleId, 'the lowest since 1999');
    const submit = (rating: string, extra: Record<string, unknown>) =>
      app.ok(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating, ...extra } }).then((data) => data.submitVerdict.verdict);
    const verdict = await submit('MIXED', { rationale: 'Depends on the series', confidence: 0.5 });
    await submit('MOSTLY_TRUE', { expectedVersion: 1, rationale: 'Depends on the series', confidence: 0.8 });
    await submit('MOSTLY_TRUE', { expectedVersion: 2, rationale: 'Lowest since 1999 in the headline series', confidence: 0.8 });
    await app.ok(desk.reviewer, `mutation($input: WithdrawVerdictInput!) { withdrawVerdict(input: $input) { verdict { id } } }`, {
      input: { verdictId: verdict.id, expectedVersion: 3, reason: 'duplicate claim' },
    });
    const REVISIONS = `query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Verdict {
      revisions(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        nodes { version action reason rating rationale confidence withdrawnAt actor { name } changes { field before after } } } } } }`;
    const data = await app.ok(desk.viewer, REVISIONS, { id: verdict.id });
    const revisions = data.node.revisions;
    expect(revisions.totalCount).toBe(4);
    expect(revisions.nodes).toEqual([
      {
        version: 1,
        action: 'SUBMIT',
        reason: null,
        rating: 'MIXED',
        rationale: 'Depends on the series',
        confidence: 0.5,
        withdrawnAt: null,
        actor: { name: 'Reviewer' },
        changes: [],
      },
      {
        version: 2,
        action: 'REVISE',
        reason: null,
        rating: 'MOSTLY_TRUE',
        rationale: 'Depends on the series',
        confidence: 0.8,
        withdrawnAt: null,
        actor: { name: 'Reviewer' },
        changes: [
          { field: 'rating', before: 'MIXED', after: 'MOSTLY_TRUE' },
          { field: 'confidence', before: 0.5, after: 0.8 },
        ],
      },
      {
        version: 3,
        action: 'REVISE',
        reason: null,
        rating: 'MOSTLY_TRUE',
        rationale: 'Lowest since 1999 in the headline series',
        confidence: 0.8,
        withdrawnAt: null,
        actor: { name: 'Reviewer' },
        changes: [{ field: 'rationale', before: 'Depends on the series', after: 'Lowest since 1999 in the headline series' }],
      },
      {
        version: 4,
        action: 'WITHDRAW',
        reason: 'duplicate claim',
        rating: 'MOSTLY_TRUE',
        rationale: 'Lowest since 1999 in the headline series',
        confidence: 0.8,
        withdrawnAt: expect.any(String),
        actor: { name: 'Reviewer' },
        changes: [{ field: 'withdrawnAt', before: null, after: expect.any(String) }],
      },
    ]);
    const page1 = await app.ok(desk.viewer, REVISIONS, { id: verdict.id, first: 3 });
    expect(page1.node.revisions.pageInfo.hasNextPage).toBe(true);
    const page2 = await app.ok(desk.viewer, REVISIONS, { id: verdict.id, first: 3, after: page1.node.revisions.pageInfo.endCursor });
    expect(page2.node.revisions.nodes.map((node: { version: number }) => node.version)).toEqual([4]);
    expect(page2.node.revisions.pageInfo.hasNextPage).toBe(false);
  });

  it('replays snapshots and changed fields in order', () => {
    const fields = ['rating', 'rationale', 'version'];
    expect(replay([], fields)).toBeNull();
    expect(
      replay(
        [
          { after: { rating: 'TRUE', rationale: 'a', version: 1, ignored: true } },
          { after: { rating: 'FALSE', version: 2 } },
          { after: { rationale: null, version: 3 } },
        ],
        fields,
      ),
    ).toEqual({ rating: 'FALSE', rationale: null, version: 3 });
  });
});
