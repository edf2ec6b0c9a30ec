import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app';
import { TEXT_LIMITS, textLimitTable, type TextLimit } from '../src/shared/text-limits';

describe('TEXT_LIMITS', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app?.close());

  it("is README's table of text limits", () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');
    const section = readme.split('<!-- text-limits:start -->')[1]?.split('<!-- text-limits:end -->')[0]?.trim();
    expect(section).toBe(textLimitTable());
  });

  it("is the limit of each column's CHECK in the migrated database", async () => {
    const checks = await app.sql<{ table_name: string; definition: string }>(
      `SELECT c.conrelid::regclass::text AS table_name, pg_get_constraintdef(c.oid) AS definition
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' AND c.contype = 'c'`,
    );
    for (const limit of Object.values(TEXT_LIMITS) as TextLimit[]) {
      for (const qualified of limit.columns) {
        const [table, column] = qualified.split('.');
        const held = checks
          .filter((check) => check.table_name === table)
          .flatMap((check) => [...check.definition.matchAll(new RegExp(`length\\((?:btrim\\()?${column}\\)?\\) (?:<= |BETWEEN 1 AND )(\\d+)`, 'g'))])
          .map((match) => Number(match[1]));
        expect(held, `${qualified}'s CHECK`).toEqual([limit.max]);
      }
    }
  });
});
