import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from './support/app';
import { createArticle, createClaim, createDesk, rawId, type Desk } from './support/desk';
import { AsOfService } from '../src/modules/history/as-of.service';

const STATE = `status version quote judgedQuote disputedReason published { rating rationale }
  verdicts(includeWithdrawn: true) { nodes { rating version current } }`;
const CLAIM = `query($id: ID!) { claim(id: $id) { ${STATE} } }`;
const AS_OF = `query($id: ID!, $at: DateTime!) { claim(id: $id) { asOf(at: $at) { ${STATE} } } }`;

const TEXT = 'Unemployment fell to 3.1% last year, the lowest since 1999.\nThe council approved a budget of $4.2 million.';

describe(`${AsOfService.name}: history shows committed states only`, () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app, { quorum: 2 });
  });
  afterAll(() => app?.close());

  it('answers, at every event time of a review, the state read right after that transaction committed', async () => {
    const article = await createArticle(app, desk, { text: TEXT });
    const claim = await createClaim(app, desk, article.id, 'Unemployment fell to 3.1% last year');
    const claimId = rawId(claim.id);
    const version = async () => (await app.ok(desk.editor, CLAIM, { id: claim.id })).claim.version as number;
    const verdictOf = async (user: TestUser) =>
      (await app.ok(user, `query($id: ID!) { claim(id: $id) { viewerVerdict { id version } } }`, { id: claim.id })).claim.viewerVerdict;
    const submit = async (user: TestUser, rating: string) => {
      const current = await verdictOf(user);
      await app.ok(user, `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }`, {
        input: { claimId: claim.id, rating, expectedVersion: current?.version },
      });
    };
    const withdraw = async (user: TestUser) => {
      const current = await verdictOf(user);
      await app.ok(user, `mutation($input: WithdrawVerdictInput!) { withdrawVerdict(input: $input) { verdict { id } } }`, {
        input: { verdictId: current.id, expectedVersion: current.version, reason: 'second thoughts' },
      });
    };
    const editor = (mutation: string, input: () => Promise<Record<string, unknown>>) => async () => {
      await app.ok(desk.editor, `mutation($input: ${mutation[0].toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { claim { id } } }`, {
        input: { claimId: claim.id, expectedVersion: await version(), ...(await input()) },
      });
    };

    const steps: [string, () => Promise<unknown>][] = [
      ['first verdict', () => submit(desk.reviewer, 'TRUE')],
      ['disagreeing verdict', () => submit(desk.reviewer2, 'FALSE')],
      ['withdrawal', () => withdraw(desk.reviewer2)],
      ['agreeing verdict', () => submit(desk.reviewer2, 'MOSTLY_TRUE')],
      ['dispute marked', editor('markClaimDisputed', async () => ({ reason: 'The 1999 figure is contested' }))],
      ['dispute resolved', editor('resolveClaimDispute', async () => ({ reason: 'Settled with BLS' }))],
      [
        'quorum raised',
        () =>
          app.ok(desk.owner, `mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { id } } }`, {
            input: { teamId: desk.teamId, verdictQuorum: 3 },
          }),
      ],
      [
        'quorum lowered',
        () =>
          app.ok(desk.owner, `mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { id } } }`, {
            input: { teamId: desk.teamId, verdictQuorum: 2 },
          }),
      ],
      ['published', editor('publishClaim', async () => ({ rating: 'TRUE', rationale: 'BLS table 4' }))],
      [
        'revised',
        () =>
          app.ok(desk.editor, `mutation($input: ReviseArticleInput!) { reviseArticle(input: $input) { revision { number } } }`, {
            input: { articleId: article.id, text: TEXT.replace('3.1%', '3.4%'), expectedRevisionNumber: 1 },
          }),
      ],
      ['confirmed', editor('confirmClaimText', async () => ({ reason: 'The verdict stands' }))],
      ['unpublished', editor('unpublishClaim', async () => ({ reason: 'New figures' }))],
      ['verdict revised', () => submit(desk.reviewer, 'MOSTLY_TRUE')],
    ];

    const observed: { step: string; at: string; state: unknown }[] = [];
    let [{ lastEventId }] = await app.sql<{ lastEventId: string }>(`SELECT max(id)::text AS "lastEventId" FROM history_events WHERE claim_id = $1`, [claimId]);
    for (const [step, run] of steps) {
      await run();
      // the state right after this transaction committed, and the time its events carry
      const state = (await app.ok(desk.editor, CLAIM, { id: claim.id })).claim;
      const events = await app.sql<{ id: string; at: Date; txid: string }>(
        `SELECT id::text AS id, at, txid::text AS txid FROM history_events WHERE claim_id = $1 AND entity_type IN ('Claim', 'Verdict') AND id > $2 ORDER BY history_events.id`,
        [claimId, lastEventId],
      );
      expect(events.length, step).toBeGreaterThan(0);
      // one transaction, one timestamp
      expect(new Set(events.map((event) => event.txid)).size, step).toBe(1);
      expect(new Set(events.map((event) => event.at.getTime())).size, step).toBe(1);
      lastEventId = events[events.length - 1].id;
      observed.push({ step, at: events[0].at.toISOString(), state });
    }
    expect(new Set(observed.map((entry) => entry.at)).size).toBe(steps.length);
    for (const { step, at, state } of observed) {
      const asOf = (await app.ok(desk.editor, AS_OF, { id: claim.id, at })).claim.asOf;
      expect({ step, state: asOf }).toEqual({ step, state });
    }
    // nothing in the whole review has two times in one transaction
    expect(await app.sql(`SELECT txid FROM history_events WHERE txid IS NOT NULL GROUP BY txid HAVING count(DISTINCT at) > 1`)).toEqual([]);
  });

  it('stamps time, actor and team itself: a forged INSERT under the application role is overridden', async () => {
    const article = await createArticle(app, desk, { text: TEXT });
    const claim = await createClaim(app, desk, article.id, 'the lowest since 1999');
    const [other] = await app.sql<{ team_id: string }>(`SELECT team_id FROM memberships WHERE user_id = $1`, [desk.outsider.id]);
    const [own] = await app.sql<{ team_id: string }>(`SELECT team_id FROM claims WHERE id = $1`, [rawId(claim.id)]);
    const runner = app.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(
        `SELECT set_config('role', 'claimgraph_app', true), set_config('claimgraph.user_id', $1, true),
        set_config('claimgraph.team_ids', $2, true)`,
        [desk.reviewer.id, `{${own.team_id},${other.team_id}}`],
      );
      const [{ now }] = await runner.query('SELECT now() AS now');
      const [forged] = await runner.query(
        `INSERT INTO history_events (team_id, actor_id, at, entity_type, entity_id, action, after, claim_id)
         VALUES ($1, $2, '2001-01-01T00:00:00Z', 'Claim', $3, 'UPDATE', '{"note":"back-dated"}', $3)
         RETURNING team_id, actor_id, at`,
        [other.team_id, desk.editor.id, rawId(claim.id)],
      );
      expect(forged).toEqual({ team_id: own.team_id, actor_id: desk.reviewer.id, at: now });
      // an event about a row outside the request's teams is refused, not filed under another team
      await runner.query('SAVEPOINT foreign_row');
      await expect(
        runner.query(`INSERT INTO history_events (team_id, entity_type, entity_id, action, claim_id) VALUES ($1, 'Claim', $2, 'UPDATE', $2)`, [
          own.team_id,
          '00000000-0000-4000-8000-000000000000',
        ]),
      ).rejects.toThrow(/names no row of the request's teams/);
      await runner.query('ROLLBACK TO SAVEPOINT foreign_row');
      // events of a user's own account have no team, whatever the statement says
      const [account] = await runner.query(
        `INSERT INTO history_events (team_id, actor_id, entity_type, entity_id, action) VALUES ($1, $2, 'User', $2, 'CHANGE_PASSWORD') RETURNING team_id, actor_id`,
        [own.team_id, desk.editor.id],
      );
      expect(account).toEqual({ team_id: null, actor_id: desk.reviewer.id });
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
