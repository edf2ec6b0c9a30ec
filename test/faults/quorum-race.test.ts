import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app';
import { createDesk } from '../support/desk';
import { raceQuorumAgainstVerdicts } from '../support/quorum-race';

/** The quorum race of test/quorum-race.test.ts at length: more claims, reviewers and rounds. */
describe('quorum changes racing verdict writes, at length', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app?.close());

  it('never leaves a claim with a status its verdicts and the quorum do not give', async () => {
    const desk = await createDesk(app, { quorum: 2 });
    const { writes, quorumChanges } = await raceQuorumAgainstVerdicts(app, desk, { claims: 15, reviewers: 8, rounds: 40 });
    expect(writes).toBeGreaterThan(2000);
    expect(quorumChanges).toBe(80);
  });
});
