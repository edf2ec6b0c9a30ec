import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { notFound, versionConflict } from './errors';
import { hydrate } from './nested-connection';

type Versioned = ObjectLiteral & { id: string; version: number };

/**
 * Optimistic-concurrency write. The version check is in the UPDATE itself — TypeORM's
 * @VersionColumn only increments and never checks (typeorm#2848) — so of two writers holding the
 * same version exactly one matches a row; the other gets VERSION_CONFLICT (with the current
 * version) and writes nothing. `extraCondition` narrows what may be updated (e.g. not deleted).
 */
export async function versionedUpdate<T extends Versioned>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  typeName: string,
  id: string,
  expectedVersion: number,
  changes: Partial<T>,
  extraCondition?: string,
): Promise<{ before: T; after: T }> {
  const condition = extraCondition ? ` AND ${extraCondition}` : '';
  const before = await manager.createQueryBuilder(entity, 'row').where(`row.id = :id${condition}`, { id }).getOne();
  if (!before) throw notFound(typeName);
  if (before.version !== expectedVersion) throw versionConflict(typeName, before.version);
  const result = await manager
    .createQueryBuilder()
    .update(entity)
    .set({ ...changes, version: () => 'version + 1' } as never)
    .where(`id = :id AND version = :expectedVersion${condition}`, { id, expectedVersion })
    .returning('*')
    .execute();
  if (result.affected !== 1) {
    const latest = await manager.createQueryBuilder(entity, 'row').where(`row.id = :id${condition}`, { id }).getOne();
    if (!latest) throw notFound(typeName);
    throw versionConflict(typeName, latest.version);
  }
  return { before, after: hydrate(manager, entity, (result.raw as Record<string, unknown>[])[0]) };
}
