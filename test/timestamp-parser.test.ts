import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { parseTimestamptz, pgTimestamptzParser } from '../src/db/timestamp-parser';
import { createTestApp, type TestApp } from './support/app';

let app: TestApp;
let client: Client;

beforeAll(async () => {
  app = await createTestApp();
  client = new Client({ connectionString: app.databaseUrl });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await app?.close();
});

/** The text Postgres sends for a spread of timestamps, in the given session time zone. */
async function texts(timeZone: string): Promise<string[]> {
  await client.query(`SELECT set_config('TimeZone', $1, false)`, [timeZone]);
  const { rows } = await client.query<{ text: string }>(`
    SELECT v::text AS text FROM (
      SELECT '2026-11-29 08:38:03.123456+00'::timestamptz UNION ALL
      SELECT '2026-11-29 08:38:03+00'::timestamptz UNION ALL
      SELECT '2026-11-29 08:38:03.1+00'::timestamptz UNION ALL
      SELECT '2026-11-29 08:38:03.999999+00'::timestamptz UNION ALL
      SELECT '2024-02-29 23:59:59.5-12'::timestamptz UNION ALL
      SELECT '1850-06-01 12:00:00+00'::timestamptz UNION ALL
      SELECT '1000-01-01 00:00:00+00'::timestamptz UNION ALL
      SELECT '0099-03-04 05:06:07+00'::timestamptz UNION ALL
      SELECT '0044-03-15 12:00:00+00 BC'::timestamptz UNION ALL
      SELECT '9999-12-31 23:59:59.999999+00'::timestamptz UNION ALL
      SELECT 'infinity'::timestamptz UNION ALL
      SELECT '-infinity'::timestamptz UNION ALL
      SELECT timestamptz '1970-01-01 00:00:00+00' + make_interval(secs => (hashtext(g::text)::bigint & 2147483647) * 1.123457)
        FROM generate_series(1, 300) AS g
    ) t(v)`);
  return rows.map((row) => row.text);
}

describe('timestamptz parsing', () => {
  it.each(['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam', 'Pacific/Kiritimati', 'America/Los_Angeles'])(
    'reads what Postgres sends in %s exactly as pg’s own parser does',
    async (timeZone) => {
      const values = await texts(timeZone);
      // the historical local-mean-time offsets with seconds (Amsterdam, 1850: +00:19:32) are among them
      if (timeZone === 'Europe/Amsterdam') expect(values.some((value) => /[+-]\d\d:\d\d:\d\d$/.test(value))).toBe(true);
      for (const text of values) {
        const fast = parseTimestamptz(text);
        const reference = pgTimestamptzParser(text);
        expect(fast instanceof Date ? fast.getTime() : fast, text).toEqual(reference instanceof Date ? reference.getTime() : reference);
      }
    },
  );

  it('is what the application’s queries get', async () => {
    const [row] = (await app.dataSource.query(`SELECT '2026-11-29 08:38:03.123456+05:30'::timestamptz AS at`)) as { at: Date }[];
    expect(row.at).toBeInstanceOf(Date);
    expect(row.at.toISOString()).toBe('2026-11-29T03:08:03.123Z');
  });
});
