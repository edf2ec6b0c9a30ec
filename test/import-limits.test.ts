import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createDesk, databaseFingerprint, type Desk } from './support/desk';
import { CpuPool } from '../src/cpu/cpu-pool';

const IMPORT = `mutation($i: ImportArticleInput!) { importArticle(input: $i) { article { id } claims { id } } }`;
const SENTENCE = 'The council approved a budget of $4.2 million on Tuesday, Mayor Ana Ruiz said, and the figures were checked. ';

describe(`${CpuPool.name} time limit (CPU_TASK_TIMEOUT_MS)`, () => {
  let app: TestApp;
  let desk: Desk;

  beforeAll(async () => {
    app = await createTestApp({ env: { CPU_TASK_TIMEOUT_MS: '300' } });
    desk = await createDesk(app, { quorum: 1 });
    await app.server.cpu.ready();
  });
  afterAll(() => app?.close());

  const importContent = (content: string, format = 'AUTO') => app.run(desk.editor, IMPORT, { i: { teamId: desk.teamId, title: 'Long', content, format } });

  it.each([
    [
      'HTML that takes too long to reduce to text',
      () => `<html><body>${`<div><p>${SENTENCE}</p></div>`.repeat(9_000)}</body></html>`,
      'HTML',
      /Reducing the HTML to text/,
    ],
    ['text that takes too long to extract claims from', () => SENTENCE.repeat(8_000), 'TEXT', /Finding the claims/],
  ])('ends a job over the limit: %s is PAYLOAD_TOO_COMPLEX and writes nothing', async (_label, content, format, message) => {
    const before = await databaseFingerprint(app);
    const result = await importContent(content(), format);
    expect(result.errors?.[0].extensions).toEqual({ code: 'PAYLOAD_TOO_COMPLEX', limit: 300 });
    expect(result.errors?.[0].message).toMatch(message);
    expect(await databaseFingerprint(app)).toBe(before);
  });

  it("serves the next job on a fresh thread after one was ended, not charging it the thread's start-up", async () => {
    expect((await importContent(SENTENCE.repeat(8_000), 'TEXT')).errors?.[0].extensions?.code).toBe('PAYLOAD_TOO_COMPLEX');
    // the ended thread's replacement loads the tasks' code and the NLP model and warms up (well
    // over this file's 300 ms limit); the limit counts only from the moment it begins the job.
    // One sentence of plain text: one job of a few milliseconds' CPU, so that the pool's threads,
    // which run below the test's priority, finish it within the limit even on a loaded machine
    const started = performance.now();
    const result = await importContent(SENTENCE, 'TEXT');
    const elapsed = performance.now() - started;
    expect(result.errors).toBeUndefined();
    expect(result.data?.importArticle.claims.length).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThan(300);
  });
});
