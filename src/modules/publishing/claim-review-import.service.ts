import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { fromGlobalId } from '../../shared/ids';
import { DomainError, ErrorCode, badInput } from '../../shared/errors';
import { codePointLength } from '../../shared/text';
import { authorize } from '../team/permissions';
import { anchorByPosition } from '../anchoring/anchoring';
import { anchorColumns, insertClaim } from '../claim/claim.service';
import { Claim } from '../claim/claim.entity';
import { ClaimKind, Sourcing } from '../claim/claim.enums';
import { readClaimReviewDocument, type ExternalClaimReview } from './claim-review-document';
import type { ImportClaimReviewsInput, StoredExternalReview } from './claim-review-import.types';

/** The largest document accepted (characters of JSON text). */
export const MAX_DOCUMENT_CHARS = 5_000_000;
/** Problems listed in the error; the message says how many there were in all. */
const MAX_LISTED_PROBLEMS = 100;

function stored(review: ExternalClaimReview): StoredExternalReview {
  return {
    organizationName: review.organization.name,
    organizationUrl: review.organization.url,
    alternateName: review.rating.alternateName,
    ratingValue: review.rating.ratingValue,
    bestRating: review.rating.bestRating,
    worstRating: review.rating.worstRating,
    url: review.url,
    datePublished: review.datePublished,
    claimAuthor: review.claimAuthor,
  };
}

/**
 * Other organisations' ClaimReviews as claims of the team with an external verdict, so reviewers
 * see how others rated a statement (`similarClaims`, and an import's repeat detection). Each
 * ClaimReview becomes an article (its appearance: headline, URL, publisher, date; the text is the
 * claim as reviewed) with one claim over its whole text. All or nothing: any item that is not a
 * usable ClaimReview fails the import with every problem listed (`extensions.problems`, each with
 * the item's index and path), and nothing is written. A review URL imported before is skipped.
 */
export class ClaimReviewImportService {
  constructor(private readonly context: Context) {}

  async import(input: ImportClaimReviewsInput): Promise<{ claims: Claim[]; alreadyImported: number }> {
    const actor = requireActor(this.context);
    const teamId = fromGlobalId(input.teamId, 'Team', 'teamId');
    authorize(actor, teamId, 'article.write', 'Team');
    if (input.document.length > MAX_DOCUMENT_CHARS) throw badInput(`document is longer than ${MAX_DOCUMENT_CHARS} characters`, 'document');
    let document: unknown;
    try {
      document = JSON.parse(input.document);
    } catch (error) {
      throw badInput(`document is not JSON: ${(error as Error).message}`, 'document');
    }
    const { reviews, problems } = readClaimReviewDocument(document);
    if (problems.length) {
      const items = new Set(problems.map((problem) => problem.index)).size;
      throw new DomainError(
        ErrorCode.BAD_USER_INPUT,
        `${items} item${items === 1 ? '' : 's'} of the document ${items === 1 ? 'is' : 'are'} not a usable ClaimReview; nothing was imported. ` +
          problems
            .slice(0, 3)
            .map((problem) => `item ${problem.index}${problem.path ? ` ${problem.path}` : ''}: ${problem.message}`)
            .join('; '),
        { field: 'document', problems: problems.slice(0, MAX_LISTED_PROBLEMS) },
      );
    }
    const articles = this.context.services.articles;
    return this.context.db.transaction(async (manager) => {
      const urls = reviews.map((review) => review.url);
      const known = new Set(
        (
          (await manager.query(
            `SELECT external_review->>'url' AS url FROM claims WHERE team_id = $1 AND external_review IS NOT NULL AND external_review->>'url' = ANY($2::text[])`,
            [teamId, urls],
          )) as { url: string }[]
        ).map((row) => row.url),
      );
      const claims: Claim[] = [];
      let alreadyImported = 0;
      for (const review of reviews) {
        if (known.has(review.url)) {
          alreadyImported += 1;
          continue;
        }
        known.add(review.url);
        const prepared = articles.prepare({
          teamId: input.teamId,
          title: review.appearance.headline ?? `Claim reviewed by ${review.organization.name}`,
          url: review.appearance.url,
          outlet: review.appearance.publisher,
          byline: null,
          publishedAt: review.appearance.datePublished ? new Date(review.appearance.datePublished) : null,
          language: review.language,
          text: review.claimReviewed,
          // the article only holds the reviewed claim: several reviews may share an appearance (and
          // the desk may have the article itself); skipping repeats goes by the review URL instead
          allowDuplicate: true,
        });
        const { article, revision } = await articles.insert(manager, prepared, 'IMPORT');
        const anchor = anchorByPosition(revision.body, 0, codePointLength(revision.body));
        const claim = await insertClaim(
          manager,
          {
            teamId,
            articleId: article.id,
            revisionId: revision.id,
            ...anchorColumns(anchor),
            kind: ClaimKind.ASSERTION,
            sourcing: Sourcing.UNSOURCED,
            speakerId: null,
            createdBy: actor.userId,
            externalReview: stored(review),
          },
          { actorId: actor.userId, reason: `imported ClaimReview by ${review.organization.name}`, recordAlso: { externalReview: stored(review) } },
        );
        claims.push(claim);
      }
      this.context.loaders.clear();
      return { claims, alreadyImported };
    });
  }
}
