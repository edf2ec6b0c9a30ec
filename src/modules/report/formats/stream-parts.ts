import { Transform, type TransformCallback } from 'node:stream';

export interface DocumentParts<T> {
  /** Written before the first row (also for an empty report). */
  head: () => string;
  row: (row: T, index: number) => string;
  /** Written after the last row, with the number of rows. */
  tail: (rows: number) => string;
}

/** Rows (objects) in, text out: a head, one piece of text per row, a tail. */
export class DocumentWriter<T> extends Transform {
  private started = false;
  private rows = 0;

  constructor(private readonly parts: DocumentParts<T>) {
    super({ writableObjectMode: true, writableHighWaterMark: 256 });
  }

  override _transform(row: T, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      let text = this.start();
      text += this.parts.row(row, this.rows++);
      callback(null, text);
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      callback(null, this.start() + this.parts.tail(this.rows));
    } catch (error) {
      callback(error as Error);
    }
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    return this.parts.head();
  }
}

/**
 * Gathers small pieces (one per row) into chunks of about `size` bytes: one socket write per chunk
 * rather than per row, which is most of the cost of a large export.
 */
export class Coalesce extends Transform {
  private pieces: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly size = 64 * 1024) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pieces.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= this.size) this.drainPieces();
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.drainPieces();
    callback();
  }

  private drainPieces(): void {
    if (this.bytes === 0) return;
    this.push(Buffer.concat(this.pieces, this.bytes));
    this.pieces = [];
    this.bytes = 0;
  }
}

export const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);
