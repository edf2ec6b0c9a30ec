import { registerEnumType } from 'type-graphql';

export enum Rating {
  TRUE = 'TRUE',
  MOSTLY_TRUE = 'MOSTLY_TRUE',
  MIXED = 'MIXED',
  MOSTLY_FALSE = 'MOSTLY_FALSE',
  FALSE = 'FALSE',
  MISLEADING = 'MISLEADING',
  UNVERIFIABLE = 'UNVERIFIABLE',
}
registerEnumType(Rating, {
  name: 'Rating',
  description: 'TRUE..FALSE form a 5..1 scale; MISLEADING and UNVERIFIABLE stand off the scale.',
});

/** Position on the 5..1 scale; null for off-scale ratings. The status derivation's SQL has the same table (claimgraph_rating_scale). */
export const RATING_SCALE: Record<Rating, number | null> = {
  TRUE: 5,
  MOSTLY_TRUE: 4,
  MIXED: 3,
  MOSTLY_FALSE: 2,
  FALSE: 1,
  MISLEADING: null,
  UNVERIFIABLE: null,
};

const ALTERNATE_NAME: Record<Rating, string> = {
  TRUE: 'True',
  MOSTLY_TRUE: 'Mostly true',
  MIXED: 'Mixed',
  MOSTLY_FALSE: 'Mostly false',
  FALSE: 'False',
  MISLEADING: 'Misleading',
  UNVERIFIABLE: 'Unverifiable',
};

export interface ReviewRating {
  '@type': 'Rating';
  ratingValue?: number;
  bestRating?: number;
  worstRating?: number;
  alternateName: string;
}

/** schema.org `reviewRating` of a ClaimReview. Off-scale ratings carry `alternateName` only. */
export function toReviewRating(rating: Rating): ReviewRating {
  const value = RATING_SCALE[rating];
  if (value === null) return { '@type': 'Rating', alternateName: ALTERNATE_NAME[rating] };
  return { '@type': 'Rating', ratingValue: value, bestRating: 5, worstRating: 1, alternateName: ALTERNATE_NAME[rating] };
}

export function ratingLabel(rating: Rating): string {
  return ALTERNATE_NAME[rating];
}
