import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { TeamResolver, MembershipResolver } from './modules/team/team.resolver';
import { UserResolver } from './modules/user/user.resolver';
import { ArticleResolver } from './modules/article/article.resolver';
import { ClaimResolver } from './modules/claim/claim.resolver';
import { SourceResolver } from './modules/source/source.resolver';
import { EvidenceResolver } from './modules/evidence/evidence.resolver';
import { VerdictResolver } from './modules/verdict/verdict.resolver';
import { HistoryEventResolver } from './modules/history/history.resolver';
import { NodeResolver } from './modules/node/node.resolver';

export const resolvers = [
  NodeResolver, UserResolver, TeamResolver, MembershipResolver, ArticleResolver, ClaimResolver, SourceResolver,
  EvidenceResolver, VerdictResolver, HistoryEventResolver,
] as const;

let built: Promise<GraphQLSchema> | null = null;

/** The one schema, built once per process. */
export function buildClaimgraphSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [...resolvers],
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: { forbidUnknownValues: false, stopAtFirstError: true },
    emitSchemaFile: false,
  });
  return built;
}

/** The SDL committed at schema/schema.graphql, sorted so diffs show only real changes. */
export function printClaimgraphSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
