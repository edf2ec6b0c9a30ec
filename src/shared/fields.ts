import { getMetadataArgsStorage } from 'typeorm';

/**
 * Why a column is left out of a consumer (history, the report): a sentence a reviewer can judge.
 * Every column says, for each consumer, either how it is carried or why not, so a new column
 * cannot be forgotten silently (test/fields.test.ts reads the migrated tables).
 */
export type Reason = string;

/** How a claim's column reaches the report formats: its CSV header and its JSON Lines key. */
export interface ReportedAs {
  csv: string;
  json: string;
}

export interface FieldPolicy<Reported = ReportedAs> {
  /** `true`: history records the field (snapshots, diffs) and `asOf` replays it. */
  history: true | Reason;
  /** Under which names the report rows and their formats carry the column. */
  report: Reported | Reason;
}

export interface FieldDeclaration<P extends string = string, Reported = ReportedAs> {
  property: P;
  /** The database column, from the entity's @Column. */
  column: string;
  /** The column's type, from the entity's @Column (`timestamptz`, `text`, …). */
  type: string;
  history: true | Reason;
  report: Reported | Reason;
}

/**
 * A policy for every data property of an entity (`Skip`: its API-only members, getters and
 * transient state). Declare a table with `satisfies FieldPolicies<…>`: a property without a policy,
 * or a policy for no property, is then a compile error.
 */
export type FieldPolicies<Entity, Skip extends keyof Entity = never, Reported = ReportedAs> = {
  readonly [P in Exclude<keyof Entity, Skip> & string]: FieldPolicy<Reported>;
};

/** The report's share of an entity: each reported property under its JSON Lines key, with the entity's type. */
export type ReportedFields<Entity, T> = {
  -readonly [P in keyof T as T[P] extends { report: { json: infer J extends string } } ? J : never]: Entity[P & keyof Entity];
};

/**
 * One declaration per column: the entity's @Column decorators give each property its column and
 * type; `policies` says, for every one of them, whether history records it and how reports carry
 * it. The test catches a column of the table that the entity lacks.
 */
export function declareFields<Reported, T extends Record<string, FieldPolicy<Reported>>>(
  entity: abstract new () => unknown,
  policies: T,
): FieldDeclaration<keyof T & string, Reported>[] {
  const columns = new Map(
    getMetadataArgsStorage()
      .columns.filter((column) => column.target === entity)
      .map((column) => [column.propertyName, column]),
  );
  return Object.entries(policies).map(([property, policy]) => {
    const column = columns.get(property);
    if (!column) throw new Error(`${entity.name}.${property} has a field policy but no @Column`);
    return {
      property: property as keyof T & string,
      column: column.options.name ?? property,
      type: String(column.options.type),
      history: policy.history,
      report: policy.report,
    };
  });
}

/** The properties history records, in declaration order. */
export function recordedFields<P extends string>(fields: readonly FieldDeclaration<P, unknown>[]): P[] {
  return fields.filter((field) => field.history === true).map((field) => field.property);
}

/** The recorded properties that are instants: history stores them as ISO strings, `asOf` revives them. */
export function recordedDates<P extends string>(fields: readonly FieldDeclaration<P, unknown>[]): P[] {
  return fields.filter((field) => field.history === true && field.type === 'timestamptz').map((field) => field.property);
}

export function isReported<P extends string, Reported>(field: FieldDeclaration<P, Reported>): field is FieldDeclaration<P, Reported> & { report: Reported } {
  return typeof field.report !== 'string';
}
