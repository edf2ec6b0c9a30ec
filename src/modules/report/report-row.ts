import type { ClaimStatus } from '../claim/claim.enums';
import { CLAIM_COLUMNS, type ReportedClaim } from '../claim/claim.entity';
import { VERDICT_COLUMNS, type ReportedVerdict } from '../verdict/verdict.entity';
import { isReported } from '../../shared/fields';
import type { SourceKind } from '../source/source.entity';
import type { Stance } from '../evidence/evidence.entity';
import { RATING_SCALE, Rating } from '../verdict/rating';
import { reportWhere, type ReportScope } from './report.filter';

/** The claim columns a report carries as they are (CLAIM_COLUMNS), and the SQL that reads them. */
export const REPORTED_CLAIM_COLUMNS = CLAIM_COLUMNS.filter(isReported);
/** The verdict columns each row's `verdicts` carry as they are (VERDICT_COLUMNS). */
export const REPORTED_VERDICT_COLUMNS = VERDICT_COLUMNS.filter(isReported);

/**
 * One row of a verdict report: a claim with its article, speaker, verdicts, publication and
 * evidence. The claim's own reported fields (`quote`, `kind`, `status`, …) come from CLAIM_COLUMNS,
 * under their JSON Lines keys.
 */
export interface ReportRow extends ReportedClaim {
  claimId: string;
  teamId: string;
  article: {
    id: string;
    title: string;
    url: string | null;
    outlet: string | null;
    byline: string | null;
    publishedAt: Date | null;
    language: string;
  };
  speaker: { id: string; name: string | null; descriptor: string | null; kind: SourceKind; anonymous: boolean; url: string | null } | null;
  /** Current verdicts, oldest first. */
  verdicts: ReportVerdict[];
  /** For a SETTLED claim, the rating its agreeing verdicts amount to (see `consensusRating`). */
  consensusRating: Rating | null;
  /**
   * The desk's publication; `textChanged` when a revision changed the claim's words since (the
   * publication is then left out of ClaimReview and marked in the other formats), `quote` the
   * words it was made on.
   */
  published: { rating: Rating; rationale: string | null; at: Date; quote: string; textChanged: boolean } | null;
  evidence: ReportEvidence[];
  /** When the claim first became SETTLED; null unless it is SETTLED now (or not looked up: `withSettledAt`). */
  settledAt: Date | null;
}

/** As JSON carries a value: an instant as its ISO string. */
type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

/** A current verdict in a report row: its reported fields (VERDICT_COLUMNS), with who gave it. */
export type ReportVerdict = Json<ReportedVerdict> & { id: string; reviewerId: string; reviewerName: string };

export interface ReportEvidence {
  id: string;
  url: string | null;
  stance: Stance;
  quotedPassage: string | null;
  sourceName: string | null;
  /** Cited when the claim was published. */
  published: boolean;
}

/**
 * The rating a SETTLED claim's verdicts agree on. Settled verdicts are either one off-scale rating
 * (all MISLEADING, or all UNVERIFIABLE) or on-scale ratings at most one step apart; their median is
 * taken and a half step is rounded toward MIXED, the cautious side (TRUE + MOSTLY_TRUE -> MOSTLY_TRUE,
 * FALSE + MOSTLY_FALSE -> MOSTLY_FALSE).
 */
export function consensusRating(ratings: readonly Rating[]): Rating | null {
  if (ratings.length === 0) return null;
  const scaled = ratings.map((rating) => RATING_SCALE[rating]);
  if (scaled.every((value) => value === null)) {
    return ratings.every((rating) => rating === ratings[0]) ? ratings[0] : null;
  }
  if (scaled.some((value) => value === null)) return null;
  const sorted = (scaled as number[]).sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
  const rounded = median > 3 ? Math.floor(median) : Math.ceil(median);
  return SCALE_RATING[rounded];
}

const SCALE_RATING: Record<number, Rating> = {
  5: Rating.TRUE,
  4: Rating.MOSTLY_TRUE,
  3: Rating.MIXED,
  2: Rating.MOSTLY_FALSE,
  1: Rating.FALSE,
};

/** Sort key of report rows: article publication date (undated last), article, position in the text. */
export const ROW_SORT_KEY = `(coalesce(a.published_at, 'infinity'::timestamptz), a.id, c.position_start, c.id)`;

/** ISO 8601 in UTC with milliseconds, exactly as `Date.prototype.toISOString` prints it. */
export const isoUtc = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The claim's columns the query itself needs: identity, order, the settled lookup, the publication and its words. */
const OWN_COLUMNS = [
  'id',
  'team_id',
  'article_id',
  'position_start',
  'quote_exact',
  'status',
  'published_rating',
  'published_rationale',
  'published_at',
  'published_evidence_ids',
  'published_quote',
];
/** Every claim column a row selects: the query's own, then the reported ones. */
const CLAIM_SELECT = [...new Set([...OWN_COLUMNS, ...REPORTED_CLAIM_COLUMNS.map((field) => field.column)])].map((column) => `c.${column}`).join(', ');
/** A verdict's JSON object in a row: identity and reviewer, then its reported fields as JSON carries them. */
const VERDICT_JSON = [
  `'id', v.id, 'reviewerId', v.reviewer_id, 'reviewerName', u.name`,
  ...REPORTED_VERDICT_COLUMNS.map((field) => `'${field.report.json}', ${field.type === 'timestamptz' ? isoUtc(`v.${field.column}`) : `v.${field.column}`}`),
].join(', ');

export interface RowQueryOptions {
  extraWhere?: (params: unknown[]) => string;
  /** Walk from the end (Relay `last`/`before`): rows come out in reverse report order. */
  backward?: boolean;
  /** Rows strictly after (or, backward, before) this sort key: [published text, article id, position, claim id]. */
  cursor?: unknown[] | null;
  limit?: number;
  /**
   * Look up when each SETTLED claim first settled (one history range per row, about a third of
   * the query's cost): for the API's rows and ClaimReviews of settled claims, not bulk downloads.
   */
  withSettledAt?: boolean;
}

/**
 * The claims of a report with their article and speaker, picked and ordered (for a whole large
 * team Postgres sorts them once: about 8 s before the first of a million rows), as a subquery for
 * the per-row lookups of a report query (JSON rows here, CSV records in formats/csv.ts). `order`
 * gives the same order over the subquery's columns, for the outer query.
 */
export function orderedClaims(scope: ReportScope, options: RowQueryOptions = {}): { sql: string; params: unknown[]; order: (alias: string) => string } {
  const params: unknown[] = [];
  let where = reportWhere(scope, params);
  if (options.extraWhere) where += ` AND ${options.extraWhere(params)}`;
  const direction = options.backward ? 'DESC' : 'ASC';
  if (options.cursor) {
    const [publishedAt, articleId, position, claimId] = options.cursor;
    params.push(publishedAt, articleId, position, claimId);
    const n = params.length;
    where += ` AND ${ROW_SORT_KEY} ${options.backward ? '<' : '>'} ($${n - 3}::timestamptz, $${n - 2}::uuid, $${n - 1}::integer, $${n}::uuid)`;
  }
  // NULLS LAST ascending (FIRST descending) is what an index on articles.published_at gives, so the
  // planner may walk articles in order and claims per article instead of sorting everything;
  // the keyset condition above, with 'infinity' for undated articles, orders rows identically.
  const nulls = options.backward ? 'NULLS FIRST' : 'NULLS LAST';
  const order = (article: string, claim: string, published: string): string =>
    `${published} ${direction} ${nulls}, ${article} ${direction}, ${claim}.position_start ${direction}, ${claim}.id ${direction}`;
  const limit = options.limit !== undefined ? `LIMIT ${Math.trunc(options.limit)}` : '';
  const sql = `SELECT ${CLAIM_SELECT},
             a.title AS article_title, a.url AS article_url, a.outlet AS article_outlet, a.byline AS article_byline,
             a.published_at AS article_published_at, a.language AS article_language,
             coalesce(a.published_at, 'infinity'::timestamptz) AS sort_published,
             s.id AS speaker_id, s.name AS speaker_name, s.descriptor AS speaker_descriptor, s.kind AS speaker_kind,
             s.anonymous AS speaker_anonymous, s.url AS speaker_url
      FROM claims c
      JOIN articles a ON a.id = c.article_id
      LEFT JOIN sources s ON s.id = c.speaker_id
      WHERE ${where}
      ORDER BY ${order('a.id', 'c', 'a.published_at')}
      ${limit}`;
  return { sql, params, order: (alias) => order(`${alias}.article_id`, alias, `${alias}.article_published_at`) };
}

/**
 * The rows of a report, in report order: the ordered claims (see `orderedClaims`), each with its
 * verdicts, evidence and settle time through LATERAL subqueries, which run as nested loops over
 * index ranges (verdicts_claim_idx, evidence_claim_idx, history_entity_idx) and so keep the inner
 * order: the per-row lookups stream, and nothing wide is sorted or aggregated.
 */
export function rowQuery(scope: ReportScope, options: RowQueryOptions = {}): { sql: string; params: unknown[] } {
  const claims = orderedClaims(scope, options);
  // The leading comment names the query in pg_stat_activity (whose text is cut at 1 kB).
  const sql = `/* claimgraph:report-rows */
    SELECT b.*, b.sort_published::text AS sort_cursor, v.verdicts, e.evidence, st.settled_at
    FROM (
      ${claims.sql}
    ) b
    CROSS JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object(${VERDICT_JSON}) ORDER BY v.created_at, v.id), '[]'::json) AS verdicts
      FROM verdicts v JOIN users u ON u.id = v.reviewer_id
      WHERE v.claim_id = b.id AND v.withdrawn_at IS NULL
    ) v
    CROSS JOIN LATERAL (
      SELECT coalesce(json_agg(json_build_object(
               'id', e.id, 'url', e.url, 'stance', e.stance, 'quotedPassage', e.quoted_passage,
               'sourceName', coalesce(es.name, es.descriptor),
               'published', coalesce(e.id = ANY(b.published_evidence_ids), false)
             ) ORDER BY e.created_at, e.id), '[]'::json) AS evidence
      FROM evidence e LEFT JOIN sources es ON es.id = e.source_id
      WHERE e.claim_id = b.id AND e.removed_at IS NULL
    ) e
    ${
      options.withSettledAt
        ? `LEFT JOIN LATERAL (
      SELECT min(h.at) AS settled_at
      FROM history_events h
      WHERE b.status = 'SETTLED' AND h.entity_id = b.id AND h.claim_id = b.id
        AND h.action = 'STATUS_CHANGE' AND h.after->>'status' = 'SETTLED'
    ) st ON true`
        : 'CROSS JOIN (SELECT NULL::timestamptz AS settled_at) st'
    }
    ORDER BY ${claims.order('b')}`;
  return { sql, params: claims.params };
}

export function countQuery(scope: ReportScope, extraWhere?: (params: unknown[]) => string): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  let where = reportWhere(scope, params);
  if (extraWhere) where += ` AND ${extraWhere(params)}`;
  return { sql: `SELECT count(*)::bigint AS n FROM claims c JOIN articles a ON a.id = c.article_id WHERE ${where}`, params };
}

/**
 * Claims a ClaimReview export covers: published ones, and with `includeSettled` the SETTLED ones
 * too; never a publication whose words a revision changed since (it would pair the desk's verdict
 * with words it did not judge) until an editor publishes it again.
 */
export function claimReviewWhere(includeSettled: boolean): (params: unknown[]) => string {
  const covered = includeSettled ? `(c.published_at IS NOT NULL OR c.status = 'SETTLED')` : 'c.published_at IS NOT NULL';
  return () => `${covered} AND (c.published_at IS NULL OR c.published_quote IS NOT DISTINCT FROM c.quote_exact)`;
}

/** A row as Postgres answers it: columns under their names (the reported claim columns among them). */
export interface RawReportRow {
  [column: string]: unknown;
  id: string;
  team_id: string;
  article_id: string;
  quote_exact: string;
  status: ClaimStatus;
  position_start: number;
  published_rating: Rating | null;
  published_rationale: string | null;
  published_at: Date | null;
  published_quote: string | null;
  article_title: string;
  article_url: string | null;
  article_outlet: string | null;
  article_byline: string | null;
  article_published_at: Date | null;
  article_language: string;
  sort_published: unknown;
  /** Postgres's text of the sort date, microseconds and all ('infinity' for undated articles). */
  sort_cursor: string;
  speaker_id: string | null;
  speaker_name: string | null;
  speaker_descriptor: string | null;
  speaker_kind: SourceKind | null;
  speaker_anonymous: boolean | null;
  speaker_url: string | null;
  verdicts: ReportVerdict[];
  evidence: ReportEvidence[];
  settled_at: Date | null;
}

/** The columns a row of the report or of a public page carries of its article and speaker. */
export type ArticleAndSpeakerColumns = Pick<
  RawReportRow,
  | 'article_id'
  | 'article_title'
  | 'article_url'
  | 'article_outlet'
  | 'article_byline'
  | 'article_published_at'
  | 'article_language'
  | 'speaker_id'
  | 'speaker_name'
  | 'speaker_descriptor'
  | 'speaker_kind'
  | 'speaker_anonymous'
  | 'speaker_url'
>;

export function reportArticle(raw: ArticleAndSpeakerColumns): ReportRow['article'] {
  return {
    id: raw.article_id,
    title: raw.article_title,
    url: raw.article_url,
    outlet: raw.article_outlet,
    byline: raw.article_byline,
    publishedAt: raw.article_published_at,
    language: raw.article_language,
  };
}

export function reportSpeaker(raw: ArticleAndSpeakerColumns): ReportRow['speaker'] {
  return raw.speaker_id
    ? {
        id: raw.speaker_id,
        name: raw.speaker_name,
        descriptor: raw.speaker_descriptor,
        kind: raw.speaker_kind!,
        anonymous: raw.speaker_anonymous ?? false,
        url: raw.speaker_url,
      }
    : null;
}

export function toReportRow(raw: RawReportRow): ReportRow {
  const verdicts = raw.verdicts;
  const claim: Record<string, unknown> = {};
  for (const field of REPORTED_CLAIM_COLUMNS) claim[field.report.json] = raw[field.column];
  return {
    ...(claim as unknown as ReportedClaim),
    claimId: raw.id,
    teamId: raw.team_id,
    article: reportArticle(raw),
    speaker: reportSpeaker(raw),
    verdicts,
    consensusRating: raw.status === 'SETTLED' ? consensusRating(verdicts.map((verdict) => verdict.rating)) : null,
    published:
      raw.published_rating && raw.published_at
        ? {
            rating: raw.published_rating,
            rationale: raw.published_rationale,
            at: raw.published_at,
            quote: raw.published_quote ?? raw.quote_exact,
            textChanged: raw.published_quote !== null && raw.published_quote !== raw.quote_exact,
          }
        : null,
    evidence: raw.evidence,
    settledAt: raw.settled_at,
  };
}

/** The speaker as the report names them: the name, or how the text describes an anonymous source. */
export function speakerName(row: ReportRow): string | null {
  return row.speaker ? (row.speaker.name ?? row.speaker.descriptor) : null;
}
