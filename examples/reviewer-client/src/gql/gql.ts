/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ArticlePage($articleId: ID!) {\n    article(id: $articleId) {\n      id\n      title\n      url\n      outlet\n      publishedAt\n      currentRevision { number body }\n      claims(first: 50) {\n        totalCount\n        nodes {\n          id\n          version\n          quote\n          kind\n          sourcing\n          status\n          disputedReason\n          anchor {\n            position { start end }\n            utf16Position { start end }\n            quote { prefix exact suffix }\n          }\n          speaker { id displayName kind anonymous descriptor }\n          evidence(first: 10) { nodes { id url stance quotedPassage source { displayName } } }\n          verdicts(first: 10) { nodes { id rating rationale version reviewer { name } } }\n          viewerVerdict { id rating rationale version }\n          published { rating rationale }\n        }\n      }\n    }\n  }\n": typeof types.ArticlePageDocument,
    "\n  query ClaimQueue($first: Int = 20, $after: String) {\n    viewer {\n      assignments(filter: { open: true }, first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes {\n          id\n          dueAt\n          overdue\n          claim {\n            id\n            quote\n            status\n            article { id title }\n            viewerVerdict { id rating version }\n          }\n        }\n      }\n    }\n  }\n": typeof types.ClaimQueueDocument,
    "\n  mutation SubmitVerdict($input: SubmitVerdictInput!) {\n    submitVerdict(input: $input) {\n      verdict { id rating rationale confidence version }\n      claim { id status }\n    }\n  }\n": typeof types.SubmitVerdictDocument,
    "\n  mutation MarkClaimDisputed($input: MarkClaimDisputedInput!) {\n    markClaimDisputed(input: $input) {\n      claim { id status version disputedReason }\n    }\n  }\n": typeof types.MarkClaimDisputedDocument,
    "\n  subscription ArticleClaimChanges($articleId: ID!) {\n    claimChanged(articleId: $articleId) {\n      event { action at actor { name } }\n      claim { id status version disputedReason }\n    }\n  }\n": typeof types.ArticleClaimChangesDocument,
};
const documents: Documents = {
    "\n  query ArticlePage($articleId: ID!) {\n    article(id: $articleId) {\n      id\n      title\n      url\n      outlet\n      publishedAt\n      currentRevision { number body }\n      claims(first: 50) {\n        totalCount\n        nodes {\n          id\n          version\n          quote\n          kind\n          sourcing\n          status\n          disputedReason\n          anchor {\n            position { start end }\n            utf16Position { start end }\n            quote { prefix exact suffix }\n          }\n          speaker { id displayName kind anonymous descriptor }\n          evidence(first: 10) { nodes { id url stance quotedPassage source { displayName } } }\n          verdicts(first: 10) { nodes { id rating rationale version reviewer { name } } }\n          viewerVerdict { id rating rationale version }\n          published { rating rationale }\n        }\n      }\n    }\n  }\n": types.ArticlePageDocument,
    "\n  query ClaimQueue($first: Int = 20, $after: String) {\n    viewer {\n      assignments(filter: { open: true }, first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes {\n          id\n          dueAt\n          overdue\n          claim {\n            id\n            quote\n            status\n            article { id title }\n            viewerVerdict { id rating version }\n          }\n        }\n      }\n    }\n  }\n": types.ClaimQueueDocument,
    "\n  mutation SubmitVerdict($input: SubmitVerdictInput!) {\n    submitVerdict(input: $input) {\n      verdict { id rating rationale confidence version }\n      claim { id status }\n    }\n  }\n": types.SubmitVerdictDocument,
    "\n  mutation MarkClaimDisputed($input: MarkClaimDisputedInput!) {\n    markClaimDisputed(input: $input) {\n      claim { id status version disputedReason }\n    }\n  }\n": types.MarkClaimDisputedDocument,
    "\n  subscription ArticleClaimChanges($articleId: ID!) {\n    claimChanged(articleId: $articleId) {\n      event { action at actor { name } }\n      claim { id status version disputedReason }\n    }\n  }\n": types.ArticleClaimChangesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ArticlePage($articleId: ID!) {\n    article(id: $articleId) {\n      id\n      title\n      url\n      outlet\n      publishedAt\n      currentRevision { number body }\n      claims(first: 50) {\n        totalCount\n        nodes {\n          id\n          version\n          quote\n          kind\n          sourcing\n          status\n          disputedReason\n          anchor {\n            position { start end }\n            utf16Position { start end }\n            quote { prefix exact suffix }\n          }\n          speaker { id displayName kind anonymous descriptor }\n          evidence(first: 10) { nodes { id url stance quotedPassage source { displayName } } }\n          verdicts(first: 10) { nodes { id rating rationale version reviewer { name } } }\n          viewerVerdict { id rating rationale version }\n          published { rating rationale }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ArticlePageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ClaimQueue($first: Int = 20, $after: String) {\n    viewer {\n      assignments(filter: { open: true }, first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes {\n          id\n          dueAt\n          overdue\n          claim {\n            id\n            quote\n            status\n            article { id title }\n            viewerVerdict { id rating version }\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ClaimQueueDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SubmitVerdict($input: SubmitVerdictInput!) {\n    submitVerdict(input: $input) {\n      verdict { id rating rationale confidence version }\n      claim { id status }\n    }\n  }\n"): typeof import('./graphql').SubmitVerdictDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkClaimDisputed($input: MarkClaimDisputedInput!) {\n    markClaimDisputed(input: $input) {\n      claim { id status version disputedReason }\n    }\n  }\n"): typeof import('./graphql').MarkClaimDisputedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ArticleClaimChanges($articleId: ID!) {\n    claimChanged(articleId: $articleId) {\n      event { action at actor { name } }\n      claim { id status version disputedReason }\n    }\n  }\n"): typeof import('./graphql').ArticleClaimChangesDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
