import type { TestApp, TestUser } from './support/app';
import { createArticle, createClaim, createDesk, type Desk } from './support/desk';

/**
 * The verdict-report data set whose figures are computed by hand in test/report.test.ts.
 * Quorum 2; reviewers R1 = desk.reviewer, R2 = desk.reviewer2, R3 = desk.editor.
 *
 *   article A1 (2026-03-01)          sourcing    verdicts                     status
 *     c1 "The city council approved…" SOURCED     R1 TRUE, R2 TRUE             SETTLED
 *     c2 "the figures were inflated"  ANONYMOUS   R1 FALSE, R2 MOSTLY_FALSE    SETTLED
 *     c3 "Unemployment fell…"         UNSOURCED   R1 TRUE, R2 MIXED            DISPUTED
 *     c4 "the lowest since 1999"      UNSOURCED   R1 MISLEADING, R2 MISLEADING SETTLED, then
 *                                                 R3 FALSE                     DISPUTED
 *   article A2 (2026-04-10)
 *     c5 "We have never spent…"       SOURCED     R3 MOSTLY_TRUE, R1 TRUE      SETTLED
 *     c7 "the figures were inflated"  ANONYMOUS   R2 UNVERIFIABLE              IN_REVIEW
 *     c6 "Unemployment fell…"         UNSOURCED   none                         UNREVIEWED
 */
export interface ReportDataset {
  desk: Desk;
  a1: string;
  a2: string;
  claims: Record<'c1' | 'c2' | 'c3' | 'c4' | 'c5' | 'c6' | 'c7', string>;
  reviewers: { r1: TestUser; r2: TestUser; r3: TestUser };
}

export const SUBMIT = `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } claim { status } } }`;
export const PUBLISH = `mutation($input: PublishClaimInput!) { publishClaim(input: $input) { claim { id version published { rating } } } }`;
export const ADD_EVIDENCE = `mutation($input: AddEvidenceInput!) { addEvidence(input: $input) { evidence { id } } }`;
export const CREATE_SOURCE = `mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id } } }`;

export const rawId = (globalId: string): string => Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1];

export async function submitVerdict(app: TestApp, user: TestUser, claimId: string, rating: string, rationale?: string): Promise<string> {
  const data = await app.ok(user, SUBMIT, { input: { claimId, rating, rationale } });
  return data.submitVerdict.claim.status;
}

export async function claimVersion(app: TestApp, user: TestUser, claimId: string): Promise<number> {
  return (await app.ok(user, `query($id: ID!) { claim(id: $id) { version } }`, { id: claimId })).claim.version;
}

/** Publishes as the desk's editor; a claim that is not SETTLED is published with the override (and a reason). */
export async function publishClaim(app: TestApp, desk: Desk, claimId: string, rating: string, extra: Record<string, unknown> = {}): Promise<void> {
  const { version: expectedVersion, status } = (await app.ok(desk.editor, `query($id: ID!) { claim(id: $id) { version status } }`, { id: claimId })).claim;
  const override = status === 'SETTLED' ? {} : { override: true, reason: `published while ${status}` };
  await app.ok(desk.editor, PUBLISH, { input: { claimId, expectedVersion, rating, ...override, ...extra } });
}

export async function createSource(app: TestApp, desk: Desk, input: Record<string, unknown>): Promise<string> {
  const data = await app.ok(desk.editor, CREATE_SOURCE, { input: { teamId: desk.teamId, ...input } });
  return data.createSource.source.id;
}

export async function buildReportDataset(app: TestApp): Promise<ReportDataset> {
  const desk = await createDesk(app, { quorum: 2 });
  const r1 = desk.reviewer;
  const r2 = desk.reviewer2;
  const r3 = desk.editor;
  const a1 = (await createArticle(app, desk, { publishedAt: '2026-03-01T10:00:00Z' })).id;
  const a2 = (
    await createArticle(app, desk, {
      title: 'Schools spending, a month on',
      url: 'https://news.example.com/schools',
      publishedAt: '2026-04-10T08:00:00Z',
    })
  ).id;
  const ruiz = await createSource(app, desk, { kind: 'PERSON', name: 'Ana Ruiz', title: 'Mayor' });
  const member = await createSource(app, desk, { kind: 'PERSON', anonymous: true, descriptor: 'One council member' });

  const claim = (articleId: string, exact: string, extra: Record<string, unknown> = {}) =>
    createClaim(app, desk, articleId, exact, extra).then((created) => created.id);
  const claims = {
    c1: await claim(a1, 'The city council approved a budget of $4.2 million on Tuesday', { speakerId: ruiz, kind: 'REPORTED_SPEECH' }),
    c2: await claim(a1, 'the figures were inflated', { speakerId: member, kind: 'REPORTED_SPEECH' }),
    c3: await claim(a1, 'Unemployment fell to 3.1% last year'),
    c4: await claim(a1, 'the lowest since 1999'),
    c5: await claim(a2, 'We have never spent more on schools', { speakerId: ruiz, kind: 'DIRECT_QUOTE' }),
    c6: await claim(a2, 'Unemployment fell to 3.1% last year'),
    c7: await claim(a2, 'the figures were inflated', { speakerId: member, kind: 'REPORTED_SPEECH' }),
  };
  const verdicts: [TestUser, keyof typeof claims, string][] = [
    [r1, 'c1', 'TRUE'],
    [r2, 'c1', 'TRUE'],
    [r1, 'c2', 'FALSE'],
    [r2, 'c2', 'MOSTLY_FALSE'],
    [r1, 'c3', 'TRUE'],
    [r2, 'c3', 'MIXED'],
    [r1, 'c4', 'MISLEADING'],
    [r2, 'c4', 'MISLEADING'],
    [r3, 'c4', 'FALSE'],
    [r3, 'c5', 'MOSTLY_TRUE'],
    [r1, 'c5', 'TRUE'],
    [r2, 'c7', 'UNVERIFIABLE'],
  ];
  for (const [user, key, rating] of verdicts) await submitVerdict(app, user, claims[key], rating);
  return { desk, a1, a2, claims, reviewers: { r1, r2, r3 } };
}

/**
 * Puts a claim's CREATE and first SETTLED events at chosen times. History is append-only by
 * trigger; a test database may lift that for one transaction, as its owner.
 */
export async function setSettleTimes(app: TestApp, times: { claimId: string; created: string; settled: string }[]): Promise<void> {
  const statements = times.flatMap(({ claimId, created, settled }) => [
    `UPDATE history_events SET at = '${created}' WHERE entity_id = '${rawId(claimId)}' AND action = 'CREATE'`,
    `UPDATE history_events SET at = '${settled}' WHERE id = (SELECT min(id) FROM history_events WHERE entity_id = '${rawId(claimId)}'
       AND action = 'STATUS_CHANGE' AND after->>'status' = 'SETTLED')`,
  ]);
  await app.sql(`BEGIN;
    ALTER TABLE history_events DISABLE TRIGGER history_events_no_update_delete;
    ${statements.join(';\n')};
    ALTER TABLE history_events ENABLE TRIGGER history_events_no_update_delete;
    -- settle times are kept with the report's figures, from history as it was written
    SELECT claimgraph_rebuild_report_figures(ARRAY(SELECT id FROM teams));
    COMMIT;`);
}
