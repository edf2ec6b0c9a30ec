/** schema.org / Google ClaimReview checks shared by the ClaimReview export, page and feed tests. */

/**
 * What schema.org says (https://schema.org/ClaimReview, /Claim, /Rating, /CreativeWork,
 * /Organization, /Person; data types /Text, /URL, /Date, /DateTime, /Number), and which properties
 * Google's fact-check guidance requires or recommends. Each property lists the types its range
 * admits; object types admit their schema.org subtypes.
 */
type Range = 'Text' | 'URL' | 'Date' | 'DateTime' | 'Number' | 'Rating' | 'Claim' | 'CreativeWork' | 'Organization' | 'Person' | 'ImageObject';
interface TypeDefinition {
  required: string[];
  recommended: string[];
  properties: Record<string, Range[]>;
}

export const SCHEMA: Record<string, TypeDefinition> = {
  ClaimReview: {
    required: ['claimReviewed', 'reviewRating', 'url'],
    recommended: ['author', 'datePublished', 'itemReviewed'],
    properties: {
      claimReviewed: ['Text'],
      reviewRating: ['Rating'],
      url: ['URL'],
      author: ['Organization', 'Person'],
      publisher: ['Organization', 'Person'],
      datePublished: ['Date', 'DateTime'],
      itemReviewed: ['Claim', 'CreativeWork'],
      reviewBody: ['Text'],
      citation: ['CreativeWork', 'Text'],
    },
  },
  Rating: {
    required: ['alternateName'],
    recommended: [],
    properties: { alternateName: ['Text'], ratingValue: ['Number', 'Text'], bestRating: ['Number', 'Text'], worstRating: ['Number', 'Text'] },
  },
  Claim: {
    required: [],
    recommended: ['author', 'datePublished', 'appearance'],
    properties: {
      author: ['Organization', 'Person'],
      datePublished: ['Date', 'DateTime'],
      appearance: ['CreativeWork'],
      firstAppearance: ['CreativeWork'],
      inLanguage: ['Text'],
    },
  },
  CreativeWork: {
    required: [],
    recommended: ['url'],
    properties: { url: ['URL'], headline: ['Text'], datePublished: ['Date', 'DateTime'], publisher: ['Organization', 'Person'], name: ['Text'] },
  },
  Organization: { required: ['name'], recommended: [], properties: { name: ['Text'], url: ['URL'], logo: ['ImageObject', 'URL'] } },
  ImageObject: { required: ['url'], recommended: [], properties: { url: ['URL'] } },
  Person: { required: ['name'], recommended: [], properties: { name: ['Text'], url: ['URL'] } },
};
/** schema.org subtypes we accept where the parent is expected. */
const SUBTYPES: Record<string, string[]> = { CreativeWork: ['CreativeWork', 'NewsArticle', 'Article', 'WebPage', 'Claim', 'ClaimReview'] };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function matchesRange(value: unknown, range: Range): boolean {
  switch (range) {
    case 'Text':
      return typeof value === 'string' && value.trim().length > 0;
    case 'URL':
      return typeof value === 'string' && /^https?:\/\/[^\s]+$/.test(value) && URL.canParse(value);
    case 'Date':
      return typeof value === 'string' && ISO_DATE.test(value);
    case 'DateTime':
      return typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
    case 'Number':
      return typeof value === 'number' && Number.isFinite(value);
    default: {
      const type = (value as { '@type'?: unknown } | null)?.['@type'];
      return typeof type === 'string' && (SUBTYPES[range] ?? [range]).includes(type);
    }
  }
}

/** Problems of one node and everything under it, as readable strings (empty: valid). */
export function check(node: Record<string, unknown>, path: string): string[] {
  const type = node['@type'] as string;
  const definition = SCHEMA[type] ?? (SUBTYPES.CreativeWork.includes(type) ? SCHEMA.CreativeWork : undefined);
  if (!definition) return [`${path}: unknown @type ${String(type)}`];
  const problems: string[] = [];
  for (const name of [...definition.required, ...definition.recommended]) {
    if (node[name] === undefined) problems.push(`${path}: ${type} lacks ${definition.required.includes(name) ? 'required' : 'recommended'} ${name}`);
  }
  for (const [name, value] of Object.entries(node)) {
    if (name.startsWith('@')) continue;
    const ranges = definition.properties[name];
    if (!ranges) {
      problems.push(`${path}.${name}: not a property of ${type} here`);
      continue;
    }
    for (const [index, item] of (Array.isArray(value) ? value : [value]).entries()) {
      const where = Array.isArray(value) ? `${path}.${name}[${index}]` : `${path}.${name}`;
      if (!ranges.some((range) => matchesRange(item, range))) problems.push(`${where}: ${JSON.stringify(item)} is not ${ranges.join(' or ')}`);
      else if (item && typeof item === 'object') problems.push(...check(item as Record<string, unknown>, where));
    }
  }
  return problems;
}

/**
 * The terms of schema.org's JSON-LD context (https://schema.org/docs/jsonldcontext.jsonld) that a
 * ClaimReview uses, as it defines them: everything in the schema.org vocabulary, URLs as IRIs,
 * dates typed. Served by a local document loader: the tests never touch the network.
 */
export const SCHEMA_ORG_CONTEXT = {
  '@context': {
    '@vocab': 'http://schema.org/',
    schema: 'http://schema.org/',
    url: { '@id': 'schema:url', '@type': '@id' },
    datePublished: { '@id': 'schema:datePublished', '@type': 'Date' },
  },
};
export const offlineLoader = async (url: string) => {
  if (/^https?:\/\/schema\.org\/?(docs\/jsonldcontext\.json(ld)?)?$/.test(url)) {
    return { contextUrl: undefined, document: SCHEMA_ORG_CONTEXT, documentUrl: url };
  }
  throw new Error(`no network in tests: ${url}`);
};
