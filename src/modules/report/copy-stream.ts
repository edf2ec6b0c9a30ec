import { Readable } from 'node:stream';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { RequestDb } from '../../db/request-db';

/** What a backslash followed by each byte stands for in COPY's text format. */
const UNESCAPED = Uint8Array.from({ length: 256 }, (_, byte) => byte);
for (const [letter, byte] of [
  ['b', 0x08],
  ['f', 0x0c],
  ['n', 0x0a],
  ['r', 0x0d],
  ['t', 0x09],
  ['v', 0x0b],
] as const) {
  UNESCAPED[letter.charCodeAt(0)] = byte;
}
const BACKSLASH = 0x5c;
const LINE_FEED = 0x0a;

/**
 * COPY's text format of a one-column result back to the column's bytes, chunk by chunk (an escape
 * may be cut between two chunks); each row still ends in a line feed, which COPY never escapes.
 */
export class CopyTextDecoder {
  /** Rows seen so far (line feeds). */
  rows = 0;
  private escaped = false;

  decode(chunk: Buffer): Buffer {
    const out = Buffer.allocUnsafe(chunk.length);
    let length = 0;
    let start = 0;
    if (this.escaped && chunk.length > 0) {
      out[length++] = UNESCAPED[chunk[0]];
      start = 1;
      this.escaped = false;
    }
    for (let index = chunk.indexOf(BACKSLASH, start); index !== -1; index = chunk.indexOf(BACKSLASH, start)) {
      length += chunk.copy(out, length, start, index);
      if (index + 1 === chunk.length) {
        this.escaped = true;
        start = chunk.length;
        break;
      }
      out[length++] = UNESCAPED[chunk[index + 1]];
      start = index + 2;
    }
    if (start < chunk.length) length += chunk.copy(out, length, start);
    for (let index = chunk.indexOf(LINE_FEED); index !== -1; index = chunk.indexOf(LINE_FEED, index + 1)) this.rows++;
    return out.subarray(0, length);
  }
}

/** How long a cancelled COPY may take to stop before its connection is closed instead. */
const CANCEL_GRACE_MS = 5_000;

interface BackendClient extends pg.PoolClient {
  processID: number;
  secretKey: number;
  connectionParameters: { host: string; port: number };
}

/**
 * The bytes of a query's one text column, row after row, each followed by a line feed, as Postgres
 * writes them: `COPY (query) TO STDOUT` (pg-copy-streams) on the request's own transaction and
 * connection, so it sees the same snapshot and row-level security scope as every other query of the
 * request. COPY's text format escapes backslashes and control characters; this stream undoes that,
 * so the column can hold any text (a whole CSV record, line breaks and all). Postgres produces rows
 * only as fast as the consumer takes them (the socket's backpressure), so memory holds a few chunks
 * however large the result.
 *
 * Destroying the stream (the consumer failed, or an HTTP client went away) cancels the COPY (a
 * protocol CancelRequest, as psql's Ctrl-C) and reads what is left of it, so the connection is free
 * for the transaction to end; a COPY that does not stop in time has its connection closed. The
 * `whenClosed` promise settles once that is done.
 */
export class CopyReadable extends Readable {
  readonly whenClosed: Promise<void>;
  private readonly decoder = new CopyTextDecoder();
  private finished = false;
  private waiting = false;
  private failure: Error | null = null;

  private constructor(
    private readonly client: BackendClient,
    private readonly copy: Readable,
  ) {
    super();
    this.whenClosed = new Promise((resolve) => this.once('close', resolve));
  }

  /**
   * Starts the COPY and waits for its first bytes (or its end), so a failing query fails here,
   * before a caller has promised anyone a file. `preamble` comes first (a file's header).
   */
  static async open(db: RequestDb, sql: string, preamble?: Buffer): Promise<CopyReadable> {
    const manager = await db.manager();
    // TypeORM's PostgresQueryRunner.connect() hands back the pg client it already holds.
    const client = (await manager.queryRunner!.connect()) as BackendClient;
    // statement_timeout would cover the whole COPY, however slowly the client reads: downloads are
    // bounded instead by the HTTP layer's stall timeout and its cap on concurrent downloads.
    await client.query('SET LOCAL statement_timeout = 0');
    const copy = client.query(copyTo(`COPY (${sql}) TO STDOUT`));
    const stream = new CopyReadable(client, copy);
    if (preamble) stream.push(preamble);
    copy.on('end', () => {
      stream.finished = true;
      stream.pump();
    });
    copy.on('readable', () => stream.pump());
    const started = new Promise<void>((resolve, reject) => {
      copy.once('readable', resolve);
      copy.once('error', reject);
    });
    copy.on('error', (error: Error) => {
      stream.finished = true;
      // Handed to the consumer when it next asks for data: one that has not started yet (the
      // response's headers are being set) has no error listener, and an error event would throw.
      stream.failure = error;
      stream.pump();
    });
    try {
      await started;
    } catch (error) {
      stream.destroy();
      await stream.whenClosed;
      throw error;
    }
    return stream;
  }

  /** Rows handed to the consumer so far. */
  get rowsRead(): number {
    return this.decoder.rows;
  }

  override _read(): void {
    this.waiting = true;
    this.pump();
  }

  /** Moves what the COPY has delivered to the consumer, as long as the consumer wants more. */
  private pump(): void {
    if (!this.waiting || this.destroyed) return;
    if (this.failure) {
      this.destroy(this.failure);
      return;
    }
    let chunk: Buffer | null;
    while ((chunk = this.copy.read() as Buffer | null) !== null) {
      if (!this.push(this.decoder.decode(chunk))) {
        this.waiting = false;
        return;
      }
    }
    if (this.finished && this.copy.readableEnded) this.push(null);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.finished) {
      callback(error);
      return;
    }
    const stopped = new Promise<void>((resolve) => {
      this.copy.once('end', resolve);
      this.copy.once('error', () => resolve());
    });
    // the rest of the COPY, read and dropped, until Postgres answers the cancel
    this.copy.removeAllListeners('readable');
    this.copy.on('data', () => undefined);
    this.copy.resume();
    cancelBackend(this.client);
    let timer: NodeJS.Timeout | undefined;
    const given = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        // a connection that does not stop is closed, so the pool drops it (pg-pool removes ended clients)
        this.client.end().then(resolve, () => resolve());
      }, CANCEL_GRACE_MS);
    });
    void Promise.race([stopped, given]).then(() => {
      clearTimeout(timer);
      this.finished = true;
      callback(error);
    });
  }
}

/**
 * Asks Postgres to cancel what the client's backend is running: the protocol's CancelRequest, on a
 * connection of its own that is not counted against the pool or max_connections.
 */
function cancelBackend(client: BackendClient): void {
  // pg's Connection does this for Client#cancel; its type declarations leave these methods out
  const connection = new pg.Connection() as unknown as CancelConnection;
  connection.on('error', () => undefined);
  connection.once('connect', () => connection.cancel(client.processID, client.secretKey));
  const { host, port } = client.connectionParameters;
  if (host?.startsWith('/')) connection.connect(`${host}/.s.PGSQL.${port}`);
  else connection.connect(port, host);
}

interface CancelConnection {
  on(event: 'error', listener: () => void): void;
  once(event: 'connect', listener: () => void): void;
  connect(port: number | string, host?: string): void;
  cancel(processID: number, secretKey: number): void;
}
