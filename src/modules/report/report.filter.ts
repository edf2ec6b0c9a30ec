import { badInput } from '../../shared/errors';
import { ClaimStatus, Sourcing } from '../claim/claim.enums';
import { Rating } from '../verdict/rating';

/** What a verdict report covers, as a client states it (GraphQL input, HTTP query or CLI flags). */
export interface ReportFilterInput {
  /** A Team global ID or a team slug. */
  team: string;
  /** Article global IDs. */
  articleIds?: string[] | null;
  /** Articles published at or after. */
  publishedFrom?: Date | null;
  /** Articles published before. */
  publishedTo?: Date | null;
  status?: ClaimStatus[] | null;
  sourcing?: Sourcing[] | null;
  /** Claims with a current verdict of one of these ratings. */
  rating?: Rating[] | null;
  /** Claims with a current verdict by this reviewer: a User global ID or an email address. */
  reviewer?: string | null;
  /**
   * What the client called each field (GraphQL `filter.teamId`, HTTP `team`), so an error names
   * what the client sent, not this interface's names. Default: the HTTP query parameters.
   */
  names?: ReportFieldNames;
}

export type ReportFieldNames = Record<'team' | 'articleIds' | 'publishedFrom' | 'publishedTo' | 'reviewer', string>;

/** The HTTP query parameters and CLI flags of each filter field. */
export const QUERY_FIELD_NAMES: ReportFieldNames = { team: 'team', articleIds: 'article', publishedFrom: 'from', publishedTo: 'to', reviewer: 'reviewer' };

/** A team as its published ClaimReviews name it (the team's publishing settings). */
export interface PublishingTeam {
  name: string;
  organizationName: string | null;
  organizationUrl: string | null;
  organizationLogoUrl: string | null;
  publicBaseUrl: string | null;
}

/** The filter once checked against the caller's teams: raw ids only, ready for SQL. */
export interface ReportScope {
  team: PublishingTeam & { id: string; slug: string };
  articleIds: string[] | null;
  publishedFrom: Date | null;
  publishedTo: Date | null;
  status: ClaimStatus[] | null;
  sourcing: Sourcing[] | null;
  rating: Rating[] | null;
  reviewer: { id: string; name: string } | null;
}

/**
 * The claims of a report, as SQL over `claims c JOIN articles a`. Values go in `params` (positional),
 * never into the text. Row-level security scopes every table to the caller's teams as well; the team
 * condition here is what narrows a report to one of them (and lets the planner use the team indexes).
 */
export function reportWhere(scope: ReportScope, params: unknown[]): string {
  const add = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions = [`c.team_id = ${add(scope.team.id)}`, 'c.deleted_at IS NULL', 'a.deleted_at IS NULL'];
  if (scope.articleIds) conditions.push(`c.article_id = ANY(${add(scope.articleIds)}::uuid[])`);
  if (scope.publishedFrom) conditions.push(`a.published_at >= ${add(scope.publishedFrom)}`);
  if (scope.publishedTo) conditions.push(`a.published_at < ${add(scope.publishedTo)}`);
  if (scope.status) conditions.push(`c.status = ANY(${add(scope.status)}::text[])`);
  if (scope.sourcing) conditions.push(`c.sourcing = ANY(${add(scope.sourcing)}::text[])`);
  if (scope.rating || scope.reviewer) {
    const verdictConditions = ['fv.claim_id = c.id', 'fv.withdrawn_at IS NULL'];
    if (scope.rating) verdictConditions.push(`fv.rating = ANY(${add(scope.rating)}::text[])`);
    if (scope.reviewer) verdictConditions.push(`fv.reviewer_id = ${add(scope.reviewer.id)}::uuid`);
    conditions.push(`EXISTS (SELECT 1 FROM verdicts fv WHERE ${verdictConditions.join(' AND ')})`);
  }
  return conditions.join(' AND ');
}

// ---------------------------------------------------------------------------------------------
// The same filter as URL query parameters (HTTP downloads) and command-line flags (CLI).

/** Query parameters every export takes, and what they mean (also the CLI's filter flags). */
export const FILTER_PARAMETERS = ['team', 'article', 'from', 'to', 'status', 'sourcing', 'rating', 'reviewer'] as const;

export type QueryValues = Record<string, string | string[] | undefined>;

/** Values of a repeatable parameter: `status=SETTLED&status=DISPUTED` or `status=SETTLED,DISPUTED`. */
export function listParameter(query: QueryValues, name: string): string[] | null {
  const raw = query[name];
  if (raw === undefined) return null;
  const values = (Array.isArray(raw) ? raw : [raw])
    .flatMap((value) => String(value).split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  if (values.length === 0) throw badInput(`${name} is empty`, name);
  if (values.length > 1000) throw badInput(`${name} has more than 1000 values`, name);
  return values;
}

export function singleParameter(query: QueryValues, name: string): string | null {
  const raw = query[name];
  if (raw === undefined) return null;
  if (Array.isArray(raw)) {
    if (raw.length !== 1) throw badInput(`${name} may be given only once`, name);
    return singleParameter({ [name]: raw[0] }, name);
  }
  const value = String(raw).trim();
  if (!value) throw badInput(`${name} is empty`, name);
  if (value.length > 2000) throw badInput(`${name} is too long`, name);
  return value;
}

function enumValues<E extends string>(values: string[] | null, allowed: Record<string, E>, name: string): E[] | null {
  if (!values) return null;
  return values.map((value) => {
    const upper = value.toUpperCase().replace(/-/g, '_');
    if (!(upper in allowed)) throw badInput(`${name} must be one of ${Object.keys(allowed).join(', ')}; got "${value}"`, name);
    return allowed[upper];
  });
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An ISO 8601 date or date-time. A bare date means the start of that day (UTC) for `from`, and —
 * because people write `from=2026-03-01&to=2026-03-31` meaning all of March — the end of that day
 * for `to`. A date-time is taken exactly (`to` is exclusive).
 */
export function dateParameter(value: string | null, name: string, bound: 'from' | 'to'): Date | null {
  if (value === null) return null;
  if (DATE_ONLY.test(value)) {
    const date = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) throw badInput(`${name} is not a valid date`, name);
    return bound === 'to' ? new Date(date.getTime() + 86_400_000) : date;
  }
  if (!DATE_TIME.test(value)) throw badInput(`${name} must be an ISO 8601 date (2026-03-01) or date-time (2026-03-01T10:00:00Z)`, name);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw badInput(`${name} is not a valid date-time`, name);
  return date;
}

/** The filter part of an export's query parameters (the format's own options are parsed by the caller). */
export function filterFromQuery(query: QueryValues): ReportFilterInput {
  const team = singleParameter(query, 'team');
  if (!team) throw badInput('team is required (a team slug or Team ID)', 'team');
  const from = dateParameter(singleParameter(query, 'from'), 'from', 'from');
  const to = dateParameter(singleParameter(query, 'to'), 'to', 'to');
  if (from && to && from >= to) throw badInput('from must be before to', 'from');
  return {
    team,
    articleIds: listParameter(query, 'article'),
    publishedFrom: from,
    publishedTo: to,
    status: enumValues(listParameter(query, 'status'), ClaimStatus, 'status'),
    sourcing: enumValues(listParameter(query, 'sourcing'), Sourcing, 'sourcing'),
    rating: enumValues(listParameter(query, 'rating'), Rating, 'rating'),
    reviewer: singleParameter(query, 'reviewer'),
  };
}

/** Query parameters that reproduce a filter (for download links). */
export function queryFromFilter(filter: ReportFilterInput): URLSearchParams {
  const query = new URLSearchParams();
  query.set('team', filter.team);
  for (const id of filter.articleIds ?? []) query.append('article', id);
  if (filter.publishedFrom) query.set('from', filter.publishedFrom.toISOString());
  if (filter.publishedTo) query.set('to', filter.publishedTo.toISOString());
  if (filter.status?.length) query.set('status', filter.status.join(','));
  if (filter.sourcing?.length) query.set('sourcing', filter.sourcing.join(','));
  if (filter.rating?.length) query.set('rating', filter.rating.join(','));
  if (filter.reviewer) query.set('reviewer', filter.reviewer);
  return query;
}

/** A short human description of the filter, for the HTML report and file names. */
export function describeScope(scope: ReportScope): { label: string; value: string }[] {
  const iso = (date: Date): string => date.toISOString().replace('T00:00:00.000Z', '');
  const lines = [{ label: 'Team', value: `${scope.team.name} (${scope.team.slug})` }];
  if (scope.articleIds) lines.push({ label: 'Articles', value: `${scope.articleIds.length} selected` });
  if (scope.publishedFrom || scope.publishedTo) {
    lines.push({
      label: 'Article published',
      value: `${scope.publishedFrom ? `from ${iso(scope.publishedFrom)}` : ''}${scope.publishedFrom && scope.publishedTo ? ' ' : ''}${scope.publishedTo ? `before ${iso(scope.publishedTo)}` : ''}`,
    });
  }
  if (scope.status) lines.push({ label: 'Status', value: scope.status.join(', ') });
  if (scope.sourcing) lines.push({ label: 'Sourcing', value: scope.sourcing.join(', ') });
  if (scope.rating) lines.push({ label: 'Rating (any current verdict)', value: scope.rating.join(', ') });
  if (scope.reviewer) lines.push({ label: 'Reviewer (has a current verdict)', value: scope.reviewer.name });
  return lines;
}
