import { expect } from 'vitest';
import type { TestApp, TestUser } from './app';
import { createArticle, createClaim, rawId, type Desk } from './desk';
import { Role } from '../../src/modules/team/role';

const WITHDRAW = `mutation($input: WithdrawVerdictInput!) { withdrawVerdict(input: $input) { verdict { version } } }`;
const QUORUM = `mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { verdictQuorum } } }`;
const RATINGS = ['TRUE', 'MOSTLY_TRUE', 'MIXED', 'FALSE'];

/**
 * Quorum changes race verdict writes (submissions, revisions, withdrawals) on a desk's claims for
 * `rounds` rounds; afterwards every claim's stored status must be what a fresh derivation says.
 * Without the team's review lock, a verdict write could derive with the quorum being replaced while
 * the quorum change derived without that verdict, and the claim kept a status neither would give.
 */
export async function raceQuorumAgainstVerdicts(
  app: TestApp,
  desk: Desk,
  options: { claims: number; reviewers: number; rounds: number },
): Promise<{ writes: number; quorumChanges: number }> {
  const article = await createArticle(app, desk);
  const words = [
    'The city council',
    'approved a budget',
    'of $4.2 million',
    'on Tuesday',
    'Mayor Ana Ruiz said',
    'never spent more',
    'on schools',
    'told reporters',
    'One council member',
    'requested anonymity',
    'the figures were inflated',
    'Unemployment fell',
    'to 3.1%',
    'last year',
    'the lowest since 1999',
  ];
  const claims: string[] = [];
  for (const exact of words.slice(0, options.claims)) claims.push((await createClaim(app, desk, article.id, exact)).id);
  const reviewers: TestUser[] = [desk.reviewer, desk.reviewer2];
  while (reviewers.length < options.reviewers) {
    const reviewer = await app.user(`Racer ${reviewers.length}`);
    await app.addMember(desk.teamId, reviewer, Role.REVIEWER);
    reviewers.push(reviewer);
  }
  // each reviewer's verdict per claim, as they last saw it
  const held = new Map<string, { id: string; version: number } | null>();
  let writes = 0;
  let quorumChanges = 0;

  const verdictWork = async (reviewer: TestUser, round: number): Promise<void> => {
    for (const [index, claimId] of claims.entries()) {
      if ((index + round + reviewers.indexOf(reviewer)) % 2) continue;
      const key = `${reviewer.id}:${claimId}`;
      const mine = held.get(key) ?? null;
      const rating = RATINGS[(index + round) % RATINGS.length];
      if (mine && (round + index) % 3 === 0) {
        const result = await app.run(reviewer, WITHDRAW, { input: { verdictId: mine.id, expectedVersion: mine.version } });
        expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
        held.set(key, null);
      } else {
        const result = await app.run(reviewer, `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id version } } }`, {
          input: { claimId, rating, expectedVersion: mine?.version },
        });
        expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
        held.set(key, result.data!.submitVerdict.verdict);
      }
      writes += 1;
    }
  };
  const quorumWork = async (round: number): Promise<void> => {
    for (const quorum of [1 + (round % 3), 1 + ((round + 1) % 3)]) {
      await app.ok(desk.owner, QUORUM, { input: { teamId: desk.teamId, verdictQuorum: quorum } });
      quorumChanges += 1;
    }
  };

  for (let round = 0; round < options.rounds; round++) {
    await Promise.all([quorumWork(round), ...reviewers.map((reviewer) => verdictWork(reviewer, round))]);
  }

  const stale = await app.sql(
    `SELECT c.id, c.status AS stored, d.status AS derived FROM claims c
       JOIN claimgraph_derive_claim_status(ARRAY(SELECT id FROM claims WHERE team_id = $1)) d ON d.id = c.id
      WHERE c.status <> d.status`,
    [rawId(desk.teamId)],
  );
  expect(stale).toEqual([]);
  // and history agrees with the rows: each claim's last recorded status is its status
  const unrecorded = await app.sql(
    `SELECT c.id FROM claims c
      WHERE c.team_id = $1 AND c.status <> coalesce((SELECT h.after->>'status' FROM history_events h
        WHERE h.entity_id = c.id AND h.action = 'STATUS_CHANGE' ORDER BY h.id DESC LIMIT 1), 'UNREVIEWED')`,
    [rawId(desk.teamId)],
  );
  expect(unrecorded).toEqual([]);
  return { writes, quorumChanges };
}
