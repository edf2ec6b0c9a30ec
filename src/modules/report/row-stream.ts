import { Readable } from 'node:stream';
import Cursor from 'pg-cursor';
import type { PoolClient } from 'pg';
import type { RequestDb } from '../../db/request-db';

/**
 * Rows of a query, read from a server-side cursor (pg-cursor: a portal on the request's own
 * transaction and connection, so it sees the same snapshot and row-level security scope as every
 * other query of the request) `batchSize` rows at a time, and only when the consumer wants more:
 * memory holds about one batch however large the result.
 *
 * Destroying the stream (the consumer failed, or an HTTP client went away) waits for a read in
 * flight and then closes the portal, so the connection is free for the transaction to end. The
 * `whenClosed` promise settles once that is done.
 */
export class CursorReadable<Raw, Row> extends Readable {
  /** Rows handed to the consumer so far. */
  rowsRead = 0;
  readonly whenClosed: Promise<void>;
  private pending: Promise<void> | null = null;
  private primed: Raw[] | null = null;
  private exhausted = false;

  private constructor(
    private readonly cursor: Cursor<Raw>,
    private readonly batchSize: number,
    private readonly toRow: (raw: Raw) => Row,
  ) {
    super({ objectMode: true, highWaterMark: batchSize });
    this.whenClosed = new Promise((resolve) => this.once('close', resolve));
  }

  /**
   * Opens the cursor and reads the first batch, so a bad query fails here, before a caller has
   * promised anyone a file.
   */
  static async open<Raw, Row>(db: RequestDb, sql: string, params: unknown[], batchSize: number, map: (raw: Raw) => Row): Promise<CursorReadable<Raw, Row>> {
    const manager = await db.manager();
    // TypeORM's PostgresQueryRunner.connect() hands back the pg client it already holds.
    const client = (await manager.queryRunner!.connect()) as PoolClient;
    // statement_timeout would cover the portal's whole life, not one batch: the timer runs from
    // Bind until the portal completes, and a suspended portal has not (measured: a 1M-row export
    // was cancelled at the timeout). Downloads are bounded instead by the HTTP layer's stall
    // timeout and its cap on concurrent downloads.
    await client.query('SET LOCAL statement_timeout = 0');
    const cursor = client.query(new Cursor<Raw>(sql, params));
    const stream = new CursorReadable(cursor, batchSize, map);
    try {
      stream.primed = await cursor.read(batchSize);
    } catch (error) {
      stream.destroy();
      await stream.whenClosed;
      throw error;
    }
    return stream;
  }

  override _read(): void {
    if (this.pending) return;
    if (this.primed) {
      const rows = this.primed;
      this.primed = null;
      this.deliver(rows);
      return;
    }
    if (this.exhausted) {
      this.push(null);
      return;
    }
    this.pending = this.cursor.read(this.batchSize).then(
      (rows) => {
        this.pending = null;
        if (!this.destroyed) this.deliver(rows);
      },
      (error: Error) => {
        this.pending = null;
        this.destroy(error);
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const inFlight = this.pending ?? Promise.resolve();
    this.primed = null;
    inFlight
      .catch(() => undefined)
      .then(() => this.cursor.close())
      .then(
        () => callback(error),
        (closeError: Error) => callback(error ?? closeError),
      );
  }

  private deliver(rows: Raw[]): void {
    // A short batch is the last one: no round trip to learn that the next is empty.
    if (rows.length < this.batchSize) this.exhausted = true;
    try {
      for (const raw of rows) {
        this.rowsRead++;
        this.push(this.toRow(raw));
      }
    } catch (error) {
      this.destroy(error as Error);
      return;
    }
    if (this.exhausted) this.push(null);
  }
}
