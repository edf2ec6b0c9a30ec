import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import type { ClassType } from 'type-graphql';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { badInput } from './errors';
import { invalidText } from './text';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: `Items after \`after\`; default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}.` })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: `Items before \`before\`; at most ${MAX_PAGE_SIZE}.` })
  last?: number | null;

  @Field(() => String, { nullable: true })
  before?: string | null;
}

@ObjectType('PageInfo')
export class PageInfo {
  @Field(() => Boolean) hasNextPage: boolean;
  @Field(() => Boolean) hasPreviousPage: boolean;
  @Field(() => String, { nullable: true }) startCursor: string | null;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

export interface Edge<T> {
  readonly cursor: string;
  readonly node: T;
}

/**
 * An edge whose cursor is encoded only when read: nested lists are mostly read as `nodes`, and the
 * reviewer page's ~200 evidence and verdict edges need no cursor at all.
 */
export class LazyEdge<T> implements Edge<T> {
  private encoded: string | null = null;
  constructor(
    readonly node: T,
    private readonly values: unknown[],
  ) {}

  get cursor(): string {
    return (this.encoded ??= encodeCursor(this.values));
  }
}

/** PageInfo whose start and end cursors are read from the edges only when asked for. */
export function lazyPageInfo(edges: readonly Edge<unknown>[], hasNextPage: boolean, hasPreviousPage: boolean): PageInfo {
  return {
    hasNextPage,
    hasPreviousPage,
    get startCursor() {
      return edges[0]?.cursor ?? null;
    },
    get endCursor() {
      return edges[edges.length - 1]?.cursor ?? null;
    },
  };
}

/** What every connection resolves to; `totalCount` runs its COUNT only when the client asks. */
export class ConnectionResult<T> {
  constructor(
    readonly edges: Edge<T>[],
    readonly pageInfo: PageInfo,
    private readonly count: () => Promise<number>,
  ) {}

  get nodes(): T[] {
    return this.edges.map((edge) => edge.node);
  }

  totalCount(): Promise<number> {
    return this.count();
  }
}

/**
 * Declares `<Name>Connection` and `<Name>Edge` for a node type. The connection class is a
 * ConnectionResult, so resolvers return ConnectionResult instances and `totalCount` resolves lazily.
 */
export function connectionType<T extends object>(nodeType: ClassType<T>, name: string): ClassType<ConnectionResult<T>> {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => String) cursor: string;
    @Field(() => nodeType) node: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType extends ConnectionResult<T> {
    @Field(() => [EdgeType])
    declare readonly edges: Edge<T>[];

    @Field(() => PageInfo)
    declare readonly pageInfo: PageInfo;

    @Field(() => [nodeType], { name: 'nodes', description: "The edges' nodes, for clients that need no cursors." })
    get nodeList(): T[] {
      return this.nodes;
    }

    @Field(() => Int, { name: 'totalCount', description: 'All items matching the filter, across pages.' })
    totalCountField(): Promise<number> {
      return this.totalCount();
    }
  }
  return ConnectionType;
}

export interface PageRequest {
  /** How many rows to return. */
  limit: number;
  /** Walk backwards from `before` (last/before) instead of forwards from `after`. */
  backward: boolean;
  cursor: unknown[] | null;
  hasCursor: boolean;
}

/** Postgres types of cursor values (a list's sort keys); each value is checked against its type. */
export type CursorType = 'integer' | 'text' | 'timestamptz' | 'uuid' | 'bigint' | 'numeric';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Postgres's ISO output of a timestamptz (what `::text` gives under DateStyle ISO), or ISO 8601
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2})(?::?[0-5]\d(?::?[0-5]\d)?)?)?$/;
const INT_RANGE = { integer: [-(2n ** 31n), 2n ** 31n - 1n], bigint: [-(2n ** 63n), 2n ** 63n - 1n] } as const;

function isTimestamp(value: string): boolean {
  if (value === 'infinity' || value === '-infinity') return true;
  const match = TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHours] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 15;
}

/**
 * Whether a cursor value can be cast to its sort key's type. Cursors are opaque to clients but not
 * signed: a hand-made one must fail here, as bad input, and never reach Postgres as a value its
 * cast would reject (which would fail the whole request's transaction).
 */
function fitsType(value: unknown, type: CursorType): boolean {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || text.length > 200) return false;
  switch (type) {
    case 'uuid':
      return UUID.test(text);
    case 'integer':
    case 'bigint': {
      if (!/^-?\d{1,19}$/.test(text)) return false;
      const [min, max] = INT_RANGE[type];
      const number = BigInt(text);
      return number >= min && number <= max;
    }
    case 'numeric':
      return /^-?\d{1,100}(\.\d{1,100})?$/.test(text);
    case 'timestamptz':
      return isTimestamp(text);
    case 'text':
      return invalidText(text) === null;
    default: {
      const unreachable: never = type;
      return unreachable;
    }
  }
}

function decodeCursor(cursor: string, field: string, types: readonly CursorType[]): unknown[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw badInput(`${field} is not a valid cursor`, field);
  }
  if (!Array.isArray(values) || values.length === 0) throw badInput(`${field} is not a valid cursor`, field);
  if (values.length !== types.length || !values.every((value, index) => fitsType(value, types[index]))) {
    throw badInput(`${field} is not a valid cursor for this list`, field);
  }
  return values;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/**
 * Validates Relay arguments once, for every connection: bounds, no mixing of directions, and a
 * cursor whose values fit the list's sort keys (`cursorTypes`, in order).
 */
export function pageRequest(args: ConnectionArgs, cursorTypes: readonly CursorType[]): PageRequest {
  const { first, after, last, before } = args;
  if (first != null && last != null) throw badInput('Pass either first or last, not both', 'first');
  if (after != null && before != null) throw badInput('Pass either after or before, not both', 'after');
  if (last != null && after != null) throw badInput('last goes with before, not after', 'last');
  if (first != null && before != null) throw badInput('first goes with after, not before', 'first');
  for (const [name, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
      throw badInput(`${name} must be between 0 and ${MAX_PAGE_SIZE}`, name);
    }
  }
  const backward = last != null || before != null;
  const cursorArg = backward ? before : after;
  return {
    limit: (backward ? last : first) ?? DEFAULT_PAGE_SIZE,
    backward,
    cursor: cursorArg != null ? decodeCursor(cursorArg, backward ? 'before' : 'after', cursorTypes) : null,
    hasCursor: cursorArg != null,
  };
}

export type SortDirection = 'ASC' | 'DESC';

export interface SortKey {
  /** SQL expression over the query's alias, e.g. `claim.position_start`. */
  expression: string;
  direction: SortDirection;
  /** Postgres type the cursor value is cast back to. */
  type: CursorType;
}

/**
 * Keyset pagination over a TypeORM query: the cursor holds the sort values of the last row as
 * Postgres printed them (timestamps keep their microseconds, which a JS Date would drop), and the
 * next page is "rows after that tuple" — an index range scan however deep the page, never OFFSET.
 * The last sort key must be unique (the primary key) so the order is total.
 */
export async function paginate<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, sort: SortKey[], args: ConnectionArgs): Promise<ConnectionResult<T>> {
  const page = pageRequest(
    args,
    sort.map((key) => key.type),
  );
  const countQuery = query.clone();
  const count = memoize(() => countQuery.orderBy().getCount());
  if (page.limit === 0) {
    return new ConnectionResult<T>([], emptyPageInfo(page), count);
  }

  const effective = sort.map((key) => ({
    ...key,
    direction: page.backward ? flip(key.direction) : key.direction,
  }));
  const rowQuery = query.clone();
  if (page.cursor) {
    const params: Record<string, unknown> = {};
    const clauses: string[] = [];
    page.cursor.forEach((value, index) => {
      params[`cursor${index}`] = value;
    });
    if (effective.every((key) => key.direction === effective[0].direction)) {
      // (a, b) > (x, y): a row comparison Postgres uses as the index range itself, so a page deep
      // in the list starts at the cursor. The OR form below is only a filter: the scan walked
      // every row before the cursor (3,800 rows removed on the claim queue's 20th page).
      rowQuery.andWhere(
        `(${effective.map((key) => key.expression).join(', ')}) ${effective[0].direction === 'ASC' ? '>' : '<'} ` +
          `(${effective.map((key, index) => `CAST(:cursor${index} AS ${key.type})`).join(', ')})`,
        params,
      );
    } else {
      // (a > x) OR (a = x AND b > y) OR ...: correct for mixed directions
      effective.forEach((key, index) => {
        const parts: string[] = [];
        for (let earlier = 0; earlier < index; earlier++) {
          parts.push(`${effective[earlier].expression} = CAST(:cursor${earlier} AS ${effective[earlier].type})`);
        }
        parts.push(`${key.expression} ${key.direction === 'ASC' ? '>' : '<'} CAST(:cursor${index} AS ${key.type})`);
        clauses.push(`(${parts.join(' AND ')})`);
      });
      rowQuery.andWhere(`(${clauses.join(' OR ')})`, params);
    }
  }
  rowQuery.orderBy();
  effective.forEach((key, index) => {
    rowQuery.addOrderBy(key.expression, key.direction);
    rowQuery.addSelect(`(${key.expression})::text`, `cursor_${index}`);
  });
  rowQuery.limit(page.limit + 1);

  const { entities, raw } = await rowQuery.getRawAndEntities();
  if (entities.length !== raw.length) throw new Error('paginate() supports queries without joins that multiply rows');
  const hasMore = entities.length > page.limit;
  let edges = entities.slice(0, page.limit).map((node, index) => ({
    node,
    cursor: encodeCursor(sort.map((_, keyIndex) => (raw[index] as Record<string, unknown>)[`cursor_${keyIndex}`])),
  }));
  if (page.backward) edges = edges.reverse();
  const pageInfo: PageInfo = {
    hasNextPage: page.backward ? page.hasCursor : hasMore,
    hasPreviousPage: page.backward ? hasMore : page.hasCursor,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges[edges.length - 1]?.cursor ?? null,
  };
  return new ConnectionResult<T>(edges, pageInfo, count);
}

function emptyPageInfo(page: PageRequest): PageInfo {
  return { hasNextPage: false, hasPreviousPage: page.hasCursor, startCursor: null, endCursor: null };
}

function flip(direction: SortDirection): SortDirection {
  return direction === 'ASC' ? 'DESC' : 'ASC';
}

export function memoize<T>(fn: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | null = null;
  return () => (value ??= fn());
}
