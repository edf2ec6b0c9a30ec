import { Client } from 'pg';
import type { Logger } from 'pino';
import { APP_ROLE } from '../../db/request-db';

/** What a delivered event names: enough to route it; the rest is loaded under the subscriber's permissions. */
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
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A Postgres snapshot (`pg_current_snapshot()`, "xmin:xmax:xip,..."): which transactions had
 * committed when it was taken. Transaction ids only grow, so "committed after this snapshot"
 * is exact: not below xmin, and at or above xmax or still in progress then.
 */
export class Snapshot {
  private constructor(
    readonly xmin: bigint,
    readonly xmax: bigint,
    readonly inProgress: readonly bigint[],
  ) {}

  static parse(text: string): Snapshot {
    const match = /^(\d+):(\d+):([\d,]*)$/.exec(text);
    if (!match) throw new Error(`Not a Postgres snapshot: ${text}`);
    return new Snapshot(BigInt(match[1]), BigInt(match[2]), match[3] ? match[3].split(',').map(BigInt) : []);
  }

  /** Whether the transaction had committed (or ended) when the snapshot was taken. */
  sees(txid: bigint): boolean {
    if (txid < this.xmin) return true;
    if (txid >= this.xmax) return false;
    return !this.inProgress.includes(txid);
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

  /** What had committed when the subscription started: it receives only what commits after. */
  since: Snapshot | null = null;

  constructor(
    readonly teamId: string,
    readonly filter: NoticeFilter,
    private readonly onClose: (stream: NoticeStream) => void,
  ) {}

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

/** One row of a poll: the snapshot it ran in, and an event (null columns when there was none). */
interface PollRow {
  snapshot: string;
  id: string | null;
  txid: string | null;
  team_id: string;
  entity_type: string;
  entity_id: string;
  action: string;
  claim_id: string | null;
  article_id: string | null;
}

/**
 * Events committed since the last poll: not visible in its snapshot. `txid` is the writing
 * transaction's id (a column default), indexed, so this reads only recent events. No LIMIT: a
 * page boundary inside a transaction that is still committing could skip its events.
 */
const POLL_SQL = `
  SELECT s.snapshot, e.id::text AS id, e.txid::text AS txid, e.team_id, e.entity_type, e.entity_id, e.action, e.claim_id, e.article_id
    FROM (SELECT pg_current_snapshot()::text AS snapshot) s
    LEFT JOIN LATERAL (
      SELECT id, txid, team_id, entity_type, entity_id, action, claim_id, article_id
        FROM history_events
       WHERE (txid >= $1::xid8 OR txid = ANY ($2::xid8[])) AND team_id = ANY ($3::uuid[])
       ORDER BY txid, id
    ) e ON true`;

/**
 * The process's live event source: history_events itself, polled by ONE dedicated Postgres
 * connection while anyone is subscribed (every `pollIntervalMs`, and at once when an event
 * arrived), fanned out in memory to every subscriber's stream. Postgres is the only broker:
 * every instance reads every committed change, whichever instance made it.
 *
 * Why polling, not LISTEN/NOTIFY: a transaction that notifies holds Postgres's global notify
 * lock through its commit, so every write would queue behind every other write's WAL flush
 * (bench/README.md has the figures). Polling costs one small
 * indexed query per interval per process, only while someone listens, and nothing on the write.
 * It also catches up: events committed while the connection was down are delivered after it
 * comes back, from the last snapshot on. Each poll delivers what was not visible in the last
 * poll's snapshot (so nothing committed late, under a lower id, is skipped) and each stream
 * only what was not visible in its own starting snapshot.
 */
export class EventHub {
  private readonly streams = new Set<NoticeStream>();
  private client: Client | null = null;
  private connecting = false;
  private started = false;
  private stopped = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;
  private connected = false;
  /** The snapshot of the last poll (null while nobody listens). */
  private last: Snapshot | null = null;
  /** The teams the connection's row-level-security scope holds, as set. */
  private scopedTeams = '';
  /** Streams waiting for their starting snapshot. */
  private starting: { stream: NoticeStream; resolve: () => void; reject: (error: Error) => void }[] = [];

  constructor(
    private readonly connectionString: string,
    private readonly log: Logger,
    private readonly pollIntervalMs = 100,
  ) {}

  /** Subscriptions that are live: they have their starting snapshot. */
  get subscriberCount(): number {
    let count = 0;
    for (const stream of this.streams) if (stream.since) count += 1;
    return count;
  }

  get isListening(): boolean {
    return this.connected;
  }

  /**
   * A stream of the team's events that pass `filter`; end it with `return()`. Await
   * `whenStarted(stream)` before relying on it: from then on, nothing that commits is missed.
   */
  subscribe(teamId: string, filter: NoticeFilter): NoticeStream {
    if (this.stopped) throw new Error('The event hub is stopped');
    if (!UUID.test(teamId)) throw new Error(`Not a team id: ${teamId}`);
    const stream = new NoticeStream(teamId, filter, (closed) => this.closed(closed));
    this.streams.add(stream);
    this.start();
    return stream;
  }

  /** Resolves once the stream has its starting snapshot (so nothing committed after this is missed). */
  whenStarted(stream: NoticeStream, timeoutMs = 10_000): Promise<void> {
    if (stream.since) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.starting = this.starting.filter((entry) => entry.stream !== stream);
        reject(new Error('Live updates are unavailable: the database listener is not connected'));
      }, timeoutMs);
      this.starting.push({
        stream,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.schedulePoll(0);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [this.reconnectTimer, this.pollTimer]) if (timer) clearTimeout(timer);
    this.reconnectTimer = null;
    this.pollTimer = null;
    for (const stream of [...this.streams]) stream.close();
    const client = this.client;
    this.client = null;
    this.connected = false;
    if (client) await client.end().catch(() => undefined);
  }

  private closed(stream: NoticeStream): void {
    this.streams.delete(stream);
    this.starting = this.starting.filter((entry) => entry.stream !== stream);
    // nobody listens: the next subscriber starts from its own snapshot
    if (this.streams.size === 0) this.last = null;
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
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      // as every request: the application role, so row-level security scopes what it reads
      await client.query(`SELECT set_config('role', '${APP_ROLE}', false)`);
      if (this.stopped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.scopedTeams = '';
      this.connected = true;
      if (this.attempt > 0) this.log.warn({ attempts: this.attempt }, 'live event listener reconnected; catching up from its last snapshot');
      this.attempt = 0;
      this.schedulePoll(0);
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
    if (this.stopped || this.reconnectTimer) return;
    const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** this.attempt);
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    this.attempt += 1;
    this.log.warn({ err: error, attempt: this.attempt, delayMs: delay }, 'live event listener is down; reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private schedulePoll(delayMs: number): void {
    if (this.stopped || !this.connected || this.streams.size === 0) return;
    if (this.pollTimer) {
      if (delayMs > 0) return;
      clearTimeout(this.pollTimer);
    }
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      void this.poll();
    }, delayMs);
    this.pollTimer.unref();
  }

  private async poll(): Promise<void> {
    const client = this.client;
    if (this.polling || !client || this.streams.size === 0) return;
    this.polling = true;
    let delivered = 0;
    try {
      const teams = [...new Set([...this.streams].map((stream) => stream.teamId))].sort();
      const scope = `{${teams.join(',')}}`;
      if (scope !== this.scopedTeams) {
        await client.query(`SELECT set_config('claimgraph.team_ids', $1, false)`, [scope]);
        this.scopedTeams = scope;
      }
      const last = this.last;
      const { rows } = await client.query<PollRow>({
        text: POLL_SQL,
        values: [last ? last.xmax.toString() : '0', last ? last.inProgress.map(String) : [], teams],
      });
      const snapshot = Snapshot.parse(rows[0].snapshot);
      if (last) {
        for (const row of rows) if (row.id !== null) delivered += this.dispatch(row);
      }
      // (a first poll only sets the starting point: its streams start from this snapshot)
      this.last = snapshot;
      const starting = this.starting;
      this.starting = [];
      for (const entry of starting) {
        entry.stream.since ??= snapshot;
        entry.resolve();
      }
    } catch (error) {
      if (client === this.client) this.log.warn({ err: error }, 'live event poll failed');
    } finally {
      this.polling = false;
      // more may be coming (a busy moment): look again at once, else at the interval
      this.schedulePoll(delivered > 0 || this.starting.length > 0 ? 0 : this.pollIntervalMs);
    }
  }

  private dispatch(row: PollRow): number {
    const txid = BigInt(row.txid!);
    const notice: LiveNotice = {
      id: row.id!,
      teamId: row.team_id,
      entityType: row.entity_type,
      entityId: row.entity_id,
      action: row.action,
      claimId: row.claim_id,
      articleId: row.article_id,
    };
    let count = 0;
    for (const stream of this.streams) {
      if (!stream.since || stream.since.sees(txid) || stream.teamId !== notice.teamId) continue;
      let wanted = false;
      try {
        wanted = stream.filter(notice);
      } catch (error) {
        this.log.error({ err: error }, 'live event filter failed');
      }
      if (!wanted) continue;
      count += 1;
      if (!stream.push(notice)) this.log.warn('closed a live subscription that fell too far behind');
    }
    return count;
  }
}
