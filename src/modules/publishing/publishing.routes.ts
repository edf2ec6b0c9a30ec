import { createHash } from 'node:crypto';
import express from 'express';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import { decodeGlobalId } from '../../shared/ids';
import { rateLimitKey, setRateLimitHeaders, type RateLimiter } from '../../http/rate-limit';
import { singleParameter, type QueryValues } from '../report/report.filter';
import { PublicReader } from './public-reader';
import { factCheckPage } from './fact-check-page';
import { atomFeed, claimReviewFeed, type FeedLinks } from './feeds';
import { factCheckUrlTemplate, requestOrigin } from './public-url';

export interface PublishingRoutesDeps {
  dataSource: DataSource;
  log: Logger;
  config: Pick<Config, 'hardening' | 'publicCacheMaxAgeSeconds'>;
  rateLimiter?: RateLimiter;
}

export const FEED_DEFAULT_LIMIT = 50;
export const FEED_MAX_LIMIT = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

// Missing, unpublished, deleted and malformed ids all get exactly this: nothing tells them apart.
const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><h1>Not found</h1><p>There is no published fact-check at this address.</p></body></html>
`;

class BadRequest extends Error {}

/** A feed page's keyset as it travels in `before=`: base64url of "published_at|claim id". */
export function encodeFeedCursor(key: [string, string]): string {
  return Buffer.from(`${key[0]}|${key[1]}`, 'utf8').toString('base64url');
}

function decodeFeedCursor(value: string): [string, string] {
  const [time, id, ...rest] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  if (rest.length || !KEY_TIME.test(time ?? '') || !UUID.test(id ?? '') || Number.isNaN(Date.parse(time))) {
    throw new BadRequest('before is not a cursor of this feed');
  }
  return [time, id];
}

function feedLimit(query: QueryValues): number {
  const raw = singleParameter(query, 'limit');
  if (raw === null) return FEED_DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > FEED_MAX_LIMIT) throw new BadRequest(`limit must be an integer from 1 to ${FEED_MAX_LIMIT}`);
  return limit;
}

/**
 * The desk's public face, served without credentials: `GET /fact-checks/{id}` (a published claim
 * as an HTML page with its ClaimReview JSON-LD) and `GET /teams/{slug}/fact-checks.jsonld|.atom`
 * (the team's published fact-checks, newest first, paged with `before=` and `limit=`). Every read
 * runs as the `claimgraph_public` role, which sees published claims and nothing else. Responses
 * carry a strong ETag (a conditional GET answers 304) and `Cache-Control: public` for a CDN.
 */
export function publishingRouter(deps: PublishingRoutesDeps): express.Router {
  const router = express.Router();
  const reader = new PublicReader(deps.dataSource, deps.config.hardening.statementTimeoutMs);
  const cacheControl = `public, max-age=${deps.config.publicCacheMaxAgeSeconds}`;

  /** One point of the client address's rate-limit budget; answers 429 and returns true when it is spent. */
  const refused = async (request: express.Request, response: express.Response): Promise<boolean> => {
    const limiter = deps.rateLimiter;
    if (!limiter?.enabled) return false;
    const decision = await limiter.consume(rateLimitKey(null, request.ip), 1);
    setRateLimitHeaders(response, decision);
    if (decision.allowed) return false;
    response
      .status(429)
      .set({ 'Retry-After': String(decision.retryAfterSeconds), 'Cache-Control': 'no-store' })
      .json({ errors: [{ message: 'Rate limit exceeded', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: decision.retryAfterSeconds } }] });
    return true;
  };

  const send = (response: express.Response, contentType: string, body: string): void => {
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
    response.status(200).set({ 'Content-Type': contentType, ETag: etag, 'Cache-Control': cacheControl, 'X-Content-Type-Options': 'nosniff' });
    // Express answers 304 when the request's If-None-Match names this ETag
    response.send(body);
  };

  const notFound = (response: express.Response): void => {
    response
      .status(404)
      .set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' })
      .send(NOT_FOUND_PAGE);
  };

  const badRequest = (response: express.Response, message: string): void => {
    response
      .status(400)
      .set('Cache-Control', 'no-store')
      .json({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] });
  };

  router.get('/fact-checks/:id', async (request, response) => {
    if (await refused(request, response)) return;
    const decoded = decodeGlobalId(String(request.params.id));
    const factCheck = decoded?.type === 'Claim' ? await reader.factCheck(decoded.rawId) : null;
    if (!factCheck) {
      notFound(response);
      return;
    }
    const html = factCheckPage(factCheck, factCheckUrlTemplate(factCheck.team.publicBaseUrl, requestOrigin(request)));
    // The page is self-contained: nothing may be fetched, nothing run (JSON-LD is data, not script).
    response.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    send(response, 'text/html; charset=utf-8', html);
  });

  router.get('/teams/:slug/:file', async (request, response, next) => {
    const file = String(request.params.file);
    const format = file === 'fact-checks.jsonld' ? 'jsonld' : file === 'fact-checks.atom' ? 'atom' : null;
    if (!format) return next();
    if (await refused(request, response)) return;
    const query = request.query as QueryValues;
    let limit: number;
    let before: [string, string] | null;
    try {
      const unknown = Object.keys(query).filter((name) => name !== 'limit' && name !== 'before');
      if (unknown.length) throw new BadRequest(`Unknown query parameter ${unknown.join(', ')}; feeds take limit and before`);
      limit = feedLimit(query);
      const cursor = singleParameter(query, 'before');
      before = cursor === null ? null : decodeFeedCursor(cursor);
    } catch (error) {
      if (error instanceof BadRequest || (error as { code?: string }).code === 'BAD_USER_INPUT') {
        badRequest(response, (error as Error).message);
        return;
      }
      throw error;
    }
    const page = await reader.feed(String(request.params.slug), limit, before);
    if (!page.team) {
      notFound(response);
      return;
    }
    const origin = requestOrigin(request);
    const base = page.team.publicBaseUrl ?? origin;
    const self = `${base}/teams/${encodeURIComponent(page.team.slug)}/${file}`;
    const pageUrl = (cursor: string | null): string => {
      const parameters = new URLSearchParams();
      if (limit !== FEED_DEFAULT_LIMIT) parameters.set('limit', String(limit));
      if (cursor) parameters.set('before', cursor);
      const search = parameters.toString();
      return search ? `${self}?${search}` : self;
    };
    const links: FeedLinks = {
      self: pageUrl(before ? encodeFeedCursor(before) : null),
      next: page.next ? pageUrl(encodeFeedCursor(page.next)) : null,
      reviewUrl: factCheckUrlTemplate(page.team.publicBaseUrl, origin),
    };
    if (links.next) response.set('Link', `<${links.next}>; rel="next"`);
    if (format === 'jsonld') send(response, 'application/ld+json; charset=utf-8', `${JSON.stringify(claimReviewFeed(page, links), null, 1)}\n`);
    else send(response, 'application/atom+xml; charset=utf-8', atomFeed(page, links));
  });

  return router;
}
