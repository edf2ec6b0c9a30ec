import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createDesk, type Desk } from './support/desk';
import { AnchorResolver } from '../src/modules/claim/anchor.resolver';

// Astral emoji (two UTF-16 units, one code point), a flag (two code points, four units), a ZWJ
// family, and combining marks (é as e + U+0301, ṩ as s + two marks): code points and UTF-16 part ways.
const TEXT = [
  'Crowds 🎉🇺🇦 cheered as the mayor said the café budget rose 👨‍👩‍👧 sharply.',
  'Officials said the new fund of 𝔘𝔫𝔦𝔱𝔶 e\u0301lan s\u0323\u0307 was "the largest ever 🚀".',
].join('\n');

const ANCHOR = 'anchor { position { start end } utf16Position { start end } quote { exact } }';

describe(AnchorResolver.name, () => {
  let app: TestApp;
  let desk: Desk;
  let articleId: string;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app);
    articleId = (await createArticle(app, desk, { text: TEXT })).id;
  });
  afterAll(() => app?.close());

  const mark = async (exact: string) => {
    const data = await app.ok(
      desk.editor,
      `mutation($input: CreateClaimInput!) { createClaim(input: $input) { claim { id quote ${ANCHOR} revision { body } } } }`,
      {
        input: { articleId, anchor: { quote: { exact } }, kind: 'ASSERTION' },
      },
    );
    return data.createClaim.claim;
  };

  it.each(['the mayor said the café budget rose 👨‍👩‍👧 sharply', '𝔘𝔫𝔦𝔱𝔶 e\u0301lan s\u0323\u0307', 'the largest ever 🚀', '🎉🇺🇦'])(
    'text.slice(utf16Position) is exactly the quote %j',
    async (exact) => {
      const claim = await mark(exact);
      const { position, utf16Position } = claim.anchor;
      expect(claim.revision.body.slice(utf16Position.start, utf16Position.end)).toBe(exact);
      // the code-point position is unchanged: the W3C selector over Array.from(text)
      expect(Array.from(claim.revision.body).slice(position.start, position.end).join('')).toBe(exact);
      // after astral characters the two forms differ (each one before the quote counts 1 code point, 2 units)
      expect(utf16Position.start - position.start).toBe(
        claim.revision.body.slice(0, utf16Position.start).length - Array.from(claim.revision.body.slice(0, utf16Position.start)).length,
      );
    },
  );

  it('differs from the code-point position after astral characters, and is given wherever an anchor is', async () => {
    const claim = await mark('cheered as the mayor');
    expect(claim.anchor.position).toEqual({ start: 11, end: 31 });
    expect(claim.anchor.utf16Position).toEqual({ start: 14, end: 34 });
    const listed = await app.ok(desk.viewer, `query($id: ID!) { article(id: $id) { claims { nodes { id ${ANCHOR} } } } }`, { id: articleId });
    const same = listed.article.claims.nodes.find((node: { id: string }) => node.id === claim.id);
    expect(same.anchor.utf16Position).toEqual({ start: 14, end: 34 });
  });

  it('follows a revision that moves the words', async () => {
    const claim = await mark('the largest ever 🚀');
    const revised = await app.ok(desk.editor, `mutation($input: ReviseArticleInput!) { reviseArticle(input: $input) { revision { body } } }`, {
      input: { articleId, text: `🌍🌍 ${TEXT}`, expectedRevisionNumber: 1 },
    });
    const body = revised.reviseArticle.revision.body as string;
    const after = await app.ok(desk.viewer, `query($id: ID!) { claim(id: $id) { ${ANCHOR} } }`, { id: claim.id });
    const { utf16Position, position } = after.claim.anchor;
    expect(body.slice(utf16Position.start, utf16Position.end)).toBe('the largest ever 🚀');
    expect(utf16Position.start - claim.anchor.utf16Position.start).toBe(5);
    expect(position.start - claim.anchor.position.start).toBe(3);
  });
});
