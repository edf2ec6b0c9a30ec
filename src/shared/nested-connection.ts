import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { RequestDb } from '../db/request-db';
import type { Loaders } from './loaders';
import { ConnectionResult, LazyEdge, lazyPageInfo, pageRequest, type ConnectionArgs, type SortKey } from './pagination';

export interface NestedConnectionSpec<T extends ObjectLiteral> {
  /** Unique name of this relation, e.g. `Claim.verdicts`. */
  name: string;
  entity: EntityTarget<T>;
  table: string;
  parentColumn: string;
  /** Extra SQL condition over alias `t`, without parameters (e.g. `t.withdrawn_at IS NULL`). */
  filter?: string;
  /** Sort keys over alias `t`; the last must be `t.id`. */
  sort: SortKey[];
  /**
   * Rows the nodes point to (a verdict's reviewer, a claim's speaker), fetched by the same query
   * and put into the request's entity loaders, so resolving them costs no further round trip.
   * `teamScoped` as in `Loaders.entity` (the joined row must belong to one of the caller's teams).
   */
  include?: { column: string; entity: EntityTarget<ObjectLiteral & { id: string }>; table: string; teamScoped: boolean }[];
}

// Column types TypeORM's Postgres driver converts when hydrating; every other value is used as pg parsed it.
const CONVERTED_TYPES = new Set<unknown>([
  Boolean,
  Number,
  Date,
  'datetime',
  'timestamp',
  'timestamp with time zone',
  'timestamp without time zone',
  'date',
  'time',
  'vector',
  'halfvec',
  'hstore',
  'simple-array',
  'simple-json',
  'cube',
  'enum',
  'simple-enum',
]);

type Hydrator = (raw: Record<string, unknown>, prefix: string) => Record<string, unknown>;
const hydrators = new WeakMap<object, Hydrator>();

/**
 * Maps a raw row (database column names) onto an entity instance using TypeORM's metadata, as
 * TypeORM would. The per-entity column plan is worked out once: hydration was the largest item of
 * our own code in the article page's profile (a dozen type comparisons per column per row).
 */
export function hydrate<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, raw: Record<string, unknown>, prefix = ''): T {
  const metadata = manager.connection.getMetadata(entity);
  let hydrator = hydrators.get(metadata);
  if (!hydrator) {
    const driver = manager.connection.driver;
    const plain = metadata.columns.filter((column) => !column.transformer && !CONVERTED_TYPES.has(column.type));
    const converted = metadata.columns.filter((column) => column.transformer || CONVERTED_TYPES.has(column.type));
    // As TypeORM's own loads do (`create({ fromDeserializer: true })`): the prototype without the
    // constructor, whose class fields would first define every column as undefined.
    const prototype = typeof metadata.target === 'function' ? (metadata.target.prototype as object) : Object.prototype;
    hydrator = (row, columnPrefix) => {
      const instance = Object.create(prototype) as Record<string, unknown>;
      for (const column of plain) instance[column.propertyName] = row[columnPrefix + column.databaseName];
      for (const column of converted) instance[column.propertyName] = driver.prepareHydratedValue(row[columnPrefix + column.databaseName], column);
      return instance;
    };
    hydrators.set(metadata, hydrator);
  }
  return hydrator(raw, prefix) as T;
}

const jsonDateColumns = new WeakMap<object, string[]>();

/**
 * An entity from a row Postgres sent as JSON (`to_jsonb(row)`, keys are column names): as
 * `hydrate`, with the timestamps, which JSON carries as strings, turned into Dates first.
 */
export function hydrateJson<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, json: Record<string, unknown>): T {
  const metadata = manager.connection.getMetadata(entity);
  let dates = jsonDateColumns.get(metadata);
  if (!dates) {
    dates = metadata.columns
      .filter((column) => column.type === Date || (typeof column.type === 'string' && /^(timestamp|date)/.test(column.type)))
      .map((column) => column.databaseName);
    jsonDateColumns.set(metadata, dates);
  }
  const row = { ...json };
  for (const name of dates) {
    const value = row[name];
    if (typeof value === 'string') row[name] = new Date(value);
  }
  return hydrate(manager, entity, row);
}

interface Page<T> {
  edges: LazyEdge<T>[];
  hasMore: boolean;
}

/**
 * A connection under each of many parents (a claim's verdicts, an article's claims) in ONE query:
 * a LATERAL subquery per parent walks that parent's index range and stops at the page size, so
 * the cost grows with the rows returned, not with the table. Parents resolved in the same tick
 * with the same arguments share the query through a DataLoader.
 */
export function nestedConnection<T extends ObjectLiteral>(
  db: RequestDb,
  loaders: Loaders,
  spec: NestedConnectionSpec<T>,
  parentId: string,
  args: ConnectionArgs,
): Promise<ConnectionResult<T>> {
  const page = pageRequest(
    args,
    spec.sort.map((key) => key.type),
  );
  const argsKey = JSON.stringify([page.limit, page.backward, page.cursor]);
  const filter = spec.filter ? `AND ${spec.filter}` : '';

  const counts = loaders.keyed<string, number>(`${spec.name}:count`, async (parentIds) => {
    const rows = await db.query<{ parent: string; total: string }>(
      `SELECT t.${spec.parentColumn} AS parent, count(*) AS total FROM ${spec.table} t
        WHERE t.${spec.parentColumn} = ANY($1) AND t.team_id = ANY($2) ${filter}
        GROUP BY 1`,
      [[...parentIds], [...db.teamIds]],
      { prepare: true },
    );
    const byParent = new Map(rows.map((row) => [row.parent, Number(row.total)]));
    return parentIds.map((id) => byParent.get(id) ?? 0);
  });
  const count = () => counts.load(parentId);

  if (page.limit === 0) {
    return Promise.resolve(new ConnectionResult<T>([], { hasNextPage: false, hasPreviousPage: page.hasCursor, startCursor: null, endCursor: null }, count));
  }

  const loader = loaders.keyed<string, Page<T>>(`${spec.name}:${argsKey}`, async (parentIds) => {
    const manager = await db.manager();
    const keys = spec.sort.map((key) => ({
      ...key,
      direction: page.backward ? (key.direction === 'ASC' ? 'DESC' : 'ASC') : key.direction,
    }));
    const params: unknown[] = [[...parentIds], [...db.teamIds], page.limit + 1];
    let cursorSql = '';
    if (page.cursor && keys.every((key) => key.direction === keys[0].direction)) {
      // a row comparison is an index range (see paginate); the OR form below only a filter
      const values = keys.map((key, index) => {
        params.push(page.cursor![index]);
        return `$${params.length}::${key.type}`;
      });
      cursorSql = `AND (${keys.map((key) => key.expression).join(', ')}) ${keys[0].direction === 'ASC' ? '>' : '<'} (${values.join(', ')})`;
    } else if (page.cursor) {
      const clauses = keys.map((key, index) => {
        const parts = keys.slice(0, index).map((earlier, earlierIndex) => {
          params.push(page.cursor![earlierIndex]);
          return `${earlier.expression} = $${params.length}::${earlier.type}`;
        });
        params.push(page.cursor![index]);
        parts.push(`${key.expression} ${key.direction === 'ASC' ? '>' : '<'} $${params.length}::${key.type}`);
        return `(${parts.join(' AND ')})`;
      });
      cursorSql = `AND (${clauses.join(' OR ')})`;
    }
    const cursorColumns = keys.map((key, index) => `(${key.expression})::text AS __cursor_${index}`).join(', ');
    const includes = (spec.include ?? []).map((include, index) => ({
      ...include,
      prefix: `__include_${index}_`,
      // LATERAL ... LIMIT 1 stays a nested loop (never flattened into a hash join), which keeps
      // the rows in the order the page query produced them.
      join: `LEFT JOIN LATERAL (SELECT ${manager.connection
        .getMetadata(include.entity)
        .columns.map((column) => `i."${column.databaseName}" AS "__include_${index}_${column.databaseName}"`)
        .join(', ')}
          FROM ${include.table} i WHERE i.id = x.${include.column}${include.teamScoped ? ' AND i.team_id = ANY($2)' : ''} LIMIT 1) i${index} ON true`,
    }));
    const orderBy = keys.map((key) => `${key.expression} ${key.direction}`).join(', ');
    // the entity's mapped columns only: `t.*` also sent what no entity reads (a claim's search
    // tsvector, as long as its quote; a user's password hash)
    const columns = manager.connection
      .getMetadata(spec.entity)
      .columns.map((column) => `t."${column.databaseName}"`)
      .join(', ');
    const rows = await db.query<Record<string, unknown>>(
      `SELECT p.parent AS __parent, x.*${includes.map((_, index) => `, i${index}.*`).join('')}
         FROM unnest($1::uuid[]) AS p(parent)
         CROSS JOIN LATERAL (
           SELECT ${columns}, ${cursorColumns} FROM ${spec.table} t
            WHERE t.${spec.parentColumn} = p.parent AND t.team_id = ANY($2) ${filter} ${cursorSql}
            ORDER BY ${orderBy}
            LIMIT $3
         ) x
         ${includes.map((include) => include.join).join('\n         ')}`,
      params,
      { prepare: true },
    );
    const cursorValues = (row: Record<string, unknown>): unknown[] => keys.map((_, index) => row[`__cursor_${index}`]);
    const byParent = new Map<string, Page<T>>();
    for (const row of rows) {
      const parent = row.__parent as string;
      let pageOfParent = byParent.get(parent);
      if (!pageOfParent) byParent.set(parent, (pageOfParent = { edges: [], hasMore: false }));
      if (pageOfParent.edges.length === page.limit) {
        pageOfParent.hasMore = true;
        continue;
      }
      for (const include of includes) {
        const id = row[`${include.prefix}id`] as string | null;
        // one reviewer gives many verdicts: the row is hydrated the first time only
        if (id !== null && loaders.peek(include.entity, id) === undefined) {
          loaders.prime(include.entity, include.teamScoped, id, hydrate(manager, include.entity, row, include.prefix));
        }
      }
      pageOfParent.edges.push(new LazyEdge(hydrate(manager, spec.entity, row), cursorValues(row)));
    }
    const pages = parentIds.map((id) => byParent.get(id) ?? { edges: [], hasMore: false });
    // A first page that holds every row of its parent is also its count: `totalCount` then costs
    // no second query (the article page asks for all ~40 claims and their total).
    if (!page.cursor) for (const [index, result] of pages.entries()) if (!result.hasMore) counts.prime(parentIds[index], result.edges.length);
    return pages;
  });

  return loader.load(parentId).then(({ edges, hasMore }) => {
    const ordered = page.backward ? [...edges].reverse() : edges;
    return new ConnectionResult<T>(ordered, lazyPageInfo(ordered, page.backward ? page.hasCursor : hasMore, page.backward ? hasMore : page.hasCursor), count);
  });
}
