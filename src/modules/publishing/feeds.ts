import { Feed } from 'feed';
import { escapeHtml } from '../report/formats/chart';
import { claimReview, reviewOrganization } from '../report/formats/claim-review';
import { ratingLabel } from '../verdict/rating';
import type { FeedPage } from './public-reader';

export interface FeedLinks {
  /** This page's URL. */
  self: string;
  /** The next (older) page's URL, when there is one. */
  next: string | null;
  /** The team's fact-check page URL template, `{id}` for the Claim ID. */
  reviewUrl: string;
}

/**
 * One page of a team's ClaimReview feed: `@context` https://schema.org and an `@graph` of
 * ClaimReviews, newest first, each built as the exports build them.
 */
export function claimReviewFeed(page: FeedPage, links: FeedLinks): Record<string, unknown> {
  return {
    '@context': 'https://schema.org',
    '@graph': page.items.map((item) => claimReview(item, page.team!, { reviewUrl: links.reviewUrl, includeSettled: false })),
  };
}

/** The same page as an Atom feed (RFC 4287), paged as RFC 5005 describes (`rel="next"`). */
export function atomFeed(page: FeedPage, links: FeedLinks): string {
  const team = page.team!;
  const organization = reviewOrganization(team, links.reviewUrl) as { name: string; url: string };
  const feed = new Feed({
    id: links.self.replace(/[?].*$/, ''),
    title: `Fact-checks by ${organization.name}`,
    link: organization.url,
    updated: page.items[0]?.published.at ?? new Date(0),
    generator: false,
    feedLinks: { atom: links.self },
    author: { name: organization.name, link: organization.url },
  });
  for (const item of page.items) {
    const review = claimReview(item, team, { reviewUrl: links.reviewUrl, includeSettled: false })!;
    const url = String(review.url);
    const rating = ratingLabel(item.published.rating);
    feed.addItem({
      // Atom's type="html" text: the quote is text, so it is escaped once for HTML
      title: escapeHtml(`“${item.quote}” — ${rating}`),
      id: url,
      link: url,
      date: item.published.at,
      published: item.published.at,
      description: escapeHtml(item.published.rationale ?? `Rated ${rating}.`),
      content: `<p>${escapeHtml(rating)}</p>${item.published.rationale ? `<p>${escapeHtml(item.published.rationale)}</p>` : ''}`,
    });
  }
  const xml = feed.atom1();
  if (!links.next) return xml;
  const next = `<link rel="next" href="${escapeHtml(links.next)}"/>`;
  return xml.replace(/(<link rel="self"[^>]*\/>)/, `$1\n    ${next}`);
}
