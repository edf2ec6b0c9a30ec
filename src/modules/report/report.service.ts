import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { decodeGlobalId, fromGlobalId } from '../../shared/ids';
import { badInput, notFound } from '../../shared/errors';
import { ConnectionResult, encodeCursor, memoize, pageRequest, type ConnectionArgs, type PageInfo } from '../../shared/pagination';
import { validDate } from '../../shared/values';
import { authorize } from '../team/permissions';
import type { Team } from '../team/team.entity';
import { QUERY_FIELD_NAMES, type ReportFilterInput, type ReportScope } from './report.filter';
import { countQuery, rowQuery, toReportRow, type RawReportRow, type ReportRow } from './report-row';
import {
  agreement,
  claimCounts,
  maintainedFigures,
  maintainedScope,
  maintainedSourcingByArticle,
  settleTime,
  sourcingByArticle,
  verdictCounts,
  type MaintainedFigures,
  type AgreementFigure,
  type ArticleSourcing,
  type ClaimCounts,
  type SettleTime,
  type VerdictCounts,
} from './report.figures';

/** Most articles a report filter may name. */
export const MAX_ARTICLES = 1000;
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** Verdict reports: the filter checked against the caller's teams, rows page by page, and figures. */
export class ReportService {
  private readonly memo = new Map<string, Promise<unknown>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly context: Context) {}

  /**
   * Checks a report filter and resolves it to raw ids. The caller must be able to read the team
   * (any member); a team, article or reviewer of another team is NOT_FOUND, as a missing one.
   */
  async scope(filter: ReportFilterInput): Promise<ReportScope> {
    const actor = requireActor(this.context);
    const names = filter.names ?? QUERY_FIELD_NAMES;
    const team = await this.team(filter.team, names.team);
    authorize(actor, team.id, 'team.read', 'Team');

    const articleIds = reportArticleIds(filter);
    if (articleIds) {
      const found = await this.context.db.query<{ id: string }>('SELECT id FROM articles WHERE id = ANY($1::uuid[]) AND team_id = $2 AND deleted_at IS NULL', [
        articleIds,
        team.id,
      ]);
      if (found.length !== articleIds.length) throw notFound('Article');
    }
    const { publishedFrom, publishedTo } = reportDateRange(filter);

    return {
      team: {
        id: team.id,
        slug: team.slug,
        name: team.name,
        organizationName: team.organizationName,
        organizationUrl: team.organizationUrl,
        organizationLogoUrl: team.organizationLogoUrl,
        publicBaseUrl: team.publicBaseUrl,
      },
      articleIds,
      publishedFrom,
      publishedTo,
      status: distinct(filter.status),
      sourcing: distinct(filter.sourcing),
      rating: distinct(filter.rating),
      reviewer: filter.reviewer ? await this.reviewer(filter.reviewer, team.id, names.reviewer) : null,
    };
  }

  /** One page of rows, in report order (article publication date, undated last; then position). */
  async rows(scope: ReportScope, args: ConnectionArgs): Promise<ConnectionResult<ReportRow>> {
    // the report order's keys (see rowQuery): publication date ('infinity' when undated), article, position, claim
    const page = pageRequest(args, ['timestamptz', 'uuid', 'integer', 'uuid']);
    const count = memoize(() => this.count(scope));
    if (page.limit === 0) {
      return new ConnectionResult([], { hasNextPage: false, hasPreviousPage: page.hasCursor, startCursor: null, endCursor: null }, count);
    }
    const { sql, params } = rowQuery(scope, {
      cursor: page.cursor,
      backward: page.backward,
      withSettledAt: true,
      limit: page.limit + 1,
    });
    const raw = await this.once(['rows', sql, params], () => this.context.db.query<RawReportRow>(sql, params));
    const hasMore = raw.length > page.limit;
    let edges = raw.slice(0, page.limit).map((row) => ({
      node: toReportRow(row),
      cursor: encodeCursor([row.sort_cursor, row.article_id, row.position_start, row.id]),
    }));
    if (page.backward) edges = edges.reverse();
    const pageInfo: PageInfo = {
      hasNextPage: page.backward ? page.hasCursor : hasMore,
      hasPreviousPage: page.backward ? hasMore : page.hasCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    };
    return new ConnectionResult(edges, pageInfo, count);
  }

  count(scope: ReportScope, extraWhere?: (params: unknown[]) => string): Promise<number> {
    return this.once(['count', scope, extraWhere?.([]) ?? ''], async () => {
      const { sql, params } = countQuery(scope, extraWhere);
      const [row] = await this.context.db.query<{ n: string }>(sql, params);
      return Number(row.n);
    });
  }

  claimCounts(scope: ReportScope): Promise<ClaimCounts> {
    if (maintainedScope(scope)) return this.maintained(scope).then((figures) => figures.claims);
    return this.once(['claims', scope], () => claimCounts(this.context.db, scope));
  }

  verdictCounts(scope: ReportScope): Promise<VerdictCounts> {
    if (maintainedScope(scope)) return this.maintained(scope).then((figures) => figures.verdicts);
    return this.once(['verdicts', scope], () => verdictCounts(this.context.db, scope));
  }

  agreement(scope: ReportScope): Promise<AgreementFigure[]> {
    if (maintainedScope(scope)) return this.maintained(scope).then((figures) => figures.agreement);
    return this.once(['agreement', scope], () => agreement(this.context.db, scope));
  }

  settleTime(scope: ReportScope): Promise<SettleTime> {
    if (maintainedScope(scope)) return this.maintained(scope).then((figures) => figures.settle);
    return this.once(['settle', scope], () => settleTime(this.context.db, scope));
  }

  /** The articles with most claims; with `count`, also how many articles the scope has (null without). */
  sourcingByArticle(scope: ReportScope, limit: number, count = false): Promise<{ articles: number | null; rows: ArticleSourcing[] }> {
    if (!Number.isInteger(limit) || limit < 0 || limit > 100) throw badInput('first must be between 0 and 100', 'first');
    return this.once(['byArticle', scope, limit, count], () =>
      maintainedScope(scope)
        ? maintainedSourcingByArticle(this.context.db, scope, limit, this.context.loaders, count)
        : sourcingByArticle(this.context.db, scope, limit),
    );
  }

  /**
   * The figures the write path keeps (one statement for all of them), for a scope that filters on
   * articles only; a filter on claims or verdicts computes each figure from the claims instead.
   */
  private maintained(scope: ReportScope): Promise<MaintainedFigures> {
    return this.once(['maintained', scope], () => maintainedFigures(this.context.db, scope, this.context.loaders));
  }

  /**
   * Figures are asked for field by field, and GraphQL resolves sibling fields at once; each query
   * runs once per request and scope, one after another (they share the request's connection, and
   * pg queues, with a deprecation warning, any query sent while another is running).
   */
  private once<T>(key: unknown[], run: () => Promise<T>): Promise<T> {
    const name = JSON.stringify(key);
    let result = this.memo.get(name) as Promise<T> | undefined;
    if (!result) {
      result = this.queue.then(run, run);
      this.queue = result.catch(() => undefined);
      this.memo.set(name, result);
    }
    return result;
  }

  private async team(reference: string, field: string): Promise<Team> {
    if (typeof reference !== 'string' || !reference.trim()) throw badInput(`${field} is required`, field);
    const decoded = decodeGlobalId(reference.trim());
    if (decoded?.type === 'Team') return this.context.services.teams.get(decoded.rawId);
    return this.context.services.teams.getBySlug(reference.trim());
  }

  /**
   * A reviewer by User ID or email. Only people who are members of the team, or have verdicts in
   * it, can be named: an email outside the team is NOT_FOUND, so the filter cannot probe accounts.
   */
  private async reviewer(reference: string, teamId: string, field: string): Promise<{ id: string; name: string }> {
    const value = reference.trim();
    const byEmail = EMAIL.test(value);
    const userId = byEmail ? null : fromGlobalId(value, 'User', field);
    const rows = await this.context.db.query<{ id: string; name: string }>(
      `SELECT u.id, u.name FROM users u
       WHERE ${byEmail ? 'u.email = lower($1)' : 'u.id = $1::uuid'}
         AND (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.team_id = $2)
              OR EXISTS (SELECT 1 FROM verdicts v WHERE v.reviewer_id = u.id AND v.team_id = $2))`,
      [byEmail ? value : userId, teamId],
    );
    if (!rows[0]) throw notFound('Reviewer');
    return rows[0];
  }
}

/** A filter's list without repeats; null for none or empty. */
/**
 * A filter's article ids as raw ids (distinct; null for none), as far as they can be checked
 * without the database (`ReportService.scope`, and the compiled report in report.sql-selection.ts).
 */
export function reportArticleIds(filter: ReportFilterInput): string[] | null {
  const names = filter.names ?? QUERY_FIELD_NAMES;
  if (!filter.articleIds?.length) return null;
  if (filter.articleIds.length > MAX_ARTICLES) throw badInput(`Give at most ${MAX_ARTICLES} articles`, names.articleIds);
  return [...new Set(filter.articleIds.map((id) => fromGlobalId(id, 'Article', names.articleIds)))];
}

/** A filter's publication-date range, checked (both ends optional, `from` before `to`). */
export function reportDateRange(filter: ReportFilterInput): { publishedFrom: Date | null; publishedTo: Date | null } {
  const names = filter.names ?? QUERY_FIELD_NAMES;
  const publishedFrom = validDate(filter.publishedFrom, names.publishedFrom);
  const publishedTo = validDate(filter.publishedTo, names.publishedTo);
  if (publishedFrom && publishedTo && publishedFrom >= publishedTo)
    throw badInput(`${names.publishedFrom} must be before ${names.publishedTo}`, names.publishedFrom);
  return { publishedFrom, publishedTo };
}

export function distinct<T>(values: T[] | null | undefined): T[] | null {
  return values?.length ? [...new Set(values)] : null;
}
