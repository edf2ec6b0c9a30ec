import { Client } from 'pg';
import type { Logger } from 'pino';

/** The channel the history_events trigger notifies on (see the ReviewWorkflow migration). */
export const EVENTS_CHANNEL = 'claimgraph_events';

/** What a notification names: enough to route it; the rest is loaded under the subscriber's permissions. */
export interface LiveNotice {
  /** history_events.id */
  id: string;
  teamId: string;
  entityType: string;
  entityId: string;
  action: string;
  claimId: string | null;
  articleId: string | null;
}

export type NoticeFilter = (notice: LiveNotice) => boolean;

/** Events a slow subscriber may have waiting before it is cut off (it can resubscribe). */
const MAX_QUEUED = 1000;
const MAX_BACKOFF_MS = 30_000;
const FIRST_BACKOFF_MS = 250;

function parseNotice(payload: string | undefined): LiveNotice | null {
  if (!payload) return null;
  try {
    const value = JSON.parse(payload) as Partial<LiveNotice>;
    if (typeof value.id !== 'string' || typeof value.teamId !== 'string' || typeof value.entityType !== 'string'
      || typeof value.entityId !== 'string' || typeof value.action !== 'string') return null;
    return {
      id: value.id, teamId: value.teamId, entityType: value.entityType, entityId: value.entityId, action: value.action,
      claimId: value.claimId ?? null, articleId: value.articleId ?? null,
    };
  } catch {
    return null;
  }
}

/**
 * One subscriber's events: an async iterator whose `return()` ends it at once, even while a
 * `next()` is waiting (an async generator would only stop after the next event arrived).
 */
export class NoticeStream implements AsyncIterableIterator<LiveNotice> {
  private readonly queue: LiveNotice[] = [];
  private waiting: ((result: IteratorResult<LiveNotice>) => void) | null = null;
  private closed = false;

  constructor(readonly filter: NoticeFilter, private readonly onClose: (stream: NoticeStream) => void) {}

  /** Returns false when the subscriber fell too far behind and was closed. */
  push(notice: LiveNotice): boolean {
    if (this.closed) return true;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: notice, done: false });
      return true;
    }
    if (this.queue.length >= MAX_QUEUED) {
      this.close();
      return false;
    }
    this.queue.push(notice);
    return true;
  }

  next(): Promise<IteratorResult<LiveNotice>> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve({ value: queued, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<LiveNotice>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<LiveNotice>> {
    this.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<LiveNotice> {
    return this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.onClose(this);
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: undefined, done: true });
    }
  }
}

/**
 * The process's live event source: ONE dedicated Postgres connection LISTENing on the events
 * channel (opened when the first subscriber arrives, reopened with capped exponential backoff
 * when it drops), fanned out in memory to every subscriber's stream. Postgres is the only broker:
 * every instance's listener hears every committed change, whichever instance made it.
 */
export class EventHub {
  private readonly streams = new Set<NoticeStream>();
  private client: Client | null = null;
  private connecting = false;
  private started = false;
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private connected = false;
  private readyWaiters: (() => void)[] = [];

  constructor(private readonly connectionString: string, private readonly log: Logger) {}

  get subscriberCount(): number {
    return this.streams.size;
  }

  get isListening(): boolean {
    return this.connected;
  }

  /** A stream of the notices that pass `filter`; end it with `return()`. */
  subscribe(filter: NoticeFilter): NoticeStream {
    if (this.stopped) throw new Error('The event hub is stopped');
    const stream = new NoticeStream(filter, (closed) => this.streams.delete(closed));
    this.streams.add(stream);
    this.start();
    return stream;
  }

  /** Resolves once LISTEN is in place (so nothing committed after this is missed). */
  ready(timeoutMs = 10_000): Promise<void> {
    this.start();
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((waiter) => waiter !== done);
        reject(new Error('Live updates are unavailable: the database listener is not connected'));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.readyWaiters.push(done);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const stream of [...this.streams]) stream.close();
    const client = this.client;
    this.client = null;
    this.connected = false;
    if (client) await client.end().catch(() => undefined);
  }

  private start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.connecting) return;
    this.connecting = true;
    const client = new Client({ connectionString: this.connectionString, application_name: 'claimgraph-listener', keepAlive: true });
    client.on('notification', (message) => {
      if (message.channel === EVENTS_CHANNEL) this.dispatch(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (this.stopped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.connected = true;
      if (this.attempt > 0) this.log.warn({ attempts: this.attempt }, 'live event listener reconnected; changes made while it was down were not delivered');
      this.attempt = 0;
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const waiter of waiters) waiter();
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.scheduleReconnect(error);
    } finally {
      this.connecting = false;
    }
  }

  private lost(client: Client, error: Error | null): void {
    if (client !== this.client) return;
    this.client = null;
    this.connected = false;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (!this.stopped) this.scheduleReconnect(error);
  }

  private scheduleReconnect(error: unknown): void {
    if (this.stopped || this.timer) return;
    const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** this.attempt);
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    this.attempt += 1;
    this.log.warn({ err: error, attempt: this.attempt, delayMs: delay }, 'live event listener is down; reconnecting');
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
    this.timer.unref();
  }

  private dispatch(payload: string | undefined): void {
    const notice = parseNotice(payload);
    if (!notice) {
      this.log.warn({ payload }, 'ignored a malformed live event');
      return;
    }
    for (const stream of this.streams) {
      let wanted = false;
      try {
        wanted = stream.filter(notice);
      } catch (error) {
        this.log.error({ err: error }, 'live event filter failed');
      }
      if (wanted && !stream.push(notice)) this.log.warn('closed a live subscription that fell too far behind');
    }
  }
}
