import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { validateArguments } from './shared/validate-args';
import { useDefaultFieldResolvers } from './shared/default-resolvers';
import { TeamResolver, MembershipResolver } from './modules/team/team.resolver';
import { UserResolver } from './modules/user/user.resolver';
import { ArticleResolver } from './modules/article/article.resolver';
import { ClaimResolver } from './modules/claim/claim.resolver';
import { AnchorResolver } from './modules/claim/anchor.resolver';
import { SourceResolver } from './modules/source/source.resolver';
import { EvidenceResolver } from './modules/evidence/evidence.resolver';
import { VerdictResolver } from './modules/verdict/verdict.resolver';
import { FieldChangeResolver, HistoryEventResolver } from './modules/history/history.resolver';
import { NodeResolver } from './modules/node/node.resolver';
import { AuthResolver } from './modules/auth/auth.resolver';
import { ImportResolver } from './modules/ingestion/import.resolver';
import { ClaimWorkflowResolver, PublishedVerdictResolver } from './modules/claim/claim-workflow.resolver';
import { AssignmentResolver, UserAssignmentsResolver } from './modules/assignment/assignment.resolver';
import { CommentResolver } from './modules/comment/comment.resolver';
import { TeamActivityResolver, VerdictAsOfResolver, VerdictRevisionResolver } from './modules/history/as-of.resolver';
import { LiveResolver, noPubSub } from './modules/live/live.resolver';
import { reportResolvers } from './modules/report/report.resolver';
import { webhookResolvers } from './modules/webhook/webhook.resolver';
import { ClaimReviewImportResolver } from './modules/publishing/claim-review-import.resolver';

export const resolvers = [
  NodeResolver,
  UserResolver,
  TeamResolver,
  MembershipResolver,
  ArticleResolver,
  ClaimResolver,
  AnchorResolver,
  SourceResolver,
  EvidenceResolver,
  VerdictResolver,
  HistoryEventResolver,
  FieldChangeResolver,
  AuthResolver,
  ImportResolver,
  ClaimWorkflowResolver,
  PublishedVerdictResolver,
  AssignmentResolver,
  UserAssignmentsResolver,
  CommentResolver,
  TeamActivityResolver,
  VerdictAsOfResolver,
  VerdictRevisionResolver,
  LiveResolver,
  ...reportResolvers,
  ...webhookResolvers,
  ClaimReviewImportResolver,
] as const;

let built: Promise<GraphQLSchema> | null = null;

/** The one schema, built once per process. */
export function buildClaimgraphSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [...resolvers],
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    // class-validator only where an argument class declares rules (measured: see validate-args.ts)
    validateFn: validateArguments,
    emitSchemaFile: false,
    // every subscription brings its own `subscribe` (src/modules/live), so this is never used
    pubSub: noPubSub,
  }).then((schema) => {
    useDefaultFieldResolvers(schema);
    return schema;
  });
  return built;
}

/** The SDL committed at schema/schema.graphql, sorted so diffs show only real changes. */
export function printClaimgraphSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
