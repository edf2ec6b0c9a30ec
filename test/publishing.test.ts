import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsonld from 'jsonld';
import { DOMParser } from 'linkedom';
import { chromium, type Browser } from 'playwright-core';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, databaseFingerprint, type Desk } from './support/desk';
import { ADD_EVIDENCE, claimVersion, createSource, publishClaim } from './report-fixture';
import { check, offlineLoader } from './support/claim-review-schema';
import { publishingRouter } from '../src/modules/publishing/publishing.routes';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) console.warn(`publishing: browser test SKIPPED — ${CHROMIUM} is missing (apt-get install -y chromium)`);

const UPDATE_TEAM = `mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { organizationName organizationUrl organizationLogoUrl publicBaseUrl } } }`;
const UNPUBLISH = `mutation($input: UnpublishClaimInput!) { unpublishClaim(input: $input) { claim { id } } }`;

/**
 * A conditional GET as a CDN sends it. (fetch cannot: with If-None-Match it adds
 * `Cache-Control: no-cache`, which asks the server for a full answer.)
 */
function conditionalGet(url: string, etag: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'if-none-match': etag } }, (response) => {
        let body = '';
        response
          .setEncoding('utf8')
          .on('data', (chunk: string) => (body += chunk))
          .on('end', () => resolve({ status: response.statusCode!, body }));
      })
      .on('error', reject);
  });
}

/** The JSON-LD a page embeds, read from its HTML as a crawler would. */
function embeddedJsonLd(html: string): Record<string, any> {
  const document = new DOMParser().parseFromString(html, 'text/html');
  const scripts = document.querySelectorAll('script[type="application/ld+json"]');
  expect(scripts.length).toBe(1);
  return JSON.parse(scripts[0].textContent ?? '');
}

describe(publishingRouter.name, () => {
  let app: TestApp;
  let base: string;
  let desk: Desk;
  const claims: Record<string, string> = {};

  beforeAll(async () => {
    app = await createTestApp({ env: { PUBLIC_CACHE_MAX_AGE_SECONDS: '120' } });
    base = await app.listen();
    desk = await createDesk(app);
    const { id: article } = await createArticle(app, desk);
    // an article with neither outlet nor byline: its publisher is the site it is on
    const { id: bare } = await createArticle(app, desk, { outlet: null, byline: null, url: 'https://www.local-paper.example/story' });
    const ruiz = await createSource(app, desk, { kind: 'PERSON', name: 'Ana Ruiz', title: 'Mayor', url: 'https://city.example.gov/mayor' });
    claims.schools = (await createClaim(app, desk, article, 'We have never spent more on schools', { speakerId: ruiz, kind: 'DIRECT_QUOTE' })).id;
    claims.budget = (await createClaim(app, desk, article, 'The city council approved a budget of $4.2 million')).id;
    claims.unemployment = (await createClaim(app, desk, bare, 'Unemployment fell to 3.1% last year')).id;
    claims.draft = (await createClaim(app, desk, article, 'the lowest since 1999')).id;
    await app.ok(desk.reviewer, ADD_EVIDENCE, {
      input: { claimId: claims.schools, stance: 'SUPPORTS', url: 'https://budget.example.gov/schools', quotedPassage: 'Schools: $1.9m, up from $1.2m' },
    });
    await publishClaim(app, desk, claims.schools, 'TRUE', {
      rationale: 'School spending is at a record.\n\nThe adopted budget says so </script><b>really</b>.',
    });
    await publishClaim(app, desk, claims.budget, 'MISLEADING');
    await publishClaim(app, desk, claims.unemployment, 'MOSTLY_FALSE', { rationale: 'It fell to 3.4%.' });
  });
  afterAll(() => app?.close());

  describe('team publishing settings', () => {
    it('lets an OWNER set the organisation and public base URL, and clear them with null', async () => {
      const set = await app.ok(desk.owner, UPDATE_TEAM, {
        input: {
          teamId: desk.teamId,
          organizationName: 'Example Fact Desk',
          organizationUrl: 'https://facts.example.org',
          organizationLogoUrl: 'https://facts.example.org/logo.png',
          publicBaseUrl: 'https://checks.example.org',
        },
      });
      expect(set.updateTeam.team).toEqual({
        organizationName: 'Example Fact Desk',
        organizationUrl: 'https://facts.example.org',
        organizationLogoUrl: 'https://facts.example.org/logo.png',
        publicBaseUrl: 'https://checks.example.org',
      });
      const history = await app.ok(desk.owner, `query($id: ID!) { team(id: $id) { history(first: 1) { nodes { action after } } } }`, { id: desk.teamId });
      expect(history.team.history.nodes[0]).toMatchObject({ action: 'UPDATE', after: { publicBaseUrl: 'https://checks.example.org' } });
      const cleared = await app.ok(desk.owner, UPDATE_TEAM, { input: { teamId: desk.teamId, publicBaseUrl: null, organizationLogoUrl: null } });
      expect(cleared.updateTeam.team).toMatchObject({ organizationName: 'Example Fact Desk', organizationLogoUrl: null, publicBaseUrl: null });
    });

    it('refuses editors (FORBIDDEN), outsiders (NOT_FOUND) and bad URLs (BAD_USER_INPUT), changing nothing', async () => {
      const before = await databaseFingerprint(app);
      const editor = await app.run(desk.editor, UPDATE_TEAM, { input: { teamId: desk.teamId, organizationName: 'Hijack' } });
      expect(editor.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const outsider = await app.run(desk.outsider, UPDATE_TEAM, { input: { teamId: desk.teamId, organizationName: 'Hijack' } });
      expect(outsider.errors?.[0].extensions?.code).toBe('NOT_FOUND');
      for (const input of [
        { organizationUrl: 'javascript:alert(1)' },
        { publicBaseUrl: 'https://checks.example.org/' },
        { publicBaseUrl: 'ftp://x.example' },
        { organizationLogoUrl: 'not a url' },
        { organizationName: '   ' },
        { publicBaseUrl: 'https://checks.example.org?x=1' },
      ]) {
        const result = await app.run(desk.owner, UPDATE_TEAM, { input: { teamId: desk.teamId, ...input } });
        expect([JSON.stringify(input), result.errors?.[0].extensions?.code]).toEqual([JSON.stringify(input), 'BAD_USER_INPUT']);
      }
      expect(await databaseFingerprint(app)).toBe(before);
    });
  });

  describe('GET /fact-checks/{id}', () => {
    it('serves a published claim with a valid ClaimReview whose url is the page itself', async () => {
      const response = await fetch(`${base}/fact-checks/${claims.schools}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('public, max-age=120');
      expect(response.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      const html = await response.text();
      // the rationale's markup is text, and cannot end the JSON-LD script early
      expect(html).not.toContain('<b>really</b>');
      const review = embeddedJsonLd(html);
      expect(review['@context']).toBe('https://schema.org');
      expect(check(review, 'page')).toEqual([]);
      expect(review.url).toBe(`${base}/fact-checks/${claims.schools}`);
      expect(review.reviewBody).toBe('School spending is at a record.\n\nThe adopted budget says so </script><b>really</b>.');
      expect(review.author).toEqual({ '@type': 'Organization', name: 'Example Fact Desk', url: 'https://facts.example.org' });
      expect(review.citation).toEqual([{ '@type': 'CreativeWork', url: 'https://budget.example.gov/schools' }]);
      const expanded = await jsonld.expand(review, { documentLoader: offlineLoader, safe: true } as jsonld.Options.Expand);
      const S = 'http://schema.org/';
      expect(expanded).toHaveLength(1);
      expect((expanded[0] as any)['@type']).toEqual([`${S}ClaimReview`]);
      expect((expanded[0] as any)[`${S}url`][0]['@id']).toBe(`${base}/fact-checks/${claims.schools}`);
    });

    it('answers a conditional GET with 304', async () => {
      const first = await fetch(`${base}/fact-checks/${claims.budget}`);
      const etag = first.headers.get('etag')!;
      expect(await conditionalGet(`${base}/fact-checks/${claims.budget}`, etag)).toEqual({ status: 304, body: '' });
      expect((await conditionalGet(`${base}/fact-checks/${claims.budget}`, '"other"')).status).toBe(200);
    });

    it("names a publisher for an article without an outlet, and uses the team's public base URL when set", async () => {
      await app.ok(desk.owner, UPDATE_TEAM, {
        input: { teamId: desk.teamId, publicBaseUrl: 'https://checks.example.org', organizationLogoUrl: 'https://facts.example.org/logo.png' },
      });
      try {
        const review = embeddedJsonLd(await (await fetch(`${base}/fact-checks/${claims.unemployment}`)).text());
        expect(check(review, 'page')).toEqual([]);
        expect(review.url).toBe(`https://checks.example.org/fact-checks/${claims.unemployment}`);
        expect(review.itemReviewed.appearance.publisher).toEqual({
          '@type': 'Organization',
          name: 'local-paper.example',
          url: 'https://www.local-paper.example',
        });
        expect(review.author.logo).toEqual({ '@type': 'ImageObject', url: 'https://facts.example.org/logo.png' });
      } finally {
        await app.ok(desk.owner, UPDATE_TEAM, { input: { teamId: desk.teamId, publicBaseUrl: null, organizationLogoUrl: null } });
      }
    });

    it('answers 404, identically, for an unpublished, missing, malformed, non-claim or unpublished-again id', async () => {
      const bodies: string[] = [];
      const answer = async (id: string) => {
        const response = await fetch(`${base}/fact-checks/${id}`);
        expect([id, response.status]).toEqual([id, 404]);
        expect(response.headers.get('cache-control')).toBe('no-cache');
        bodies.push(await response.text());
      };
      await answer(claims.draft);
      await answer(Buffer.from('Claim:00000000-0000-4000-8000-000000000000').toString('base64url'));
      await answer('not-an-id');
      await answer(desk.teamId);
      // unpublishing takes the page down
      const temporary = (await createClaim(app, desk, (await createArticle(app, desk)).id, 'on Tuesday')).id;
      await publishClaim(app, desk, temporary, 'TRUE');
      expect((await fetch(`${base}/fact-checks/${temporary}`)).status).toBe(200);
      await app.ok(desk.editor, UNPUBLISH, {
        input: { claimId: temporary, expectedVersion: await claimVersion(app, desk.editor, temporary), reason: 'wrong' },
      });
      await answer(temporary);
      expect(new Set(bodies).size).toBe(1);
    });

    it.skipIf(!hasChromium)('is a readable page in headless Chromium that fetches nothing and runs nothing', async () => {
      const browser: Browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      try {
        const page = await browser.newPage();
        const url = `${base}/fact-checks/${claims.schools}`;
        const requests: string[] = [];
        const problems: string[] = [];
        page.on('console', (message) => problems.push(message.text()));
        page.on('pageerror', (error) => problems.push(error.message));
        await page.route('**/*', (route) => {
          if (route.request().url() === url) return route.continue();
          requests.push(route.request().url());
          return route.abort();
        });
        const response = await page.goto(url, { waitUntil: 'load' });
        expect(response?.status()).toBe(200);
        expect(await page.title()).toBe('Fact-check: “We have never spent more on schools” — True');
        expect(await page.locator('#claim mark').textContent()).toBe('We have never spent more on schools');
        expect(await page.locator('#speaker').textContent()).toBe('Said by Ana Ruiz, Mayor (person)');
        expect(await page.locator('#article').textContent()).toContain('Council approves record budget');
        expect(await page.locator('#verdict .rating').textContent()).toBe('True');
        expect(await page.locator('#rationale p').count()).toBe(2);
        expect(await page.locator('#evidence li').textContent()).toContain('Schools: $1.9m, up from $1.2m');
        // visible, not just present
        const box = await page.locator('#claim').boundingBox();
        expect(box!.width).toBeGreaterThan(200);
        const review = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent())!);
        expect(review.claimReviewed).toBe('We have never spent more on schools');
        expect(requests).toEqual([]);
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
    });

    it('reads as a role that sees published claims only, never verdicts, notes or unpublished claims', async () => {
      const asPublic = (sql: string) =>
        app.dataSource
          .transaction(async (manager) => {
            await manager.query('SET LOCAL ROLE claimgraph_public');
            return manager.query(sql);
          })
          .catch((error: Error) => error.message);
      const counted = await app.dataSource.transaction(async (manager) => {
        await manager.query('SET LOCAL ROLE claimgraph_public');
        return manager.query(`SELECT count(*)::int AS n, bool_and(published_at IS NOT NULL) AS all_published FROM claims`);
      });
      expect(counted[0]).toEqual({ n: 3, all_published: true });
      expect(await asPublic('SELECT * FROM verdicts')).toMatch(/permission denied/);
      expect(await asPublic('SELECT note FROM claims')).toMatch(/permission denied/);
      expect(await asPublic('SELECT body FROM article_revisions')).toMatch(/permission denied/);
      expect(await asPublic('SELECT email FROM users')).toMatch(/permission denied/);
    });
  });

  describe('GET /teams/{slug}/fact-checks.jsonld and .atom', () => {
    it('lists the published fact-checks newest first, each a complete ClaimReview, paged with Link rel=next', async () => {
      const first = await fetch(`${base}/teams/${desk.teamSlug}/fact-checks.jsonld?limit=2`);
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe('application/ld+json; charset=utf-8');
      expect(first.headers.get('cache-control')).toBe('public, max-age=120');
      const page1 = await first.json();
      expect(page1['@graph'].map((review: any) => review.claimReviewed)).toEqual([
        'Unemployment fell to 3.1% last year',
        'The city council approved a budget of $4.2 million',
      ]);
      for (const [index, review] of page1['@graph'].entries()) {
        expect(check(review, `@graph[${index}]`)).toEqual([]);
        expect(review.author.url).toMatch(/^https?:\/\//);
        expect(review.itemReviewed.appearance.publisher).toBeDefined();
      }
      const next = /^<([^>]+)>; rel="next"$/.exec(first.headers.get('link') ?? '')?.[1];
      expect(next).toMatch(new RegExp(`^${base}/teams/${desk.teamSlug}/fact-checks\\.jsonld\\?limit=2&before=`));
      const second = await fetch(next!);
      const page2 = await second.json();
      expect(page2['@graph'].map((review: any) => review.claimReviewed)).toEqual(['We have never spent more on schools']);
      expect(second.headers.get('link')).toBeNull();
      const expanded = await jsonld.expand(page1, { documentLoader: offlineLoader, safe: true } as jsonld.Options.Expand);
      expect(expanded).toHaveLength(2);
      const etag = first.headers.get('etag')!;
      expect((await conditionalGet(`${base}/teams/${desk.teamSlug}/fact-checks.jsonld?limit=2`, etag)).status).toBe(304);
    });

    it('serves the same page as Atom, with entries linking to the fact-check pages', async () => {
      const response = await fetch(`${base}/teams/${desk.teamSlug}/fact-checks.atom?limit=2`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
      const xml = await response.text();
      const feed = new DOMParser().parseFromString(xml, 'text/xml');
      const entries = [...feed.querySelectorAll('entry')];
      expect(entries.map((entry) => entry.querySelector('id')?.textContent)).toEqual([
        `${base}/fact-checks/${claims.unemployment}`,
        `${base}/fact-checks/${claims.budget}`,
      ]);
      expect(entries[0].querySelector('title')?.textContent).toBe('“Unemployment fell to 3.1% last year” — Mostly false');
      // linkedom leaves XML entities in attribute values as they are written
      const next = [...feed.querySelectorAll('link')]
        .find((link) => link.getAttribute('rel') === 'next')
        ?.getAttribute('href')
        ?.replace(/&amp;/g, '&');
      expect(next).toMatch(/fact-checks\.atom\?limit=2&before=/);
      const older = new DOMParser().parseFromString(await (await fetch(next!)).text(), 'text/xml');
      expect([...older.querySelectorAll('entry')].map((entry) => entry.querySelector('id')?.textContent)).toEqual([`${base}/fact-checks/${claims.schools}`]);
    });

    it('answers 404 for an unknown team, 400 for bad paging, and an empty feed for a team with nothing published', async () => {
      expect((await fetch(`${base}/teams/no-such-team/fact-checks.jsonld`)).status).toBe(404);
      for (const query of ['limit=0', 'limit=101', 'limit=x', 'before=garbage', 'page=2', `before=${Buffer.from('2026-01-01|x').toString('base64url')}`]) {
        const response = await fetch(`${base}/teams/${desk.teamSlug}/fact-checks.jsonld?${query}`);
        expect([query, response.status]).toEqual([query, 400]);
        expect((await response.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
      }
      const empty = await createDesk(app);
      const feed = await (await fetch(`${base}/teams/${empty.teamSlug}/fact-checks.jsonld`)).json();
      expect(feed).toEqual({ '@context': 'https://schema.org', '@graph': [] });
    });
  });
});
