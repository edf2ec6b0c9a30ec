import type pg from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import type { Logger } from 'pino';
import { createDataSource } from './data-source';

/**
 * A WAL position as clients carry it: 16 upper-case hex digits (the two halves of Postgres's
 * `pg_lsn`, zero-padded), so that of two tokens the later position is simply the greater string.
 */
export type LsnToken = string;

const TOKEN = /^[0-9A-F]{16}$/;
const PG_LSN = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/;

/** `pg_lsn` text (`16/B374D848`) as a token; null for anything else. */
export function lsnToken(pgLsn: string): LsnToken | null {
  const match = PG_LSN.exec(pgLsn.trim().toUpperCase());
  return match ? match[1].padStart(8, '0') + match[2].padStart(8, '0') : null;
}

/** A token a client sent back (or Postgres's own `X/Y` form), checked; null when it is not one. */
export function parseLsnToken(value: string): LsnToken | null {
  const text = value.trim().toUpperCase();
  if (TOKEN.test(text)) return text;
  return lsnToken(text);
}

function tokenAsPgLsn(token: LsnToken): string {
  return `${token.slice(0, 8)}/${token.slice(8)}`;
}

/** The later of two positions (tokens compare as strings). */
export function laterLsn(a: LsnToken | null, b: LsnToken | null): LsnToken | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/**
 * Appended to a transaction's COMMIT (same round trip) where a replica is configured: the WAL
 * insert position once the commit record is in, so at or past the commit's end. A replica that
 * has replayed up to it shows the transaction's writes to any snapshot taken after.
 */
export const COMMIT_LSN_QUERY = 'SELECT pg_current_wal_insert_lsn()::text AS lsn';

/**
 * How far the server behind the connection has replayed; a server that is not a standby (a
 * replica URL pointing at a primary, e.g. in development) has everything it wrote.
 */
const REPLAYED =
  'SELECT coalesce(pg_last_wal_replay_lsn(), CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_insert_lsn() END) >= $1::pg_lsn AS caught_up';

/** A dead replica host that drops packets must not hold a read for the primary's 10 s connect timeout. */
const CONNECT_TIMEOUT_MS = 2000;

export interface ReadReplicaOptions {
  url: string;
  poolSize: number;
  /** How long a read that names a WAL position waits for the replica to replay it before it goes to the primary. */
  maxWaitMs: number;
  /** After the replica failed, reads go to the primary for this long before it is tried again. */
  retryMs: number;
  log: Logger;
}

export type ReplicaMiss = 'unavailable' | 'behind';

/**
 * The streaming replica heavy reads may use (DATABASE_READ_URL): a pool of its own, opened on first
 * use, never at start, so a replica that is down when the server starts costs nothing but the
 * fallback. Any failure to connect or to answer marks it down for `retryMs`; meanwhile reads go to
 * the primary without trying it.
 */
export class ReadReplica {
  private source: DataSource | null = null;
  private opening: Promise<DataSource> | null = null;
  private downUntil = 0;
  private closed = false;
  /** Reads served here, and sent to the primary instead, by reason (for logs and tests). */
  readonly counts = { replica: 0, unavailable: 0, behind: 0 };

  constructor(private readonly options: ReadReplicaOptions) {}

  get maxWaitMs(): number {
    return this.options.maxWaitMs;
  }

  /**
   * A query runner connected to the replica once it has replayed `minLsn` (when given), or the
   * reason the read must go to the primary. The runner has no transaction yet: a snapshot taken
   * before the wait would not show what the wait was for.
   */
  async acquire(minLsn: LsnToken | null): Promise<{ runner: QueryRunner } | { miss: ReplicaMiss }> {
    if (this.closed || Date.now() < this.downUntil) return this.missed('unavailable');
    let runner: QueryRunner | null = null;
    try {
      const source = await this.dataSource();
      runner = source.createQueryRunner();
      const client = (await runner.connect()) as pg.PoolClient;
      if (minLsn && !(await this.waitFor(client, minLsn))) {
        await runner.release();
        return this.missed('behind');
      }
      this.counts.replica++;
      return { runner };
    } catch (error) {
      if (runner) await this.discard(runner, error);
      else this.markDown(error);
      return this.missed('unavailable');
    }
  }

  /**
   * The replica failed a transaction it had been given (its BEGIN, before any read): its connection
   * goes, and the replica rests for `retryMs`.
   */
  async discard(runner: QueryRunner, error: unknown): Promise<void> {
    this.markDown(error);
    // released with the error, so pg's pool closes the connection instead of reusing it
    const client = (runner as unknown as { databaseConnection?: pg.PoolClient }).databaseConnection;
    await client?.end().catch(() => undefined);
    await runner.release().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    const source = this.source ?? (await this.opening?.catch(() => null)) ?? null;
    this.source = null;
    if (source?.isInitialized) await source.destroy().catch(() => undefined);
  }

  private missed(reason: ReplicaMiss): { miss: ReplicaMiss } {
    this.counts[reason]++;
    return { miss: reason };
  }

  private markDown(error: unknown): void {
    if (Date.now() >= this.downUntil) {
      this.options.log.warn({ err: error, retryMs: this.options.retryMs }, 'read replica unavailable: reads go to the primary');
    }
    this.downUntil = Date.now() + this.options.retryMs;
  }

  /** Polls the replay position, at growing intervals, until it reaches `minLsn` or the bound passes. */
  private async waitFor(client: pg.PoolClient, minLsn: LsnToken): Promise<boolean> {
    const deadline = Date.now() + this.options.maxWaitMs;
    const target = tokenAsPgLsn(minLsn);
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      const { rows } = await client.query<{ caught_up: boolean | null }>(REPLAYED, [target]);
      if (rows[0]?.caught_up) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    }
  }

  private async dataSource(): Promise<DataSource> {
    if (this.source) return this.source;
    this.opening ??= (async () => {
      const source = createDataSource({
        url: this.options.url,
        poolSize: this.options.poolSize,
        applicationName: 'claimgraph-replica',
        readOnly: true,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
      });
      try {
        await source.initialize();
      } catch (error) {
        if (source.isInitialized) await source.destroy().catch(() => undefined);
        throw error;
      }
      if (this.closed) {
        await source.destroy();
        throw new Error('the read replica was closed');
      }
      this.source = source;
      return source;
    })();
    try {
      return await this.opening;
    } finally {
      this.opening = null;
    }
  }
}
