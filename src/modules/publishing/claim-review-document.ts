/**
 * Reading ClaimReview JSON-LD written by other organisations (their pages, feeds, exports), as
 * compacted schema.org JSON-LD: a single ClaimReview, an array of them, an `@graph`, or a
 * DataFeed's `dataFeedElement`s. Terms may carry the `schema:` prefix or the full schema.org IRI.
 * Every problem is reported per item, with where it is, so one bad item can be fixed and the
 * document sent again.
 */

export interface ExternalRating {
  alternateName: string | null;
  ratingValue: number | null;
  bestRating: number | null;
  worstRating: number | null;
}

/** One ClaimReview, as the import stores it. */
export interface ExternalClaimReview {
  claimReviewed: string;
  organization: { name: string; url: string | null };
  rating: ExternalRating;
  /** The review's page: the external verdict's URL (unique per team). */
  url: string;
  datePublished: string | null;
  claimAuthor: string | null;
  appearance: { url: string | null; headline: string | null; publisher: string | null; datePublished: string | null };
  language: string | null;
}

export interface ItemProblem {
  /** Position of the item in the document (0-based), in document order. */
  index: number;
  /** Where in the item (e.g. `reviewRating.alternateName`). */
  path: string;
  message: string;
}

export const MAX_ITEMS = 1000;
const SCHEMA_PREFIXES = ['schema:', 'http://schema.org/', 'https://schema.org/'];

type Node = Record<string, unknown>;

/** The value of a term, whatever prefix it was written with; arrays give their first value. */
function term(node: Node, name: string): unknown {
  for (const key of [name, ...SCHEMA_PREFIXES.map((prefix) => `${prefix}${name}`)]) {
    if (key in node) {
      const value = node[key];
      return Array.isArray(value) ? value[0] : value;
    }
  }
  return undefined;
}

function types(node: Node): string[] {
  const raw = node['@type'];
  return (Array.isArray(raw) ? raw : [raw])
    .filter((value): value is string => typeof value === 'string')
    .map((value) => SCHEMA_PREFIXES.reduce((name, prefix) => (name.startsWith(prefix) ? name.slice(prefix.length) : name), value));
}

/** A JSON-LD value as text: a string, or `{"@value": "..."}`. */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (value && typeof value === 'object' && typeof (value as Node)['@value'] === 'string') return text((value as Node)['@value']);
  return null;
}

function httpUrl(value: unknown): string | null {
  const raw = text(value) ?? (value && typeof value === 'object' ? text((value as Node)['@id']) : null);
  if (!raw || raw.length > 2000) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

function number(value: unknown): number | null {
  const raw = typeof value === 'object' && value ? (value as Node)['@value'] : value;
  const parsed = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(parsed) ? parsed : null;
}

function date(value: unknown): string | null {
  const raw = text(value);
  if (!raw || !/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(Date.parse(raw))) return null;
  return new Date(raw).toISOString();
}

/** A named thing (Organization, Person) or a bare name. */
function name(value: unknown): string | null {
  if (value && typeof value === 'object' && !Array.isArray(value)) return text(term(value as Node, 'name'));
  return text(value);
}

/** The items of a document, in order: arrays, `@graph`, DataFeed elements (and their `item`). */
export function documentItems(document: unknown): unknown[] {
  if (Array.isArray(document)) return document.flatMap((entry) => documentItems(entry));
  if (!document || typeof document !== 'object') return [document];
  const node = document as Node;
  if (Array.isArray(node['@graph'])) return documentItems(node['@graph']);
  if (types(node).includes('DataFeed')) {
    const elements = node.dataFeedElement ?? node['schema:dataFeedElement'];
    return documentItems(Array.isArray(elements) ? elements : elements === undefined ? [] : [elements]);
  }
  if (types(node).includes('DataFeedItem') && term(node, 'item') !== undefined) return documentItems(term(node, 'item'));
  return [node];
}

/** One item checked: the review, or what is wrong with it. */
export function readClaimReview(item: unknown, index: number): { review: ExternalClaimReview | null; problems: ItemProblem[] } {
  const problems: ItemProblem[] = [];
  const problem = (path: string, message: string): void => {
    problems.push({ index, path, message });
  };
  if (!item || typeof item !== 'object' || Array.isArray(item)) {
    problem('', 'is not a JSON object');
    return { review: null, problems };
  }
  const node = item as Node;
  if (!types(node).includes('ClaimReview')) {
    problem('@type', `is ${JSON.stringify(node['@type'] ?? null)}, not ClaimReview`);
    return { review: null, problems };
  }
  const claimReviewed = text(term(node, 'claimReviewed'));
  if (!claimReviewed) problem('claimReviewed', 'is missing or empty');
  else if ([...claimReviewed].length > 5000) problem('claimReviewed', 'is longer than 5000 characters');

  const url = httpUrl(term(node, 'url'));
  if (!url) problem('url', 'is missing or not an http(s) URL (it is where the review is read)');

  const author = term(node, 'author');
  const organizationName = name(author);
  if (!organizationName) problem('author.name', 'is missing: whose review is this?');
  else if (organizationName.length > 300) problem('author.name', 'is longer than 300 characters');
  const organizationUrl = author && typeof author === 'object' ? httpUrl(term(author as Node, 'url')) : null;

  const ratingNode = term(node, 'reviewRating');
  let rating: ExternalRating | null = null;
  if (!ratingNode || typeof ratingNode !== 'object') {
    problem('reviewRating', 'is missing');
  } else {
    const rated = ratingNode as Node;
    rating = {
      alternateName: text(term(rated, 'alternateName')),
      ratingValue: number(term(rated, 'ratingValue')),
      bestRating: number(term(rated, 'bestRating')),
      worstRating: number(term(rated, 'worstRating')),
    };
    if (!rating.alternateName && rating.ratingValue === null) problem('reviewRating', 'has neither alternateName nor a numeric ratingValue');
    if (rating.alternateName && rating.alternateName.length > 200) problem('reviewRating.alternateName', 'is longer than 200 characters');
  }

  const claimNode = term(node, 'itemReviewed');
  const claim = claimNode && typeof claimNode === 'object' ? (claimNode as Node) : {};
  const appearanceNode = term(claim, 'appearance') ?? term(claim, 'firstAppearance');
  const appearance = appearanceNode && typeof appearanceNode === 'object' ? (appearanceNode as Node) : {};
  const rawDate = term(node, 'datePublished');
  const datePublished = date(rawDate);
  if (rawDate !== undefined && !datePublished) problem('datePublished', 'is not an ISO 8601 date');
  const language = text(term(claim, 'inLanguage') ?? term(node, 'inLanguage'));

  if (problems.length) return { review: null, problems };
  return {
    review: {
      claimReviewed: claimReviewed!,
      organization: { name: organizationName!, url: organizationUrl },
      rating: rating!,
      url: url!,
      datePublished,
      claimAuthor: name(term(claim, 'author'))?.slice(0, 300) ?? null,
      appearance: {
        url: httpUrl(term(appearance, 'url')),
        headline: (text(term(appearance, 'headline')) ?? text(term(appearance, 'name')))?.slice(0, 500) ?? null,
        publisher: name(term(appearance, 'publisher'))?.slice(0, 200) ?? null,
        datePublished: date(term(appearance, 'datePublished')) ?? date(term(claim, 'datePublished')),
      },
      language: language && /^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(language) ? language : null,
    },
    problems,
  };
}

/** Every item of a document checked; the reviews only when none has a problem. */
export function readClaimReviewDocument(document: unknown): { reviews: ExternalClaimReview[]; problems: ItemProblem[] } {
  const items = documentItems(document);
  if (items.length === 0) return { reviews: [], problems: [{ index: 0, path: '', message: 'the document holds no ClaimReview' }] };
  if (items.length > MAX_ITEMS)
    return { reviews: [], problems: [{ index: MAX_ITEMS, path: '', message: `a document may hold at most ${MAX_ITEMS} ClaimReviews` }] };
  const reviews: ExternalClaimReview[] = [];
  const problems: ItemProblem[] = [];
  items.forEach((item, index) => {
    const result = readClaimReview(item, index);
    if (result.review) reviews.push(result.review);
    problems.push(...result.problems);
  });
  return { reviews: problems.length ? [] : reviews, problems };
}
