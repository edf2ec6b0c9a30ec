import type { DeepPartial, EntityManager, ObjectLiteral } from 'typeorm';
import type { EntityType } from './history-event.entity';
import { preparedQuery } from '../../db/request-db';
import { hydrate } from '../../shared/nested-connection';

export interface HistoryRecord {
  teamId: string | null;
  actorId: string | null;
  entityType: EntityType;
  entityId: string;
  action: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  reason?: string | null;
  claimId?: string | null;
  articleId?: string | null;
}

/** JSON-safe copy of a value for a history payload (Dates become ISO strings). */
function toJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toJson(inner)]));
  }
  return value === undefined ? null : value;
}

export function snapshot<T extends object>(entity: T, fields: readonly (keyof T & string)[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field, toJson(entity[field])]));
}

/** The fields whose values differ, as a before/after pair; empty objects when nothing changed. */
export function diff<T extends object>(
  before: T,
  after: T,
  fields: readonly (keyof T & string)[],
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const changedBefore: Record<string, unknown> = {};
  const changedAfter: Record<string, unknown> = {};
  for (const field of fields) {
    const old = toJson(before[field]);
    const next = toJson(after[field]);
    if (JSON.stringify(old) !== JSON.stringify(next)) {
      changedBefore[field] = old;
      changedAfter[field] = next;
    }
  }
  return { before: changedBefore, after: changedAfter };
}

/**
 * Appends one event. Callers pass the manager of the transaction that makes the change, so the
 * change and its record commit or vanish together.
 */
export async function recordHistory(manager: EntityManager, record: HistoryRecord): Promise<void> {
  // every write records history: one prepared statement, planned once per connection
  await preparedQuery(manager, INSERT_HISTORY, [
    record.teamId,
    record.actorId,
    record.entityType,
    record.entityId,
    record.action,
    record.before ? JSON.stringify(toJson(record.before)) : null,
    record.after ? JSON.stringify(toJson(record.after)) : null,
    record.reason ?? null,
    record.claimId ?? null,
    record.articleId ?? null,
  ]);
}

const INSERT_HISTORY = `INSERT INTO history_events (team_id, actor_id, entity_type, entity_id, action, before, after, reason, claim_id, article_id)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10)`;

/**
 * Creates a row and its creation event in the caller's transaction: one INSERT … RETURNING gives
 * the row as stored (database defaults and generated ids included), and `event` describes its
 * history record from that row.
 */
export async function insertWithHistory<T extends ObjectLiteral & { id: string }>(
  manager: EntityManager,
  entity: new () => T,
  values: DeepPartial<NoInfer<T>>,
  event: (created: T) => HistoryRecord,
): Promise<T> {
  const result = await manager
    .createQueryBuilder()
    .insert()
    .into(entity)
    .values(manager.create(entity, values) as never)
    .returning('*')
    .execute();
  const created = hydrate(manager, entity, (result.raw as Record<string, unknown>[])[0]);
  await recordHistory(manager, event(created));
  return created;
}

/**
 * The many-row form of `insertWithHistory`, for imports: rows go in chunks of one INSERT … RETURNING
 * each, and their events in one INSERT per chunk, so a long article costs a few round trips per
 * few hundred claims instead of two per claim. Rows come back in the order given.
 */
export async function insertManyWithHistory<T extends ObjectLiteral & { id: string }>(
  manager: EntityManager,
  entity: new () => T,
  rows: DeepPartial<NoInfer<T>>[],
  event: (created: T) => HistoryRecord,
  chunkSize = 500,
): Promise<T[]> {
  const created: T[] = [];
  const metadata = manager.connection.getMetadata(entity);
  const driver = manager.connection.driver;
  const table = [metadata.schema, metadata.tableName]
    .filter(Boolean)
    .map((name) => driver.escape(name!))
    .join('.');
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize) as Record<string, unknown>[];
    // The statement written here, not by TypeORM's insert builder, whose building took about a
    // second of the server's CPU for a 1 MB import's 7,000 claims (bench/README.md, scenario (f)).
    // The same statement all the same: the columns any row gives a value, each value prepared as
    // TypeORM prepares it, DEFAULT where a row gives none; Postgres types each parameter from its column.
    const columns = metadata.columns.filter((column) => chunk.some((row) => row[column.propertyName] !== undefined));
    const parameters: unknown[] = [];
    const tuples = chunk.map((row) => {
      const values = columns.map((column) => {
        const value = row[column.propertyName];
        if (value === undefined) return 'DEFAULT';
        parameters.push(driver.preparePersistentValue(value, column));
        return `$${parameters.length}`;
      });
      return `(${values.join(', ')})`;
    });
    const raw = (await manager.query(
      `INSERT INTO ${table} (${columns.map((column) => driver.escape(column.databaseName)).join(', ')}) VALUES ${tuples.join(', ')} RETURNING *`,
      parameters,
    )) as Record<string, unknown>[];
    const inserted = raw.map((row) => hydrate(manager, entity, row));
    await recordHistories(manager, inserted.map(event));
    created.push(...inserted);
  }
  return created;
}

/** Appends many events with one statement (arrays unnested side by side). */
export async function recordHistories(manager: EntityManager, records: HistoryRecord[]): Promise<void> {
  if (records.length === 0) return;
  const column = <K extends keyof HistoryRecord>(key: K) => records.map((record) => record[key] ?? null);
  await manager.query(
    `INSERT INTO history_events (team_id, actor_id, entity_type, entity_id, action, before, after, reason, claim_id, article_id)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[], $8::text[], $9::uuid[], $10::uuid[])`,
    [
      column('teamId'),
      column('actorId'),
      column('entityType'),
      column('entityId'),
      column('action'),
      records.map((record) => (record.before ? JSON.stringify(toJson(record.before)) : null)),
      records.map((record) => (record.after ? JSON.stringify(toJson(record.after)) : null)),
      column('reason'),
      column('claimId'),
      column('articleId'),
    ],
  );
}
