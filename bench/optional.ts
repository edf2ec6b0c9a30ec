import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import type { Client } from 'pg';

/**
 * Scenarios over features other engineers are building: (c) `verdictReport` and (e) the CSV export.
 * They are detected, not assumed: until the feature exists the scenario reports "not available
 * yet", and it lights up on the first run after it lands.
 */

/**
 * `query($teamId: ID!) { verdictReport(filter: { teamId: $teamId }) { ...its aggregate fields } }`,
 * built from the schema: every scalar field to a depth of 3, leaving out connections and row
 * lists (the report's rows are the export's business; the aggregates are what (c) measures); and
 * the same selection for a range of article publication dates.
 */
export function verdictReportQuery(schema: GraphQLSchema): { query: string; monthQuery: string } | { unavailable: string } {
  const field = schema.getQueryType()?.getFields().verdictReport;
  if (!field) return { unavailable: 'not available yet (no Query.verdictReport)' };
  let argument: string | null = null;
  const filterArg = field.args.find((arg) => arg.name === 'filter');
  const filterType = filterArg ? getNamedType(filterArg.type) : null;
  if (filterType && isInputObjectType(filterType) && filterType.getFields().teamId) argument = 'filter: { teamId: $teamId }';
  else if (field.args.some((arg) => arg.name === 'teamId')) argument = 'teamId: $teamId';
  if (!argument) return { unavailable: 'Query.verdictReport takes no team filter the benchmark recognises' };
  const required = field.args.filter(
    (arg) => isNonNullType(arg.type) && arg.defaultValue === undefined && arg.name !== filterArg?.name && arg.name !== 'teamId',
  );
  if (required.length) return { unavailable: `Query.verdictReport needs arguments the benchmark does not know: ${required.map((arg) => arg.name).join(', ')}` };
  const selection = selectAggregates(getNamedType(field.type), 0);
  if (!selection) return { unavailable: 'Query.verdictReport has no aggregate fields' };
  const query = `query VerdictReport($teamId: ID!) { verdictReport(${argument}) ${selection} }`;
  if (argument !== 'filter: { teamId: $teamId }' || !filterType || !isInputObjectType(filterType) || !filterType.getFields().publishedFrom) {
    return { unavailable: 'Query.verdictReport takes no publication-date filter the benchmark recognises' };
  }
  const monthQuery = `query VerdictReportMonth($teamId: ID!, $from: DateTime!, $to: DateTime!) { verdictReport(filter: { teamId: $teamId, publishedFrom: $from, publishedTo: $to }) ${selection} }`;
  return { query, monthQuery };
}

function selectAggregates(type: GraphQLNamedType, depth: number): string | null {
  if (isScalarType(type) || isEnumType(type)) return '';
  if (!isObjectType(type) || depth >= 3 || type.name.endsWith('Connection')) return null;
  const parts: string[] = [];
  for (const [name, field] of Object.entries(type.getFields()) as [string, GraphQLField<unknown, unknown>][]) {
    if (['rows', 'edges', 'nodes', 'history'].includes(name)) continue;
    if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    // lists of objects are fine (ratings by count); lists of nodes are rows, not aggregates
    if (isListType(isNonNullType(field.type) ? field.type.ofType : field.type) && isObjectType(named) && named.getInterfaces().some((i) => i.name === 'Node'))
      continue;
    const inner = selectAggregates(named, depth + 1);
    if (inner === null) continue;
    parts.push(inner ? `${name} ${inner}` : name);
  }
  return parts.length ? `{ ${parts.join(' ')} }` : null;
}

/** Where the CSV export is expected (GET, the team as a global id). */
export const EXPORT_PATH = (teamGlobalId: string) => `/exports/verdicts.csv?team=${encodeURIComponent(teamGlobalId)}`;

/**
 * The (c) scenario's "month" of a team: the data set's articles stand for a year of the desk's, so
 * a month is a twelfth of them, from the middle of the run of publication dates.
 */
export async function monthOf(client: Client, teamId: string): Promise<{ from: Date; to: Date; articles: number }> {
  const { rows } = await client.query(
    `SELECT (SELECT published_at FROM articles WHERE team_id = $1 ORDER BY published_at OFFSET n / 2 LIMIT 1) AS "from",
            (SELECT published_at FROM articles WHERE team_id = $1 ORDER BY published_at OFFSET n / 2 + n / 12 LIMIT 1) AS "to", n / 12 AS articles
       FROM (SELECT count(*)::int AS n FROM articles WHERE team_id = $1) t`,
    [teamId],
  );
  return rows[0] as { from: Date; to: Date; articles: number };
}
