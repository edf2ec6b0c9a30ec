import type { RequestDb } from '../../db/request-db';
import { ClaimStatus, Sourcing } from '../claim/claim.enums';
import { RATING_SCALE, Rating } from '../verdict/rating';
import { reportWhere, type ReportScope } from './report.filter';
import { coincidences, krippendorffAlpha, type AlphaMetric } from './krippendorff';

/**
 * The aggregate figures of a report. Each is one set-based query over the report's claims (the
 * same WHERE as the rows), run in the caller's transaction so figures and rows share a snapshot.
 */

export const RATINGS: Rating[] = [Rating.TRUE, Rating.MOSTLY_TRUE, Rating.MIXED, Rating.MOSTLY_FALSE, Rating.FALSE, Rating.MISLEADING, Rating.UNVERIFIABLE];
export const STATUSES: ClaimStatus[] = [ClaimStatus.UNREVIEWED, ClaimStatus.IN_REVIEW, ClaimStatus.DISPUTED, ClaimStatus.NEEDS_REREVIEW, ClaimStatus.SETTLED];
export const SOURCINGS: Sourcing[] = [Sourcing.SOURCED, Sourcing.ANONYMOUS, Sourcing.UNSOURCED];
const ON_SCALE = RATINGS.filter((rating) => RATING_SCALE[rating] !== null);

export interface ClaimCounts {
  total: number;
  byStatus: Record<ClaimStatus, number>;
  bySourcing: Record<Sourcing, number>;
  published: number;
  byPublishedRating: Record<Rating, number>;
}

export interface ReviewerCounts {
  reviewerId: string;
  reviewerName: string;
  verdicts: number;
  byRating: Record<Rating, number>;
}

export interface VerdictCounts {
  total: number;
  byRating: Record<Rating, number>;
  /** Most verdicts first. */
  byReviewer: ReviewerCounts[];
}

export interface AgreementFigure {
  level: AlphaMetric;
  method: string;
  /** Krippendorff's alpha; null when undefined (fewer than two pairable values, or no variation at all). */
  alpha: number | null;
  /** Claims with at least two current verdicts counted at this level. */
  units: number;
  pairableValues: number;
  categories: Rating[];
}

export interface SettleTime {
  /** SETTLED claims whose settle time is known. */
  settled: number;
  medianSeconds: number | null;
}

export interface ArticleSourcing {
  articleId: string;
  title: string;
  claims: number;
  bySourcing: Record<Sourcing, number>;
}

/** A constant SQL string literal for an enum value (enum values are [A-Z_] only). */
function literal(value: string): string {
  if (!/^[A-Z_]+$/.test(value)) throw new Error(`not an enum value: ${value}`);
  return `'${value}'`;
}

function countsBy<E extends string>(values: readonly E[], column: string, prefix: string): string {
  return values.map((value) => `count(*) FILTER (WHERE ${column} = ${literal(value)})::int AS ${prefix}_${value.toLowerCase()}`).join(',\n');
}

function pick<E extends string>(row: Record<string, unknown>, values: readonly E[], prefix: string): Record<E, number> {
  return Object.fromEntries(values.map((value) => [value, Number(row[`${prefix}_${value.toLowerCase()}`] ?? 0)])) as Record<E, number>;
}

const FILTERED_CLAIMS = (where: string): string => `SELECT c.id FROM claims c JOIN articles a ON a.id = c.article_id WHERE ${where}`;

/**
 * The current verdicts of the report's claims, as `v`. A verdict's team is its claim's, and saying
 * so lets Postgres read the team's verdicts through the (team_id, rating) index when the team is a
 * small part of the table (the 100-claim bench team: 11.2 → 3.5 ms), where it read them claim by
 * claim or every team's.
 */
function currentVerdicts(scope: ReportScope, where: string, params: unknown[]): string {
  params.push(scope.team.id);
  return `verdicts v
      JOIN (${FILTERED_CLAIMS(where)}) f ON f.id = v.claim_id
      WHERE v.withdrawn_at IS NULL AND v.team_id = $${params.length}`;
}

const PUBLISHED_RATING = 'c.published_rating';

export async function claimCounts(db: RequestDb, scope: ReportScope): Promise<ClaimCounts> {
  const params: unknown[] = [];
  const where = reportWhere(scope, params);
  const [row] = await db.query(
    `
    SELECT count(*)::int AS total,
           count(${PUBLISHED_RATING})::int AS published,
           ${countsBy(STATUSES, 'c.status', 'status')},
           ${countsBy(SOURCINGS, 'c.sourcing', 'sourcing')},
           ${countsBy(RATINGS, PUBLISHED_RATING, 'published')}
    FROM claims c JOIN articles a ON a.id = c.article_id
    WHERE ${where}`,
    params,
  );
  return {
    total: Number(row.total),
    byStatus: pick(row, STATUSES, 'status'),
    bySourcing: pick(row, SOURCINGS, 'sourcing'),
    published: Number(row.published),
    byPublishedRating: pick(row, RATINGS, 'published'),
  };
}

/** Current verdicts on the report's claims, by rating, and per reviewer by rating (one ROLLUP). */
export async function verdictCounts(db: RequestDb, scope: ReportScope): Promise<VerdictCounts> {
  const params: unknown[] = [];
  const where = reportWhere(scope, params);
  const rows = await db.query(
    `
    SELECT r.*, u.name AS reviewer_name
    FROM (
      SELECT v.reviewer_id, count(*)::int AS verdicts, ${countsBy(RATINGS, 'v.rating', 'rating')}
      FROM ${currentVerdicts(scope, where, params)}
      GROUP BY ROLLUP (v.reviewer_id)
    ) r
    LEFT JOIN users u ON u.id = r.reviewer_id
    ORDER BY r.reviewer_id IS NULL, r.verdicts DESC, u.name, r.reviewer_id`,
    params,
  );
  const total = rows.find((row) => row.reviewer_id === null);
  return {
    total: Number(total?.verdicts ?? 0),
    byRating: total ? pick(total, RATINGS, 'rating') : pick({}, RATINGS, 'rating'),
    byReviewer: rows
      .filter((row) => row.reviewer_id !== null)
      .map((row) => ({
        reviewerId: String(row.reviewer_id),
        reviewerName: String(row.reviewer_name ?? ''),
        verdicts: Number(row.verdicts),
        byRating: pick(row, RATINGS, 'rating'),
      })),
  };
}

/**
 * Inter-reviewer agreement as Krippendorff's alpha: units are claims, coders reviewers, values their
 * current ratings. Two levels: nominal over all seven ratings (MISLEADING and UNVERIFIABLE are just
 * other categories), and ordinal over the TRUE..FALSE scale (off-scale verdicts left out, so a claim
 * counts there only with two on-scale verdicts).
 *
 * A claim's contribution to the coincidence matrix depends only on the multiset of its ratings, so
 * SQL groups the claims by that pattern (one pass over their verdicts, in claim order) and returns
 * the few distinct patterns with their counts; the matrix is summed from those, and alpha is the
 * pure `krippendorffAlpha`. (Joining each claim's ratings with themselves in SQL took ~50 s on 2M
 * verdicts; this takes a few.)
 */
export async function agreement(db: RequestDb, scope: ReportScope): Promise<AgreementFigure[]> {
  const params: unknown[] = [];
  const where = reportWhere(scope, params);
  const rows = await db.query<{ pattern: Rating[]; claims: number }>(
    `
    SELECT pattern, count(*)::int AS claims
    FROM (
      SELECT array_agg(v.rating ORDER BY v.rating) AS pattern
      FROM ${currentVerdicts(scope, where, params)}
      GROUP BY v.claim_id
      HAVING count(*) >= 2
    ) units
    GROUP BY pattern`,
    params,
  );

  const nominalUnits = rows.map((row) => row.pattern);
  const ordinalUnits = rows.map((row) => row.pattern.map((rating) => RATING_SCALE[rating]).filter((value): value is number => value !== null));
  const weights = rows.map((row) => Number(row.claims));
  const unitCount = (units: unknown[][]): number => units.reduce((sum: number, values, index) => sum + (values.length >= 2 ? weights[index] : 0), 0);
  const nominal = krippendorffAlpha(coincidences(nominalUnits, weights), 'nominal');
  const ordinal = krippendorffAlpha(coincidences(ordinalUnits, weights), 'ordinal');
  return [
    {
      level: 'nominal',
      method: "Krippendorff's alpha, nominal: all seven ratings as unordered categories",
      alpha: nominal.alpha,
      units: unitCount(nominalUnits),
      pairableValues: nominal.pairableValues,
      categories: RATINGS,
    },
    {
      level: 'ordinal',
      method: "Krippendorff's alpha, ordinal: the TRUE (5) .. FALSE (1) scale; MISLEADING and UNVERIFIABLE verdicts left out",
      alpha: ordinal.alpha,
      units: unitCount(ordinalUnits),
      pairableValues: ordinal.pairableValues,
      categories: ON_SCALE,
    },
  ];
}

/**
 * Median time from import to settled, over the report's claims that are SETTLED now: from the claim's
 * CREATE event (its created_at when history has none) to its first STATUS_CHANGE to SETTLED.
 */
export async function settleTime(db: RequestDb, scope: ReportScope): Promise<SettleTime> {
  const params: unknown[] = [];
  const where = reportWhere(scope, params);
  const [row] = await db.query<{ settled: number; median_seconds: number | null }>(
    `
    SELECT count(*)::int AS settled,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.settled_at - t.created_at)::float8) AS median_seconds
    FROM (
      SELECT coalesce(h.created_at, c.created_at) AS created_at, h.settled_at
      FROM claims c
      JOIN articles a ON a.id = c.article_id
      CROSS JOIN LATERAL (
        SELECT min(e.at) FILTER (WHERE e.action = 'CREATE') AS created_at,
               min(e.at) FILTER (WHERE e.action = 'STATUS_CHANGE' AND e.after->>'status' = 'SETTLED') AS settled_at
        FROM history_events e
        WHERE e.claim_id = c.id AND e.entity_id = c.id
      ) h
      WHERE ${where} AND c.status = 'SETTLED' AND h.settled_at IS NOT NULL
    ) t`,
    params,
  );
  return { settled: Number(row.settled), medianSeconds: row.median_seconds === null ? null : Number(row.median_seconds) };
}

/** Claims per article by sourcing, the articles with most claims first; and how many articles there are. */
export async function sourcingByArticle(db: RequestDb, scope: ReportScope, limit: number): Promise<{ articles: number; rows: ArticleSourcing[] }> {
  const params: unknown[] = [];
  const where = reportWhere(scope, params);
  params.push(limit);
  const rows = await db.query(
    `
    SELECT c.article_id, a.title, count(*)::int AS claims, ${countsBy(SOURCINGS, 'c.sourcing', 'sourcing')},
           count(*) OVER ()::int AS articles
    FROM claims c JOIN articles a ON a.id = c.article_id
    WHERE ${where}
    GROUP BY c.article_id, a.title, a.published_at
    ORDER BY claims DESC, a.published_at NULLS LAST, c.article_id
    LIMIT $${params.length}`,
    params,
  );
  return {
    articles: Number(rows[0]?.articles ?? 0),
    rows: rows.map((row) => ({
      articleId: String(row.article_id),
      title: String(row.title),
      claims: Number(row.claims),
      bySourcing: pick(row, SOURCINGS, 'sourcing'),
    })),
  };
}
