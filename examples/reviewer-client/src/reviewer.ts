import { GraphQLRequestError, type ReviewerClient } from './client';
import type { ArticleClaimChangesSubscription, ArticlePageQuery, Rating } from './gql/graphql';
import { articleClaimChangesSubscription, articlePageQuery, claimQueueQuery, markClaimDisputedMutation, submitVerdictMutation } from './operations';

export type PageClaim = ArticlePageQuery['article']['claims']['nodes'][number];

/**
 * The article page: its text and claims, each with the range to highlight. The API's `position`
 * counts Unicode code points (the W3C selectors' unit); `utf16Position` counts what JavaScript
 * strings and DOM Ranges count, so `body.slice(start, end)` is the quote even after an emoji.
 */
export async function loadArticlePage(client: ReviewerClient, articleId: string) {
  const { article } = await client.execute(articlePageQuery, { articleId });
  return {
    ...article,
    claims: article.claims.nodes.map((claim) => ({ ...claim, highlight: claim.anchor.utf16Position })),
  };
}

/** The reviewer's open assignments, soonest due first. */
export async function claimQueue(client: ReviewerClient, first = 20) {
  const { viewer } = await client.execute(claimQueueQuery, { first });
  return viewer.assignments;
}

export type Conflict = { ok: false; code: 'VERSION_CONFLICT'; currentVersion: number | null };

/** VERSION_CONFLICT as a value: someone saved first; show them what changed, then retry with `currentVersion`. */
function conflictOf(error: unknown): Conflict | null {
  if (error instanceof GraphQLRequestError && error.code === 'VERSION_CONFLICT') {
    return { ok: false, code: 'VERSION_CONFLICT', currentVersion: error.extension<number | null>('currentVersion') ?? null };
  }
  return null;
}

/**
 * Gives a verdict (no `expectedVersion`) or revises yours (the `version` you read). A revision
 * based on a stale version comes back as a Conflict and changes nothing.
 */
export async function submitVerdict(
  client: ReviewerClient,
  input: { claimId: string; rating: Rating; rationale?: string; confidence?: number; expectedVersion?: number },
) {
  try {
    const { submitVerdict: result } = await client.execute(submitVerdictMutation, { input });
    return { ok: true as const, verdict: result.verdict, claim: result.claim };
  } catch (error) {
    const conflict = conflictOf(error);
    if (conflict) return conflict;
    throw error;
  }
}

/** An editor marks a claim disputed; a stale `expectedVersion` is a Conflict. */
export async function disputeClaim(client: ReviewerClient, input: { claimId: string; expectedVersion: number; reason: string }) {
  try {
    return { ok: true as const, claim: (await client.execute(markClaimDisputedMutation, { input })).markClaimDisputed.claim };
  } catch (error) {
    const conflict = conflictOf(error);
    if (conflict) return conflict;
    throw error;
  }
}

/** Live changes to the article's claims; returns the function that stops watching. */
export function watchArticle(
  client: ReviewerClient,
  articleId: string,
  onChange: (change: ArticleClaimChangesSubscription['claimChanged']) => void,
  onError?: (error: Error) => void,
): () => void {
  return client.subscribe(
    articleClaimChangesSubscription,
    { articleId },
    {
      next: (data) => onChange(data.claimChanged),
      error: onError,
    },
  );
}
