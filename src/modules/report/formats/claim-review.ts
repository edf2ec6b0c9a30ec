import { toGlobalId } from '../../../shared/ids';
import { SourceKind } from '../../source/source.entity';
import { toReviewRating, type Rating } from '../../verdict/rating';
import type { ReportRow } from '../report-row';
import type { PublishingTeam } from '../report.filter';
import type { DocumentParts } from './stream-parts';

export interface ClaimReviewOptions {
  /** The URL of each review's page, with `{id}` where the Claim ID goes. */
  reviewUrl: string;
  /** Also review SETTLED claims that are not published yet (their consensus rating, dated when they settled). */
  includeSettled: boolean;
}

type Thing = Record<string, unknown>;

/** What a ClaimReview is built from: a report row, or a public fact-check (which has no verdicts). */
export type ClaimReviewRow = Pick<ReportRow, 'claimId' | 'quote' | 'article' | 'speaker' | 'published' | 'consensusRating' | 'settledAt' | 'evidence'>;

/**
 * Who made the claim, as schema.org `Claim.author` (a Person or an Organization). A speaker of kind
 * PERSON is a Person, any other kind an Organization; an anonymous speaker is named by how the text
 * describes them ("a European diplomat"). A claim without a speaker is the article's own assertion:
 * its byline (a Person), or failing that its publisher (an Organization: the outlet, else the site).
 */
function claimAuthor(row: ClaimReviewRow): Thing | null {
  if (row.speaker) {
    const name = row.speaker.name ?? row.speaker.descriptor;
    if (!name) return null;
    const author: Thing = { '@type': row.speaker.kind === SourceKind.PERSON ? 'Person' : 'Organization', name };
    if (row.speaker.url && !row.speaker.anonymous) author.url = row.speaker.url;
    return author;
  }
  if (row.article.byline) return { '@type': 'Person', name: row.article.byline };
  return appearancePublisher(row);
}

/**
 * The desk as schema.org Organization: the review's author and publisher. Its `url` is the
 * organisation's home page, else where its fact-checks are published (the team's public base URL,
 * else the origin of the review URLs), so a reader of the feed can always tell whose review it is.
 */
export function reviewOrganization(team: PublishingTeam, reviewUrl: string): Thing {
  const organization: Thing = { '@type': 'Organization', name: team.organizationName ?? team.name };
  organization.url = team.organizationUrl ?? team.publicBaseUrl ?? new URL(reviewUrl.replace('{id}', 'id')).origin;
  if (team.organizationLogoUrl) organization.logo = { '@type': 'ImageObject', url: team.organizationLogoUrl };
  return organization;
}

/**
 * Who published the article the claim appeared in: its outlet, else the site its URL is on (an
 * article without either has no publisher to name).
 */
function appearancePublisher(row: ClaimReviewRow): Thing | null {
  if (row.article.outlet) return { '@type': 'Organization', name: row.article.outlet };
  if (!row.article.url) return null;
  const host = new URL(row.article.url).hostname.replace(/^www\./, '');
  return { '@type': 'Organization', name: host, url: new URL(row.article.url).origin };
}

/** The rating a review states: the published one, else (with includeSettled) the consensus of a SETTLED claim. */
function reviewedRating(row: ClaimReviewRow): { rating: Rating; date: Date } | null {
  if (row.published) return { rating: row.published.rating, date: row.published.at };
  if (row.consensusRating && row.settledAt) return { rating: row.consensusRating, date: row.settledAt };
  return null;
}

/**
 * One schema.org ClaimReview (https://schema.org/ClaimReview, and Google's ClaimReview guidance for
 * required and recommended properties): claimReviewed, reviewRating, url, author, datePublished,
 * itemReviewed (a Claim with author, datePublished, appearance). Null for a row with nothing to
 * review (neither published nor settled with a consensus).
 */
export function claimReview(row: ClaimReviewRow, team: PublishingTeam, options: ClaimReviewOptions): Thing | null {
  const reviewed = reviewedRating(row);
  if (!reviewed || (!row.published && !options.includeSettled)) return null;
  const claimId = toGlobalId('Claim', row.claimId);

  const claim: Thing = { '@type': 'Claim' };
  const author = claimAuthor(row);
  if (author) claim.author = author;
  if (row.article.publishedAt) claim.datePublished = row.article.publishedAt.toISOString();
  const appearance: Thing = { '@type': 'CreativeWork', headline: row.article.title };
  if (row.article.url) appearance.url = row.article.url;
  if (row.article.publishedAt) appearance.datePublished = row.article.publishedAt.toISOString();
  const publisher = appearancePublisher(row);
  if (publisher) appearance.publisher = publisher;
  claim.appearance = appearance;
  if (row.article.language) claim.inLanguage = row.article.language;

  const review: Thing = {
    '@type': 'ClaimReview',
    url: options.reviewUrl.replace('{id}', encodeURIComponent(claimId)),
    claimReviewed: row.quote,
    reviewRating: toReviewRating(reviewed.rating),
    itemReviewed: claim,
    author: reviewOrganization(team, options.reviewUrl),
    publisher: reviewOrganization(team, options.reviewUrl),
    datePublished: reviewed.date.toISOString(),
  };
  if (row.published?.rationale) review.reviewBody = row.published.rationale;
  const citations = row.evidence.filter((evidence) => evidence.published && evidence.url);
  if (citations.length) review.citation = citations.map((evidence) => ({ '@type': 'CreativeWork', url: evidence.url }));
  return review;
}

/**
 * One JSON-LD document: `@context` https://schema.org and an `@graph` of ClaimReviews, written as
 * rows arrive. Rows the query lets through but that have nothing to review are skipped.
 */
export function claimReviewParts(team: PublishingTeam, options: ClaimReviewOptions): DocumentParts<ReportRow> {
  let written = 0;
  return {
    head: () => '{\n"@context": "https://schema.org",\n"@graph": [',
    row: (row) => {
      const review = claimReview(row, team, options);
      if (!review) return '';
      return `${written++ ? ',' : ''}\n${JSON.stringify(review)}`;
    },
    tail: () => `${written ? '\n' : ''}]\n}\n`,
  };
}
