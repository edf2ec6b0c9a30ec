import {
  GraphQLError,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { QueryLimitsConfig } from '../config';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../shared/pagination';
import { requestError } from './http-errors';
import { invalidText } from '../shared/text';

export type QueryLimits = QueryLimitsConfig;

/** Codes of the errors a request over a limit gets; format-error lets them through with their details. */
export const QUERY_LIMIT_CODES = ['QUERY_TOO_DEEP', 'TOO_MANY_ALIASES', 'TOO_MANY_DIRECTIVES', 'TOO_MANY_TOKENS', 'QUERY_TOO_COMPLEX'] as const;

export interface OperationAnalysis {
  operationType: 'query' | 'mutation' | 'subscription';
  operationName: string | null;
  /** Deepest field nesting (fragments add no level of their own). */
  depth: number;
  aliases: number;
  directives: number;
  /** GitHub's node count: for every connection, its page size times the page sizes of the connections around it. */
  nodes: number;
  /** Fields selected on the root type (the mutations an operation runs). */
  rootFields: number;
  /** Deepest nesting of introspection's type lists (types, fields, interfaces, ...) on one path. */
  introspectionNesting: number;
  /** A page-size argument out of range, reported as bad input before anything runs. */
  badArgument: { argument: string; field: string; value: number } | null;
  /** Why a string literal of the document is not storable text (a NUL, a lone surrogate), or null. */
  invalidString: string | null;
}

type Variables = Record<string, unknown> | null | undefined;

interface Subtotal {
  /** Levels below the selection set's owner. */
  depth: number;
  /** Nodes per one item of the owner. */
  nodes: number;
  /** Introspection type lists nested below the owner. */
  typeLists: number;
}

const EMPTY: Subtotal = { depth: 0, nodes: 0, typeLists: 0 };

const isConnectionType = (name: string): boolean => name.endsWith('Connection');

/**
 * Introspection lists that lead from types to more types: `types { fields { type { fields ... } } }`
 * multiplies the whole schema at every turn. The standard introspection query nests two of them
 * (types → fields); more is an attack, not a client.
 */
const INTROSPECTION_TYPE_LISTS = new Set(['types', 'fields', 'inputFields', 'interfaces', 'possibleTypes']);
export const MAX_INTROSPECTION_NESTING = 2;

/** The operation the request runs: the named one, or the only one. */
export function selectOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | null {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((operation) => operation.name?.value === operationName) ?? null;
  return operations.length === 1 ? operations[0] : null;
}

/** Analyses that read no variable, per schema, parsed document and operation name (`analyzeOperation`). */
const analyses = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, OperationAnalysis>>>();

/**
 * Aliases and directives are counted over the whole document as written (a directive flood is
 * costly to parse and validate whether or not its fragment is used), with the first string literal
 * that is not storable text. None of it depends on the variables: kept per parsed document (the
 * pipeline's DocumentCache hands out the same DocumentNode for a repeated query), as a walk of
 * the whole document with graphql's visit() on every request showed in the profile of (a).
 */
const countsByDocument = new WeakMap<DocumentNode, { aliases: number; directives: number; invalidString: string | null }>();

function documentCounts(document: DocumentNode): { aliases: number; directives: number; invalidString: string | null } {
  const known = countsByDocument.get(document);
  if (known) return known;
  let aliases = 0;
  let directives = 0;
  let invalidString: string | null = null;
  visit(document, {
    Field(node) {
      if (node.alias) aliases++;
    },
    Directive() {
      directives++;
    },
    StringValue(node) {
      invalidString ??= invalidText(node.value);
    },
  });
  const counts = { aliases, directives, invalidString };
  countsByDocument.set(document, counts);
  return counts;
}

/**
 * Measures one operation before anything runs: depth, aliases, directives, and the node budget of
 * GitHub's GraphQL API (every connection counts its `first`/`last`, 20 when absent, multiplied by
 * the page sizes of the connections it is nested in; `nodes(ids:)` counts its ids; a list field
 * with a `first` argument counts that). Fragments are measured once each and reused, so a
 * document that spreads fragments exponentially is measured in linear time.
 */
export function analyzeOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variables?: Variables,
): OperationAnalysis | null {
  const cacheKey = operationName ?? '';
  const known = analyses.get(schema)?.get(document)?.get(cacheKey);
  if (known) return known;
  const operation = selectOperation(document, operationName);
  if (!operation) return null;
  const rootType =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const { aliases, directives, invalidString } = documentCounts(document);
  const defaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults.set(definition.variable.name.value, definition.defaultValue);
  }
  let badArgument: OperationAnalysis['badArgument'] = null;
  let variablesRead = false;

  const resolveValue = (value: ValueNode | undefined): unknown => {
    if (!value) return undefined;
    switch (value.kind) {
      case Kind.VARIABLE: {
        variablesRead = true;
        const name = value.name.value;
        if (variables && Object.hasOwn(variables, name)) return variables[name];
        return resolveValue(defaults.get(name));
      }
      case Kind.INT:
        return Number(value.value);
      case Kind.LIST:
        return value.values;
      case Kind.NULL:
        return null;
      default:
        return undefined;
    }
  };

  const argument = (field: FieldNode, name: string): unknown => resolveValue(field.arguments?.find((candidate) => candidate.name.value === name)?.value);

  /** How many items of its type one field returns at most, for the node budget (null: not a list). */
  const pageSize = (field: FieldNode, definition: GraphQLField<unknown, unknown>, ownerName: string): number | null => {
    const named = getNamedType(definition.type);
    const hasArgument = (name: string) => definition.args.some((arg) => arg.name === name);
    if (isConnectionType(named.name)) {
      let size: number | null = null;
      for (const name of ['first', 'last']) {
        if (!hasArgument(name)) continue;
        const value = argument(field, name);
        // A value of the wrong type fails variable coercion later; count it as the default.
        if (typeof value !== 'number' || !Number.isInteger(value)) continue;
        if (value < 0 || value > MAX_PAGE_SIZE) {
          badArgument ??= { argument: name, field: `${ownerName}.${definition.name}`, value };
          continue;
        }
        size = Math.max(size ?? 0, value);
      }
      return size ?? DEFAULT_PAGE_SIZE;
    }
    if (!isListType(getNullableType(definition.type))) return null;
    if (hasArgument('ids')) {
      const ids = argument(field, 'ids');
      return Array.isArray(ids) ? ids.length : 1;
    }
    if (hasArgument('first')) {
      const value = argument(field, 'first');
      return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : DEFAULT_PAGE_SIZE;
    }
    return null;
  };

  const fieldDefinition = (parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | null => {
    if (name === '__typename') return TypeNameMetaFieldDef;
    if (parent === schema.getQueryType()) {
      if (name === '__schema') return SchemaMetaFieldDef;
      if (name === '__type') return TypeMetaFieldDef;
    }
    if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name] ?? null;
    return null;
  };

  const fragmentTotals = new Map<string, Subtotal>();
  const inProgress = new Set<string>();

  const measure = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType): Subtotal => {
    let depth = 0;
    let nodes = 0;
    let typeLists = 0;
    for (const selection of selectionSet.selections) {
      let sub: Subtotal;
      if (selection.kind === Kind.FIELD) {
        const definition = fieldDefinition(parent, selection.name.value);
        // Unknown fields fail validation; they add a level and nothing else here.
        if (!definition) {
          depth = Math.max(depth, 1);
          continue;
        }
        const size = pageSize(selection, definition, parent.name);
        const child = getNamedType(definition.type);
        const inner = selection.selectionSet && isCompositeType(child) ? measure(selection.selectionSet, child) : EMPTY;
        const multiplier = size ?? 1;
        const introspection = parent.name.startsWith('__');
        sub = {
          // `ofType` chains (wrapped types in introspection) are linear and need ~9 levels: not counted
          depth: inner.depth + (introspection && selection.name.value === 'ofType' ? 0 : 1),
          nodes: (size ?? 0) + multiplier * inner.nodes,
          typeLists: inner.typeLists + (introspection && INTROSPECTION_TYPE_LISTS.has(selection.name.value) ? 1 : 0),
        };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        sub = typed && isCompositeType(typed) ? measure(selection.selectionSet, typed) : EMPTY;
      } else {
        sub = fragmentTotal(selection.name.value);
      }
      depth = Math.max(depth, sub.depth);
      nodes += sub.nodes;
      typeLists = Math.max(typeLists, sub.typeLists);
    }
    return { depth, nodes, typeLists };
  };

  const fragmentTotal = (name: string): Subtotal => {
    const known = fragmentTotals.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    // Unknown or cyclic spreads fail validation; measure them as empty.
    if (!fragment || inProgress.has(name)) return EMPTY;
    inProgress.add(name);
    const typed = schema.getType(fragment.typeCondition.name.value);
    const total = typed && isCompositeType(typed) ? measure(fragment.selectionSet, typed) : EMPTY;
    inProgress.delete(name);
    fragmentTotals.set(name, total);
    return total;
  };

  const root = rootType ? measure(operation.selectionSet, rootType) : { ...EMPTY, depth: 1 };
  const analysis: OperationAnalysis = {
    operationType: operation.operation,
    operationName: operation.name?.value ?? null,
    depth: root.depth,
    aliases,
    directives,
    nodes: root.nodes,
    rootFields: operation.selectionSet.selections.length,
    introspectionNesting: root.typeLists,
    badArgument,
    invalidString,
  };
  // an operation whose measure read no variable (its page sizes are literals) measures the same
  // for every request of it
  if (!variablesRead) {
    let byDocument = analyses.get(schema);
    if (!byDocument) analyses.set(schema, (byDocument = new WeakMap()));
    let byName = byDocument.get(document);
    if (!byName) byDocument.set(document, (byName = new Map()));
    byName.set(cacheKey, Object.freeze(analysis));
  }
  return analysis;
}

/**
 * Rate-limit points (GitHub's model): a query costs 1 plus one per hundred nodes it may return;
 * a mutation costs 5 per mutation field, plus the nodes of what it asks back.
 */
export function operationCost(analysis: OperationAnalysis | null): number {
  if (!analysis) return 1;
  const nodes = Math.floor(analysis.nodes / 100);
  return analysis.operationType === 'mutation' ? 5 * Math.max(1, analysis.rootFields) + nodes : 1 + nodes;
}

function limitError(code: string, message: string, limit: number, value: number): GraphQLError {
  return requestError(message, code, 400, { limit, value });
}

const formatNumber = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : String(value));

/** The limits an operation breaks, as client errors naming each limit; empty when it may run. */
export function queryLimitErrors(analysis: OperationAnalysis, limits: QueryLimits): GraphQLError[] {
  const errors: GraphQLError[] = [];
  if (analysis.depth > limits.maxDepth) {
    errors.push(
      limitError(
        'QUERY_TOO_DEEP',
        `The operation nests fields ${analysis.depth} levels deep; the limit is ${limits.maxDepth}`,
        limits.maxDepth,
        analysis.depth,
      ),
    );
  }
  if (analysis.aliases > limits.maxAliases) {
    errors.push(
      limitError('TOO_MANY_ALIASES', `The document uses ${analysis.aliases} aliases; the limit is ${limits.maxAliases}`, limits.maxAliases, analysis.aliases),
    );
  }
  if (analysis.directives > limits.maxDirectives) {
    errors.push(
      limitError(
        'TOO_MANY_DIRECTIVES',
        `The document uses ${analysis.directives} directives; the limit is ${limits.maxDirectives}`,
        limits.maxDirectives,
        analysis.directives,
      ),
    );
  }
  if (analysis.introspectionNesting > MAX_INTROSPECTION_NESTING) {
    errors.push(
      limitError(
        'QUERY_TOO_COMPLEX',
        `Introspection nests type lists (types, fields, inputFields, interfaces, possibleTypes) ${analysis.introspectionNesting} deep; the limit is ${MAX_INTROSPECTION_NESTING}`,
        MAX_INTROSPECTION_NESTING,
        analysis.introspectionNesting,
      ),
    );
  }
  if (analysis.badArgument) {
    const { argument, field, value } = analysis.badArgument;
    errors.push(
      requestError(`${argument} must be between 0 and ${MAX_PAGE_SIZE} (${field} got ${value})`, 'BAD_USER_INPUT', 400, {
        field: argument,
        limit: MAX_PAGE_SIZE,
        value,
      }),
    );
  } else if (analysis.nodes > limits.maxNodes) {
    errors.push(
      limitError(
        'QUERY_TOO_COMPLEX',
        `The operation may return up to ${formatNumber(analysis.nodes)} nodes; the limit is ${formatNumber(limits.maxNodes)}. ` +
          `Each connection counts its first or last (${DEFAULT_PAGE_SIZE} when absent) times the page sizes of the connections around it: ask for smaller pages.`,
        limits.maxNodes,
        analysis.nodes,
      ),
    );
  }
  return errors;
}

/**
 * graphql-js reports a document over `maxTokens` as a syntax error; this names the limit the
 * way the other limits do. Returns null for any other parse error.
 */
export function tokenLimitError(error: unknown, limits: QueryLimits): GraphQLError | null {
  const message = error instanceof Error ? error.message : '';
  if (!/Document contains more tha[nt] \d+ tokens/.test(message)) return null;
  return limitError(
    'TOO_MANY_TOKENS',
    `The document has more than ${limits.maxTokens} tokens; the limit is ${limits.maxTokens}`,
    limits.maxTokens,
    limits.maxTokens + 1,
  );
}
