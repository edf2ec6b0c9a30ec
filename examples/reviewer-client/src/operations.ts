import { graphql } from './gql';

/**
 * Every operation the reviewer front end sends. Codegen types each one from the schema and lists
 * it in src/gql/persisted-documents.json, the manifest the server runs with TRUSTED_DOCUMENTS.
 */

/** The article page: its text, and each claim with its anchor, speaker, evidence and verdicts. */
export const articlePageQuery = graphql(`
  query ArticlePage($articleId: ID!) {
    article(id: $articleId) {
      id
      title
      url
      outlet
      publishedAt
      currentRevision { number body }
      claims(first: 50) {
        totalCount
        nodes {
          id
          version
          quote
          kind
          sourcing
          status
          disputedReason
          anchor {
            position { start end }
            utf16Position { start end }
            quote { prefix exact suffix }
          }
          speaker { id displayName kind anonymous descriptor }
          evidence(first: 10) { nodes { id url stance quotedPassage source { displayName } } }
          verdicts(first: 10) { nodes { id rating rationale version reviewer { name } } }
          viewerVerdict { id rating rationale version }
          published { rating rationale }
        }
      }
    }
  }
`);

/** The reviewer's queue: open assignments, soonest due first. */
export const claimQueueQuery = graphql(`
  query ClaimQueue($first: Int = 20, $after: String) {
    viewer {
      assignments(filter: { open: true }, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          dueAt
          overdue
          claim {
            id
            quote
            status
            article { id title }
            viewerVerdict { id rating version }
          }
        }
      }
    }
  }
`);

/** Gives a verdict (no expectedVersion) or revises one (the version you read). */
export const submitVerdictMutation = graphql(`
  mutation SubmitVerdict($input: SubmitVerdictInput!) {
    submitVerdict(input: $input) {
      verdict { id rating rationale confidence version }
      claim { id status }
    }
  }
`);

/** An editor marks a claim disputed, whatever its verdicts say. */
export const markClaimDisputedMutation = graphql(`
  mutation MarkClaimDisputed($input: MarkClaimDisputedInput!) {
    markClaimDisputed(input: $input) {
      claim { id status version disputedReason }
    }
  }
`);

/** Live: every change to the article's claims (created, edited, verdicts moving the status, disputes). */
export const articleClaimChangesSubscription = graphql(`
  subscription ArticleClaimChanges($articleId: ID!) {
    claimChanged(articleId: $articleId) {
      event { action at actor { name } }
      claim { id status version disputedReason }
    }
  }
`);
