import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createDesk, databaseFingerprint, type Desk } from './support/desk';
import { ImportService, REPEAT_LOOKUP } from '../src/modules/ingestion/import.service';

// The shared fixtures beside the repository when present, else the copy kept in test/fixtures.
const fixtures =
  process.env.CLAIMGRAPH_FIXTURES ??
  [path.resolve(__dirname, '../../shared/fixtures'), path.resolve(__dirname, 'fixtures')].find((dir) => fs.existsSync(path.join(dir, 'kursk-monument.txt')))!;
const KURSK = fs.readFileSync(path.join(fixtures, 'kursk-monument.txt'), 'utf8');
const IMPORT = `mutation($i: ImportArticleInput!) {
  importArticle(input: $i) {
    article { id title currentRevisionNumber }
    revision { number body }
    claims { id quote kind sourcing via extractionConfidence checkworthiness status
      anchor { position { start end } quote { exact prefix suffix } } speaker { name descriptor anonymous title } repeatOf { id } }
    newSources { id name descriptor anonymous }
    repeats
  }
}`;

describe(ImportService.name, () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp();
    desk = await createDesk(app, { quorum: 1 });
  });
  afterAll(() => app?.close());

  const importText = (content: string, extra: Record<string, unknown> = {}) =>
    app.ok(desk.editor, IMPORT, { i: { teamId: desk.teamId, title: 'Kursk monument', content, ...extra } }).then((data) => data.importArticle);

  it('imports the fixture: article, revision 1 and anchored, attributed candidate claims', async () => {
    const result = await importText(KURSK, { url: 'https://example.org/kursk' });
    expect(result.article).toMatchObject({ title: 'Kursk monument', currentRevisionNumber: 1 });
    expect(result.revision.body).toBe(KURSK.replace(/\r\n?/g, '\n'));
    expect(result.claims.length).toBeGreaterThanOrEqual(15);
    const chars = [...result.revision.body];
    for (const claim of result.claims) {
      // every anchor is the exact words at its code point offsets
      expect(chars.slice(claim.anchor.position.start, claim.anchor.position.end).join('')).toBe(claim.quote);
      expect(claim.status).toBe('UNREVIEWED');
      expect(claim.extractionConfidence).toBeGreaterThan(0);
      if (claim.sourcing === 'UNSOURCED') expect(claim.speaker).toBeNull();
      if (claim.sourcing === 'ANONYMOUS') expect(claim.speaker).toMatchObject({ anonymous: true, name: null, descriptor: expect.any(String) });
      if (claim.sourcing === 'SOURCED' && claim.speaker) expect(claim.speaker.anonymous).toBe(false);
    }
    const kinds = new Set(result.claims.map((claim: { kind: string }) => claim.kind));
    expect(kinds).toEqual(new Set(['DIRECT_QUOTE', 'REPORTED_SPEECH', 'ASSERTION']));
    // one source per person: "Khinstin" and "Kursk Governor Alexander Khinstin" are the same
    const names = result.newSources.filter((source: { anonymous: boolean }) => !source.anonymous).map((source: { name: string }) => source.name);
    expect(names.filter((name: string) => /Khinstin/.test(name))).toEqual(['Alexander Khinstin']);
    expect(new Set(names).size).toBe(names.length);
    const anonymous = result.newSources
      .filter((source: { anonymous: boolean }) => source.anonymous)
      .map((source: { descriptor: string }) => source.descriptor.toLowerCase());
    expect(anonymous.some((descriptor: string) => descriptor.includes('european diplomat'))).toBe(true);
    const events = await app.sql(`SELECT action, count(*)::int AS n FROM history_events WHERE article_id = $1 GROUP BY action ORDER BY action`, [
      Buffer.from(result.article.id, 'base64url').toString().split(':')[1],
    ]);
    expect(events).toEqual([
      { action: 'CREATE', n: result.claims.length },
      { action: 'IMPORT', n: 1 },
    ]);
  });

  it("reuses the team's sources on a later import and flags repeats of reviewed claims", async () => {
    const first = await importText('Kursk Governor Alexander Khinstin said the statue would cost 40 million rubles.');
    const claim = first.claims.find((candidate: { quote: string }) => candidate.quote.includes('40 million'));
    expect(claim).toBeDefined();
    await app.ok(desk.reviewer, `mutation($c: ID!) { submitVerdict(input: { claimId: $c, rating: MOSTLY_TRUE }) { claim { status } } }`, { c: claim.id });
    const second = await importText('Khinstin said the statue would cost 40 million rubles, according to local media.');
    expect(second.newSources.map((source: { name: string }) => source.name)).not.toContain('Khinstin');
    const repeated = second.claims.find((candidate: { repeatOf: unknown }) => candidate.repeatOf);
    expect(repeated?.repeatOf).toEqual({ id: claim.id });
    expect(repeated?.speaker?.name).toBe('Alexander Khinstin');
    expect(second.repeats).toBeGreaterThanOrEqual(1);
  });

  it("finds the same repeats whichever way it looks them up (all pairs, an index of the quotes, the claims' index)", async () => {
    const own = await createDesk(app, { quorum: 1 });
    const importOwn = (content: string) =>
      app
        .ok(own.editor, IMPORT, { i: { teamId: own.teamId, title: 'Kursk monument', content, allowDuplicate: true } })
        .then((data) => data.importArticle as { claims: Array<{ id: string; quote: string; repeatOf: { id: string } | null }>; repeats: number });
    const first = await importOwn(KURSK);
    // every third claim settled: reviewed claims with quotes of their own, and unreviewed ones between them
    const reviewed = first.claims.filter((_claim, index) => index % 3 === 0);
    for (const claim of reviewed) {
      await app.ok(own.reviewer, `mutation($c: ID!) { submitVerdict(input: { claimId: $c, rating: MOSTLY_TRUE }) { claim { status } } }`, { c: claim.id });
    }
    // the fixture again, one of its quotes reworded (a near repeat), with a paragraph that repeats nothing
    const reworded = reviewed.find((claim) => claim.quote.split(' ').length >= 8)!;
    const words = reworded.quote.split(' ');
    const second = `${KURSK.replace(reworded.quote, [...words.slice(0, -1), 'indeed', words.at(-1)].join(' '))}\n\nThe weather was mild on Sunday, officials said.`;
    const saved = { ...REPEAT_LOOKUP };
    const ways = {
      'all pairs': { compareAllPairs: Number.MAX_SAFE_INTEGER },
      // two reviewed claims a statement, so that the best match is also kept across statements
      "the quotes' index": { compareAllPairs: 0, quoteIndexMaxReviewed: Number.MAX_SAFE_INTEGER, quoteIndexSlicePairs: 1 },
      "the claims' index": { compareAllPairs: 0, quoteIndexMaxReviewed: 0 },
    };
    const answers: Record<string, Array<[string, string | null]>> = {};
    try {
      for (const [way, settings] of Object.entries(ways)) {
        Object.assign(REPEAT_LOOKUP, saved, settings);
        const result = await importOwn(second);
        answers[way] = result.claims.map((claim) => [claim.quote, claim.repeatOf?.id ?? null]);
        expect(result.repeats).toBe(result.claims.filter((claim) => claim.repeatOf).length);
      }
    } finally {
      Object.assign(REPEAT_LOOKUP, saved);
    }
    expect(answers["the quotes' index"]).toEqual(answers['all pairs']);
    expect(answers["the claims' index"]).toEqual(answers['all pairs']);
    // each reviewed claim is the repeat of its own words, the reworded one included; nothing else repeats
    const repeats = answers['all pairs'].filter(([, repeatOf]) => repeatOf);
    expect(new Set(repeats.map(([, repeatOf]) => repeatOf))).toEqual(new Set(reviewed.map((claim) => claim.id)));
    expect(answers['all pairs'].find(([quote]) => quote.includes('indeed'))?.[1]).toBe(reworded.id);
    expect(answers['all pairs'].find(([quote]) => quote.includes('weather'))?.[1] ?? null).toBeNull();
  });

  it('imports twice in one request with repeats looked up through an index of the quotes', async () => {
    const own = await createDesk(app, { quorum: 1 });
    const input = (title: string) => ({ teamId: own.teamId, title, content: KURSK, allowDuplicate: true });
    const first = await app.ok(own.editor, IMPORT, { i: input('Once') });
    const [claim] = first.importArticle.claims;
    await app.ok(own.reviewer, `mutation($c: ID!) { submitVerdict(input: { claimId: $c, rating: MOSTLY_TRUE }) { claim { status } } }`, { c: claim.id });
    const saved = { ...REPEAT_LOOKUP };
    Object.assign(REPEAT_LOOKUP, { compareAllPairs: 0 });
    try {
      const data = await app.ok(
        own.editor,
        `mutation($a: ImportArticleInput!, $b: ImportArticleInput!) { a: importArticle(input: $a) { repeats } b: importArticle(input: $b) { repeats } }`,
        { a: input('Twice A'), b: input('Twice B') },
      );
      expect(data).toEqual({ a: { repeats: 1 }, b: { repeats: 1 } });
    } finally {
      Object.assign(REPEAT_LOOKUP, saved);
    }
  });

  it('reduces HTML to its article text with paragraph breaks', async () => {
    const html = `<!doctype html><html><head><title>Bridge story | Example News</title><script>track()</script></head>
      <body><nav><a href="/">Home</a> | <a href="/news">News</a></nav>
      <article><h1>Bridge to reopen</h1>
      <p>The bridge will reopen in March, Mayor Ana Ruiz said on Monday.</p>
      <p>“We have never spent more on infrastructure,” Ruiz told reporters. ${'Work continued through the winter. '.repeat(8)}</p>
      <p>Repairs cost $12 million, according to city records.</p></article>
      <footer>© Example News</footer></body></html>`;
    const result = await app.ok(desk.editor, IMPORT, { i: { teamId: desk.teamId, content: html } }).then((data) => data.importArticle);
    expect(result.article.title).toBe('Bridge story | Example News');
    const lines = result.revision.body.split('\n');
    expect(lines[0]).toBe('Bridge to reopen');
    expect(lines[1]).toBe('The bridge will reopen in March, Mayor Ana Ruiz said on Monday.');
    expect(result.revision.body).not.toMatch(/track\(\)|Home|©/);
    expect(result.claims.some((claim: { quote: string }) => claim.quote.startsWith('We have never spent more on infrastructure'))).toBe(true);
  });

  it.each([
    ['empty content', { content: '' }, 'BAD_USER_INPUT'],
    ['HTML with no text', { content: '<html><body><script>x()</script></body></html>', format: 'HTML' }, 'BAD_USER_INPUT'],
    ['no title', { content: 'Just text.', title: null }, 'BAD_USER_INPUT'],
    ['binary content', { content: 'PK\u0003\u0004\u0014\u0000binary'.replace('\u0000', '\u0001') }, 'BAD_USER_INPUT'],
    ['10 MB of text', { content: 'x'.repeat(10 * 1024 * 1024) }, 'PAYLOAD_TOO_LARGE'],
  ])('rejects %s and writes nothing', async (_label, input, code) => {
    const before = await databaseFingerprint(app);
    const result = await app.run(desk.editor, IMPORT, { i: { teamId: desk.teamId, title: 'T', ...input } });
    expect(result.errors?.[0].extensions?.code).toBe(code);
    expect(await databaseFingerprint(app)).toBe(before);
  });

  it('lets only editors import', async () => {
    const before = await databaseFingerprint(app);
    const reviewer = await app.run(desk.reviewer, IMPORT, { i: { teamId: desk.teamId, title: 'T', content: 'Text.' } });
    expect(reviewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const outsider = await app.run(desk.outsider, IMPORT, { i: { teamId: desk.teamId, title: 'T', content: 'Text.' } });
    expect(outsider.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await databaseFingerprint(app)).toBe(before);
  });

  it('imports from the command line, reading standard input, and prints the claims as a table', async () => {
    const env = { ...process.env, DATABASE_URL: app.databaseUrl, LOG_LEVEL: 'silent' };
    // with the fixture in the team, importing it again is refused unless allowed
    await importText(KURSK, { allowDuplicate: true });
    const duplicate = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/index.ts',
        'import',
        path.join(fixtures, 'kursk-monument.txt'),
        '--team',
        desk.teamSlug,
        '--title',
        'Again',
        '--as',
        desk.editor.email,
      ],
      { env },
    ).catch((error) => error);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('already has this article');
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', 'import', '-', '--team', desk.teamSlug, '--title', 'From stdin', '--allow-duplicate', '--as', desk.editor.email],
      { env },
    );
    child.stdin!.end(KURSK);
    const output = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      let stdout = '';
      child.stdout!.on('data', (chunk) => {
        stdout += chunk;
      });
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(output.code).toBe(0);
    expect(output.stdout).toMatch(/│ DIRECT_QUOTE +│ SOURCED/);
    expect(output.stdout).toMatch(/imported "From stdin" .*: \d+ claims/);
    const notUtf8 = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/index.ts',
        'import',
        path.join(__dirname, 'support', 'latin1.bin'),
        '--team',
        desk.teamSlug,
        '--title',
        'x',
        '--as',
        desk.editor.email,
      ],
      { env },
    ).catch((error) => error);
    expect(notUtf8.code).toBe(1);
    expect(notUtf8.stderr).toContain('is not UTF-8 text');
  }, 60_000);
});
