import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, type Desk } from './support/desk';
import { HistoryViewService } from '../src/modules/history/history-view.service';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
const NODE = '__typename id ... on Source { displayName } ... on User { name } ... on Evidence { url } ... on Claim { quote }';
const CHANGES = `changes { field before after redacted beforeNodes { ${NODE} } afterNodes { ${NODE} } }`;
const HISTORY = `history { nodes { action before after ${CHANGES} } }`;

describe(HistoryViewService.name, () => {
  let app: TestApp;
  let desk: Desk;
  let articleId: string;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
    articleId = (await createArticle(app, desk)).id;
  });
  afterAll(() => app?.close());

  const claimHistory = async (claimId: string, user = desk.viewer) =>
    (await app.ok(user, `query($id: ID!) { claim(id: $id) { ${HISTORY} } }`, { id: claimId })).claim.history.nodes;

  it('speaks GraphQL: field names shaped like the type, global IDs, no database names or raw ids', async () => {
    const source = (
      await app.ok(desk.editor, `mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id } } }`, {
        input: { teamId: desk.teamId, kind: 'PERSON', name: 'Ana Ruiz', title: 'Mayor' },
      })
    ).createSource.source.id;
    const claim = await createClaim(app, desk, articleId, 'approved a budget of $4.2 million', { speakerId: source, kind: 'REPORTED_SPEECH' });
    const [created] = await claimHistory(claim.id);
    expect(created.action).toBe('CREATE');
    expect(created.before).toBeNull();
    const article = await app.ok(desk.viewer, `query($id: ID!) { article(id: $id) { currentRevision { id } } }`, { id: articleId });
    expect(created.after).toMatchObject({
      article: articleId,
      revision: article.article.currentRevision.id,
      anchor: {
        position: { start: 17, end: 50 },
        quote: { exact: 'approved a budget of $4.2 million', prefix: expect.any(String), suffix: expect.any(String) },
      },
      speaker: source,
      kind: 'REPORTED_SPEECH',
      sourcing: 'SOURCED',
      status: 'UNREVIEWED',
      version: 1,
      published: { rating: null, evidence: null },
    });
    for (const raw of ['articleId', 'revisionId', 'positionStart', 'quoteExact', 'speakerId', 'publishedRating', 'publishedEvidenceIds']) {
      expect(created.after).not.toHaveProperty(raw);
    }
    expect(JSON.stringify(created)).not.toMatch(UUID);
    // the same event field by field, each reference resolved to the object
    const speaker = created.changes.find((change: { field: string }) => change.field === 'speaker');
    expect(speaker).toEqual({
      field: 'speaker',
      before: null,
      after: source,
      redacted: false,
      beforeNodes: [],
      afterNodes: [{ __typename: 'Source', id: source, displayName: 'Ana Ruiz' }],
    });
    expect(created.changes.map((change: { field: string }) => change.field)).toEqual(
      expect.arrayContaining(['anchor.position.start', 'anchor.quote.exact', 'article', 'published.rating']),
    );

    // a change of speaker: before and after name the two sources
    const other = (
      await app.ok(desk.editor, `mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id } } }`, {
        input: { teamId: desk.teamId, kind: 'PERSON', name: 'Lee Park' },
      })
    ).createSource.source.id;
    await app.ok(desk.editor, `mutation($input: SetClaimSpeakerInput!) { setClaimSpeaker(input: $input) { claim { id } } }`, {
      input: { claimId: claim.id, expectedVersion: 1, speakerId: other },
    });
    const [changed] = await claimHistory(claim.id);
    expect(changed.before).toMatchObject({ speaker: source, version: 1 });
    expect(changed.after).toMatchObject({ speaker: other, version: 2 });
    expect(changed.changes.find((change: { field: string }) => change.field === 'speaker')).toMatchObject({
      beforeNodes: [{ __typename: 'Source', displayName: 'Ana Ruiz' }],
      afterNodes: [{ __typename: 'Source', displayName: 'Lee Park' }],
    });
  });

  it('publishing: the published verdict nested as in the type, cited evidence as Evidence IDs and nodes', async () => {
    const claim = await createClaim(app, desk, articleId, 'the lowest since 1999');
    const evidence = (
      await app.ok(desk.reviewer, `mutation($input: AddEvidenceInput!) { addEvidence(input: $input) { evidence { id } } }`, {
        input: { claimId: claim.id, stance: 'SUPPORTS', url: 'https://stats.example.org/table-4' },
      })
    ).addEvidence.evidence.id;
    // settled first (two agreeing verdicts), so publishing needs no override
    for (const reviewer of [desk.reviewer, desk.reviewer2]) {
      await app.ok(reviewer, `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }`, {
        input: { claimId: claim.id, rating: 'TRUE' },
      });
    }
    const { version } = (await app.ok(desk.viewer, `query($id: ID!) { claim(id: $id) { version status } }`, { id: claim.id })).claim;
    await app.ok(desk.editor, `mutation($input: PublishClaimInput!) { publishClaim(input: $input) { claim { id } } }`, {
      input: { claimId: claim.id, expectedVersion: version, rating: 'TRUE', rationale: 'Table 4' },
    });
    const events = await claimHistory(claim.id);
    const publish = events.find((event: { action: string }) => event.action === 'PUBLISH');
    expect(publish.after).toMatchObject({
      published: { rating: 'TRUE', rationale: 'Table 4', publishedAt: expect.any(String), publishedBy: globalId('User', desk.editor.id), evidence: [evidence] },
    });
    expect(publish.before).toMatchObject({ published: { rating: null, evidence: null } });
    expect(publish.changes.find((change: { field: string }) => change.field === 'published.evidence')).toMatchObject({
      before: null,
      after: [evidence],
      beforeNodes: [],
      afterNodes: [{ __typename: 'Evidence', id: evidence, url: 'https://stats.example.org/table-4' }],
    });
    expect(publish.changes.find((change: { field: string }) => change.field === 'published.publishedBy').afterNodes).toEqual([
      { __typename: 'User', id: globalId('User', desk.editor.id), name: 'Editor' },
    ]);
  });

  it('verdict history and revisions name the claim and reviewer; a reference the reader cannot see resolves to nothing', async () => {
    const claim = await createClaim(app, desk, articleId, 'on Tuesday');
    const verdict = (
      await app.ok(desk.reviewer, `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }`, {
        input: { claimId: claim.id, rating: 'MIXED', confidence: 0.5 },
      })
    ).submitVerdict.verdict.id;
    await app.ok(desk.reviewer, `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }`, {
      input: { claimId: claim.id, rating: 'TRUE', confidence: 0.5, expectedVersion: 1 },
    });
    const query = `query($id: ID!) { node(id: $id) { ... on Verdict { ${HISTORY} revisions { nodes { version ${CHANGES} } } } } }`;
    const read = async () => (await app.ok(desk.viewer, query, { id: verdict })).node;
    const before = await read();
    const submit = before.history.nodes[1];
    expect(submit.after).toMatchObject({ claim: claim.id, reviewer: globalId('User', desk.reviewer.id), rating: 'MIXED' });
    expect(submit.changes.find((change: { field: string }) => change.field === 'claim').afterNodes).toEqual([
      { __typename: 'Claim', id: claim.id, quote: 'on Tuesday' },
    ]);
    expect(before.revisions.nodes[1].changes).toEqual([{ field: 'rating', before: 'MIXED', after: 'TRUE', redacted: false, beforeNodes: [], afterNodes: [] }]);

    // the claim is deleted: its ID stays in history, but it no longer resolves
    const version = (await app.ok(desk.viewer, `query($id: ID!) { claim(id: $id) { version } }`, { id: claim.id })).claim.version;
    await app.ok(desk.editor, `mutation($input: DeleteClaimInput!) { deleteClaim(input: $input) { claim { id } } }`, {
      input: { claimId: claim.id, expectedVersion: version },
    });
    const after = await read();
    const gone = after.history.nodes[1].changes.find((change: { field: string }) => change.field === 'claim');
    expect(gone).toMatchObject({ after: claim.id, afterNodes: [] });
  });

  it("a deleted comment's text: shown in history to its author and editors, redacted for everyone else", async () => {
    const claim = await createClaim(app, desk, articleId, 'the figures were inflated');
    const comment = (
      await app.ok(desk.reviewer, `mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }`, {
        input: { claimId: claim.id, body: 'Off the record: the source is the deputy mayor' },
      })
    ).addComment.comment.id;
    await app.ok(desk.reviewer, `mutation($input: EditCommentInput!) { editComment(input: $input) { comment { id } } }`, {
      input: { commentId: comment, expectedVersion: 1, body: "Off the record: the source is the mayor's deputy" },
    });
    const commentHistory = async (user = desk.viewer) =>
      (await app.ok(user, `query($id: ID!) { node(id: $id) { ... on Comment { ${HISTORY} } } }`, { id: comment })).node.history.nodes;
    // before deletion, every member reads it
    expect((await commentHistory())[0].after.body).toBe("Off the record: the source is the mayor's deputy");

    await app.ok(desk.reviewer, `mutation($input: DeleteCommentInput!) { deleteComment(input: $input) { comment { id } } }`, {
      input: { commentId: comment, expectedVersion: 2 },
    });
    for (const user of [desk.reviewer, desk.editor, desk.owner]) {
      const [, edit, create] = await commentHistory(user);
      expect(edit.before.body).toBe('Off the record: the source is the deputy mayor');
      expect(edit.after.body).toBe("Off the record: the source is the mayor's deputy");
      expect(create.after).toMatchObject({
        body: 'Off the record: the source is the deputy mayor',
        author: globalId('User', desk.reviewer.id),
        claim: claim.id,
        parent: null,
      });
    }
    for (const user of [desk.viewer, desk.reviewer2]) {
      const events = await commentHistory(user);
      expect(JSON.stringify(events)).not.toContain('deputy');
      const [deletion, edit, create] = events;
      expect(deletion.after.deletedAt).toEqual(expect.any(String));
      expect(edit.before).toEqual({ body: null, version: 1 });
      expect(edit.after).toEqual({ body: null, version: 2 });
      expect(edit.changes.find((change: { field: string }) => change.field === 'body')).toMatchObject({ before: null, after: null, redacted: true });
      expect(edit.changes.find((change: { field: string }) => change.field === 'version')).toMatchObject({ before: 1, after: 2, redacted: false });
      expect(create.after).toMatchObject({ body: null, author: globalId('User', desk.reviewer.id) });
      // the claim's activity and the team's feed show the same events the same way
      const activity = await app.ok(
        user,
        `query($id: ID!, $team: ID!) {
          claim(id: $id) { activity { nodes { before after ${CHANGES} } } }
          team(id: $team) { activity(first: 50) { nodes { before after } } } }`,
        { id: claim.id, team: desk.teamId },
      );
      expect(JSON.stringify(activity)).not.toContain('deputy');
    }
  });
});
