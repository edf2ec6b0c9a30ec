import { getArgumentValues, getNamedType, type FieldNode, type GraphQLField, type GraphQLObjectType } from 'graphql';
import type { RootCompiler, Variables } from '../../http/sql-selection';
import { decodeGlobalId } from '../../shared/ids';
import { ratingLabel, type Rating } from '../verdict/rating';
import { EXPORT_FORMATS } from './formats';
import {
  RATINGS,
  REVIEWER_OF_KEY,
  REVIEWER_RANK,
  SOURCING_ORDER,
  SOURCINGS,
  STATUSES,
  agreementOfKeys,
  figureRows,
  maintainedScope,
  maintainedSourcingSql,
} from './report.figures';
import { queryFromFilter, type ReportFilterInput, type ReportScope } from './report.filter';
import { distinct, reportArticleIds, reportDateRange } from './report.service';
import { filterInput, type VerdictReportFilter } from './report.types';

/*
 * `verdictReport` as one SQL statement (src/http/sql-selection.ts), for the scopes the maintained
 * figures answer (a filter on articles only: the team, article ids, publication dates).
 *
 * Why: the resolvers answered the whole-team report with four or five round trips (the team, the
 * figures, sourcingByArticle, around the transaction) and graphql-js walking ~300 leaves through
 * type-graphql field resolvers, which cost the server several times what Postgres spent on the
 * maintained figures. Here Postgres checks the team (and articles) as the service does, sums the
 * same figure rows (`figureRows`, `maintainedSourcingSql`: the resolvers' own SQL) and prints the
 * selection as JSON, in the one round trip of `RequestDb.readStatement`, as the app role with the
 * caller's teams (row-level security applies as to the resolvers' statements).
 *
 * Only Krippendorff's alpha (and its pairable values, a sum of fractions the resolvers round) is
 * left to JavaScript: Postgres hands over the pattern figures in a marker, and `agreementOfKeys`,
 * the resolvers' own function, computes it from the same rows in the same order, so the doubles
 * are the same. Every other figure is an integer sum, or the median of the settle-time histogram
 * (the middle values and their half-sum in float8: the same IEEE operations as `medianOf`).
 *
 * Anything else falls back to the resolvers, which raise their own errors: a team the caller is
 * no member of, a malformed or missing article, bad dates, a filter on claims or verdicts (status,
 * sourcing, rating, reviewer), the `rows` connection, fields this does not know.
 * test/report-sql-selection.test.ts compares both paths' JSON exactly.
 */

type Sql = string;

interface ReportRequest {
  input: ReportFilterInput;
  /** The scope with a placeholder team (the statement resolves the team itself). */
  scope: ReportScope;
  team: { byId: boolean; value: string };
}

const PLACEHOLDER_TEAM = { id: '', slug: '', name: '', organizationName: null, organizationUrl: null, organizationLogoUrl: null, publicBaseUrl: null };

/** The filter as ReportService.scope checks it before reading anything; throws where it would refuse, or where the maintained figures cannot answer. */
function reportRequest(field: GraphQLField<unknown, unknown>, node: FieldNode, variables: Variables): ReportRequest {
  const input = filterInput(getArgumentValues(field, node, variables).filter as VerdictReportFilter);
  if (typeof input.team !== 'string' || !input.team.trim()) throw new Error('no team');
  const reference = input.team.trim();
  const decoded = decodeGlobalId(reference);
  const team = decoded?.type === 'Team' ? { byId: true, value: decoded.rawId } : { byId: false, value: reference };
  // ReportService.scope's own checks: what they refuse, the resolvers answer with its error
  const articleIds = reportArticleIds(input);
  const { publishedFrom, publishedTo } = reportDateRange(input);
  const scope: ReportScope = {
    team: PLACEHOLDER_TEAM,
    articleIds,
    publishedFrom,
    publishedTo,
    status: distinct(input.status),
    sourcing: distinct(input.sourcing),
    rating: distinct(input.rating),
    reviewer: input.reviewer ? { id: '', name: '' } : null,
  };
  if (!maintainedScope(scope)) throw new Error('a filter on claims or verdicts');
  return { input, scope, team };
}

/** Read once per request (variables) and root field, however many parameters and guards read it. */
function memoized<T>(read: (variables: Variables) => T): (variables: Variables) => T {
  const values = new WeakMap<Variables, T>();
  return (variables) => {
    if (values.has(variables)) return values.get(variables)!;
    const value = read(variables);
    values.set(variables, value);
    return value;
  };
}

function parameterType(value: unknown): string {
  if (value instanceof Date) return 'timestamptz';
  if (Array.isArray(value)) return 'uuid[]';
  if (typeof value === 'number') return 'integer';
  if (typeof value === 'string') return 'text';
  throw new Error(`no parameter type for ${typeof value}`);
}

/**
 * SQL of report.figures.ts (its `$1` the team, its values pushed onto a list) inside the compiled
 * statement: `$1` becomes `team`, each value a parameter read from the request's variables. Its
 * text, with the types of its values, is the shape the compilation is cached under.
 */
function embed(compiler: RootCompiler, team: Sql, build: (variables: Variables, params: unknown[]) => string): Sql {
  const built = memoized((variables) => {
    const params: unknown[] = [null];
    const sql = build(variables, params);
    return { sql, params, key: `${sql}\0${params.slice(1).map(parameterType).join(',')}` };
  });
  const { sql, params } = compiler.decide(built, (value) => value.key);
  const placeholders = params.map((value, index) => (index === 0 ? team : compiler.param((variables) => built(variables).params[index], parameterType(value))));
  return sql.replace(/\$(\d+)/g, (_match, index: string) => placeholders[Number(index) - 1]);
}

const column = (prefix: string, value: string) => `${prefix}_${value.toLowerCase()}`;
const sums = (values: readonly string[], part: number, prefix: string) =>
  values.map((value) => `coalesce(sum(f.n) FILTER (WHERE split_part(f.key, ' ', ${part}) = '${value}'), 0)::int AS ${column(prefix, value)}`).join(', ');

export function verdictReportSql(compiler: RootCompiler, field: GraphQLField<unknown, unknown>, nodes: FieldNode[]): Sql {
  const { literal, refused, float, agreement } = compiler.sql;
  const request = memoized((variables) => reportRequest(field, nodes[0], variables));
  const shape = compiler.decide(request, ({ team, scope }) => `${team.byId} ${!!scope.articleIds}`);
  // The whole team (no article or date filter): the generic plan reads the team's articles with
  // most claims from their index in order, where each execution's custom planning cost more than
  // the statement (1.8 ms at a million claims); a date range's custom plans measured as good.
  const wholeTeam = compiler.decide((variables) => {
    const { scope } = request(variables);
    return !scope.articleIds && !scope.publishedFrom && !scope.publishedTo;
  }, String);
  if (wholeTeam) compiler.genericPlan();
  const reportType = getNamedType(field.type) as GraphQLObjectType;
  const typeOf = (name: string) => compiler.schema.getType(name) as GraphQLObjectType;

  const teamRow = 'team';
  const teamId = `(SELECT ${teamRow}.id FROM ${teamRow})`;
  const teamConditions = [
    shape.team.byId ? `t.id = ${compiler.param((v) => request(v).team.value, 'uuid')}` : `t.slug = ${compiler.param((v) => request(v).team.value, 'text')}`,
    't.id = ANY($1::uuid[])',
  ];
  if (shape.scope.articleIds) {
    // every article of the filter is the team's and not deleted, or the service's NOT_FOUND
    const ids = compiler.param((v) => request(v).scope.articleIds, 'uuid[]');
    teamConditions.push(`(SELECT count(*) FROM articles a WHERE a.id = ANY(${ids}) AND a.team_id = t.id AND a.deleted_at IS NULL) = cardinality(${ids})`);
  }
  const figures = embed(compiler, teamId, (variables, params) => figureRows({ ...request(variables).scope }, params));

  /** A list of constant items (a count per status, rating…): `values` as `itemType`'s selection. */
  const constantList = (fieldNodes: FieldNode[], itemTypeName: string, values: readonly string[], item: (value: string, name: string) => Sql | null) => {
    const itemType = typeOf(itemTypeName);
    const objects = values.map((value) =>
      compiler.selection(itemType, fieldNodes, (itemField) => {
        const sql = item(value, itemField.name);
        if (sql === null) throw new Error(`${itemTypeName}.${itemField.name}`);
        return compiler.leaf(itemField, sql);
      }),
    );
    return `json_build_array(${objects.join(', ')})`;
  };
  const ratingCounts = (fieldNodes: FieldNode[], count: (rating: Rating) => Sql) =>
    constantList(fieldNodes, 'RatingCount', RATINGS, (rating, name) =>
      name === 'rating' ? literal(rating) : name === 'label' ? literal(ratingLabel(rating as Rating)) : name === 'count' ? count(rating as Rating) : null,
    );

  const levels = agreementOfKeys([]);
  const json = compiler.selection(reportType, nodes, (reportField, fieldNodes) => {
    switch (reportField.name) {
      case 'totalCount':
        return 'claim.total';
      case 'publishedCount':
        return 'claim.published';
      case 'byStatus':
        return constantList(fieldNodes, 'StatusCount', STATUSES, (status, name) =>
          name === 'status' ? literal(status) : name === 'count' ? `claim.${column('status', status)}` : null,
        );
      case 'bySourcing':
        return constantList(fieldNodes, 'SourcingCount', SOURCINGS, (sourcing, name) =>
          name === 'sourcing' ? literal(sourcing) : name === 'count' ? `claim.${column('sourcing', sourcing)}` : null,
        );
      case 'byPublishedRating':
        return ratingCounts(fieldNodes, (rating) => `claim.${column('published', rating)}`);
      case 'verdictCount':
        return 'verdict.total';
      case 'byRating':
        return ratingCounts(fieldNodes, (rating) => `verdict.${column('rating', rating)}`);
      case 'byReviewer': {
        const user = compiler.alias();
        const reviewer = compiler.selection(typeOf('ReviewerFigures'), fieldNodes, (reviewerField, reviewerNodes) => {
          switch (reviewerField.name) {
            case 'reviewerName':
              return `coalesce(${user}.name, '')`;
            case 'verdicts':
              return 'p.verdicts';
            case 'byRating':
              return ratingCounts(reviewerNodes, (rating) => `p.${column('rating', rating)}`);
            case 'reviewer':
              // the resolver's user, or its error: the resolvers answer
              return `CASE WHEN ${user}.id IS NULL THEN ${refused} ELSE ${compiler.object(typeOf('User'), reviewerNodes, user)} END`;
            default:
              throw new Error(`ReviewerFigures.${reviewerField.name}`);
          }
        });
        const ranked = REVIEWER_RANK.replace(/\bu\./g, `${user}.`);
        return `(SELECT coalesce(json_agg(${reviewer} ORDER BY ${ranked}), '[]')
          FROM (SELECT ${REVIEWER_OF_KEY} AS reviewer_id, sum(f.n)::int AS verdicts, ${sums(RATINGS, 2, 'rating')}
                  FROM f WHERE f.figure = 'verdict' GROUP BY 1) p
          LEFT JOIN users ${user} ON ${user}.id = p.reviewer_id)`;
      }
      case 'agreement': {
        const items = levels.map((level, index) =>
          compiler.selection(typeOf('ReviewerAgreement'), fieldNodes, (agreementField) => {
            switch (agreementField.name) {
              case 'method':
                return literal(level.method);
              case 'level':
                return literal(level.level.toUpperCase());
              case 'categories':
                return `json_build_array(${level.categories.map(literal).join(', ')})`;
              case 'alpha':
              case 'units':
              case 'pairableValues':
                return agreement(index, agreementField.name, '(SELECT patterns.keys FROM patterns)');
              default:
                throw new Error(`ReviewerAgreement.${agreementField.name}`);
            }
          }),
        );
        return `json_build_array(${items.join(', ')})`;
      }
      case 'medianSecondsToSettle':
        return float('settle.median');
      case 'settledCount':
        return 'settle.settled';
      case 'sourcingByArticle': {
        const first = (variables: Variables) => {
          const limit = getArgumentValues(reportField, fieldNodes[0], variables).first;
          if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > 100) throw new Error('first');
          return limit;
        };
        compiler.decide(first, () => '');
        const rows = embed(compiler, teamId, (variables, params) =>
          maintainedSourcingSql({ ...request(variables).scope }, params, first(variables), 'r.published_at'),
        );
        const article = compiler.alias();
        const item = compiler.selection(typeOf('ArticleSourcing'), fieldNodes, (sourcingField, sourcingNodes) => {
          switch (sourcingField.name) {
            case 'title':
              return 's.title';
            case 'claims':
              return 's.claims';
            case 'sourced':
            case 'anonymous':
            case 'unsourced':
              return `s.sourcing_${sourcingField.name}`;
            case 'article':
              // services.articles.get: the caller's team's, not deleted
              return `CASE WHEN ${article}.id IS NULL OR ${article}.deleted_at IS NOT NULL THEN ${refused} ELSE ${compiler.object(typeOf('Article'), sourcingNodes, article)} END`;
            default:
              throw new Error(`ArticleSourcing.${sourcingField.name}`);
          }
        });
        // the rows' own order over their columns (a window numbering them would sort every article of the team before the LIMIT);
        // each row's article by its key (OFFSET 0 keeps it a lookup: joined as a table, Postgres hashed every article of the team for 20 rows)
        return `(SELECT coalesce(json_agg(${item} ORDER BY ${SOURCING_ORDER.replace(/\br\./g, 's.')}), '[]')
          FROM (${rows}) s
          LEFT JOIN LATERAL (SELECT * FROM articles x WHERE x.id = s.article_id AND x.team_id = ANY($1::uuid[]) OFFSET 0) ${article} ON true)`;
      }
      case 'downloads': {
        const query = compiler.param((variables) => queryFromFilter(request(variables).input).toString(), 'text');
        const formats: Record<string, keyof typeof EXPORT_FORMATS> = { csv: 'csv', jsonLines: 'jsonl', claimReview: 'claimreview', html: 'html' };
        return compiler.selection(typeOf('VerdictReportDownloads'), fieldNodes, (downloadField) => {
          const format = formats[downloadField.name];
          if (!format) throw new Error(`VerdictReportDownloads.${downloadField.name}`);
          return compiler.leaf(downloadField, `${literal(`/exports/${EXPORT_FORMATS[format].fileName}?`)} || ${query}`);
        });
      }
      default:
        // rows (a connection the resolvers page), and anything new
        throw new Error(`VerdictReport.${reportField.name}`);
    }
  });

  return `(WITH ${teamRow} AS (SELECT t.id FROM teams t WHERE ${teamConditions.join(' AND ')}),
    f AS MATERIALIZED (${figures}),
    claim AS (SELECT coalesce(sum(f.n), 0)::int AS total,
                     coalesce(sum(f.n) FILTER (WHERE split_part(f.key, ' ', 3) <> '-'), 0)::int AS published,
                     ${sums(STATUSES, 1, 'status')}, ${sums(SOURCINGS, 2, 'sourcing')}, ${sums(RATINGS, 3, 'published')}
                FROM f WHERE f.figure = 'claim'),
    verdict AS (SELECT coalesce(sum(f.n), 0)::int AS total, ${sums(RATINGS, 2, 'rating')} FROM f WHERE f.figure = 'verdict'),
    patterns AS (SELECT coalesce(string_agg(f.key || ':' || f.n, ',' ORDER BY f.key COLLATE "C"), '') AS keys FROM f WHERE f.figure = 'pattern'),
    settle AS (
      SELECT coalesce(sum(s.n), 0)::int AS settled,
             (min(s.seconds) FILTER (WHERE s.upto > floor((s.total - 1) / 2.0)) + min(s.seconds) FILTER (WHERE s.upto > ceil((s.total - 1) / 2.0))) / 2 AS median
        FROM (SELECT f.key::float8 AS seconds, f.n, sum(f.n) OVER (ORDER BY f.key::float8 ROWS UNBOUNDED PRECEDING) AS upto, sum(f.n) OVER () AS total
                FROM f WHERE f.figure = 'settle') s)
    SELECT ${json} FROM ${teamRow}, claim, verdict, settle)::text`;
}
