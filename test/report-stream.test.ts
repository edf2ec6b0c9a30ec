import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool } from 'pg';
import { createTestApp, type TestApp } from './support/app';
import { RequestDb } from '../src/db/request-db';
import { CursorReadable } from '../src/modules/report/row-stream';

const sink = (seen: number[], delayMs = 0) =>
  new Writable({
    objectMode: true,
    highWaterMark: 1,
    write(row: number, _encoding, callback) {
      seen.push(row);
      if (delayMs) setTimeout(callback, delayMs);
      else callback();
    },
  });

describe(CursorReadable.name, () => {
  let app: TestApp;
  let pool: Pool;

  beforeAll(async () => {
    app = await createTestApp();
    pool = (app.dataSource.driver as unknown as { master: Pool }).master;
  });
  afterAll(() => app?.close());

  /** Every idle pooled connection answers a query, outside any transaction, with no portal open. */
  async function poolIsClean(): Promise<void> {
    expect(pool.totalCount - pool.idleCount).toBe(0);
    const clients = await Promise.all(Array.from({ length: pool.idleCount }, () => pool.connect()));
    try {
      for (const client of clients) {
        const { rows } = await client.query(`SELECT (SELECT count(*) FROM pg_cursors)::int AS cursors, now() = statement_timestamp() AS outside_transaction`);
        expect(rows[0]).toEqual({ cursors: 0, outside_transaction: true });
      }
    } finally {
      for (const client of clients) client.release();
    }
  }

  it('reads in batches only as fast as the consumer takes rows', async () => {
    const db = new RequestDb(app.dataSource, { userId: null, teamIds: [] }, 'read');
    const rows = await CursorReadable.open<{ g: number }, number>(db, 'SELECT g FROM generate_series(1, 2000) g', [], 100, (raw) => raw.g);
    const seen: number[] = [];
    const done = pipeline(rows, sink(seen, 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // a slow consumer: the stream has read ahead by about one batch, not the whole result
    expect(rows.rowsRead - seen.length).toBeLessThanOrEqual(2 * 100 + 1);
    await done;
    expect(seen).toEqual(Array.from({ length: 2000 }, (_, index) => index + 1));
    await db.finish('rollback');
    await poolIsClean();
  });

  it('fails the pipeline when the query fails mid-stream, and gives the connection back clean', async () => {
    const db = new RequestDb(app.dataSource, { userId: null, teamIds: [] }, 'read');
    const rows = await CursorReadable.open<{ x: number }, number>(
      db,
      'SELECT CASE WHEN g = 600 THEN 1 / (g - 600) ELSE g END AS x FROM generate_series(1, 1000) g',
      [],
      250,
      (raw) => raw.x,
    );
    const seen: number[] = [];
    await expect(pipeline(rows, sink(seen))).rejects.toThrow(/division by zero/);
    await rows.whenClosed;
    expect(seen).toHaveLength(500);
    await db.finish('rollback');
    await poolIsClean();
  });

  it('fails at open when the first batch fails, before anything is promised', async () => {
    const db = new RequestDb(app.dataSource, { userId: null, teamIds: [] }, 'read');
    await expect(CursorReadable.open(db, 'SELECT 1 / 0', [], 250, (raw) => raw)).rejects.toThrow(/division by zero/);
    await db.finish('rollback');
    await poolIsClean();
  });

  it('closes the portal when the consumer stops early', async () => {
    const db = new RequestDb(app.dataSource, { userId: null, teamIds: [] }, 'read');
    const rows = await CursorReadable.open<{ g: number }, number>(db, 'SELECT g FROM generate_series(1, 100000) g', [], 250, (raw) => raw.g);
    const seen: number[] = [];
    const consumer = new Writable({
      objectMode: true,
      write(row: number, _encoding, callback) {
        seen.push(row);
        callback(seen.length === 300 ? new Error('enough') : null);
      },
    });
    await expect(pipeline(rows, consumer)).rejects.toThrow('enough');
    await rows.whenClosed;
    expect(rows.rowsRead).toBeLessThan(1000);
    await db.finish('rollback');
    await poolIsClean();
  });
});
