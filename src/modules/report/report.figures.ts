import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { RequestDb } from '../../db/request-db';
import type { Loaders } from '../../shared/loaders';
import { hydrate } from '../../shared/nested-connection';
import { Article } from '../article/article.entity';
import { ClaimStatus, Sourcing } from '../claim/claim.enums';
import { User } from '../user/user.entity';
import { RATING_SCALE, Rating } from '../verdict/rating';
import { reportWhere, type ReportScope } from './report.filter';
import { coincidences, krippendorffAlpha, type AlphaMetric } from './krippendorff';

/**
 * The aggregate figures of a report, two ways. `maintainedFigures` reads the figures the write path
 * keeps per team and per article (src/modules/report/report-figures.sql): a few hundred rows
 * whatever the team's size, for every report whose filter is on articles only (ids, publication
 * dates). The others (`claimCounts`, `verdictCounts`, `agreement`, `settleTime`,
 * `sourcingByArticle`) compute from the report's claims with one set-based query each (the same
 * WHERE as the rows): the reports filtered on claims or verdicts, and the reference the maintained
 * figures are tested against. All run in the caller's transaction, so figures and rows share a
 * snapshot.
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

/**
 * Rows of articles with claims by sourcing (`sourcing_<value>` columns) and the count of such
 * articles (null when the query did not count them), as the report answers them.
 */
function articleSourcing(rows: Record<string, unknown>[], counted = true): { articles: number | null; rows: ArticleSourcing[] } {
  return {
    articles: counted ? Number(rows[0]?.articles ?? 0) : null,
    rows: rows.map((row) => ({
      articleId: String(row.article_id),
      title: String(row.title),
      claims: Number(row.claims),
      bySourcing: pick(row, SOURCINGS, 'sourcing'),
    })),
  };
}

const FILTERED_CLAIMS = (where: string): string => `SELECT c.id FROM claims c JOIN articles a ON a.id = c.article_id WHERE ${where}`;

/**
 * The current verdicts of the report's claims, as `v`. A verdict's team is its claim's, and saying
 * so lets Postgres read the team's verdicts through the (team_id, rating) index when the team is a
 * small part of the table, where it would otherwise read them claim by claim or every team's
 * (figures in bench/README.md).
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

  return agreementOf(rows);
}

/**
 * Both alphas from the maintained pattern figures (key: the ratings in order, space-separated; n:
 * the claims with that pattern), taken in key order (byte order, as `COLLATE "C"` sorts them): the
 * sums in `krippendorffAlpha` follow the rows' order, so the resolvers and the SQL-compiled
 * report (src/modules/report/report.sql-selection.ts) get the same doubles from the same rows.
 */
export function agreementOfKeys(rows: readonly { key: string; n: number }[]): AgreementFigure[] {
  const ordered = [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return agreementOf(ordered.map((row) => ({ pattern: row.key.split(' ') as Rating[], claims: row.n })));
}

/** Both alphas from the claims' rating patterns (each distinct multiset of ratings, with how many claims have it). */
function agreementOf(rows: { pattern: Rating[]; claims: number }[]): AgreementFigure[] {
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
export async function sourcingByArticle(db: RequestDb, scope: ReportScope, limit: number): Promise<{ articles: number | null; rows: ArticleSourcing[] }> {
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
  return articleSourcing(rows);
}

// ---------------------------------------------------------------------------------------------
// The maintained figures.

/** Whether the maintained figures answer this scope: kept per team and per article, they combine for any filter on articles. */
export function maintainedScope(scope: ReportScope): boolean {
  return !scope.status && !scope.sourcing && !scope.rating && !scope.reviewer;
}

export interface MaintainedFigures {
  claims: ClaimCounts;
  verdicts: VerdictCounts;
  agreement: AgreementFigure[];
  settle: SettleTime;
}

interface FigureRow {
  figure: 'claim' | 'verdict' | 'pattern' | 'settle';
  key: string;
  n: string;
  reviewer_name: string | null;
  reviewer_rank: string | null;
  [column: string]: unknown;
}

/** The columns of `entity` from table alias `alias`, each as `prefix` + its column name (for `hydrate`). */
function entityColumns(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, alias: string, prefix: string): string {
  return manager.connection
    .getMetadata(entity)
    .columns.map((column) => `${alias}."${column.databaseName}" AS "${prefix}${column.databaseName}"`)
    .join(', ');
}

/**
 * Puts the rows a report query joined into the request's loaders, so the fields that resolve them
 * (a reviewer's user, an article's) answer without another statement each. The same rows the
 * loader would read: the query ran under the same role and scope.
 */
function primeJoined<T extends { id: string }>(
  loaders: Loaders | undefined,
  manager: EntityManager,
  entity: EntityTarget<T>,
  teamScoped: boolean,
  rows: Record<string, unknown>[],
  prefix: string,
): void {
  if (!loaders) return;
  for (const row of rows) {
    const id = row[`${prefix}id`];
    if (typeof id === 'string' && loaders.peek(entity, id) === undefined) loaders.prime(entity, teamScoped, id, hydrate(manager, entity, row, prefix));
  }
}

/** The conditions on `articles a` of a scope that `maintainedScope` accepts; null for the whole team. */
function articleWhere(scope: ReportScope, params: unknown[]): string | null {
  const add = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions: string[] = [];
  if (scope.articleIds) conditions.push(`a.id = ANY(${add(scope.articleIds)}::uuid[])`);
  if (scope.publishedFrom) conditions.push(`a.published_at >= ${add(scope.publishedFrom)}`);
  if (scope.publishedTo) conditions.push(`a.published_at < ${add(scope.publishedTo)}`);
  return conditions.length ? conditions.join(' AND ') : null;
}

/** The reviewer of a verdict figure's key; NULL for the other figures, whose keys are no UUIDs (a hash join casts every row). */
export const REVIEWER_OF_KEY = "CASE WHEN f.figure = 'verdict' THEN split_part(f.key, ' ', 1)::uuid END";

/**
 * The figure rows of the whole team, or of the articles a filter on ids (and dates) selects.
 * The filter's articles first (an index on articles), then each one's rows by the primary key:
 * joined as tables, Postgres read every row of report_article_figures of every team and hashed
 * them (OFFSET 0 keeps the per-article subquery from being flattened into that join).
 */
function articleFigures(scope: ReportScope, params: unknown[]): string {
  const where = articleWhere(scope, params);
  return where
    ? `SELECT r.figure, r.key, sum(r.n) AS n
         FROM articles a
         CROSS JOIN LATERAL (SELECT r.figure, r.key, r.n FROM report_article_figures r WHERE r.article_id = a.id OFFSET 0) r
        WHERE a.team_id = $1 AND a.deleted_at IS NULL AND ${where}
        GROUP BY r.figure, r.key HAVING sum(r.n) <> 0`
    : `SELECT r.figure, r.key, sum(r.n) AS n FROM report_team_figures r WHERE r.team_id = $1 GROUP BY r.figure, r.key HAVING sum(r.n) <> 0`;
}

/** The lengths in seconds of the periods figures are kept for, longest first: `claimgraph_report_spans()` in report-figures.sql. */
export const REPORT_SPANS = [86_400, 3_600, 300] as const;

export interface PeriodRanges {
  /** Runs of whole periods, `[from, to)` on their starts in epoch ms (±Infinity for an open end; empty when from ≥ to). */
  periods: { span: number; from: number; to: number }[];
  /** The range's part that whole periods cover, `[lo, hi)`; its articles outside it are read one by one (lo = hi: none covered). */
  lo: number;
  hi: number;
}

/**
 * A range of publication instants `[from, to)` (epoch ms, ±Infinity for an open end) as whole
 * periods: the whole days inside it, then at each end the whole hours outside those days, then the
 * whole five minutes outside those hours; what is left at each end is less than five minutes, read
 * from the articles' rows. Each span divides the one before it (the periods share the UTC origin),
 * so the periods taken at one span end where the next span's begin. Two runs per span, empty ones
 * included, so every dated report has one statement text.
 */
export function periodRanges(from: number, to: number): PeriodRanges {
  const periods: PeriodRanges['periods'] = [];
  // the covered part so far: a point before the first span that has a whole period in the range
  let lo = from;
  let hi = from;
  const clamp = (value: number, low: number, high: number): number => Math.min(Math.max(value, low), high);
  for (const span of REPORT_SPANS) {
    const ms = span * 1000;
    const first = Math.ceil(from / ms) * ms;
    const end = Math.floor(to / ms) * ms;
    if (first > end) {
      periods.push({ span, from: first, to: first }, { span, from: first, to: first });
      continue;
    }
    // the covered part is aligned to this span and, once not a point, lies inside [first, end)
    periods.push({ span, from: first, to: clamp(lo, first, end) }, { span, from: clamp(hi, first, end), to: end });
    lo = first;
    hi = end;
  }
  return { periods, lo, hi };
}

/**
 * The figure rows of the articles published between two instants: the team's rows of the whole
 * days, hours and five minutes the range covers (`periodRanges`), and the per-article rows of the
 * articles in the part-five-minutes at its ends. Whatever the range, that is a few hundred period
 * rows and a few articles' rows (a month at a million claims: ~10k articles' rows by hours alone).
 */
function datedFigures(scope: ReportScope, params: unknown[]): string {
  // an open end is timestamptz 'infinity' ('-infinity'), which a Date cannot hold: passed as text, cast
  const add = (value: number): string => {
    params.push(value === Infinity ? 'infinity' : value === -Infinity ? '-infinity' : new Date(value));
    return `$${params.length}::timestamptz`;
  };
  const from = scope.publishedFrom?.getTime() ?? -Infinity;
  const to = scope.publishedTo?.getTime() ?? Infinity;
  const { periods, lo, hi } = periodRanges(from, to);
  const periodRows = periods.map(
    (period) =>
      `SELECT r.figure, r.key, r.n FROM report_period_figures r
          WHERE r.team_id = $1 AND r.span = ${Number(period.span)} AND r.start >= ${add(period.from)} AND r.start < ${add(period.to)}`,
  );
  return `SELECT f.figure, f.key, sum(f.n) AS n
      FROM (
        ${periodRows.join(' UNION ALL ')}
        UNION ALL
        SELECT r.figure, r.key, r.n
          FROM articles a
          CROSS JOIN LATERAL (SELECT r.figure, r.key, r.n FROM report_article_figures r WHERE r.article_id = a.id OFFSET 0) r
         WHERE a.team_id = $1 AND a.deleted_at IS NULL AND a.published_at >= ${add(from)} AND a.published_at < ${add(to)}
           AND (a.published_at < ${add(lo)} OR a.published_at >= ${add(hi)})
      ) f
     GROUP BY f.figure, f.key HAVING sum(f.n) <> 0`;
}

/**
 * The maintained figure rows (figure, key, n) of a scope `maintainedScope` accepts, summed over
 * slots and articles: `$1` is the team, the filter's values are pushed onto `params`.
 */
export function figureRows(scope: ReportScope, params: unknown[]): string {
  return scope.articleIds || (!scope.publishedFrom && !scope.publishedTo) ? articleFigures(scope, params) : datedFigures(scope, params);
}

/** Reviewers in `verdictCounts`'s order, over `p` (reviewer_id, verdicts) joined to `users u`. */
export const REVIEWER_RANK = 'p.verdicts DESC, u.name, p.reviewer_id';

/**
 * Every figure of the report from the maintained rows, in one statement: the team's rows, or the
 * rows of the articles the filter selects, summed over their slots (and articles). Reviewers come
 * ranked as `verdictCounts` ranks them (most verdicts, then name, then id).
 */
export async function maintainedFigures(db: RequestDb, scope: ReportScope, loaders?: Loaders): Promise<MaintainedFigures> {
  if (!maintainedScope(scope)) throw new Error('maintainedFigures: the scope filters claims or verdicts');
  const manager = await db.manager();
  const params: unknown[] = [scope.team.id];
  const figures = figureRows(scope, params);
  const rows = await db.query<FigureRow>(
    `
    WITH f AS (${figures}),
    reviewers AS (
      SELECT p.reviewer_id, u.name, row_number() OVER (ORDER BY ${REVIEWER_RANK}) AS rank,
             ${entityColumns(manager, User, 'u', 'user_')}
      FROM (SELECT ${REVIEWER_OF_KEY} AS reviewer_id, sum(f.n) AS verdicts FROM f WHERE f.figure = 'verdict' GROUP BY 1) p
      LEFT JOIN users u ON u.id = p.reviewer_id
    )
    SELECT f.figure, f.key, f.n::text AS n, r.name AS reviewer_name, r.rank::text AS reviewer_rank, r.*
    FROM f LEFT JOIN reviewers r ON r.reviewer_id = ${REVIEWER_OF_KEY}`,
    params,
    // its text depends only on which article filters are set: a few shapes, each planned once per connection
    { prepare: true },
  );
  primeJoined(loaders, manager, User, false, rows, 'user_');
  return figuresOf(rows);
}

function figuresOf(rows: FigureRow[]): MaintainedFigures {
  const of = (figure: FigureRow['figure']) => rows.filter((row) => row.figure === figure).map((row) => ({ ...row, count: Number(row.n) }));
  const zero = <E extends string>(values: readonly E[]): Record<E, number> => Object.fromEntries(values.map((value) => [value, 0])) as Record<E, number>;

  const claims: ClaimCounts = { total: 0, byStatus: zero(STATUSES), bySourcing: zero(SOURCINGS), published: 0, byPublishedRating: zero(RATINGS) };
  for (const row of of('claim')) {
    const [status, sourcing, published] = row.key.split(' ');
    claims.total += row.count;
    claims.byStatus[status as ClaimStatus] += row.count;
    claims.bySourcing[sourcing as Sourcing] += row.count;
    if (published !== '-') {
      claims.published += row.count;
      claims.byPublishedRating[published as Rating] += row.count;
    }
  }

  const verdicts: VerdictCounts = { total: 0, byRating: zero(RATINGS), byReviewer: [] };
  const reviewers = new Map<string, ReviewerCounts & { rank: number }>();
  for (const row of of('verdict')) {
    const [reviewerId, rating] = row.key.split(' ');
    verdicts.total += row.count;
    verdicts.byRating[rating as Rating] += row.count;
    let reviewer = reviewers.get(reviewerId);
    if (!reviewer) {
      reviewer = { reviewerId, reviewerName: row.reviewer_name ?? '', verdicts: 0, byRating: zero(RATINGS), rank: Number(row.reviewer_rank) };
      reviewers.set(reviewerId, reviewer);
    }
    reviewer.verdicts += row.count;
    reviewer.byRating[rating as Rating] += row.count;
  }
  verdicts.byReviewer = [...reviewers.values()].sort((a, b) => a.rank - b.rank).map(({ rank: _rank, ...reviewer }) => reviewer);

  const agreement = agreementOfKeys(of('pattern').map((row) => ({ key: row.key, n: row.count })));

  const histogram = of('settle')
    .map((row) => ({ seconds: Number(row.key), count: row.count }))
    .sort((a, b) => a.seconds - b.seconds);
  return { claims, verdicts, agreement, settle: medianOf(histogram) };
}

/**
 * The median of a histogram as `percentile_cont(0.5)` takes it over the values: the middle value,
 * or halfway between the two middle ones. The maintained histogram's values are settle times
 * rounded to four significant digits, so the median is within 0.05% of the exact one (rounding
 * keeps the order of the values, so the middle ones are the exact middle ones, rounded).
 */
function medianOf(histogram: { seconds: number; count: number }[]): SettleTime {
  const settled = histogram.reduce((sum, bucket) => sum + bucket.count, 0);
  if (settled === 0) return { settled, medianSeconds: null };
  const valueAt = (index: number): number => {
    let seen = 0;
    for (const bucket of histogram) {
      seen += bucket.count;
      if (index < seen) return bucket.seconds;
    }
    return histogram[histogram.length - 1].seconds;
  };
  const middle = (settled - 1) / 2;
  return { settled, medianSeconds: (valueAt(Math.floor(middle)) + valueAt(Math.ceil(middle))) / 2 };
}

/** `sourcingByArticle` from the maintained claims per article (`maintainedSourcingSql`). */
export async function maintainedSourcingByArticle(
  db: RequestDb,
  scope: ReportScope,
  limit: number,
  loaders?: Loaders,
  count = false,
): Promise<{ articles: number | null; rows: ArticleSourcing[] }> {
  if (!maintainedScope(scope)) throw new Error('maintainedSourcingByArticle: the scope filters claims or verdicts');
  const manager = await db.manager();
  const params: unknown[] = [scope.team.id];
  const rows = await db.query<Record<string, unknown>>(
    maintainedSourcingSql(scope, params, limit, entityColumns(manager, Article, 'a', 'article_'), count),
    params,
    {
      prepare: true,
    },
  );
  primeJoined(loaders, manager, Article, true, rows, 'article_');
  return articleSourcing(rows, count);
}

/** The order of `maintainedSourcingSql`'s rows (over `report_article_claims r`). */
export const SOURCING_ORDER = 'r.claims DESC, r.published_at, r.article_id';

/**
 * The maintained `sourcingByArticle` rows of a scope `maintainedScope` accepts, with `columns`
 * (over `articles a`, `report_article_claims r`) added: `$1` is the team, the filter's values
 * and the limit are pushed onto `params`.
 *
 * Every article filter is on the row's own columns (the article's publication date is copied
 * there, `counted` is "not deleted"), so the count and the top rows read report_article_claims
 * alone, through an index: the team's by most claims, a date range's by publication date (then
 * the range's articles sorted), named articles by key; the articles table only for the rows
 * returned, each by its key (joined as a table, Postgres hashed the team's articles for the 20
 * rows). Filtered on the articles' columns, a month at a million claims walked the team's
 * articles by most claims, half of them, to find the month's.
 *
 * The count of the scope's articles (`count`) only where a reader shows it (the HTML report's
 * "the 20 with most claims of N articles"): for a million-claim team it reads every article's row.
 */
export function maintainedSourcingSql(scope: ReportScope, params: unknown[], limit: number, columns: string, count = false): string {
  const add = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const conditions = ['r.team_id = $1', 'r.counted', 'r.claims > 0'];
  if (scope.articleIds) conditions.push(`r.article_id = ANY(${add(scope.articleIds)}::uuid[])`);
  if (scope.publishedFrom) conditions.push(`r.published_at >= ${add(scope.publishedFrom)}`);
  if (scope.publishedTo) conditions.push(`r.published_at < ${add(scope.publishedTo)}`);
  const where = conditions.join(' AND ');
  return `
    SELECT r.article_id, a.title, r.claims, r.sourced AS sourcing_sourced, r.anonymous AS sourcing_anonymous, r.unsourced AS sourcing_unsourced,
           ${count ? `(SELECT count(*)::int FROM report_article_claims r WHERE ${where})` : 'NULL::int'} AS articles,
           ${columns}
    FROM (SELECT r.* FROM report_article_claims r WHERE ${where} ORDER BY ${SOURCING_ORDER} LIMIT ${add(limit)}) r
    CROSS JOIN LATERAL (SELECT a.* FROM articles a WHERE a.id = r.article_id AND a.team_id = r.team_id OFFSET 0) a
    ORDER BY ${SOURCING_ORDER}`;
}
