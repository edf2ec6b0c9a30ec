import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getVariableValues,
  isEnumType,
  isNonNullType,
  isScalarType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { DataSource, EntityMetadata } from 'typeorm';
import type { Context } from '../shared/context';
import { base64urlSql, decodeGlobalId, globalIdSql, type NodeType } from '../shared/ids';
import type { NestedConnectionSpec } from '../shared/nested-connection';
import { pageRequest, type ConnectionArgs } from '../shared/pagination';
import { Article } from '../modules/article/article.entity';
import { Claim } from '../modules/claim/claim.entity';
import { Evidence } from '../modules/evidence/evidence.entity';
import { Source } from '../modules/source/source.entity';
import { User } from '../modules/user/user.entity';
import { Verdict } from '../modules/verdict/verdict.entity';
import { ARTICLE_CLAIMS } from '../modules/claim/claim.service';
import { RawJson } from './raw-json';
import { CLAIM_EVIDENCE } from '../modules/evidence/evidence.service';
import { claimVerdicts } from '../modules/verdict/verdict.service';
import { agreementOfKeys, type AgreementFigure } from '../modules/report/report.figures';
import { verdictReportSql } from '../modules/report/report.sql-selection';

/*
 * The read path as one SQL statement.
 *
 * A query operation whose root fields ask only for what this module knows how to express in SQL
 * (plain columns, the relations and nested connections declared below) is answered by ONE
 * statement that builds the response JSON in Postgres (as text, see JsonText, over correlated
 * keyset pages), run on the request's own transaction: the app role, the caller's team settings
 * and therefore row-level security apply exactly as to the resolvers' queries, and every table
 * read also carries the resolvers' own `team_id = ANY(caller's teams)` condition.
 *
 * Why a small compiler of our own rather than PostGraphile's grafast or join-monster (both read,
 * see bench/README.md): grafast executes through plan resolvers (steps such as pgSelect) that
 * replace resolvers, over a schema PostGraphile builds from the database, so adopting it means
 * rewriting the type-graphql schema and every service's rules as plans. join-monster annotates a
 * graphql-js schema with table and column metadata and turns a query into JOINs plus batched
 * queries for nested lists ("a couple of SQL queries"), whose flat rows it hydrates into objects
 * in JavaScript before graphql-js resolves every field over them: the per-field work and row
 * parsing the article page already spent its CPU on, and no keyset pages with cursors of our
 * form. What this needs is narrower: the reviewer pages' types, answered byte-for-byte as the
 * resolvers answer them, JSON built by Postgres as the limit builds it, and the resolvers
 * everywhere else. So:
 *
 * - Granularity is the root field: a root field whose selection contains anything not declared
 *   here (a field with a resolver that needs code: `utf16Position`, `viewerVerdict`, history...)
 *   runs on the resolvers; the other root fields of the same operation still compile, and both
 *   run in the same transaction (one snapshot).
 * - Errors stay the resolvers': whenever the compiled answer would differ from a plain success
 *   (an id that is malformed, missing, deleted or another team's; a non-null relation the caller
 *   may not see; arguments a resolver would refuse; a URL the URL scalar would refuse), that root
 *   field is answered by the resolvers instead, which raise exactly what they always raised.
 * - What Postgres cannot print as GraphQL does (the URL scalar normalises through WHATWG URL)
 *   is finished in JavaScript on the parsed result, along a plan of only those positions.
 *
 * test/sql-selection.test.ts runs a set of operations through both paths and compares them exactly.
 */

type Sql = string;

interface TableInfo {
  entity: object;
  table: string;
  node: NodeType;
  /** The resolvers filter this table by the caller's teams (`Loaders.entity(…, teamScoped)`). */
  teamScoped: boolean;
}

const TABLES: Record<string, TableInfo> = {
  Article: { entity: Article, table: 'articles', node: 'Article', teamScoped: true },
  Claim: { entity: Claim, table: 'claims', node: 'Claim', teamScoped: true },
  Evidence: { entity: Evidence, table: 'evidence', node: 'Evidence', teamScoped: true },
  Source: { entity: Source, table: 'sources', node: 'Source', teamScoped: true },
  User: { entity: User, table: 'users', node: 'User', teamScoped: false },
  Verdict: { entity: Verdict, table: 'verdicts', node: 'Verdict', teamScoped: true },
};

/** Getters of the entities (fields without a column of their name), as SQL over the row's alias. */
const COMPUTED: Record<string, Record<string, (row: string) => Sql>> = {
  Claim: { quote: (row) => `${row}.quote_exact` },
  // Source.displayName: `name ?? descriptor ?? ''`
  Source: { displayName: (row) => `coalesce(${row}.name, ${row}.descriptor, '')` },
  // Verdict.current: `withdrawnAt === null`
  Verdict: { current: (row) => `(${row}.withdrawn_at IS NULL)` },
};

/** Objects a getter builds from the row's own columns (`Claim.anchor`): field -> column, or a nested object. */
interface Embedded {
  [field: string]: string | Embedded;
}
const EMBEDDED: Record<string, Record<string, Embedded>> = {
  Claim: {
    anchor: {
      position: { start: 'position_start', end: 'position_end' },
      quote: { exact: 'quote_exact', prefix: 'quote_prefix', suffix: 'quote_suffix' },
    },
  },
};

interface Relation {
  type: string;
  column: string;
  /** The resolver refuses rows with this condition false (`services.articles.get`: not deleted). */
  visible?: (row: string) => Sql;
}
const notDeleted = (row: string) => `${row}.deleted_at IS NULL`;

/** Field resolvers that load one row by a foreign key, as their resolvers do. */
const RELATIONS: Record<string, Record<string, Relation>> = {
  Article: { createdBy: { type: 'User', column: 'created_by' } },
  Claim: {
    speaker: { type: 'Source', column: 'speaker_id' },
    article: { type: 'Article', column: 'article_id', visible: notDeleted },
    createdBy: { type: 'User', column: 'created_by' },
  },
  Evidence: {
    source: { type: 'Source', column: 'source_id' },
    claim: { type: 'Claim', column: 'claim_id', visible: notDeleted },
    createdBy: { type: 'User', column: 'created_by' },
  },
  Verdict: {
    reviewer: { type: 'User', column: 'reviewer_id' },
    claim: { type: 'Claim', column: 'claim_id', visible: notDeleted },
  },
};

/** Field resolvers that are `nestedConnection`s: the same spec objects the services use. */
const CONNECTIONS: Record<string, Record<string, (args: Record<string, unknown>) => { spec: NestedConnectionSpec<never>; node: string }>> = {
  Article: { claims: () => ({ spec: ARTICLE_CLAIMS as NestedConnectionSpec<never>, node: 'Claim' }) },
  Claim: {
    evidence: () => ({ spec: CLAIM_EVIDENCE as NestedConnectionSpec<never>, node: 'Evidence' }),
    verdicts: (args) => ({ spec: claimVerdicts(args.includeWithdrawn === true) as NestedConnectionSpec<never>, node: 'Verdict' }),
  },
};

/** Root fields answered by id, as `services.<x>.getByGlobalId` does (team, not deleted). */
const ROOTS: Record<string, { type: string; visible: (row: string) => Sql }> = {
  article: { type: 'Article', visible: notDeleted },
  claim: { type: 'Claim', visible: notDeleted },
};

/**
 * Root fields with a compiler of their own, in the module that owns them (over `RootCompiler`):
 * `verdictReport` from the figures the write path maintains.
 */
const COMPILED_ROOTS: Record<string, (compiler: RootCompiler, field: GraphQLField<unknown, unknown>, nodes: FieldNode[]) => Sql> = {
  verdictReport: (compiler, field, nodes) => verdictReportSql(compiler, field, nodes),
};

/** Cursor value types whose `::text` needs no JSON escaping (the cursor is built by concatenation). */
const PLAIN_CURSOR_TYPES = new Set(['integer', 'bigint', 'numeric', 'uuid', 'timestamptz']);

// DateTime as graphql-scalars serialises a JS Date (`toISOString`: milliseconds, UTC)
const isoTime = (column: Sql) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/*
 * Where the answer needs JavaScript, Postgres says so with a marker object in its place, whose
 * one key starts with `!` (no response key can: GraphQL names cannot):
 * - `{"!url": text}`: a URL that may not be in the URL scalar's serialisation (WHATWG URL), to be
 *   normalised by `new URL`. Only URLs that are certainly already serialised that way (lowercase
 *   http(s) host that is no IP address and no punycode, no port or credentials, a path, query and
 *   fragment of characters WHATWG leaves alone, no dot segments) go out as they are.
 * - `{"!null": true}`: a non-null relation the caller may not see: the resolvers answer.
 * - `{"!float": text}`: a double Postgres would print in exponent form where JavaScript does not.
 * - `{"!agreement": [level, field, patterns]}`: a field of a report's Krippendorff agreement,
 *   computed by `agreementOfKeys` from the pattern figures (`key:n,…`), as the resolvers do.
 * In Postgres's JSON text `{"!` can only be a marker: the `"` of a quote inside a string is
 * escaped, and keys are ours. So a text without it is the answer as it is, and goes to the client
 * without being parsed (`RawJson`).
 */
const MARKER = '{"!';
const CANONICAL_URL = `'^https?://([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)*[a-z]([a-z0-9-]*[a-z0-9])?/[-A-Za-z0-9._~!$&''()*+,;=:@%/]*(\\?[-A-Za-z0-9._~!$&()*+,;=:@%/?]*)?(#[-A-Za-z0-9._~!$&''()*+,;=:@%/?]*)?$'`;
// dot segments (also percent-encoded) are removed, punycode labels validated
const NOT_CANONICAL_URL = `'/\\.|%2[eE]|xn--'`;
const urlAsSerialised = (value: Sql) =>
  `CASE WHEN ${value} IS NULL OR (${value} ~ ${CANONICAL_URL} AND ${value} !~ ${NOT_CANONICAL_URL}) THEN to_json(${value}) ELSE json_build_object('!url', ${value}) END`;
const REFUSED = `'{"!null":true}'::json`;

class Unsupported extends Error {}

/*
 * The page's JSON is built as text, by `||` and string_agg, not by json_build_object and json_agg
 * (measured on the article page, bench/README.md):
 * - json_build_object and json_agg take a json argument through its output function and
 *   appendStringInfoString, which measures it with strlen: the claims' JSON was copied and
 *   measured again at each of the page's 8–9 levels, where `||` and string_agg copy text by its
 *   stored length. On the embedded Postgres (built with -Os: strlen is an inlined `repnz scasb`)
 *   that alone was about a fifth of the page statement's time.
 * - json_build_object finds the JSON category of every argument, keys included, on every call
 *   (three or four catalogue-cache look-ups each) and escapes every key. As text, keys and
 *   punctuation are constants of the statement and only strings go through to_json.
 * RootCompiler's users (a report's figures) still build json values; where json meets text
 * (`objectOf`), each run of json values is one json_build_object whose text loses the braces its
 * neighbours supply.
 */

/** A constant of JSON text, or SQL that yields text, never NULL (a NULL would make the whole answer NULL: the resolvers would answer). */
type Piece = string | { sql: Sql };

class JsonText {
  constructor(readonly pieces: readonly Piece[]) {}

  static of(sql: Sql): JsonText {
    return new JsonText([{ sql }]);
  }

  /**
   * The text as one SQL expression, adjacent constants merged into one literal. Each `||` copies
   * both its sides, so a left-to-right chain of n parts copies its first parts n times: the parts
   * are joined as a tree split where the estimated length halves (a nested page counts as long,
   * so it is copied about as often as in a chain, and the small parts around it less).
   */
  get sql(): Sql {
    const parts: { sql: Sql; length: number }[] = [];
    let constant = '';
    for (const piece of this.pieces) {
      if (typeof piece === 'string') constant += piece;
      else {
        if (constant) parts.push({ sql: literal(constant), length: constant.length });
        constant = '';
        parts.push({ sql: piece.sql, length: /\bSELECT\b/.test(piece.sql) ? 10_000 : 30 });
      }
    }
    if (constant || !parts.length) parts.push({ sql: literal(constant), length: constant.length });
    const tree = (from: number, to: number): Sql => {
      if (to - from === 1) return parts[from].sql;
      let total = 0;
      for (let index = from; index < to; index++) total += parts[index].length;
      let split = from + 1;
      for (let before = parts[from].length; split < to - 1 && before + parts[split].length / 2 < total / 2; split++) before += parts[split].length;
      return `(${tree(from, split)} || ${tree(split, to)})`;
    };
    return tree(0, parts.length);
  }
}
type Value = Sql | JsonText;
/** Which a selection is built as: json values (RootCompiler's users) or JSON text (the page). */
type Mode = 'json' | 'text';

const sqlOf = (value: Value): Sql => (value instanceof JsonText ? value.sql : value);
/** A value as JSON text: json's `::text` is a binary-coercible cast (no copy). */
const textOf = (value: Value): JsonText => (value instanceof JsonText ? value : JsonText.of(`(${value})::text`));
/** A value as json, for json_build_object's arguments (parses: only for the rare nesting that needs it). */
const jsonOf = (value: Value): Sql => (value instanceof JsonText ? `(${value.sql})::json` : value);
/** JSON text of SQL text that may be NULL: `null` then. */
const orNull = (sql: Sql): JsonText => JsonText.of(`coalesce(${sql}, 'null')`);

/** The JSON object of `pairs` (response key, value) in their order: json_build_object when every value is json. */
function objectOf(pairs: [string, Value][]): Value {
  const jsonPairs = (run: [string, Value][]) => {
    // json_build_object takes at most 100 arguments
    if (run.length > 50) throw new Unsupported('more than 50 fields on one object');
    return run.map(([key, value]) => `${literal(key)}, ${value as Sql}`).join(', ');
  };
  if (!pairs.some(([, value]) => value instanceof JsonText)) return `json_build_object(${jsonPairs(pairs)})`;
  const pieces: Piece[] = [];
  for (let index = 0; index < pairs.length; ) {
    const first = index === 0;
    const [key, value] = pairs[index];
    if (value instanceof JsonText) {
      pieces.push(`${first ? '{' : ','}${JSON.stringify(key)}:`, ...value.pieces);
      index++;
      continue;
    }
    let end = index;
    while (end < pairs.length && !(pairs[end][1] instanceof JsonText)) end++;
    const last = end === pairs.length;
    // `left`/`substr` count characters, but only in this small text
    const text = `json_build_object(${jsonPairs(pairs.slice(index, end))})::text`;
    if (first) pieces.push({ sql: `left(${text}, -1)` });
    else pieces.push(',', { sql: last ? `substr(${text}, 2)` : `left(substr(${text}, 2), -1)` });
    index = end;
    if (last) return new JsonText(pieces);
  }
  pieces.push('}');
  return new JsonText(pieces);
}

/**
 * What a root field's own compiler (COMPILED_ROOTS) uses of a compilation. Any error it throws
 * means "not expressible": the resolvers answer that root field.
 */
export interface RootCompiler {
  readonly schema: GraphQLSchema;
  /** A parameter read from each request's variables, as `$n::type`. */
  param(read: (variables: Variables) => unknown, type: string): Sql;
  /** A value the SQL's shape depends on, read from the variables (recorded for the compilation cache). */
  decide<T>(read: (variables: Variables) => T, key: (value: T) => string): T;
  /**
   * Postgres is to run the statement on its generic plan, as measured better for this shape:
   * left to choose, it plans afresh at every execution when the generic plan's estimate looks
   * dearer than the custom plans' (see RequestDb.readStatement).
   */
  genericPlan(): void;
  alias(): string;
  /** `json_build_object` of the selection on `type`, every field (but `__typename`) as `value` builds it. */
  selection(type: GraphQLObjectType, nodes: readonly FieldNode[], value: (field: GraphQLField<unknown, unknown>, fieldNodes: FieldNode[]) => Sql): Sql;
  /** The JSON object of a table row (User, Article, …) as the node types' fields answer it. */
  object(type: GraphQLObjectType, nodes: FieldNode[], row: string): Sql;
  /** A scalar or enum leaf of `field` from SQL `value`, printed as GraphQL prints it. */
  leaf(field: GraphQLField<unknown, unknown>, value: Sql): Sql;
  readonly sql: typeof sqlText;
}

export const sqlText = {
  literal: (text: string): Sql => literal(text),
  /** Marks a non-null value the resolvers would refuse: they answer instead. */
  refused: REFUSED,
  /** A float8 as JSON that JavaScript prints the same (see MARKER). */
  float: (value: Sql): Sql =>
    `CASE WHEN ${value} IS NULL OR ${value} = 0 OR (abs(${value}) >= 1e-4 AND abs(${value}) < 1e15) THEN to_json(${value}) ELSE json_build_object('!float', (${value})::text) END`,
  agreement: (level: number, field: 'alpha' | 'units' | 'pairableValues', patterns: Sql): Sql =>
    `json_build_object('!agreement', json_build_array(${level}, '${field}', ${patterns}))`,
};

/** One operation's compilation for one request's variables. */
export type Variables = Record<string, unknown>;

/** A value the SQL's shape depended on, as `check` reads it from other variables. */
interface Guard {
  key: string;
  check: (variables: Variables) => string;
}

/**
 * One operation's compilation. The SQL depends on the request's variables only through the values
 * read with `decide` (its shape) and `param` (its parameters), each recorded as a function of the
 * variables: so the same SQL serves every later request whose variables decide the same, with
 * its parameters read from them (`CachedCompilation`).
 */
class Compilation implements RootCompiler {
  /** Parameters $2… (each read from the variables); $1 is the caller's teams. */
  readonly params: ((variables: Variables) => unknown)[] = [];
  readonly guards: Guard[] = [];
  readonly sql = sqlText;
  generic = false;
  private aliases = 0;

  constructor(
    readonly schema: GraphQLSchema,
    private readonly metadata: (entity: object) => EntityMetadata,
    private readonly fragments: Record<string, FragmentDefinitionNode>,
    private readonly variables: Variables,
  ) {}

  genericPlan(): void {
    this.generic = true;
  }

  param(read: (variables: Variables) => unknown, type: string): Sql {
    this.params.push(read);
    return `$${this.params.length + 1}::${type}`;
  }

  /** `read(variables)`, recorded with its `key`: a cached compilation serves variables that give the same keys. */
  decide<T>(read: (variables: Variables) => T, key: (value: T) => string): T {
    const outcome = (variables: Variables): { key: string; value?: T; error?: unknown } => {
      try {
        const value = read(variables);
        return { key: `=${key(value)}`, value };
      } catch (error) {
        return { key: '!', error };
      }
    };
    const now = outcome(this.variables);
    this.guards.push({ key: now.key, check: (variables) => outcome(variables).key });
    if (now.key === '!') throw now.error;
    return now.value as T;
  }

  alias(): string {
    return `r${++this.aliases}`;
  }

  /** Fields of a selection set on `type`, grouped by response key as graphql-js's collectFields does. */
  collect(
    type: GraphQLObjectType,
    selectionSet: SelectionSetNode,
    into = new Map<string, FieldNode[]>(),
    visited = new Set<string>(),
  ): Map<string, FieldNode[]> {
    for (const selection of selectionSet.selections) {
      if (!this.included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const fields = into.get(key);
        if (fields) fields.push(selection);
        else into.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition || this.applies(selection.typeCondition.name.value, type)) this.collect(type, selection.selectionSet, into, visited);
      } else {
        const name = selection.name.value;
        if (visited.has(name)) continue;
        visited.add(name);
        const fragment = this.fragments[name];
        if (!fragment) throw new Unsupported(`fragment ${name}`);
        if (this.applies(fragment.typeCondition.name.value, type)) this.collect(type, fragment.selectionSet, into, visited);
      }
    }
    return into;
  }

  private included(node: FieldNode | SelectionSetNode['selections'][number]): boolean {
    if (!node.directives?.length) return true;
    for (const directive of node.directives) {
      if (directive.name.value !== 'skip' && directive.name.value !== 'include') throw new Unsupported(`@${directive.name.value}`);
    }
    return this.decide((variables) => {
      if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
      return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
    }, String);
  }

  private applies(condition: string, type: GraphQLObjectType): boolean {
    return condition === type.name || type.getInterfaces().some((implemented) => implemented.name === condition);
  }

  /** A root field: its JSON as text, the row by global id (NULL when the resolvers must answer it). */
  root(fieldName: string, nodes: FieldNode[]): Sql {
    const compiled = COMPILED_ROOTS[fieldName];
    if (compiled) return compiled(this, this.schema.getQueryType()!.getFields()[fieldName], nodes);
    const root = ROOTS[fieldName];
    if (!root) throw new Unsupported(`Query.${fieldName}`);
    const queryType = this.schema.getQueryType()!;
    const field = queryType.getFields()[fieldName];
    const table = TABLES[root.type];
    const id = (variables: Variables) => decodeGlobalId(getArgumentValues(field, nodes[0], variables).id as string);
    // a malformed or wrong-typed id: the resolver's BAD_USER_INPUT
    if (!this.decide(id, (decoded) => String(decoded?.type === table.node))) throw new Unsupported('id');
    const type = this.schema.getType(root.type) as GraphQLObjectType;
    const row = this.alias();
    const rawId = this.param((variables) => id(variables)!.rawId, 'uuid');
    return `(SELECT ${textOf(this.objectValue(type, nodes, row, 'text')).sql} FROM ${table.table} ${row} WHERE ${row}.id = ${rawId} AND ${row}.team_id = ANY($1::uuid[]) AND ${root.visible(row)})`;
  }

  /**
   * `json_build_object` of `nodes`' merged selection on `type`, grouped by response key:
   * `__typename` here, every other field as `value` builds it.
   */
  selection(type: GraphQLObjectType, nodes: readonly FieldNode[], value: (field: GraphQLField<unknown, unknown>, fieldNodes: FieldNode[]) => Sql): Sql {
    return jsonOf(this.selectionValue(type, nodes, 'json', value));
  }

  /** `selection`, as json or as JSON text (JsonText) as its values are. */
  private selectionValue(
    type: GraphQLObjectType,
    nodes: readonly FieldNode[],
    mode: Mode,
    value: (field: GraphQLField<unknown, unknown>, fieldNodes: FieldNode[]) => Value,
  ): Value {
    const grouped = new Map<string, FieldNode[]>();
    for (const node of nodes) if (node.selectionSet) this.collect(type, node.selectionSet, grouped);
    const pairs: [string, Value][] = [];
    const fields = type.getFields();
    for (const [key, fieldNodes] of grouped) {
      const name = fieldNodes[0].name.value;
      if (name === '__typename') {
        pairs.push([key, mode === 'text' ? new JsonText([JSON.stringify(type.name)]) : literal(type.name)]);
        continue;
      }
      const field = fields[name];
      if (!field) throw new Unsupported(`${type.name}.${name}`);
      pairs.push([key, value(field, fieldNodes)]);
    }
    return objectOf(pairs);
  }

  /** The JSON object for `nodes`' merged selection over the row `row` of `type`'s table. */
  object(type: GraphQLObjectType, nodes: FieldNode[], row: string): Sql {
    return jsonOf(this.objectValue(type, nodes, row, 'json'));
  }

  /** `object`, built as `mode` says (json mode: still JsonText where it holds a connection). */
  private objectValue(type: GraphQLObjectType, nodes: FieldNode[], row: string, mode: Mode): Value {
    const info = TABLES[type.name];
    if (!info) throw new Unsupported(type.name);
    return this.selectionValue(type, nodes, mode, (field, fieldNodes) => this.field(type, info, field, fieldNodes, row, mode));
  }

  private field(type: GraphQLObjectType, info: TableInfo, field: GraphQLField<unknown, unknown>, nodes: FieldNode[], row: string, mode: Mode): Value {
    const name = field.name;
    const relation = RELATIONS[type.name]?.[name];
    if (relation) return this.relation(relation, field, nodes, row, mode);
    const connection = CONNECTIONS[type.name]?.[name];
    if (connection) {
      const chosen = this.decide(
        (variables) => connection(getArgumentValues(field, nodes[0], variables)),
        ({ spec }) => `${spec.name} ${spec.filter ?? ''}`,
      );
      return this.connection(chosen, field, nodes, row);
    }
    const embedded = EMBEDDED[type.name]?.[name];
    if (embedded) return this.embedded(getNamedType(field.type) as GraphQLObjectType, info, embedded, nodes, row, mode);
    if (name === 'id') return mode === 'text' ? new JsonText(['"', { sql: globalIdSql(info.node, `${row}.id`) }, '"']) : globalIdSql(info.node, `${row}.id`);
    const computed = COMPUTED[type.name]?.[name];
    if (computed) return mode === 'text' ? this.leafText(field, computed(row), true) : this.leaf(field, computed(row));
    // any other field with a resolver of its own needs code
    if (field.resolve) throw new Unsupported(`${type.name}.${name}`);
    const column = this.metadata(info.entity).columns.find((candidate) => candidate.propertyName === name);
    if (!column) throw new Unsupported(`${type.name}.${name}`);
    const value = `${row}."${column.databaseName}"`;
    return mode === 'text' ? this.leafText(field, value, column.isNullable) : this.leaf(field, value);
  }

  leaf(field: GraphQLField<unknown, unknown>, value: Sql): Sql {
    const type = getNamedType(field.type);
    if (isEnumType(type)) return value;
    if (!isScalarType(type)) throw new Unsupported(type.name);
    switch (type.name) {
      case 'String':
      case 'Int':
      case 'Float':
      case 'Boolean':
        return value;
      case 'DateTime':
        return isoTime(value);
      case 'URL':
        return urlAsSerialised(value);
      default:
        throw new Unsupported(type.name);
    }
  }

  /**
   * `leaf` as JSON text, as json_build_object would print it (see JsonText); `nullable`: `value`
   * can be NULL (a column's own nullability; NULL where the column says it cannot be would make
   * the answer NULL, and the resolvers answer).
   */
  private leafText(field: GraphQLField<unknown, unknown>, value: Sql, nullable: boolean): JsonText {
    const type = getNamedType(field.type);
    const plain = (text: Sql) => (nullable ? orNull(text) : JsonText.of(text));
    if (isEnumType(type)) {
      // each value's JSON a constant; anything else printed as json_build_object prints it
      const cases = type
        .getValues()
        .filter((enumValue) => typeof enumValue.value === 'string')
        .map((enumValue) => `WHEN ${literal(enumValue.value as string)} THEN ${literal(JSON.stringify(enumValue.name))}`);
      return plain(cases.length ? `CASE ${value} ${cases.join(' ')} ELSE to_json(${value})::text END` : `to_json(${value})::text`);
    }
    if (!isScalarType(type)) throw new Unsupported(type.name);
    switch (type.name) {
      case 'Int':
      case 'Boolean':
        return plain(`(${value})::text`);
      case 'String':
      case 'Float':
        return plain(`to_json(${value})::text`);
      case 'DateTime':
        // to_char's digits, dashes and colons need no escaping
        return nullable ? orNull(`'"' || ${isoTime(value)} || '"'`) : new JsonText(['"', { sql: isoTime(value) }, '"']);
      case 'URL':
        return plain(`(${urlAsSerialised(value)})::text`);
      default:
        throw new Unsupported(type.name);
    }
  }

  private embedded(type: GraphQLObjectType, info: TableInfo, shape: Embedded, nodes: FieldNode[], row: string, mode: Mode): Value {
    return this.selectionValue(type, nodes, mode, (field, fieldNodes) => {
      const part = shape[field.name];
      if (part === undefined || field.resolve) throw new Unsupported(`${type.name}.${field.name}`);
      if (typeof part !== 'string') return this.embedded(getNamedType(field.type) as GraphQLObjectType, info, part, fieldNodes, row, mode);
      if (mode === 'json') return this.leaf(field, `${row}."${part}"`);
      const column = this.metadata(info.entity).columns.find((candidate) => candidate.databaseName === part);
      return this.leafText(field, `${row}."${part}"`, column?.isNullable ?? true);
    });
  }

  private relation(relation: Relation, field: GraphQLField<unknown, unknown>, nodes: FieldNode[], row: string, mode: Mode): Value {
    const type = this.schema.getType(relation.type) as GraphQLObjectType;
    const info = TABLES[relation.type];
    const target = this.alias();
    const conditions = [`${target}.id = ${row}.${relation.column}`];
    if (info.teamScoped) conditions.push(`${target}.team_id = ANY($1::uuid[])`);
    if (relation.visible) conditions.push(relation.visible(target));
    const object = this.objectValue(type, nodes, target, mode);
    const sql = `(SELECT ${sqlOf(object)} FROM ${info.table} ${target} WHERE ${conditions.join(' AND ')})`;
    if (!(object instanceof JsonText)) return isNonNullType(field.type) ? `coalesce(${sql}, ${REFUSED})` : sql;
    // no row: the JSON null, or for a non-null field the refusal
    return JsonText.of(`coalesce(${sql}, ${isNonNullType(field.type) ? `${REFUSED}::text` : `'null'`})`);
  }

  private connection(
    { spec, node: nodeTypeName }: { spec: NestedConnectionSpec<never>; node: string },
    field: GraphQLField<unknown, unknown>,
    nodes: FieldNode[],
    parent: string,
  ): JsonText {
    if (spec.sort.some((sortKey) => !PLAIN_CURSOR_TYPES.has(sortKey.type))) throw new Unsupported(`${spec.name} cursor`);
    const pageOf = (variables: Variables) =>
      pageRequest(
        getArgumentValues(field, nodes[0], variables) as ConnectionArgs,
        spec.sort.map((sortKey) => sortKey.type),
      );
    // the resolver's validation: a refused argument is the resolver's error
    let page: ReturnType<typeof pageRequest>;
    try {
      page = this.decide(pageOf, (shape) => `${shape.limit === 0} ${shape.backward} ${shape.hasCursor} ${shape.cursor?.length ?? '-'}`);
    } catch {
      throw new Unsupported('connection arguments');
    }
    const connectionType = getNamedType(field.type) as GraphQLObjectType;
    const nodeType = this.schema.getType(nodeTypeName) as GraphQLObjectType;
    const info = TABLES[nodeTypeName];
    const inner = this.alias();
    const rows = this.alias();
    const on = (alias: string) => (sql: string) => sql.replace(/\bt\./g, `${alias}.`);
    const innerSql = on(inner);
    const where = [`${inner}.${spec.parentColumn} = ${parent}.id`, `${inner}.team_id = ANY($1::uuid[])`];
    if (spec.filter) where.push(`(${innerSql(spec.filter)})`);
    const totalCount = `(SELECT count(*) FROM ${info.table} ${inner} WHERE ${where.join(' AND ')})`;
    const grouped = new Map<string, FieldNode[]>();
    for (const fieldNode of nodes) if (fieldNode.selectionSet) this.collect(connectionType, fieldNode.selectionSet, grouped);
    if (page.limit === 0) return textOf(this.emptyPage(connectionType, grouped, totalCount, page.hasCursor));
    const keys = spec.sort.map((sortKey) => ({
      expression: innerSql(sortKey.expression),
      type: sortKey.type,
      direction: page.backward ? (sortKey.direction === 'ASC' ? 'DESC' : 'ASC') : sortKey.direction,
    }));
    if (page.cursor) {
      const values = page.cursor.map((_value, index) => this.param((variables) => pageOf(variables).cursor![index], keys[index].type));
      if (keys.every((sortKey) => sortKey.direction === keys[0].direction)) {
        where.push(`(${keys.map((sortKey) => sortKey.expression).join(', ')}) ${keys[0].direction === 'ASC' ? '>' : '<'} (${values.join(', ')})`);
      } else {
        where.push(
          `(${keys
            .map((sortKey, index) =>
              [
                ...keys.slice(0, index).map((earlier, earlierIndex) => `${earlier.expression} = ${values[earlierIndex]}`),
                `${sortKey.expression} ${sortKey.direction === 'ASC' ? '>' : '<'} ${values[index]}`,
              ].join(' AND '),
            )
            .map((clause) => `(${clause})`)
            .join(' OR ')})`,
        );
      }
    }
    const orderBy = keys.map((sortKey) => `${sortKey.expression} ${sortKey.direction}`).join(', ');
    const limit = this.param((variables) => pageOf(variables).limit, 'integer');
    // the cursor as `encodeCursor` makes it from the `::text` of each sort key (PLAIN_CURSOR_TYPES: ASCII)
    const cursor = base64urlSql(`'["' || ${keys.map((sortKey) => `(${sortKey.expression})::text`).join(` || '","' || `)} || '"]'`, { ascii: true });
    // output order: ascending rn forward; a backward page is read nearest-first and shown reversed
    const outputOrder = page.backward ? 'DESC' : 'ASC';
    const kept = `FILTER (WHERE ${rows}.__rn <= ${limit})`;
    // A forward page read only for its rows (no totalCount, no pageInfo: an article's claims'
    // evidence and verdicts) needs neither the row past the page nor row numbers: its rows are
    // aggregated in the sort keys' order. The window and the aggregate's FILTER were ~6% of the
    // article page's Postgres CPU (bench/README.md).
    const rowsOnly = !page.backward && ![...grouped.values()].some((fieldNodes) => ['totalCount', 'pageInfo'].includes(fieldNodes[0].name.value));

    const pairs: [string, Value][] = [];
    let needsCursor = false;
    const nodeObject = (fieldNodes: FieldNode[]) => this.objectValue(nodeType, fieldNodes, rows, 'text');
    // the page's rows as a JSON array
    const aggregate = (value: Value) => {
      const order = rowsOnly ? keys.map((sortKey, index) => `${rows}.__k${index} ${sortKey.direction}`).join(', ') : `${rows}.__rn ${outputOrder}`;
      return new JsonText(['[', { sql: `coalesce(string_agg(${textOf(value).sql}, ',' ORDER BY ${order})${rowsOnly ? '' : ` ${kept}`}, '')` }, ']']);
    };
    for (const [responseKey, fieldNodes] of grouped) {
      const name = fieldNodes[0].name.value;
      switch (name) {
        case '__typename':
          pairs.push([responseKey, new JsonText([JSON.stringify(connectionType.name)])]);
          break;
        case 'totalCount':
          // a page without a cursor that holds fewer rows than it could is all of them (as in nestedConnection)
          pairs.push([
            responseKey,
            JsonText.of(`(${page.hasCursor ? totalCount : `CASE WHEN count(*) <= ${limit} THEN count(*) ELSE ${totalCount} END`})::text`),
          ]);
          break;
        case 'nodes':
          pairs.push([responseKey, aggregate(nodeObject(fieldNodes))]);
          break;
        case 'edges': {
          const edgeType = getNamedType(connectionType.getFields().edges.type) as GraphQLObjectType;
          const edgeFields = new Map<string, FieldNode[]>();
          for (const edge of fieldNodes) if (edge.selectionSet) this.collect(edgeType, edge.selectionSet, edgeFields);
          const edgePairs: [string, Value][] = [];
          for (const [edgeKey, edgeNodes] of edgeFields) {
            const edgeField = edgeNodes[0].name.value;
            if (edgeField === '__typename') edgePairs.push([edgeKey, new JsonText([JSON.stringify(edgeType.name)])]);
            else if (edgeField === 'cursor') {
              needsCursor = true;
              // base64url: nothing to escape
              edgePairs.push([edgeKey, new JsonText(['"', { sql: `${rows}.__cursor` }, '"'])]);
            } else if (edgeField === 'node') edgePairs.push([edgeKey, nodeObject(edgeNodes)]);
            else throw new Unsupported(`${edgeType.name}.${edgeField}`);
          }
          pairs.push([responseKey, aggregate(objectOf(edgePairs))]);
          break;
        }
        case 'pageInfo': {
          const infoType = getNamedType(connectionType.getFields().pageInfo.type) as GraphQLObjectType;
          const infoFields = new Map<string, FieldNode[]>();
          for (const infoNode of fieldNodes) if (infoNode.selectionSet) this.collect(infoType, infoNode.selectionSet, infoFields);
          const hasMore = JsonText.of(`(count(*) > ${limit})::text`);
          const hasCursor = new JsonText([String(page.hasCursor)]);
          const [hasNext, hasPrevious] = page.backward ? [hasCursor, hasMore] : [hasMore, hasCursor];
          const edgeCursor = (first: boolean) => {
            needsCursor = true;
            const direction = first === !page.backward ? 'ASC' : 'DESC';
            return orNull(`'"' || (array_agg(${rows}.__cursor ORDER BY ${rows}.__rn ${direction}) ${kept})[1] || '"'`);
          };
          const infoPairs: [string, Value][] = [];
          for (const [infoKey, infoNodes] of infoFields) {
            const infoField = infoNodes[0].name.value;
            const value =
              infoField === '__typename'
                ? new JsonText([JSON.stringify(infoType.name)])
                : infoField === 'hasNextPage'
                  ? hasNext
                  : infoField === 'hasPreviousPage'
                    ? hasPrevious
                    : infoField === 'startCursor'
                      ? edgeCursor(true)
                      : infoField === 'endCursor'
                        ? edgeCursor(false)
                        : null;
            if (value === null) throw new Unsupported(`PageInfo.${infoField}`);
            infoPairs.push([infoKey, value]);
          }
          pairs.push([responseKey, textOf(objectOf(infoPairs))]);
          break;
        }
        default:
          throw new Unsupported(`${connectionType.name}.${name}`);
      }
    }
    // Only the columns the selection reads (and the id), not `*` nor every mapped column: each one
    // is carried through the window and the sort (a claim has 35, its search tsvector as long as
    // its quote).
    const read = new Set(['id']);
    for (const match of pairs
      .map(([, value]) => sqlOf(value))
      .join(' ')
      .matchAll(new RegExp(`\\b${rows}\\."?([a-z_][a-z0-9_]*)"?`, 'g')))
      read.add(match[1]);
    const columns = this.metadata(info.entity)
      .columns.filter((column) => read.has(column.databaseName))
      .map((column) => `${inner}."${column.databaseName}"`)
      .join(', ');
    const numbered = rowsOnly
      ? keys.map((sortKey, index) => `${sortKey.expression} AS __k${index}`).join(', ')
      : `row_number() OVER (ORDER BY ${orderBy}) AS __rn`;
    const page_ = `(SELECT ${columns}, ${numbered}${needsCursor ? `, ${cursor} AS __cursor` : ''}
        FROM ${info.table} ${inner} WHERE ${where.join(' AND ')} ORDER BY ${orderBy} LIMIT ${limit}${rowsOnly ? '' : ' + 1'})`;
    // GROUP BY (): one row, aggregated, even when only totalCount is asked for
    return JsonText.of(`(SELECT ${textOf(objectOf(pairs)).sql} FROM ${page_} ${rows} GROUP BY ())`);
  }

  /** `first: 0` / `last: 0`: answered as nestedConnection does, without reading a row (only totalCount counts). */
  private emptyPage(connectionType: GraphQLObjectType, grouped: Map<string, FieldNode[]>, totalCount: Sql, hasCursor: boolean): Sql {
    const pairs: Sql[] = [];
    for (const [responseKey, fieldNodes] of grouped) {
      const name = fieldNodes[0].name.value;
      if (name === '__typename') pairs.push(literal(responseKey), literal(connectionType.name));
      else if (name === 'totalCount') pairs.push(literal(responseKey), totalCount);
      else if (name === 'edges' || name === 'nodes') pairs.push(literal(responseKey), `'[]'::json`);
      else if (name === 'pageInfo') {
        const infoType = getNamedType(connectionType.getFields().pageInfo.type) as GraphQLObjectType;
        const infoFields = new Map<string, FieldNode[]>();
        for (const infoNode of fieldNodes) if (infoNode.selectionSet) this.collect(infoType, infoNode.selectionSet, infoFields);
        const values: Record<string, Sql> = {
          __typename: literal(infoType.name),
          hasNextPage: 'false',
          hasPreviousPage: hasCursor ? 'true' : 'false',
          startCursor: 'NULL::text',
          endCursor: 'NULL::text',
        };
        const infoPairs: Sql[] = [];
        for (const [infoKey, infoNodes] of infoFields) {
          const value = values[infoNodes[0].name.value];
          if (value === undefined) throw new Unsupported(`PageInfo.${infoNodes[0].name.value}`);
          infoPairs.push(literal(infoKey), value);
        }
        pairs.push(literal(responseKey), `json_build_object(${infoPairs.join(', ')})`);
      } else throw new Unsupported(`${connectionType.name}.${name}`);
    }
    return `json_build_object(${pairs.join(', ')})`;
  }
}

/**
 * A root field's JSON text as Postgres built it, in the form a client gets it: the parsed value,
 * a `RawJson` of the text when it needs nothing from JavaScript and `raw` allows, or undefined
 * when the resolvers must answer (see MARKER).
 */
function answerOf(text: string, raw: boolean): unknown {
  if (!text.includes(MARKER)) return raw ? new RawJson(text) : JSON.parse(text);
  // values computed in JavaScript go into the text where their markers were: a report whose only
  // markers are those still goes out as Postgres printed it, without being parsed
  const spliced = spliceComputed(text);
  if (!spliced.includes(MARKER)) return raw ? new RawJson(spliced) : JSON.parse(spliced);
  let refused = false;
  const value = JSON.parse(spliced, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const marked = item as Record<string, unknown>;
    if ('!null' in marked) refused = true;
    else if ('!url' in marked) {
      try {
        return new URL(String(marked['!url'])).toString();
      } catch {
        // the resolvers answer with the URL scalar's own error
        refused = true;
      }
    }
    return item;
  }) as unknown;
  return refused ? undefined : value;
}

const COMPUTED_MARKERS = ['{"!float"', '{"!agreement"'];

/**
 * `text` with each `!float` and `!agreement` marker replaced by the JSON of its value. Neither
 * marker's content can hold a `}` (a float's text; rating names, counts, `:` and `,`), so each
 * ends at the first one after it.
 */
function spliceComputed(text: string): string {
  const agreements = new Map<string, AgreementFigure[]>();
  let spliced = '';
  let copied = 0;
  let from = 0;
  for (let start = text.indexOf(MARKER); start >= 0; start = text.indexOf(MARKER, from)) {
    from = start + MARKER.length;
    if (!COMPUTED_MARKERS.some((marker) => text.startsWith(marker, start))) continue;
    const end = text.indexOf('}', start) + 1;
    const marked = JSON.parse(text.slice(start, end)) as Record<string, unknown>;
    let value: unknown;
    if ('!float' in marked) value = Number(marked['!float']);
    else {
      const [level, field, patterns] = marked['!agreement'] as [number, 'alpha' | 'units' | 'pairableValues', string];
      let figures = agreements.get(patterns);
      if (!figures) {
        const rows = patterns ? patterns.split(',').map((entry) => entry.split(':')) : [];
        agreements.set(patterns, (figures = agreementOfKeys(rows.map(([key, n]) => ({ key, n: Number(n) })))));
      }
      value = figures[level][field];
    }
    spliced += `${text.slice(copied, start)}${JSON.stringify(value)}`;
    copied = from = end;
  }
  return copied ? spliced + text.slice(copied) : text;
}

export interface CompiledAnswer {
  /** The root fields answered by SQL, by response key (values may be `RawJson`). */
  data: Map<string, unknown>;
  /** The operation's other root selections (for the resolvers), or null when SQL answered them all. */
  rest: DocumentNode | null;
}

/**
 * Answers what it can of a query operation with one SQL statement on the request's transaction.
 * Null: nothing compiled (run the whole operation on the resolvers). `raw`: root fields Postgres
 * answered completely may come as `RawJson` (for a transport that serialises with
 * `stringifyResult`).
 */
export async function answerWithSql(
  schema: GraphQLSchema,
  dataSource: DataSource,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rawVariables: Record<string, unknown>,
  context: Context,
  options: { raw?: boolean } = {},
): Promise<CompiledAnswer | null> {
  if (operation.operation !== 'query' || !context.session.actor) return null;
  // fragment spreads and directives at the root: the resolvers (rare; keeps merging simple)
  if (operation.selectionSet.selections.some((selection) => selection.kind !== Kind.FIELD || selection.directives?.length)) return null;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
  if (coerced.errors) return null;
  const variables = coerced.coerced;
  const compiled = cachedCompilation(document, operation, variables) ?? compile(schema, dataSource, document, operation, variables);
  if (!compiled.keys.length) return null;
  let params: unknown[];
  try {
    params = [[...context.db.teamIds], ...compiled.params.map((read) => read(variables))];
  } catch {
    return null;
  }
  const { whole, generic } = compiled;
  const [row] = await context.db.readStatement<Record<string, string | null>>(compiled.sql, params, { whole, generic });
  const answered = new Map<string, unknown>();
  for (const [index, key] of compiled.keys.entries()) {
    const text = row[`r${index}`];
    const value = text === null ? undefined : answerOf(text, options.raw === true);
    if (value !== undefined) answered.set(key, value);
    else if (whole) return null;
  }
  if (!answered.size) return null;
  return { data: answered, rest: restOf(document, operation, answered) };
}

/** An operation's statement for the variables its guards accept. */
interface CachedCompilation {
  guards: Guard[];
  /** The root fields the statement answers (column r0, r1, …), by response key; empty: none compiled. */
  keys: string[];
  /** Every root field compiled. */
  whole: boolean;
  /** Run on the generic plan (RootCompiler.genericPlan). */
  generic: boolean;
  sql: Sql;
  params: ((variables: Variables) => unknown)[];
}

/**
 * Compilations by document (Apollo's parsed documents, kept as long as Apollo keeps them) and
 * operation, a few shapes each (variables that decide differently: another `first: 0`, a cursor,
 * an @include): the article page is compiled once per worker instead of on every request.
 */
const compilations = new WeakMap<DocumentNode, Map<OperationDefinitionNode, CachedCompilation[]>>();
const SHAPES_PER_OPERATION = 8;

function cachedCompilation(document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): CachedCompilation | null {
  const shapes = compilations.get(document)?.get(operation);
  return shapes?.find((shape) => shape.guards.every((guard) => guard.check(variables) === guard.key)) ?? null;
}

function compile(
  schema: GraphQLSchema,
  dataSource: DataSource,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
): CachedCompilation {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const compilation = new Compilation(schema, (entity) => dataSource.getMetadata(entity as never), fragments, variables);
  const roots = compilation.collect(schema.getQueryType()!, operation.selectionSet);
  const compiled = new Map<string, Sql>();
  for (const [key, nodes] of roots) {
    // Unsupported, or anything the resolvers would refuse (a variable that does not coerce):
    // the resolvers answer, with their own errors
    const parameters = compilation.params.length;
    const generic = compilation.generic;
    try {
      compiled.set(key, compilation.root(nodes[0].name.value, nodes));
    } catch {
      compilation.params.length = parameters;
      compilation.generic = generic;
    }
  }
  const result: CachedCompilation = {
    guards: compilation.guards,
    keys: [...compiled.keys()],
    // Every root field compiled: the statement is the operation's only database work (one round
    // trip, see RequestDb.readStatement), and should one of them need the resolvers after all,
    // they answer the whole operation, so that everything it reads comes from one snapshot.
    whole: compiled.size === roots.size,
    generic: compilation.generic,
    sql: `SELECT ${[...compiled.values()].map((root, index) => `${root} AS r${index}`).join(', ')}`,
    params: compilation.params,
  };
  let byOperation = compilations.get(document);
  if (!byOperation) compilations.set(document, (byOperation = new Map()));
  const shapes = byOperation.get(operation) ?? [];
  if (shapes.length < SHAPES_PER_OPERATION) byOperation.set(operation, [...shapes, result]);
  return result;
}

// The same reduced document for the same answered keys, so graphql-jit compiles it once.
const restDocuments = new WeakMap<DocumentNode, Map<string, DocumentNode | null>>();

function restOf(document: DocumentNode, operation: OperationDefinitionNode, answered: Map<string, unknown>): DocumentNode | null {
  let byKeys = restDocuments.get(document);
  if (!byKeys) restDocuments.set(document, (byKeys = new Map()));
  const cacheKey = `${operation.name?.value ?? ''}\0${[...answered.keys()].join('\0')}`;
  let rest = byKeys.get(cacheKey);
  if (rest === undefined) {
    const selections = operation.selectionSet.selections.filter((selection) => !answered.has(responseKey(selection as FieldNode)));
    rest = selections.length
      ? {
          ...document,
          definitions: document.definitions.map((definition) =>
            definition === operation ? { ...operation, selectionSet: { ...operation.selectionSet, selections } } : definition,
          ),
        }
      : null;
    byKeys.set(cacheKey, rest);
  }
  return rest;
}

export function responseKey(field: FieldNode): string {
  return field.alias?.value ?? field.name.value;
}
