/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type ClaimKind =
  /** Stated by the article itself. */
  | 'ASSERTION'
  /** Words in quotation marks. */
  | 'DIRECT_QUOTE'
  /** Paraphrased or attributed content. */
  | 'REPORTED_SPEECH';

/** Derived from the current verdicts and the team's quorum; never set directly. */
export type ClaimStatus =
  /** Current verdicts disagree, or an editor marked the claim disputed. */
  | 'DISPUTED'
  /** Fewer agreeing current verdicts than the team's quorum. */
  | 'IN_REVIEW'
  /** Quorum reached and the verdicts agree. */
  | 'SETTLED'
  /** No current verdict. */
  | 'UNREVIEWED';

export type MarkClaimDisputedInput = {
  claimId: string | number;
  expectedVersion: number;
  /** Why the desk considers the claim disputed. */
  reason: string;
};

/** TRUE..FALSE form a 5..1 scale; MISLEADING and UNVERIFIABLE stand off the scale. */
export type Rating =
  | 'FALSE'
  | 'MISLEADING'
  | 'MIXED'
  | 'MOSTLY_FALSE'
  | 'MOSTLY_TRUE'
  | 'TRUE'
  | 'UNVERIFIABLE';

export type SourceKind =
  | 'DOCUMENT'
  | 'ORGANIZATION'
  | 'OTHER'
  | 'PERSON';

export type Sourcing =
  /** Described but not named. */
  | 'ANONYMOUS'
  /** A named person, organisation or document. */
  | 'SOURCED'
  /** No source given. */
  | 'UNSOURCED';

export type Stance =
  | 'CONTEXT'
  | 'REFUTES'
  | 'SUPPORTS';

export type SubmitVerdictInput = {
  claimId: string | number;
  /** 0..1 */
  confidence?: number | null | undefined;
  /** Omit to give your first verdict on the claim; to revise it, pass the version you read. */
  expectedVersion?: number | null | undefined;
  rating: Rating;
  rationale?: string | null | undefined;
};

export type ArticlePageQueryVariables = Exact<{
  articleId: string | number;
}>;


export type ArticlePageQuery = { article: { id: string, title: string, url: string | null, outlet: string | null, publishedAt: string | null, currentRevision: { number: number, body: string }, claims: { totalCount: number, nodes: Array<{ id: string, version: number, quote: string, kind: ClaimKind, sourcing: Sourcing, status: ClaimStatus, disputedReason: string | null, anchor: { position: { start: number, end: number }, utf16Position: { start: number, end: number }, quote: { prefix: string, exact: string, suffix: string } }, speaker: { id: string, displayName: string, kind: SourceKind, anonymous: boolean, descriptor: string | null } | null, evidence: { nodes: Array<{ id: string, url: string | null, stance: Stance, quotedPassage: string | null, source: { displayName: string } | null }> }, verdicts: { nodes: Array<{ id: string, rating: Rating, rationale: string | null, version: number, reviewer: { name: string } }> }, viewerVerdict: { id: string, rating: Rating, rationale: string | null, version: number } | null, published: { rating: Rating, rationale: string | null } | null }> } } };

export type ClaimQueueQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ClaimQueueQuery = { viewer: { assignments: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, dueAt: string | null, overdue: boolean, claim: { id: string, quote: string, status: ClaimStatus, article: { id: string, title: string }, viewerVerdict: { id: string, rating: Rating, version: number } | null } }> } } };

export type SubmitVerdictMutationVariables = Exact<{
  input: SubmitVerdictInput;
}>;


export type SubmitVerdictMutation = { submitVerdict: { verdict: { id: string, rating: Rating, rationale: string | null, confidence: number | null, version: number }, claim: { id: string, status: ClaimStatus } } };

export type MarkClaimDisputedMutationVariables = Exact<{
  input: MarkClaimDisputedInput;
}>;


export type MarkClaimDisputedMutation = { markClaimDisputed: { claim: { id: string, status: ClaimStatus, version: number, disputedReason: string | null } } };

export type ArticleClaimChangesSubscriptionVariables = Exact<{
  articleId: string | number;
}>;


export type ArticleClaimChangesSubscription = { claimChanged: { event: { action: string, at: string, actor: { name: string } | null }, claim: { id: string, status: ClaimStatus, version: number, disputedReason: string | null } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const ArticlePageDocument = new TypedDocumentString(`
    query ArticlePage($articleId: ID!) {
  article(id: $articleId) {
    id
    title
    url
    outlet
    publishedAt
    currentRevision {
      number
      body
    }
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
          position {
            start
            end
          }
          utf16Position {
            start
            end
          }
          quote {
            prefix
            exact
            suffix
          }
        }
        speaker {
          id
          displayName
          kind
          anonymous
          descriptor
        }
        evidence(first: 10) {
          nodes {
            id
            url
            stance
            quotedPassage
            source {
              displayName
            }
          }
        }
        verdicts(first: 10) {
          nodes {
            id
            rating
            rationale
            version
            reviewer {
              name
            }
          }
        }
        viewerVerdict {
          id
          rating
          rationale
          version
        }
        published {
          rating
          rationale
        }
      }
    }
  }
}
    `, {"hash":"sha256:28164d4335ff1b8b2353f97e00cc95bfa0d3054ba42c1e6d81d1dca660f909fe"}) as unknown as TypedDocumentString<ArticlePageQuery, ArticlePageQueryVariables>;
export const ClaimQueueDocument = new TypedDocumentString(`
    query ClaimQueue($first: Int = 20, $after: String) {
  viewer {
    assignments(filter: {open: true}, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        dueAt
        overdue
        claim {
          id
          quote
          status
          article {
            id
            title
          }
          viewerVerdict {
            id
            rating
            version
          }
        }
      }
    }
  }
}
    `, {"hash":"sha256:0129478ab8b287daa4ad146120ca76e084f4731ef53ab1d24ac798c3ef1d3755"}) as unknown as TypedDocumentString<ClaimQueueQuery, ClaimQueueQueryVariables>;
export const SubmitVerdictDocument = new TypedDocumentString(`
    mutation SubmitVerdict($input: SubmitVerdictInput!) {
  submitVerdict(input: $input) {
    verdict {
      id
      rating
      rationale
      confidence
      version
    }
    claim {
      id
      status
    }
  }
}
    `, {"hash":"sha256:f689d763cc1777501bb6af1fa8cfc845fbb10d110b5e394b2698e765dfcfc958"}) as unknown as TypedDocumentString<SubmitVerdictMutation, SubmitVerdictMutationVariables>;
export const MarkClaimDisputedDocument = new TypedDocumentString(`
    mutation MarkClaimDisputed($input: MarkClaimDisputedInput!) {
  markClaimDisputed(input: $input) {
    claim {
      id
      status
      version
      disputedReason
    }
  }
}
    `, {"hash":"sha256:049e93d0aa8ddab9cff73ee0c4e1c0b888fde6a7ba772b2093373651ccda9d8d"}) as unknown as TypedDocumentString<MarkClaimDisputedMutation, MarkClaimDisputedMutationVariables>;
export const ArticleClaimChangesDocument = new TypedDocumentString(`
    subscription ArticleClaimChanges($articleId: ID!) {
  claimChanged(articleId: $articleId) {
    event {
      action
      at
      actor {
        name
      }
    }
    claim {
      id
      status
      version
      disputedReason
    }
  }
}
    `, {"hash":"sha256:6bb998ebb0583d3f443d3483ba838bdbba135de317a7792ea138c1145fb7e33d"}) as unknown as TypedDocumentString<ArticleClaimChangesSubscription, ArticleClaimChangesSubscriptionVariables>;