import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk } from './support/desk';
import { htmlParts } from '../src/modules/report/formats/html';
import { buildReportDataset, setSettleTimes, type ReportDataset } from './report-fixture';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`report-html: SKIPPED — ${CHROMIUM} is missing; install Debian's chromium (apt-get install -y chromium) to run the HTML report test`);
}

describe.skipIf(!hasChromium)(`${htmlParts.name} in headless Chromium`, () => {
  let app: TestApp;
  let base: string;
  let data: ReportDataset;
  let browser: Browser;
  let directory: string;

  beforeAll(async () => {
    app = await createTestApp();
    base = await app.listen();
    data = await buildReportDataset(app);
    await setSettleTimes(app, [
      { claimId: data.claims.c1, created: '2026-03-02T00:00:00Z', settled: '2026-03-02T01:00:00Z' },
      { claimId: data.claims.c2, created: '2026-03-02T00:00:00Z', settled: '2026-03-02T03:00:00Z' },
      { claimId: data.claims.c5, created: '2026-03-02T00:00:00Z', settled: '2026-03-03T02:00:00Z' },
    ]);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'claimgraph-report-'));
  });
  afterAll(async () => {
    await browser?.close();
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
    await app?.close();
  });

  /** Downloads the report to a file, as a reader would save it, and opens it with every fetch refused. */
  async function open(teamSlug: string, token: string, name: string): Promise<{ page: Page; requests: string[]; dialogs: string[]; file: string }> {
    const response = await fetch(`${base}/exports/verdicts.html?team=${teamSlug}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^inline; filename=".+-verdicts-\d{4}-\d{2}-\d{2}\.html"$/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const file = path.join(directory, `${name}.html`);
    fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    const page = await browser.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url === `file://${file}`) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    return { page, requests, dialogs, file };
  }

  it('opens offline and shows the filter, the figures, both charts and every row', async () => {
    const token = (await app.ok(data.desk.viewer, `mutation { createApiToken(input: { name: "html" }) { token } }`)).createApiToken.token;
    const { page, requests } = await open(data.desk.teamSlug, token, 'report');
    try {
      expect(await page.title()).toMatch(/^Verdict report: Desk \d+$/);
      expect(await page.locator('#filter dd').first().textContent()).toContain(data.desk.teamSlug);

      const ratings = page.locator('svg#chart-ratings');
      await expect.poll(() => ratings.isVisible()).toBe(true);
      const box = (await ratings.boundingBox())!;
      expect(box.width).toBeGreaterThan(300);
      expect(box.height).toBeGreaterThan(100);
      const bars = await ratings.locator('g.bar').evaluateAll((groups) =>
        groups.map((group) => ({
          label: group.getAttribute('data-label'),
          value: Number(group.getAttribute('data-value')),
          width: Number(group.querySelector('rect')!.getBoundingClientRect().width.toFixed(1)),
        })),
      );
      expect(bars.map((bar) => [bar.label, bar.value])).toEqual([
        ['True', 4],
        ['Mostly true', 1],
        ['Mixed', 1],
        ['Mostly false', 1],
        ['False', 2],
        ['Misleading', 2],
        ['Unverifiable', 1],
      ]);
      // bar lengths follow the counts: TRUE (4) is twice FALSE (2) and four times MIXED (1)
      const width = Object.fromEntries(bars.map((bar) => [bar.label, bar.width]));
      expect(width.True).toBeCloseTo(2 * width.False, 0);
      expect(width.True).toBeCloseTo(4 * width.Mixed, 0);

      const sourcing = page.locator('svg#chart-sourcing');
      expect(await sourcing.isVisible()).toBe(true);
      expect(await sourcing.locator('g.bar').count()).toBe(2);
      expect(await sourcing.locator('g.bar').first().textContent()).toContain('1 / 1 / 2');
      expect(await page.locator('svg#chart-published').isVisible()).toBe(false); // nothing published

      expect(await page.locator('#agreement').textContent()).toMatch(/nominal[\s\S]*0\.149[\s\S]*ordinal[\s\S]*0\.539/);
      expect(await page.locator('#settle-time').textContent()).toContain('3 h');
      expect(await page.locator('#reviewers tbody tr').count()).toBe(3);

      const rows = page.locator('table.rows tr.claim');
      expect(await rows.count()).toBe(7);
      expect(await page.locator('table.rows tr.article').count()).toBe(2);
      expect(await rows.first().textContent()).toContain('The city council approved a budget of $4.2 million on Tuesday');
      expect(await rows.first().textContent()).toContain('Reviewer Two: True');
      expect(await page.locator('#end').textContent()).toBe('7 claims.');
      expect(requests).toEqual([]);

      // Printed: the table header repeats on every page and the charts keep their colours.
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('table.rows thead').evaluate((element) => getComputedStyle(element).display)).toBe('table-header-group');
      expect(await ratings.evaluate((element) => getComputedStyle(element).getPropertyValue('print-color-adjust'))).toBe('exact');
      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    } finally {
      await page.close();
    }
  });

  it('shows hostile text as text: nothing runs, nothing loads', async () => {
    const desk = await createDesk(app);
    const hostile = '<img src="https://evil.example/x.png" onerror="alert(1)"><script>alert(2)</script>';
    const { id } = await createArticle(app, desk, {
      title: hostile,
      text: `He wrote ${hostile} in the comments.`,
      url: 'https://news.example.com/"><script>alert(3)</script>',
    });
    await createClaim(app, desk, id, hostile);
    const token = (await app.ok(desk.viewer, `mutation { createApiToken(input: { name: "html" }) { token } }`)).createApiToken.token;
    const { page, requests, dialogs } = await open(desk.teamSlug, token, 'hostile');
    try {
      expect(await page.locator('table.rows tr.claim td.quote').textContent()).toBe(hostile);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(0);
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
