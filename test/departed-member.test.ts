import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, type Desk } from './support/desk';

// The credential wall shows a team only the users who share it; someone removed from the team must
// still be visible there as the author of what they did while a member.

describe('a member who left the team', () => {
  let app: TestApp;
  let desk: Desk;
  let base: string;
  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
    base = await app.listen();
  });
  afterAll(() => app?.close());

  it('keeps their verdicts, names and history in the team after removal', async () => {
    const { id: articleId } = await createArticle(app, desk);
    const claim = await createClaim(app, desk, articleId, 'approved a budget');
    await app.ok(desk.reviewer2, `mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }`, {
      input: { claimId: claim.id, rating: 'TRUE' },
    });
    const userId = Buffer.from(`User:${desk.reviewer2.id}`).toString('base64url');
    await app.ok(desk.owner, `mutation($input: RemoveTeamMemberInput!) { removeTeamMember(input: $input) { userId } }`, {
      input: { teamId: desk.teamId, userId },
    });
    const read = await app.run(
      desk.editor,
      `query($id: ID!) { claim(id: $id) { verdicts { nodes { rating reviewer { name } } } history { nodes { action actor { name } } } } }`,
      { id: claim.id },
    );
    expect(read.errors).toBeUndefined();
    expect(read.data?.claim.verdicts.nodes).toEqual([{ rating: 'TRUE', reviewer: { name: 'Reviewer Two' } }]);
    const token = (await app.ok(desk.editor, `mutation { createApiToken(input: { name: "x" }) { token } }`)).createApiToken.token as string;
    const csv = await (
      await fetch(`${base}/exports/verdicts.csv?team=${desk.teamSlug}&article=${articleId}`, { headers: { authorization: `Bearer ${token}` } })
    ).text();
    expect(csv).toContain('Reviewer Two: TRUE');
  });
});
