import DataLoader from 'dataloader';
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { RequestDb } from '../db/request-db';

type Keyed = ObjectLiteral & { id: string };

/**
 * Per-request DataLoaders: every nested field that needs rows by id or by parent goes through
 * here, so a page of 40 claims costs one query per relation, not one per claim.
 * Tenant rows are filtered to the caller's teams here as well as by the services.
 */
export class Loaders {
  private readonly byId = new Map<unknown, DataLoader<string, unknown>>();
  private readonly custom = new Map<string, DataLoader<unknown, unknown>>();

  constructor(private readonly db: RequestDb) {}

  /** Rows of `entity` by primary key; `teamScoped` adds `team_id = ANY(caller's teams)`. */
  entity<T extends Keyed>(entity: EntityTarget<T>, teamScoped = true): DataLoader<string, T | null> {
    let loader = this.byId.get(entity) as DataLoader<string, T | null> | undefined;
    if (!loader) {
      loader = new DataLoader<string, T | null>(async (ids) => {
        const manager = await this.db.manager();
        const query = manager.createQueryBuilder(entity, 'row').where('row.id = ANY(:ids)', { ids: [...ids] });
        if (teamScoped) query.andWhere('row.team_id = ANY(:teamIds)', { teamIds: [...this.db.teamIds] });
        const rows = await query.getMany();
        const found = new Map(rows.map((row) => [row.id, row]));
        return ids.map((id) => found.get(id) ?? null);
      }, { maxBatchSize: 1000 });
      this.byId.set(entity, loader as DataLoader<string, unknown>);
    }
    return loader;
  }

  /** A named loader built on first use (for relations by parent id and per-argument connections). */
  keyed<K, V>(name: string, batch: (keys: readonly K[]) => Promise<V[]>, cacheKey?: (key: K) => K): DataLoader<K, V> {
    let loader = this.custom.get(name) as DataLoader<K, V> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V>(batch, { maxBatchSize: 1000, cacheKeyFn: cacheKey });
      this.custom.set(name, loader as DataLoader<unknown, unknown>);
    }
    return loader;
  }

  /** Forget cached rows after a write, so the payload of a mutation shows the new state. */
  clear(): void {
    for (const loader of this.byId.values()) loader.clearAll();
    for (const loader of this.custom.values()) loader.clearAll();
  }
}
