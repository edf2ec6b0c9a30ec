import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { generate } from '@graphql-codegen/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { createArticle, createClaim, createDesk, type Desk } from './support/desk';
import { startServer, type HardenedServer } from './support/hardening';
import codegenConfig from '../examples/reviewer-client/codegen';
import { ReviewerClient } from '../examples/reviewer-client/src/client';
import { claimQueue, disputeClaim, loadArticlePage, submitVerdict, watchArticle } from '../examples/reviewer-client/src/reviewer';

const exampleDir = path.resolve(__dirname, '../examples/reviewer-client');
const manifestPath = path.join(exampleDir, 'src/gql/persisted-documents.json');

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('examples/reviewer-client', () => {
  it('has generated output that is current with schema/schema.graphql and its operations', { timeout: 120_000 }, async () => {
    const outputs = (await generate({ ...codegenConfig, cwd: exampleDir, silent: true }, false)) as { filename: string; content: string }[];
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      const file = path.resolve(exampleDir, output.filename);
      const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
      // stale: run `npm run codegen:example` and commit examples/reviewer-client/src/gql
      expect(committed, `${path.relative(exampleDir, file)} is stale`).toBe(output.content);
    }
  });

  it('type-checks', { timeout: 120_000 }, () => {
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', exampleDir], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  describe('every operation against a server that runs only its manifest', () => {
    let app: TestApp;
    let server: HardenedServer;
    let desk: Desk;
    let reviewer: ReviewerClient;
    let editor: ReviewerClient;

    const tokenOf = async (user: Desk['reviewer']) =>
      (await app.ok(user, 'mutation { createApiToken(input: { name: "reviewer app" }) { token } }')).createApiToken.token as string;

    beforeAll(async () => {
      app = await createTestApp();
      desk = await createDesk(app, { quorum: 2 });
      server = await startServer(app, { TRUSTED_DOCUMENTS: manifestPath, TRUSTED_DOCUMENTS_ONLY: 'true', LOG_LEVEL: 'silent' });
      reviewer = new ReviewerClient({ url: server.graphqlUrl, token: await tokenOf(desk.reviewer), webSocketImpl: WebSocket });
      editor = new ReviewerClient({ url: server.graphqlUrl, token: await tokenOf(desk.editor), webSocketImpl: WebSocket });
    });

    afterAll(async () => {
      await reviewer?.close();
      await editor?.close();
      await server?.close();
      await app?.close();
    });

    it('reads the article page, works the queue, gives and revises a verdict through a conflict, disputes, watches live', { timeout: 60_000 }, async () => {
      // an emoji before the claim: code points and UTF-16 units differ from there on
      const text = 'Budget day 🎉 in the council.\nUnemployment fell to 3.1% last year, the lowest since 1999.';
      const article = await createArticle(app, desk, { text });
      const claim = await createClaim(app, desk, article.id, 'Unemployment fell to 3.1%');
      await app.ok(desk.editor, 'mutation($input: AssignReviewerInput!) { assignReviewer(input: $input) { assignment { id } } }', {
        input: { claimId: claim.id, reviewerId: (await app.ok(desk.reviewer, '{ viewer { id } }')).viewer.id },
      });

      const page = await loadArticlePage(reviewer, article.id);
      expect(page.title).toBe('Council approves record budget');
      const pageClaim = page.claims.find((entry) => entry.id === claim.id)!;
      expect(pageClaim).toMatchObject({ quote: 'Unemployment fell to 3.1%', status: 'UNREVIEWED', viewerVerdict: null });
      expect(page.currentRevision.body.slice(pageClaim.highlight.start, pageClaim.highlight.end)).toBe('Unemployment fell to 3.1%');

      const queue = await claimQueue(reviewer);
      expect(queue.nodes.map((assignment) => assignment.claim.id)).toEqual([claim.id]);

      const changes: { action: string; status: string }[] = [];
      const stop = watchArticle(reviewer, article.id, (change) => changes.push({ action: change.event.action, status: change.claim.status }));
      try {
        await until(() => server.server.live.hub.subscriberCount === 1 && server.server.live.hub.isListening, 'the subscription to be live');

        const given = await submitVerdict(reviewer, { claimId: claim.id, rating: 'MOSTLY_TRUE', rationale: 'ONS figures' });
        expect(given).toMatchObject({ ok: true, verdict: { rating: 'MOSTLY_TRUE', version: 1 }, claim: { status: 'IN_REVIEW' } });
        const revised = await submitVerdict(reviewer, { claimId: claim.id, rating: 'TRUE', expectedVersion: 1 });
        expect(revised).toMatchObject({ ok: true, verdict: { rating: 'TRUE', version: 2 } });
        // a second tab still holding version 1
        const staleVerdict = await submitVerdict(reviewer, { claimId: claim.id, rating: 'FALSE', expectedVersion: 1 });
        expect(staleVerdict).toEqual({ ok: false, code: 'VERSION_CONFLICT', currentVersion: 2 });
        expect((await loadArticlePage(reviewer, article.id)).claims[0].viewerVerdict).toMatchObject({ rating: 'TRUE', version: 2 });
        // the verdict completed the assignment
        expect((await claimQueue(reviewer)).totalCount).toBe(0);

        const read = (await loadArticlePage(editor, article.id)).claims[0];
        // another editor adds a note meanwhile: the version this page read is stale
        await app.ok(desk.owner, 'mutation($input: UpdateClaimInput!) { updateClaim(input: $input) { claim { version } } }', {
          input: { claimId: claim.id, expectedVersion: read.version, note: 'check the ONS series' },
        });
        const stale = await disputeClaim(editor, { claimId: claim.id, expectedVersion: read.version, reason: 'Seasonal adjustment' });
        expect(stale).toEqual({ ok: false, code: 'VERSION_CONFLICT', currentVersion: read.version + 1 });
        const disputed = await disputeClaim(editor, { claimId: claim.id, expectedVersion: read.version + 1, reason: 'Seasonal adjustment' });
        expect(disputed).toMatchObject({ ok: true, claim: { status: 'DISPUTED', disputedReason: 'Seasonal adjustment' } });

        await until(() => changes.some((change) => change.action === 'MARK_DISPUTED'), 'the live dispute event');
        expect(changes[0]).toEqual({ action: 'STATUS_CHANGE', status: expect.any(String) });
        expect(changes.at(-1)?.status).toBe('DISPUTED');
      } finally {
        stop();
      }
    });

    it('sends full documents to a server without the manifest when told to', async () => {
      const url = `${await app.listen()}/graphql`;
      const token = await tokenOf(desk.reviewer);
      await expect(claimQueue(new ReviewerClient({ url, token }))).rejects.toMatchObject({ code: 'TRUSTED_DOCUMENT_NOT_FOUND' });
      expect((await claimQueue(new ReviewerClient({ url, token, persisted: false }))).totalCount).toBe(0);
    });
  });
});
