import fc from 'fast-check';

/**
 * Hostile inputs for the GraphQL endpoint, shared by the quick fuzz tests (npm test) and the long
 * run in the faults suite.
 */

export interface FuzzSeed {
  claimId: string;
  articleId: string;
  teamId: string;
  sourceId: string;
  verdictId: string;
}

const globalId = (type: string, raw: string): string => Buffer.from(`${type}:${raw}`, 'utf8').toString('base64url');

export const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\uD800',
    '\uDFFF\uD800',
    '🦆'.repeat(50),
    "'; DROP TABLE claims; --",
    '%00',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal template-looking string is the fuzz input
    '${}',
    '<script>alert(1)</script>',
    '\\u0000',
  ),
  fc.constant('x'.repeat(100_000)),
  fc.constant('é'.repeat(70_000)),
);

export const hostileInt = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -5, max: 150 }) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 2, arbitrary: fc.constantFrom(-1, 0, 1, 20, 100, 101, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53, -(2 ** 53)) },
  { weight: 1, arbitrary: fc.double() },
);

/** Values of any JSON type, for variables that expect something else. */
export const wrongType = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 3 }),
  hostileString,
  hostileInt,
  fc.constant(null),
  fc.constant(Array.from({ length: 2000 }, (_, index) => index)),
);

/** Mostly the right type with hostile content, sometimes the wrong type altogether. */
const typed = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 5, arbitrary }, { weight: 1, arbitrary: wrongType });

export function hostileId(seed: FuzzSeed): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(seed.claimId, seed.articleId, seed.teamId, seed.sourceId, seed.verdictId) },
    fc.uuid().map((uuid) => globalId('Claim', uuid)),
    fc.uuid().map((uuid) => globalId('Team', uuid)),
    fc.constantFrom('Claim', 'Nope', 'User', 'Article').chain((type) => hostileString.map((raw) => globalId(type, raw))),
    fc.string({ maxLength: 60 }).map((raw) => Buffer.from(raw).toString('base64')),
    hostileString,
  );
}

interface Template {
  query: string;
  variables: (seed: FuzzSeed) => fc.Arbitrary<Record<string, unknown>>;
}

const QUERY_TEMPLATES: Template[] = [
  {
    query: 'query($n: Int, $c: String) { claims(first: $n, after: $c) { totalCount edges { cursor node { id quote status } } pageInfo { hasNextPage } } }',
    variables: () => fc.record({ n: fc.oneof(hostileInt, wrongType), c: fc.oneof(hostileString, wrongType) }, { requiredKeys: [] }),
  },
  {
    query: 'query($n: Int, $c: String) { claims(last: $n, before: $c) { edges { node { id verdicts(first: $n) { nodes { rating } } } } } }',
    variables: () => fc.record({ n: hostileInt, c: hostileString }, { requiredKeys: [] }),
  },
  {
    query: 'query($id: ID!, $n: Int) { node(id: $id) { id ... on Claim { quote evidence(first: $n) { totalCount } } ... on Article { title } } }',
    variables: (seed) => fc.record({ id: hostileId(seed), n: hostileInt }, { requiredKeys: [] }),
  },
  {
    query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }',
    variables: (seed) => fc.record({ ids: fc.oneof(fc.array(hostileId(seed), { maxLength: 120 }), wrongType) }),
  },
  {
    query: 'query($id: ID!, $n: Int) { article(id: $id) { title claims(first: $n) { nodes { id anchor { position { start end } } } } } }',
    variables: (seed) => fc.record({ id: hostileId(seed), n: hostileInt }),
  },
  {
    query: 'query($s: String, $n: Int, $t: ID) { sources(search: $s, first: $n, teamId: $t) { nodes { displayName } } }',
    variables: (seed) => fc.record({ s: hostileString, n: hostileInt, t: hostileId(seed) }, { requiredKeys: [] }),
  },
  {
    query: 'query($f: ClaimFilter, $sort: ClaimSort) { claims(filter: $f, sort: $sort) { totalCount } }',
    variables: () => fc.record({ f: wrongType, sort: fc.oneof(fc.constantFrom('CREATED', 'POSITION', 'STATUS'), wrongType) }, { requiredKeys: [] }),
  },
  {
    query: 'query($slug: String, $id: ID) { team(slug: $slug, id: $id) { name history(first: 3) { nodes { action } } } }',
    variables: (seed) => fc.record({ slug: hostileString, id: hostileId(seed) }, { requiredKeys: [] }),
  },
];

const FIELDS = ['viewer', 'claims', 'teams', 'node', 'nodes', 'id', 'edges', 'node', 'totalCount', '__typename', '__schema', 'article', 'quote', 'verdicts'];
const PUNCTUATION = [
  '{',
  '}',
  '(',
  ')',
  ':',
  '$',
  '...',
  '@include(if: true)',
  'first: -5',
  'first: 99999999999',
  'on',
  'query',
  'mutation',
  'fragment F on Claim',
  '"',
  '"""',
  '#',
  ',',
];

/** Syntactically anything: real field names and punctuation shuffled, deep nesting, raw noise. */
const structuralNoise = fc.oneof(
  fc.array(fc.constantFrom(...FIELDS, ...PUNCTUATION), { maxLength: 60 }).map((tokens) => tokens.join(' ')),
  fc.integer({ min: 1, max: 3000 }).map((depth) => `${'{ viewer '.repeat(depth)}${'}'.repeat(depth)}`),
  fc.integer({ min: 1, max: 400 }).map((count) => `{ ${Array.from({ length: count }, (_, index) => `a${index}: viewer { id }`).join(' ')} }`),
  fc.integer({ min: 1, max: 2000 }).map((count) => `{ viewer { id ${'@skip(if: false) '.repeat(count)} } }`),
  fc
    .integer({ min: 1, max: 200 })
    .map(
      (count) =>
        `query { ...F0 } ${Array.from({ length: count }, (_, index) => `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`).join(' ')} fragment F${count} on Query { viewer { id } }`,
    ),
  hostileString,
);

export interface GraphQLRequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export function queryBodies(seed: FuzzSeed): fc.Arbitrary<GraphQLRequestBody> {
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.constantFrom(...QUERY_TEMPLATES).chain((template) => template.variables(seed).map((variables) => ({ query: template.query, variables }))),
    },
    { weight: 2, arbitrary: structuralNoise.map((query) => ({ query })) },
    { weight: 1, arbitrary: fc.record({ query: wrongType, variables: wrongType, operationName: wrongType }, { requiredKeys: [] }) },
  );
}

const anchor = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      quote: fc.record(
        { exact: fc.oneof(hostileString, fc.constantFrom('approved a budget', 'Ruiz', 'the', '4.2')), prefix: hostileString, suffix: hostileString },
        { requiredKeys: ['exact'] },
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ position: fc.record({ start: fc.integer({ min: -3, max: 400 }), end: fc.integer({ min: -3, max: 400 }) }) }) },
  { weight: 1, arbitrary: fc.constant({ quote: { exact: 'approved a budget' }, position: { start: 0, end: 3 } }) },
);
const enumOr = (values: string[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: hostileString });

interface MutationTemplate {
  name: string;
  query: string;
  input: (seed: FuzzSeed) => fc.Arbitrary<unknown>;
}

const MUTATION_TEMPLATES: MutationTemplate[] = [
  {
    name: 'createClaim',
    query: 'mutation($input: CreateClaimInput!) { createClaim(input: $input) { claim { id version } } }',
    input: (seed) =>
      fc.record(
        {
          articleId: hostileId(seed),
          anchor,
          kind: enumOr(['ASSERTION', 'DIRECT_QUOTE', 'REPORTED_SPEECH']),
          note: typed(hostileString),
          speakerId: hostileId(seed),
        },
        { requiredKeys: ['articleId', 'anchor', 'kind'] },
      ),
  },
  {
    name: 'updateClaim',
    query: 'mutation($input: UpdateClaimInput!) { updateClaim(input: $input) { claim { id version } } }',
    input: (seed) =>
      fc.record(
        { claimId: hostileId(seed), expectedVersion: typed(hostileInt), note: typed(hostileString), kind: enumOr(['ASSERTION']), anchor },
        { requiredKeys: ['claimId', 'expectedVersion'] },
      ),
  },
  {
    name: 'submitVerdict',
    query: 'mutation($input: SubmitVerdictInput!) { submitVerdict(input: $input) { verdict { id } } }',
    input: (seed) =>
      fc.record(
        {
          claimId: hostileId(seed),
          rating: enumOr(['TRUE', 'FALSE', 'MIXED']),
          rationale: typed(hostileString),
          confidence: typed(fc.double({ min: -1, max: 2 })),
          expectedVersion: typed(hostileInt),
        },
        { requiredKeys: ['claimId', 'rating'] },
      ),
  },
  {
    name: 'createArticle',
    query: 'mutation($input: CreateArticleInput!) { createArticle(input: $input) { article { id } } }',
    input: (seed) =>
      fc.record(
        {
          teamId: hostileId(seed),
          title: typed(hostileString),
          text: typed(hostileString),
          url: typed(hostileString),
          language: typed(hostileString),
          publishedAt: fc.oneof(hostileString, fc.constant('2026-13-45T99:99:99Z')),
        },
        { requiredKeys: ['teamId', 'title', 'text'] },
      ),
  },
  {
    name: 'createSource',
    query: 'mutation($input: CreateSourceInput!) { createSource(input: $input) { source { id } } }',
    input: (seed) =>
      fc.record(
        {
          teamId: hostileId(seed),
          kind: enumOr(['PERSON', 'DOCUMENT']),
          name: typed(hostileString),
          anonymous: typed(fc.boolean()),
          descriptor: typed(hostileString),
          url: typed(hostileString),
        },
        { requiredKeys: ['teamId', 'kind'] },
      ),
  },
  {
    name: 'addEvidence',
    query: 'mutation($input: AddEvidenceInput!) { addEvidence(input: $input) { evidence { id } } }',
    input: (seed) =>
      fc.record(
        {
          claimId: hostileId(seed),
          stance: enumOr(['SUPPORTS', 'REFUTES']),
          url: typed(hostileString),
          quotedPassage: typed(hostileString),
          sourceId: hostileId(seed),
        },
        { requiredKeys: ['claimId', 'stance'] },
      ),
  },
  {
    name: 'updateTeam',
    query: 'mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { team { id } } }',
    input: (seed) => fc.record({ teamId: hostileId(seed), name: typed(hostileString), verdictQuorum: typed(hostileInt) }, { requiredKeys: ['teamId'] }),
  },
  {
    name: 'withdrawVerdict',
    query: 'mutation($input: WithdrawVerdictInput!) { withdrawVerdict(input: $input) { verdict { id } } }',
    input: (seed) =>
      fc.record(
        { verdictId: hostileId(seed), expectedVersion: typed(hostileInt), reason: typed(hostileString) },
        { requiredKeys: ['verdictId', 'expectedVersion'] },
      ),
  },
];

export function mutationBodies(seed: FuzzSeed): fc.Arbitrary<{ name: string; body: GraphQLRequestBody }> {
  return fc
    .constantFrom(...MUTATION_TEMPLATES)
    .chain((template) =>
      fc
        .oneof({ weight: 8, arbitrary: template.input(seed) }, { weight: 1, arbitrary: wrongType })
        .map((input) => ({ name: template.name, body: { query: template.query, variables: { input } } })),
    );
}

export interface RawRequest {
  method: 'GET' | 'POST';
  contentType: string | null;
  body: Uint8Array | null;
  search: string;
}

/** Bytes that are not what they claim to be: invalid UTF-8, other charsets, truncated JSON, other types. */
export const rawRequests: fc.Arbitrary<RawRequest> = fc.oneof(
  fc.record({
    method: fc.constant('POST' as const),
    contentType: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/graphql',
      'text/plain',
      'multipart/form-data; boundary=x',
      null,
    ),
    body: fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc
        .uint8Array({ maxLength: 40 })
        .map((bytes) =>
          Uint8Array.from([...Buffer.from('{"query":"{ viewer { id } }","variables":{"x":"'), ...bytes, 0xc3, 0x28, 0xff, 0xfe, ...Buffer.from('"}}')]),
        ),
      fc
        .constantFrom(
          '{"query": "{ viewer { id } }"',
          '{"query": 5}',
          '[]',
          '[1,2,3]',
          'null',
          '"string"',
          '{"query":"{ viewer { id } }","variables":"{"}',
          '{"__proto__":{"query":"{ viewer { id } }"}}',
        )
        .map((text) => Buffer.from(text)),
    ),
    search: fc.constant(''),
  }),
  fc.record({
    method: fc.constant('GET' as const),
    contentType: fc.constant(null),
    body: fc.constant(null),
    search: fc.oneof(
      fc.string({ maxLength: 100 }).map((query) => `?query=${encodeURIComponent(query)}`),
      fc.constantFrom(
        '?query=%ZZ',
        '?query=%C3%28',
        '?variables=%7B&query=%7Bviewer%7Bid%7D%7D',
        '?query[]=1&query[]=2',
        '?query[a]=b',
        `?query=${'a'.repeat(7000)}`,
        '?query=%00',
      ),
    ),
  }),
);
