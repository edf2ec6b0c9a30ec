import { randomUUID } from 'node:crypto';
import express from 'express';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import { createContext } from '../../shared/context';
import { ErrorCode, badInput } from '../../shared/errors';
import { httpAnswer, type HttpAnswer } from '../../http/format-error';
import type { Authenticator } from '../auth/authenticator';
import { FILTER_PARAMETERS, filterFromQuery, singleParameter, type QueryValues } from './report.filter';
import { EXPORT_FORMATS, formatForFileName, type ExportFormat } from './formats';
import { prepareExport, type PreparedExport } from './export';
import { rateLimitKey, setRateLimitHeaders, type RateLimiter } from '../../http/rate-limit';
import { requestOrigin } from '../publishing/public-url';
import type { ReadReplica } from '../../db/read-replica';
import { MIN_LSN_HEADER, MIN_LSN_PARAMETER, minLsnOf } from '../../http/read-consistency';

export interface ReportRoutesDeps {
  dataSource: DataSource;
  authenticator: Authenticator;
  log: Logger;
  config: Pick<Config, 'poolSize' | 'sessionTtlHours' | 'hardening'>;
  /** The API's rate limiter: a download is charged EXPORT_COST_POINTS from the same budget as queries. */
  rateLimiter?: RateLimiter;
  /** The read replica (DATABASE_READ_URL) downloads read from when it has the caller's last write. */
  replica?: ReadReplica | null;
}

/**
 * What one download costs from the caller's rate-limit budget: as much as a query that may return
 * 10,000 nodes (GitHub's model prices by what a request may return; an export may return a team's
 * every verdict, but is streamed and capped in concurrency, so it is priced as a large page).
 */
export const EXPORT_COST_POINTS = 100;

/**
 * The statement timeout of a download's figure queries (the HTML report aggregates a whole team's
 * claims before its first byte): the API's limit, but at least this; 0 (off) stays off. The row
 * cursor itself runs without one (see CursorReadable).
 */
export const EXPORT_QUERY_TIMEOUT_FLOOR_MS = 60_000;

/** A download whose client takes nothing for this long is ended (and its connection freed). */
export const EXPORT_STALL_TIMEOUT_MS = 120_000;

/** Options of one format, besides the filter. */
const FORMAT_PARAMETERS: Record<ExportFormat, readonly string[]> = {
  csv: [],
  jsonl: [],
  claimreview: ['includeSettled', 'reviewUrl'],
  html: ['download'],
};

function sendError(response: express.Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  response
    .status(status)
    .set('Cache-Control', 'no-store')
    .json({ errors: [{ message, extensions: { ...extra, code } }] });
}

/** Any error before the first byte, through the API's one mapping (formatError; an outage is 503). */
function sendFailure(response: express.Response, error: unknown, requestId: string): HttpAnswer {
  const answer = httpAnswer(error, requestId);
  for (const [name, value] of answer.headers) response.setHeader(name, value);
  response.status(answer.status).set('Cache-Control', 'no-store').json(answer.body);
  return answer;
}

function booleanParameter(query: QueryValues, name: string): boolean {
  const value = singleParameter(query, name);
  if (value === null) return false;
  if (['1', 'true', 'yes'].includes(value.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(value.toLowerCase())) return false;
  throw badInput(`${name} must be true or false`, name);
}

function isPrematureClose(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/**
 * Streamed downloads of verdict reports: GET /exports/verdicts.{csv,jsonl,claimreview.jsonld,html}
 * with the report filter as query parameters (team, article, from, to, status, sourcing, rating,
 * reviewer). Authenticated like /graphql; scoped to the caller's teams through the same services
 * and row-level security. Everything that can be refused is refused before the first byte, as a
 * JSON error; once the file has started, a failure cuts the connection (so the client sees a
 * truncated transfer, never a short file that looks complete).
 *
 * Each download holds one pooled connection for its duration, so at most half the pool serves
 * downloads at once, and one caller at most half of those; the rest stays for the API. More get
 * 429 with Retry-After. Each download is charged EXPORT_COST_POINTS of the caller's rate limit.
 */
export function reportRouter(deps: ReportRoutesDeps): express.Router {
  const router = express.Router();
  const maxConcurrent = Math.max(1, Math.floor(deps.config.poolSize / 2));
  const configuredTimeout = deps.config.hardening.statementTimeoutMs;
  const statementTimeoutMs = configuredTimeout > 0 ? Math.max(configuredTimeout, EXPORT_QUERY_TIMEOUT_FLOOR_MS) : 0;
  const perCallerConcurrent = Math.max(1, Math.floor(maxConcurrent / 2));
  let running = 0;
  const exportsByCaller = new Map<string, number>();

  /** Takes `cost` points from the caller's rate-limit budget; answers 429 and returns true when it is spent. */
  const refusedForBudget = async (response: express.Response, key: string, cost: number): Promise<boolean> => {
    const limiter = deps.rateLimiter;
    if (!limiter?.enabled) return false;
    const decision = await limiter.consume(key, cost);
    setRateLimitHeaders(response, decision);
    if (decision.allowed) return false;
    response.set('Retry-After', String(decision.retryAfterSeconds));
    const windowSeconds = deps.config.hardening.rateLimit.windowSeconds;
    sendError(
      response,
      429,
      'RATE_LIMITED',
      `Rate limit exceeded: ${decision.limit} points per ${windowSeconds} seconds, and a download costs ${EXPORT_COST_POINTS}. Try again in ${decision.retryAfterSeconds} seconds.`,
      { limit: decision.limit, cost: EXPORT_COST_POINTS, retryAfterSeconds: decision.retryAfterSeconds },
    );
    return true;
  };

  router.get('/exports/:file', async (request, response) => {
    // the request-tracking middleware names every request
    const tracked = response.getHeader('x-request-id');
    const requestId = typeof tracked === 'string' && tracked ? tracked : randomUUID();
    try {
      await download(request, response, requestId);
    } catch (error) {
      if (response.headersSent) {
        deps.log.error({ err: error, requestId }, 'export failed after its first byte');
        response.destroy();
        return;
      }
      const answer = sendFailure(response, error, requestId);
      if (answer.status >= 500) deps.log.error({ err: error, requestId }, 'export could not start');
    }
  });

  const download = async (request: express.Request, response: express.Response, requestId: string): Promise<void> => {
    const format = formatForFileName(String(request.params.file));
    if (!format) {
      sendError(
        response,
        404,
        ErrorCode.NOT_FOUND,
        `No such export; try ${Object.values(EXPORT_FORMATS)
          .map((info) => info.fileName)
          .join(', ')}`,
      );
      return;
    }
    const { actor, error: authError } = await deps.authenticator.authenticateRequest(request.headers);
    // A point for the attempt, before anything else is looked at (refused credentials are charged
    // to the address); the rest of the download's price once it is known to be a valid request.
    const callerKey = rateLimitKey(actor, request.ip);
    if (await refusedForBudget(response, callerKey, 1)) return;
    if (!actor) {
      response.set('WWW-Authenticate', 'Bearer');
      sendError(response, 401, ErrorCode.UNAUTHENTICATED, authError ?? 'Authentication required');
      return;
    }

    const query = request.query as QueryValues;
    const allowed = new Set<string>([...FILTER_PARAMETERS, ...FORMAT_PARAMETERS[format], MIN_LSN_PARAMETER]);
    const unknown = Object.keys(query).filter((name) => !allowed.has(name));
    if (unknown.length) throw badInput(`Unknown query parameter ${unknown.join(', ')}; this export takes ${[...allowed].join(', ')}`, unknown[0]);
    const filter = filterFromQuery(query);
    // a link cannot send headers: the position may come in the query string too
    const minLsn = minLsnOf(singleParameter(query, MIN_LSN_PARAMETER), MIN_LSN_PARAMETER) ?? minLsnOf(request.get(MIN_LSN_HEADER), MIN_LSN_HEADER);
    const options = {
      includeSettled: booleanParameter(query, 'includeSettled'),
      reviewUrl: singleParameter(query, 'reviewUrl') ?? undefined,
      origin: requestOrigin(request),
      download: booleanParameter(query, 'download'),
    };

    if (await refusedForBudget(response, callerKey, EXPORT_COST_POINTS - 1)) return;
    if (running >= maxConcurrent) {
      response.set('Retry-After', '5');
      sendError(response, 429, 'TOO_MANY_REQUESTS', 'Too many exports are running; try again in a few seconds');
      return;
    }
    // one caller may hold at most half the download slots, so one team's script cannot take them all
    const mine = exportsByCaller.get(callerKey) ?? 0;
    if (mine >= perCallerConcurrent) {
      response.set('Retry-After', '5');
      sendError(response, 429, 'TOO_MANY_REQUESTS', `You have ${mine} exports running, the most one caller may run at once; try again when one has finished`, {
        limit: perCallerConcurrent,
      });
      return;
    }
    exportsByCaller.set(callerKey, mine + 1);
    running++;
    const context = createContext({ ...deps, statementTimeoutMs }, actor, requestId);
    const log = context.log.child({ export: format });
    context.db.setMode('read');
    context.db.preferReplica();
    context.db.readAfter(minLsn);
    let prepared: PreparedExport | null = null;
    try {
      prepared = await prepareExport(context, { format, filter, ...options });
      if (response.destroyed) {
        await prepared.abort();
        return;
      }
      const info = prepared.format;
      const disposition = info.disposition === 'inline' && !options.download ? 'inline' : 'attachment';
      response.status(200).set({
        'Content-Type': info.contentType,
        // team slugs, dates and extensions are ASCII: no filename* needed
        'Content-Disposition': `${disposition}; filename="${prepared.fileName}"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'X-Request-Id': requestId,
      });
      if (format === 'html') {
        response.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'");
      }
      if (request.method === 'HEAD') {
        // Express routes HEAD here too: answer the headers without reading a row more.
        await prepared.abort();
        response.end();
        return;
      }
      // No bytes taken for this long (the socket stays full): the client has stalled; let go of the
      // connection rather than hold a database connection and snapshot for it.
      response.setTimeout(EXPORT_STALL_TIMEOUT_MS, () => {
        log.info({ rows: prepared?.rowsRead }, 'export client stalled');
        response.destroy();
      });
      const started = Date.now();
      try {
        await prepared.writeTo(response);
        log.info({ rows: prepared.rowsRead, ms: Date.now() - started }, 'export sent');
      } catch (error) {
        if (isPrematureClose(error)) log.info({ rows: prepared.rowsRead }, 'export abandoned by the client');
        else log.error({ err: error, rows: prepared.rowsRead }, 'export failed mid-stream');
        response.destroy();
      }
    } finally {
      // the portal must be closed before the transaction can end (pg runs one statement at a time)
      await prepared?.abort().catch((error: unknown) => log.error({ err: error }, 'could not close the export cursor'));
      // read-only: nothing to commit; ending it releases the connection to the pool
      await context.db.finish('rollback').catch((error: unknown) => log.error({ err: error }, 'could not end the export transaction'));
      running--;
      const left = (exportsByCaller.get(callerKey) ?? 1) - 1;
      if (left > 0) exportsByCaller.set(callerKey, left);
      else exportsByCaller.delete(callerKey);
    }
  };
  return router;
}
