import fc from 'fast-check';
import {
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { FuzzSeed } from './fuzz';
import type { GraphQLRequestBody } from './fuzz';

/** Scalars that travel as strings: every argument (or input field) of these types is fuzzed. */
const STRING_SCALARS = new Set(['String', 'ID', 'URL', 'DateTime']);

/** Arbitrary strings: any code units (lone surrogates, NUL, controls), scripts, and a few classics. */
export const arbitraryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '\uD800',
      '\uDFFF',
      'x\uDBFF',
      '\u0001\u001f\u007f',
      '%00',
      "'; DROP TABLE claims; --",
      '2026-13-45T99:99:99Z',
      'infinity',
      '-1',
      '1e999',
      'NaN',
      'null',
      '00000000-0000-0000-0000-000000000000',
      Buffer.from(JSON.stringify(['notadate', '00000000-0000-0000-0000-000000000000'])).toString('base64url'),
      Buffer.from(JSON.stringify([Number.POSITIVE_INFINITY, 'x'])).toString('base64url'),
      'x'.repeat(5000),
      '🦆'.repeat(300),
    ),
  },
);

/** One place a string goes: an argument of a field, or a field inside an argument's input object. */
interface StringPosition {
  /** `Mutation.createClaim(input.note)`, for messages. */
  label: string;
  /** Builds the request with `value` at this position and plausible values everywhere else. */
  body(value: string, seed: FuzzSeed): GraphQLRequestBody;
}

const seedFor = (name: string, seed: FuzzSeed): string => {
  const lower = name.toLowerCase();
  if (lower.includes('team')) return seed.teamId;
  if (lower.includes('article')) return seed.articleId;
  if (lower.includes('source') || lower.includes('speaker')) return seed.sourceId;
  if (lower.includes('verdict')) return seed.verdictId;
  return seed.claimId;
};

/** Where the fuzzed string goes inside a value: field names from the argument down (lists: index 0). */
interface Target {
  path: string[];
  value: string;
}

/** A value of `type`: the target's string at its path, plausible values in every required field. */
function fill(type: GraphQLInputType, target: Target | null, name: string, seed: FuzzSeed): unknown {
  if (isNonNullType(type)) return fill(type.ofType, target, name, seed);
  if (isListType(type)) return [fill(type.ofType, target, name, seed)];
  if (isInputObjectType(type)) {
    const result: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (target && target.path[0] === field.name) {
        result[field.name] = fill(field.type, { path: target.path.slice(1), value: target.value }, field.name, seed);
      } else if (isNonNullType(field.type) && field.defaultValue === undefined) {
        result[field.name] = fill(field.type, null, field.name, seed);
      }
    }
    return result;
  }
  if (target && target.path.length === 0) return target.value;
  if (isEnumType(type)) return type.getValues()[0].value;
  switch (type.name) {
    case 'ID':
      return seedFor(name, seed);
    case 'String':
      return name.toLowerCase().includes('email') ? 'someone@example.org' : 'plausible text';
    case 'URL':
      return 'https://example.org/page';
    case 'DateTime':
      return '2026-01-01T00:00:00Z';
    case 'Int':
      return 1;
    case 'Float':
      return 0.5;
    case 'Boolean':
      return false;
    default:
      return {};
  }
}

/** Paths (field names) to every string-typed leaf of an input type, at most `depth` objects deep. */
function stringPaths(type: GraphQLInputType, depth = 3, seen = new Set<string>()): string[][] {
  const named = getNamedType(type);
  if (isInputObjectType(named)) {
    if (depth === 0 || seen.has(named.name)) return [];
    const inner = new Set(seen).add(named.name);
    return Object.values(named.getFields()).flatMap((field) => stringPaths(field.type, depth - 1, inner).map((path) => [field.name, ...path]));
  }
  return STRING_SCALARS.has(named.name) ? [[]] : [];
}

function typeString(type: GraphQLInputType): string {
  return type.toString();
}

function positionsOfField(
  field: GraphQLField<unknown, unknown>,
  wrap: (call: string, variableDefinitions: string[]) => { operation: string; extraVariables: (seed: FuzzSeed) => Record<string, unknown> },
  owner: string,
): StringPosition[] {
  const returned = getNamedType(field.type);
  // connections read their rows (and decode their cursors) only for what is selected
  const selection = !isCompositeType(returned) ? '' : returned.name.endsWith('Connection') ? ' { totalCount edges { cursor } }' : ' { __typename }';
  const build = (target: GraphQLArgument, path: string[]): StringPosition => ({
    label: `${owner}.${field.name}(${[target.name, ...path].join('.')})`,
    body: (value, seed) => {
      const variables: Record<string, unknown> = {};
      const definitions: string[] = [];
      const callArgs: string[] = [];
      field.args.forEach((argument, index) => {
        const isTarget = argument === target;
        if (!isTarget && !isNonNullType(argument.type)) return;
        definitions.push(`$a${index}: ${typeString(argument.type)}`);
        callArgs.push(`${argument.name}: $a${index}`);
        variables[`a${index}`] = fill(argument.type, isTarget ? { path, value } : null, argument.name, seed);
      });
      const call = `${field.name}${callArgs.length ? `(${callArgs.join(', ')})` : ''}${selection}`;
      const { operation, extraVariables } = wrap(call, definitions);
      return { query: operation, variables: { ...extraVariables(seed), ...variables } };
    },
  });
  return field.args.flatMap((argument) => stringPaths(argument.type).map((path) => build(argument, path)));
}

/** The string positions of a root type's fields, each called at the top of an operation of `keyword`. */
function rootPositions(root: GraphQLObjectType, keyword: 'query' | 'mutation'): StringPosition[] {
  return Object.values(root.getFields()).flatMap((field) =>
    positionsOfField(
      field,
      (call, definitions) => ({
        operation: `${keyword}${definitions.length ? `(${definitions.join(', ')})` : ''} { ${call} }`,
        extraVariables: () => ({}),
      }),
      root.name,
    ),
  );
}

/**
 * Every place a string goes into the schema's operations: the arguments (and input-object fields)
 * of every query and mutation field, and of the fields of the objects reachable from a seed
 * (`node(id:)` for claims, articles, teams, sources, verdicts; `viewer`). Subscriptions take the
 * same argument types as queries and run through the same pipeline; they are not fuzzed here.
 */
export function stringPositions(schema: GraphQLSchema): StringPosition[] {
  const positions: StringPosition[] = [];
  const query = schema.getQueryType()!;
  const mutation = schema.getMutationType();
  positions.push(...rootPositions(query, 'query'));
  const seeded: Record<string, keyof FuzzSeed> = { Claim: 'claimId', Article: 'articleId', Team: 'teamId', Source: 'sourceId', Verdict: 'verdictId' };
  for (const [typeName, seedKey] of Object.entries(seeded)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      positions.push(
        ...positionsOfField(
          field,
          (call, definitions) => ({
            operation: `query($node: ID!${definitions.length ? `, ${definitions.join(', ')}` : ''}) { node(id: $node) { ... on ${typeName} { ${call} } } }`,
            extraVariables: (seed) => ({ node: seed[seedKey] }),
          }),
          typeName,
        ),
      );
    }
  }
  const viewer = getNamedType(query.getFields().viewer.type);
  if (isObjectType(viewer)) {
    for (const field of Object.values(viewer.getFields())) {
      positions.push(
        ...positionsOfField(
          field,
          (call, definitions) => ({
            operation: `query${definitions.length ? `(${definitions.join(', ')})` : ''} { viewer { ${call} } }`,
            extraVariables: () => ({}),
          }),
          'viewer',
        ),
      );
    }
  }
  // Mutations last: one that accepts its arbitrary string may change or remove a seed
  // (`deleteClaim` with any reason deletes the seed claim while it is at version 1, which depends
  // on whether earlier mutations' strings were accepted), and the fields read through `node(id:)`
  // above must find their seed: a forged cursor is BAD_USER_INPUT only on a claim that is there.
  if (mutation) positions.push(...rootPositions(mutation, 'mutation'));
  return positions;
}
