import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Business rules that live in the database (plpgsql functions, triggers) are kept as `.sql` files
 * beside the module that owns them, not copied into a new `CREATE OR REPLACE` migration at every
 * change. The migration runner applies a file whenever its content differs from the version last
 * applied (by SHA-256), in one transaction: every function the previous and the new version define
 * is dropped first (CASCADE, so a file that defines a trigger creates it again), then the file
 * runs. `schema_routines` keeps each applied version's text, so the previous one can be put back
 * (`npm run migrate -- --revert-routine NAME`). A file holds definitions only, never data changes:
 * it may run any number of times.
 */
export interface SqlRoutine {
  /** Stable name, the key in `schema_routines`. */
  name: string;
  file: string;
}

/** The report's figures, kept by triggers on claims, verdicts and articles (its migration applies it once too). */
export const REPORT_FIGURES_ROUTINE: SqlRoutine = { name: 'report-figures', file: resolve(__dirname, '../modules/report/report-figures.sql') };

/** In the order they are applied (a later file may call an earlier file's functions). */
export const SQL_ROUTINES: readonly SqlRoutine[] = [
  { name: 'history-stamp', file: resolve(__dirname, '../modules/history/history-stamp.sql') },
  { name: 'verdict-lifecycle', file: resolve(__dirname, '../modules/verdict/verdict-lifecycle.sql') },
  REPORT_FIGURES_ROUTINE,
];

export function routineText(routine: SqlRoutine): { body: string; checksum: string } {
  const body = readFileSync(routine.file, 'utf8');
  return { body, checksum: createHash('sha256').update(body).digest('hex') };
}

const FUNCTION_NAME = /\bCREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:public\.)?([a-z_][a-z0-9_]*)\s*\(/gi;

/** The names of the functions a routine file defines. */
export function definedFunctions(body: string): string[] {
  return [...new Set([...body.matchAll(FUNCTION_NAME)].map((match) => match[1].toLowerCase()))];
}

async function dropFunctions(runner: QueryRunner, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const rows = (await runner.query(
    `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
      WHERE p.proname = ANY ($1) AND p.pronamespace = 'public'::regnamespace`,
    [names],
  )) as { signature: string }[];
  for (const { signature } of rows) await runner.query(`DROP FUNCTION ${signature} CASCADE`);
}

async function routinesTableExists(runner: QueryRunner): Promise<boolean> {
  const [row] = (await runner.query(`SELECT to_regclass('public.schema_routines') IS NOT NULL AS present`)) as { present: boolean }[];
  return row.present;
}

async function inTransaction<T>(dataSource: DataSource, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    try {
      const result = await work(runner);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    }
  } finally {
    await runner.release();
  }
}

interface AppliedRow {
  id: number;
  checksum: string;
  body: string;
}

function latestVersions(runner: QueryRunner, name: string, count: number): Promise<AppliedRow[]> {
  return runner.query('SELECT id, checksum, body FROM schema_routines WHERE name = $1 ORDER BY id DESC LIMIT $2', [name, count]) as Promise<AppliedRow[]>;
}

/** Applies every routine file whose content changed; returns the names applied. Call under the migration lock. */
export async function applyRoutines(dataSource: DataSource, routines: readonly SqlRoutine[] = SQL_ROUTINES): Promise<string[]> {
  const applied: string[] = [];
  for (const routine of routines) {
    const { body, checksum } = routineText(routine);
    const changed = await inTransaction(dataSource, async (runner) => {
      // migrations reverted below the one that keeps the versions: nothing to apply against
      if (!(await routinesTableExists(runner))) return false;
      const [latest] = await latestVersions(runner, routine.name, 1);
      if (latest?.checksum === checksum) return false;
      await dropFunctions(runner, definedFunctions(`${latest?.body ?? ''}\n${body}`));
      await runner.query(body);
      await runner.query('INSERT INTO schema_routines (name, checksum, body) VALUES ($1, $2, $3)', [routine.name, checksum, body]);
      return true;
    });
    if (changed) applied.push(routine.name);
  }
  return applied;
}

/**
 * The down of a routine: puts back the version applied before the latest one. The first version
 * has none here (what came before it is the migration that introduced routines: revert that).
 */
export async function revertRoutine(dataSource: DataSource, name: string): Promise<void> {
  await inTransaction(dataSource, async (runner) => {
    const [latest, previous] = await latestVersions(runner, name, 2);
    if (!latest) throw new Error(`No version of routine ${name} has been applied`);
    if (!previous) throw new Error(`Routine ${name} has no previous version to restore; revert the migration that introduced it instead`);
    await dropFunctions(runner, definedFunctions(`${latest.body}\n${previous.body}`));
    await runner.query(previous.body);
    await runner.query('DELETE FROM schema_routines WHERE id = $1', [latest.id]);
  });
}

/** Drops every function the applied routines define and forgets them (the down of the migration that introduced them). */
export async function dropAllRoutines(runner: QueryRunner): Promise<void> {
  const rows = (await runner.query('SELECT body FROM schema_routines')) as { body: string }[];
  await dropFunctions(runner, definedFunctions(rows.map((row) => row.body).join('\n')));
}
