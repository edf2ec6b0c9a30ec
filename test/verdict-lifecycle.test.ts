import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, rawId, type Desk } from './support/desk';
import { SQL_ROUTINES, applyRoutines, definedFunctions, revertRoutine, routineText, type SqlRoutine } from '../src/db/sql-routines';
import { LIFECYCLE_ERRORS, lifecycleError, type LifecycleErrorCode } from '../src/modules/verdict/lifecycle-errors';
import { VERDICT_FIELDS } from '../src/modules/verdict/verdict.entity';
import { CLAIM_FIELDS } from '../src/modules/claim/claim.entity';
import { DomainError } from '../src/shared/errors';
import { RATING_SCALE } from '../src/modules/verdict/rating';

const SUBMIT = `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id version } claim { status } } }`;
const WITHDRAW = `mutation($input: WithdrawVerdictInput!) { withdrawVerdict(input: $input) { verdict { id version } claim { status } } }`;

const lifecycle = SQL_ROUTINES.find((routine) => routine.name === 'verdict-lifecycle')!;

describe('verdict lifecycle SQL', () => {
  let app: TestApp;
  let desk: Desk;
  let articleId: string;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app, { quorum: 2 });
    articleId = (await createArticle(app, desk)).id;
  });
  afterAll(() => app?.close());

  it('writes history whose keys are exactly the TypeScript field lists', async () => {
    const claim = await createClaim(app, desk, articleId, 'approved a budget of $4.2 million');
    await app.ok(desk.editor, `mutation($input: AssignReviewerInput!) { assignReviewer(input: $input) { assignment { id } } }`, {
      input: { claimId: claim.id, reviewerId: Buffer.from(`User:${desk.reviewer.id}`).toString('base64url') },
    });
    const first = (await app.ok(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE', rationale: 'minutes', confidence: 0.5 } })).submitVerdict;
    await app.ok(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'FALSE', rationale: 'other minutes', confidence: 0.9, expectedVersion: 1 } });
    await app.ok(desk.reviewer2, SUBMIT, { input: { claimId: claim.id, rating: 'FALSE' } });
    await app.ok(desk.reviewer, WITHDRAW, { input: { verdictId: first.verdict.id, expectedVersion: 2, reason: 'recused' } });

    const events = await app.sql<{ entity_type: string; action: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }>(
      'SELECT entity_type, action, before, after FROM history_events WHERE claim_id = $1 ORDER BY id',
      [rawId(claim.id)],
    );
    const verdictFields: readonly string[] = VERDICT_FIELDS;
    const claimFields: readonly string[] = CLAIM_FIELDS;
    const submits = events.filter((event) => event.action === 'SUBMIT');
    expect(submits).toHaveLength(2);
    // a first verdict's event is a full snapshot: asOf and revisions replay from it
    for (const submit of submits) expect(Object.keys(submit.after!).sort()).toEqual([...verdictFields].sort());
    for (const event of events.filter((event) => event.entity_type === 'Verdict' && event.action !== 'SUBMIT')) {
      expect(['REVISE', 'WITHDRAW']).toContain(event.action);
      for (const key of [...Object.keys(event.before!), ...Object.keys(event.after!)]) expect(verdictFields).toContain(key);
    }
    const revise = events.find((event) => event.action === 'REVISE')!;
    expect(Object.keys(revise.after!).sort()).toEqual(['confidence', 'rating', 'rationale', 'version']);
    const withdraw = events.find((event) => event.action === 'WITHDRAW')!;
    expect(Object.keys(withdraw.after!).sort()).toEqual(['version', 'withdrawnAt']);
    expect(withdraw.after!.withdrawnAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const statusChanges = events.filter((event) => event.action === 'STATUS_CHANGE');
    expect(statusChanges.length).toBeGreaterThan(0);
    for (const event of statusChanges) for (const key of Object.keys(event.after!)) expect(claimFields).toContain(key);
    const complete = events.find((event) => event.entity_type === 'Assignment' && event.action === 'COMPLETE')!;
    expect(Object.keys(complete.after!).sort()).toEqual(['completedAt', 'version']);
  });

  it('withdraws through the SQL function: refusals are typed and change nothing', async () => {
    const claim = await createClaim(app, desk, articleId, 'on Tuesday');
    const given = (await app.ok(desk.reviewer, SUBMIT, { input: { claimId: claim.id, rating: 'TRUE' } })).submitVerdict;
    const byOther = await app.run(desk.reviewer2, WITHDRAW, { input: { verdictId: given.verdict.id, expectedVersion: 1 } });
    expect(byOther.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const byViewer = await app.run(desk.viewer, WITHDRAW, { input: { verdictId: given.verdict.id, expectedVersion: 1 } });
    expect(byViewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const byOutsider = await app.run(desk.outsider, WITHDRAW, { input: { verdictId: given.verdict.id, expectedVersion: 1 } });
    expect(byOutsider.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const stale = await app.run(desk.reviewer, WITHDRAW, { input: { verdictId: given.verdict.id, expectedVersion: 5 } });
    expect(stale.errors?.[0].extensions).toEqual({ code: 'VERSION_CONFLICT', currentVersion: 1 });
    const [untouched] = await app.sql('SELECT version, withdrawn_at FROM verdicts WHERE id = $1', [rawId(given.verdict.id)]);
    expect(untouched).toEqual({ version: 1, withdrawn_at: null });

    const done = (await app.ok(desk.reviewer, WITHDRAW, { input: { verdictId: given.verdict.id, expectedVersion: 1 } })).withdrawVerdict;
    expect(done).toMatchObject({ verdict: { version: 2 }, claim: { status: 'UNREVIEWED' } });
    const again = await app.run(desk.reviewer, WITHDRAW, { input: { verdictId: given.verdict.id, expectedVersion: 2 } });
    expect(again.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('derives status on the same rating scale as the TypeScript', async () => {
    for (const [rating, scale] of Object.entries(RATING_SCALE)) {
      expect(await app.sql('SELECT claimgraph_rating_scale($1) AS scale', [rating]), rating).toEqual([{ scale }]);
    }
  });

  it('declares every error code the SQL raises once, and maps each to a typed error', async () => {
    const raised = new Set([...readFileSync(lifecycle.file, 'utf8').matchAll(/ERRCODE = '(CG\d{3})'/g)].map((match) => match[1]));
    expect([...raised].sort()).toEqual(Object.keys(LIFECYCLE_ERRORS).sort());
    const actor = await desk.reviewer.actor();
    for (const code of Object.keys(LIFECYCLE_ERRORS) as LifecycleErrorCode[]) {
      const detail = code === 'CG403' ? actor.teamIds[0] : code === 'CG409' ? '3' : code === 'CG410' ? `3 ${actor.userId}` : 'Claim';
      let mapped: unknown;
      try {
        mapped = lifecycleError(code, detail, actor);
      } catch (refusal) {
        mapped = refusal;
      }
      expect(mapped).toBeInstanceOf(DomainError);
    }
  });

  it('applies a routine file when its content changes, and puts the previous version back', async () => {
    const applied = await app.sql<{ name: string; checksum: string }>('SELECT DISTINCT ON (name) name, checksum FROM schema_routines ORDER BY name, id DESC');
    expect(new Map(applied.map((row) => [row.name, row.checksum]))).toEqual(
      new Map(SQL_ROUTINES.map((routine) => [routine.name, routineText(routine).checksum])),
    );
    expect(definedFunctions(readFileSync(lifecycle.file, 'utf8'))).toEqual(
      expect.arrayContaining(['claimgraph_submit_verdict', 'claimgraph_withdraw_verdict', 'claimgraph_refresh_claim_status', 'claimgraph_derive_claim_status']),
    );
    // unchanged files are not applied again
    expect(await applyRoutines(app.dataSource)).toEqual([]);

    // a changed rule: a scratch routine that defines a function, then a new version of it
    const folder = mkdtempSync(join(tmpdir(), 'cg-routine-'));
    const scratch: SqlRoutine = { name: 'scratch-rule', file: join(folder, 'scratch.sql') };
    writeFileSync(scratch.file, `CREATE FUNCTION claimgraph_scratch_rule() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;`);
    expect(await applyRoutines(app.dataSource, [scratch])).toEqual(['scratch-rule']);
    expect(await app.sql('SELECT claimgraph_scratch_rule() AS value')).toEqual([{ value: 1 }]);
    // the new version changes the signature: the old one is dropped, not left beside it
    writeFileSync(scratch.file, `CREATE FUNCTION claimgraph_scratch_rule(p integer) RETURNS integer LANGUAGE sql AS $$ SELECT p * 2 $$;`);
    expect(await applyRoutines(app.dataSource, [scratch])).toEqual(['scratch-rule']);
    expect(await app.sql('SELECT claimgraph_scratch_rule(21) AS value')).toEqual([{ value: 42 }]);
    expect(await app.sql(`SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'claimgraph_scratch_rule'`)).toEqual([{ n: 1 }]);

    await revertRoutine(app.dataSource, 'scratch-rule');
    expect(await app.sql('SELECT claimgraph_scratch_rule() AS value')).toEqual([{ value: 1 }]);
    expect(await app.sql(`SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'claimgraph_scratch_rule'`)).toEqual([{ n: 1 }]);
    await expect(revertRoutine(app.dataSource, 'scratch-rule')).rejects.toThrow(/no previous version/);
  });
});
