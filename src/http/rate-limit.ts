import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import type { GraphQLError } from 'graphql';
import type { HardeningConfig } from '../config';
import type { Actor } from '../shared/actor';
import { requestError } from './http-errors';

export type RateLimitDecision =
  | { allowed: true; limit: number; remaining: number; resetSeconds: number }
  | { allowed: false; limit: number; remaining: number; resetSeconds: number; retryAfterSeconds: number };

/**
 * Who a request is counted against: the API token or login session when there is one (so two
 * scripts of one user have separate budgets), else the user (JWT, development header), else the
 * client address. Refused credentials count against the address, so guessing tokens is limited too.
 */
export function rateLimitKey(actor: Actor | null, clientAddress: string | undefined): string {
  if (actor?.tokenId) return `token:${actor.tokenId}`;
  if (actor) return `user:${actor.userId}`;
  return `ip:${clientAddress ?? 'unknown'}`;
}

/**
 * Points per caller per window (GitHub's model: a request costs what it may return). In-process
 * by default; with REDIS_URL the counters live in Redis and every instance shares them. Should
 * Redis fail, an in-process limiter stands in until it is back (each instance then counts alone),
 * rather than refusing or admitting everything.
 *
 * A second, in-process cap limits how many requests one caller may have in flight at once, so a
 * flood within budget still cannot take every database connection from the other teams.
 */
export class RateLimiter {
  readonly enabled: boolean;
  private readonly limiter: RateLimiterAbstract | null;
  private readonly redis: Redis | null;
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly config: HardeningConfig['rateLimit'],
    redisUrl: string | null,
    log: Logger,
  ) {
    this.enabled = config.points > 0;
    const options = {
      points: config.points,
      duration: config.windowSeconds,
      keyPrefix: config.keyPrefix,
    };
    if (!this.enabled) {
      this.limiter = null;
      this.redis = null;
    } else if (redisUrl) {
      let reported = false;
      this.redis = new Redis(redisUrl, {
        // fail fast while disconnected: the insurance limiter answers instead of queueing requests
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
      });
      this.redis.on('error', (error: Error) => {
        if (!reported) log.warn({ err: { message: error.message } }, 'rate-limit Redis unreachable; counting in process until it is back');
        reported = true;
      });
      this.redis.on('ready', () => {
        if (reported) log.info('rate-limit Redis reachable again');
        reported = false;
      });
      this.limiter = new RateLimiterRedis({
        ...options,
        storeClient: this.redis,
        rejectIfRedisNotReady: true,
        // a caller over budget is refused from memory for the rest of the window: no Redis round trip
        inMemoryBlockOnConsumed: config.points + 1,
        insuranceLimiter: new RateLimiterMemory(options),
      });
    } else {
      this.redis = null;
      this.limiter = new RateLimiterMemory(options);
    }
  }

  get limit(): number {
    return this.config.points;
  }

  get concurrency(): number {
    return this.config.concurrency;
  }

  /** Takes `cost` points from the caller's budget (a request dearer than the whole budget takes all of it). */
  async consume(key: string, cost: number): Promise<RateLimitDecision> {
    if (!this.limiter) return { allowed: true, limit: 0, remaining: 0, resetSeconds: 0 };
    const points = Math.max(1, Math.min(Math.ceil(cost), this.config.points));
    try {
      const result = await this.limiter.consume(key, points);
      return { allowed: true, limit: this.config.points, remaining: result.remainingPoints, resetSeconds: Math.ceil(result.msBeforeNext / 1000) };
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        const retryAfterSeconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        return { allowed: false, limit: this.config.points, remaining: 0, resetSeconds: retryAfterSeconds, retryAfterSeconds };
      }
      // The store and its insurance both failed: admit rather than take the API down with it.
      return { allowed: true, limit: this.config.points, remaining: 0, resetSeconds: 0 };
    }
  }

  /** Claims an in-flight slot for the caller; returns its release, or null when the caller has too many. */
  acquire(key: string): (() => void) | null {
    const cap = this.config.concurrency;
    if (!this.enabled || cap <= 0) return () => undefined;
    const current = this.inFlight.get(key) ?? 0;
    if (current >= cap) return null;
    this.inFlight.set(key, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(key);
      else this.inFlight.set(key, left);
    };
  }

  async close(): Promise<void> {
    if (!this.redis) return;
    await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

/** The caller's budget on a response, as GitHub sends it (reset: the epoch second the window ends). */
export function setRateLimitHeaders(response: { setHeader(name: string, value: string): unknown }, decision: RateLimitDecision): void {
  response.setHeader('x-ratelimit-limit', String(decision.limit));
  response.setHeader('x-ratelimit-remaining', String(decision.remaining));
  response.setHeader('x-ratelimit-reset', String(Math.ceil(Date.now() / 1000) + decision.resetSeconds));
}

/** `cost` is null when the request was refused before it was read (its caller is still over budget). */
export function rateLimitedError(decision: Extract<RateLimitDecision, { allowed: false }>, cost: number | null, windowSeconds: number): GraphQLError {
  const spent = cost === null ? 'and this caller has spent them' : `and this request costs ${cost}`;
  return requestError(
    `Rate limit exceeded: ${decision.limit} points per ${windowSeconds} seconds, ${spent}. Try again in ${decision.retryAfterSeconds} seconds.`,
    'RATE_LIMITED',
    429,
    { limit: decision.limit, ...(cost === null ? {} : { cost }), retryAfterSeconds: decision.retryAfterSeconds },
    { 'retry-after': String(decision.retryAfterSeconds) },
  );
}

export function tooManyInFlightError(cap: number): GraphQLError {
  return requestError(
    `Too many concurrent requests: at most ${cap} at a time per caller. Try again in a moment.`,
    'RATE_LIMITED',
    429,
    { limit: cap, retryAfterSeconds: 1 },
    { 'retry-after': '1' },
  );
}
