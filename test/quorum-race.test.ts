import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createDesk } from './support/desk';
import { raceQuorumAgainstVerdicts } from './support/quorum-race';
import { TeamService } from '../src/modules/team/team.service';

describe(`${TeamService.name}: quorum changes and verdict writes serialise`, () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app?.close());

  it('leaves every claim with the status a fresh derivation gives, after quorum changes raced verdict writes', async () => {
    const desk = await createDesk(app, { quorum: 2 });
    const { writes, quorumChanges } = await raceQuorumAgainstVerdicts(app, desk, { claims: 8, reviewers: 4, rounds: 5 });
    expect(writes).toBeGreaterThan(50);
    expect(quorumChanges).toBe(10);
  });
});
