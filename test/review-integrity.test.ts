import WebSocket from 'ws';
import { parse as parseCsv } from 'csv-parse/sync';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from './support/app';
import { createArticle, createClaim, createDesk, databaseFingerprint, rawId, type Desk } from './support/desk';
import { ClaimWorkflowService } from '../src/modules/claim/claim-workflow.service';

const SUBMIT = `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id version judgedRevision judgedQuote } claim { status } } }`;
const REVISE = `mutation($input: ReviseArticleInput!) {
  reviseArticle(input: $input) { revision { number } anchored { id } orphaned { id } }
}`;
const CLAIM = `query($id: ID!) {
  claim(id: $id) {
    status version quote judgedQuote anchorState anchor { position { start end } }
    published { rating quote textChanged }
    verdicts { nodes { judgedRevision judgedQuote } }
  }
}`;
const PUBLISH = `mutation($input: PublishClaimInput!) { publishClaim(input: $input) { claim { version status published { rating quote textChanged } } } }`;
const UNPUBLISH = `mutation($input: UnpublishClaimInput!) { unpublishClaim(input: $input) { claim { version published { rating } } } }`;
const CONFIRM = `mutation($input: ConfirmClaimTextInput!) { confirmClaimText(input: $input) { claim { version status judgedQuote } } }`;

const BASE_TEXT = [
  'Floods last week flooded 612 properties in the river valley, the county said.',
  'Unemployment fell to 3.1% last year, the lowest since 1999.',
  'The council approved a budget of $4.2 million on Tuesday.',
].join('\n');

describe(`${ClaimWorkflowService.name}: words, verdicts and publication`, () => {
  let app: TestApp;
  let desk: Desk;
  let base: string;

  beforeAll(async () => {
    app = await createTestApp({ env: { CLAIMGRAPH_DEV_AUTH: 'true' } });
    desk = await createDesk(app, { quorum: 2 });
    base = await app.listen();
  });
  afterAll(() => app?.close());

  const claimState = async (id: string) => (await app.ok(desk.editor, CLAIM, { id })).claim;
  const submit = (user: TestUser, claimId: string, rating: string, expectedVersion?: number) =>
    app.ok(user, SUBMIT, { input: { claimId, rating, expectedVersion } }).then((data) => data.submitVerdict);
  const revisionNumber = new Map<string, number>();
  const revise = async (articleId: string, text: string) => {
    const current = revisionNumber.get(articleId) ?? 1;
    const data = (await app.ok(desk.editor, REVISE, { input: { articleId, text, expectedRevisionNumber: current } })).reviseArticle;
    revisionNumber.set(articleId, data.revision.number);
    return data;
  };
  const settledClaim = async (exact: string) => {
    const article = await createArticle(app, desk, { text: BASE_TEXT });
    const claim = await createClaim(app, desk, article.id, exact);
    await submit(desk.reviewer, claim.id, 'TRUE');
    expect((await submit(desk.reviewer2, claim.id, 'MOSTLY_TRUE')).claim.status).toBe('SETTLED');
    return { articleId: article.id, claimId: claim.id };
  };
  const textEvents = (claimId: string) =>
    app.sql(
      `SELECT action, before, after, reason FROM history_events WHERE claim_id = $1 AND action IN ('TEXT_CHANGED', 'TEXT_REVIEWED', 'CONFIRM_TEXT') ORDER BY id`,
      [rawId(claimId)],
    );

  it('a move of the same words changes nothing', async () => {
    const { articleId, claimId } = await settledClaim('flooded 612 properties');
    const before = await claimState(claimId);
    await revise(articleId, `UPDATED: a correction was added at the top of this story.\n${BASE_TEXT}`);
    const after = await claimState(claimId);
    expect(after.anchor.position.start).toBeGreaterThan(before.anchor.position.start);
    expect(after).toMatchObject({ status: 'SETTLED', quote: 'flooded 612 properties', judgedQuote: null });
    expect(await textEvents(claimId)).toEqual([]);
  });

  it('a changed number makes a settled, published claim NEEDS_REREVIEW, out of ClaimReview until re-published', async () => {
    const { articleId, claimId } = await settledClaim('flooded 612 properties');
    const token = (await app.ok(desk.viewer, `mutation { createApiToken(input: { name: "exports" }) { token } }`)).createApiToken.token as string;
    const download = async (format: string) => {
      const response = await fetch(`${base}/exports/verdicts.${format}?team=${desk.teamSlug}&article=${articleId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    const published = await app.ok(desk.editor, PUBLISH, { input: { claimId, expectedVersion: 1, rating: 'TRUE', rationale: 'The 612 figure is correct' } });
    expect(published.publishClaim.claim.published).toEqual({ rating: 'TRUE', quote: 'flooded 612 properties', textChanged: false });
    expect(JSON.parse(await download('claimreview.jsonld'))['@graph']).toHaveLength(1);
    expect(await download('csv')).toContain('published_text_changed');
    // the public page and the team's feed: there while the words are the published ones
    const publicPage = async () => (await fetch(`${base}/fact-checks/${claimId}`)).status;
    const inFeed = async () => {
      const response = await fetch(`${base}/teams/${desk.teamSlug}/fact-checks.jsonld`);
      expect(response.status).toBe(200);
      return JSON.stringify(await response.json()).includes(`/fact-checks/${claimId}`);
    };
    expect(await publicPage()).toBe(200);
    expect(await inFeed()).toBe(true);

    await revise(articleId, BASE_TEXT.replace('612', '615'));
    const changed = await claimState(claimId);
    expect(changed).toMatchObject({
      status: 'NEEDS_REREVIEW',
      quote: 'flooded 615 properties',
      judgedQuote: 'flooded 612 properties',
      published: { rating: 'TRUE', quote: 'flooded 612 properties', textChanged: true },
    });
    // each verdict keeps the words and the revision it was given on
    expect(changed.verdicts.nodes).toEqual([
      { judgedRevision: 1, judgedQuote: 'flooded 612 properties' },
      { judgedRevision: 1, judgedQuote: 'flooded 612 properties' },
    ]);
    expect(await textEvents(claimId)).toEqual([
      {
        action: 'TEXT_CHANGED',
        reason: 'revision 2',
        before: { quoteExact: 'flooded 612 properties', judgedQuote: null },
        after: { quoteExact: 'flooded 615 properties', judgedQuote: 'flooded 612 properties' },
      },
    ]);

    // the exports: left out of ClaimReview (the export, the public page, the feed), marked in the others
    expect(JSON.parse(await download('claimreview.jsonld'))['@graph']).toEqual([]);
    expect(await publicPage()).toBe(404);
    expect(await inFeed()).toBe(false);
    const [row] = parseCsv(await download('csv'), { bom: true, columns: true }) as Record<string, string>[];
    expect(row.published_text_changed).toBe('true');
    expect(row.published_quote).toBe('flooded 612 properties');
    const line = JSON.parse((await download('jsonl')).trim());
    expect(line.published).toMatchObject({ rating: 'TRUE', quote: 'flooded 612 properties', textChanged: true });
    expect(line.quote).toBe('flooded 615 properties');
    expect(await download('html')).toContain('Words changed since publication');

    // re-publishing needs a SETTLED claim (or the override): an editor confirms the verdicts first
    const refused = await app.run(desk.editor, PUBLISH, { input: { claimId, expectedVersion: changed.version, rating: 'TRUE' } });
    expect(refused.errors?.[0].extensions).toEqual({ code: 'NOT_SETTLED', status: 'NEEDS_REREVIEW' });
    const noReason = await app.run(desk.editor, CONFIRM, { input: { claimId, expectedVersion: changed.version, reason: '  ' } });
    expect(noReason.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const byReviewer = await app.run(desk.reviewer, CONFIRM, { input: { claimId, expectedVersion: changed.version, reason: 'fine' } });
    expect(byReviewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const confirmed = (
      await app.ok(desk.editor, CONFIRM, {
        input: { claimId, expectedVersion: changed.version, reason: 'The county corrected its count; the verdict stands' },
      })
    ).confirmClaimText.claim;
    expect(confirmed).toMatchObject({ status: 'SETTLED', judgedQuote: null });
    const again = await app.run(desk.editor, CONFIRM, { input: { claimId, expectedVersion: confirmed.version, reason: 'twice' } });
    expect(again.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const republished = await app.ok(desk.editor, PUBLISH, {
      input: { claimId, expectedVersion: confirmed.version, rating: 'TRUE', rationale: 'The 615 figure is correct' },
    });
    expect(republished.publishClaim.claim.published).toEqual({ rating: 'TRUE', quote: 'flooded 615 properties', textChanged: false });
    const reviews = JSON.parse(await download('claimreview.jsonld'))['@graph'];
    expect(reviews).toHaveLength(1);
    expect(reviews[0].claimReviewed).toBe('flooded 615 properties');
    expect(await publicPage()).toBe(200);
    expect(await inFeed()).toBe(true);
    expect(JSON.parse((await download('jsonl')).trim()).published.textChanged).toBe(false);
    expect(await download('html')).not.toContain('Words changed since publication');
    expect((await textEvents(claimId)).map((event) => event.action)).toEqual(['TEXT_CHANGED', 'CONFIRM_TEXT']);
  });

  it('a changed word needs re-review until a reviewer revises their verdict', async () => {
    const { articleId, claimId } = await settledClaim('Unemployment fell to 3.1% last year');
    const reviewerVerdict = (await app.ok(desk.reviewer, `query($id: ID!) { claim(id: $id) { viewerVerdict { id version } } }`, { id: claimId })).claim
      .viewerVerdict;
    await revise(articleId, BASE_TEXT.replace('Unemployment fell', 'Unemployment rose'));
    expect(await claimState(claimId)).toMatchObject({
      status: 'NEEDS_REREVIEW',
      quote: 'Unemployment rose to 3.1% last year',
      judgedQuote: 'Unemployment fell to 3.1% last year',
    });

    // a second change before anyone re-reviewed keeps the words the verdicts judged
    await revise(articleId, BASE_TEXT.replace('Unemployment fell', 'Unemployment rose sharply'));
    const twice = await claimState(claimId);
    expect(twice).toMatchObject({ status: 'NEEDS_REREVIEW', judgedQuote: 'Unemployment fell to 3.1% last year' });

    const revised = await submit(desk.reviewer, claimId, 'FALSE', reviewerVerdict.version);
    expect(revised.verdict).toMatchObject({ judgedRevision: 3, judgedQuote: twice.quote });
    // re-reviewed, the verdicts now disagree: the status follows them again
    expect(revised.claim.status).toBe('DISPUTED');
    expect(await claimState(claimId)).toMatchObject({ judgedQuote: null });
    const events = await textEvents(claimId);
    expect(events.map((event) => event.action)).toEqual(['TEXT_CHANGED', 'TEXT_CHANGED', 'TEXT_REVIEWED']);
    expect(events[2]).toMatchObject({ before: { judgedQuote: 'Unemployment fell to 3.1% last year' }, after: { judgedQuote: null } });
  });

  it('words that come back to what was judged lift NEEDS_REREVIEW', async () => {
    const { articleId, claimId } = await settledClaim('Unemployment fell to 3.1% last year');
    await revise(articleId, BASE_TEXT.replace('3.1%', '3.4%'));
    expect((await claimState(claimId)).status).toBe('NEEDS_REREVIEW');
    await revise(articleId, BASE_TEXT);
    expect(await claimState(claimId)).toMatchObject({ status: 'SETTLED', judgedQuote: null });
  });

  it('an orphaned claim keeps its words and its status; words placed again but changed need re-review', async () => {
    const { articleId, claimId } = await settledClaim('approved a budget of $4.2 million');
    const withoutIt = BASE_TEXT.split('\n').slice(0, 2).join('\n');
    const orphaning = await revise(articleId, withoutIt);
    expect(orphaning.orphaned.map((claim: { id: string }) => claim.id)).toContain(claimId);
    expect(await claimState(claimId)).toMatchObject({
      anchorState: 'ORPHANED',
      status: 'SETTLED',
      quote: 'approved a budget of $4.2 million',
      judgedQuote: null,
    });
    expect(await textEvents(claimId)).toEqual([]);
    await revise(articleId, `${withoutIt}\nThe council approved a budget of $4.3 million on Tuesday.`);
    expect(await claimState(claimId)).toMatchObject({
      anchorState: 'ANCHORED',
      status: 'NEEDS_REREVIEW',
      quote: 'approved a budget of $4.3 million',
      judgedQuote: 'approved a budget of $4.2 million',
    });
  });

  it('a claim without verdicts or publication just moves onto its new words', async () => {
    const article = await createArticle(app, desk, { text: BASE_TEXT });
    const claim = await createClaim(app, desk, article.id, 'flooded 612 properties');
    await revise(article.id, BASE_TEXT.replace('612', '615'));
    expect(await claimState(claim.id)).toMatchObject({ status: 'UNREVIEWED', quote: 'flooded 615 properties', judgedQuote: null });
    expect(await textEvents(claim.id)).toEqual([]);
  });

  it('live subscribers hear of the changed words', async () => {
    const { articleId, claimId } = await settledClaim('flooded 612 properties');
    const client: Client = createClient({
      url: `${base.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { 'x-claimgraph-user': desk.viewer.email },
    });
    const received: Record<string, any>[] = [];
    const dispose = client.subscribe(
      {
        query: `subscription($articleId: ID!) { claimChanged(articleId: $articleId) { event { action before after } claim { id status judgedQuote } } }`,
        variables: { articleId },
      },
      { next: (value) => received.push(value as Record<string, any>), error: () => undefined, complete: () => undefined },
    );
    try {
      // the subscription starts from what commits after it: wait until it is in place
      await new Promise((resolve) => setTimeout(resolve, 500));
      await revise(articleId, BASE_TEXT.replace('612', '615'));
      const deadline = Date.now() + 10_000;
      const textChanged = () => received.find((value) => value.data?.claimChanged?.event.action === 'TEXT_CHANGED');
      const rereview = () => received.find((value) => value.data?.claimChanged?.event.after?.status === 'NEEDS_REREVIEW');
      while (!(textChanged() && rereview()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(textChanged()?.data.claimChanged).toMatchObject({
        event: { after: { anchor: { quote: { exact: 'flooded 615 properties' } }, judgedQuote: 'flooded 612 properties' } },
        claim: { id: claimId, judgedQuote: 'flooded 612 properties' },
      });
      expect(rereview()?.data.claimChanged).toMatchObject({ event: { action: 'STATUS_CHANGE' }, claim: { id: claimId } });
    } finally {
      dispose();
      await client.dispose();
    }
  });

  it('publishing a claim that is not SETTLED needs the override and a reason; unpublishing always works', async () => {
    const article = await createArticle(app, desk, { text: BASE_TEXT });
    const claim = await createClaim(app, desk, article.id, 'the lowest since 1999');
    const before = await databaseFingerprint(app);
    const unreviewed = await app.run(desk.editor, PUBLISH, { input: { claimId: claim.id, expectedVersion: 1, rating: 'FALSE' } });
    expect(unreviewed.errors?.[0].extensions).toEqual({ code: 'NOT_SETTLED', status: 'UNREVIEWED' });
    const noReason = await app.run(desk.editor, PUBLISH, { input: { claimId: claim.id, expectedVersion: 1, rating: 'FALSE', override: true } });
    expect(noReason.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    await submit(desk.reviewer, claim.id, 'TRUE');
    const inReview = await app.run(desk.editor, PUBLISH, { input: { claimId: claim.id, expectedVersion: 1, rating: 'FALSE' } });
    expect(inReview.errors?.[0].extensions).toEqual({ code: 'NOT_SETTLED', status: 'IN_REVIEW' });
    await submit(desk.reviewer2, claim.id, 'FALSE');
    const disputed = await app.run(desk.editor, PUBLISH, { input: { claimId: claim.id, expectedVersion: 1, rating: 'FALSE', override: false, reason: 'x' } });
    expect(disputed.errors?.[0].extensions).toEqual({ code: 'NOT_SETTLED', status: 'DISPUTED' });
    expect(await databaseFingerprint(app)).not.toBe(before); // (the two verdicts)
    const afterVerdicts = await databaseFingerprint(app);
    const again = await app.run(desk.editor, PUBLISH, { input: { claimId: claim.id, expectedVersion: 1, rating: 'FALSE' } });
    expect(again.errors?.[0].extensions?.code).toBe('NOT_SETTLED');
    expect(await databaseFingerprint(app)).toBe(afterVerdicts);

    const overridden = await app.ok(desk.editor, PUBLISH, {
      input: { claimId: claim.id, expectedVersion: 1, rating: 'FALSE', override: true, reason: 'The record was broken in 2003; the desk publishes now' },
    });
    expect(overridden.publishClaim.claim).toMatchObject({ status: 'DISPUTED', published: { rating: 'FALSE' } });
    const [event] = await app.sql(`SELECT reason FROM history_events WHERE entity_id = $1 AND action = 'PUBLISH'`, [rawId(claim.id)]);
    expect(event.reason).toBe('The record was broken in 2003; the desk publishes now');
    const unpublished = await app.ok(desk.editor, UNPUBLISH, { input: { claimId: claim.id, expectedVersion: 2 } });
    expect(unpublished.unpublishClaim.claim).toMatchObject({ version: 3, published: null });
  });
});
