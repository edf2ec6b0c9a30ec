import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { rawId, createArticle, createClaim, createDesk, type Desk } from './support/desk';

const CLIENTS = 20;
const CYCLES = 50;
const RATINGS = ['TRUE', 'MOSTLY_TRUE', 'MIXED', 'MOSTLY_FALSE', 'FALSE'];

const READ = `query($id: ID!) { node(id: $id) { ... on Verdict { version } } }`;
const SUBMIT = `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { version rationale } } }`;

describe('verdict writes under contention', () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
  });
  afterAll(() => app?.close());

  it(`${CLIENTS} clients x ${CYCLES} read-modify-write cycles on one verdict lose no update`, { timeout: 120_000 }, async () => {
    const { id: articleId } = await createArticle(app, desk);
    const claim = await createClaim(app, desk, articleId, 'Unemployment fell to 3.1% last year');
    // One shared verdict: it belongs to one reviewer, and the clients all act as that reviewer.
    const created = await app.ok(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE', rationale: 'initial' } });
    expect(created.submitVerdict.verdict.version).toBe(1);
    const { viewerVerdict } = (await app.ok(desk.reviewer, `query($id: ID!) { claim(id: $id) { viewerVerdict { id } } }`, { id: claim.id })).claim;
    const verdictId = viewerVerdict.id as string;

    const succeeded: { value: string; version: number }[] = [];
    const conflicted: string[] = [];
    const unexpected: unknown[] = [];
    const started = Date.now();

    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let cycle = 0; cycle < CYCLES; cycle++) {
          const value = `client ${client} cycle ${cycle}`;
          const read = await app.ok(desk.reviewer, READ, { id: verdictId });
          const result = await app.run(desk.reviewer, SUBMIT, {
            input: { claimId: claim.id, rating: RATINGS[(client + cycle) % RATINGS.length], rationale: value, expectedVersion: read.node.version },
          });
          if (!result.errors) {
            expect(result.data!.submitVerdict.verdict).toEqual({ version: read.node.version + 1, rationale: value });
            succeeded.push({ value, version: result.data!.submitVerdict.verdict.version });
          } else if (result.errors[0].extensions?.code === 'VERSION_CONFLICT') {
            // the error carries the version that beat us, which is newer than the one we read
            expect(result.errors[0].extensions.currentVersion).toBeGreaterThan(read.node.version);
            conflicted.push(value);
          } else {
            unexpected.push(result.errors);
          }
        }
      }),
    );
    const elapsed = Date.now() - started;

    expect(unexpected).toEqual([]);
    expect(succeeded.length + conflicted.length).toBe(CLIENTS * CYCLES);
    expect(succeeded.length).toBeGreaterThan(0);
    const [row] = await app.sql(`SELECT version, rationale FROM verdicts WHERE id = $1`, [rawId(verdictId)]);
    expect(row.version).toBe(1 + succeeded.length);
    // every success got its own version: no two writers ever held the same one
    expect(new Set(succeeded.map((success) => success.version)).size).toBe(succeeded.length);

    const events = await app.sql<{ action: string; after: { rationale?: string; version: number }; before: { version: number } }>(
      `SELECT action, before, after FROM history_events WHERE entity_id = $1 ORDER BY id`,
      [rawId(verdictId)],
    );
    const revisions = events.filter((event) => event.action === 'REVISE');
    expect(events[0].action).toBe('SUBMIT');
    expect(revisions).toHaveLength(succeeded.length);
    expect(events).toHaveLength(1 + succeeded.length);
    // consecutive versions, each event moving exactly one step
    expect(revisions.map((event) => [event.before.version, event.after.version])).toEqual(revisions.map((_, index) => [index + 1, index + 2]));
    const recorded = new Map(revisions.map((event) => [event.after.version, event.after.rationale]));
    for (const success of succeeded) expect(recorded.get(success.version)).toBe(success.value);
    const recordedValues = new Set(recorded.values());
    for (const value of conflicted) expect(recordedValues.has(value)).toBe(false);
    expect(row.rationale).toBe(recorded.get(row.version));

    // the revisions API tells the same story
    const api = await app.ok(
      desk.viewer,
      `query($id: ID!) { node(id: $id) { ... on Verdict { revisions(last: 1) { totalCount nodes { version rationale } } } } }`,
      { id: verdictId },
    );
    expect(api.node.revisions).toEqual({ totalCount: 1 + succeeded.length, nodes: [{ version: row.version, rationale: row.rationale }] });
    console.info(`verdict contention: ${succeeded.length} succeeded, ${conflicted.length} conflicted in ${elapsed} ms`);
  });
});
