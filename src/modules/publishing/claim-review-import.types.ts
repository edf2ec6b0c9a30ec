import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { Claim } from '../claim/claim.entity';

/** Another organisation's verdict on a claim, as its ClaimReview gave it (stored in claims.external_review). */
export interface StoredExternalReview {
  organizationName: string;
  organizationUrl: string | null;
  alternateName: string | null;
  ratingValue: number | null;
  bestRating: number | null;
  worstRating: number | null;
  url: string;
  datePublished: string | null;
  claimAuthor: string | null;
}

@ObjectType('ExternalVerdict', { description: 'How another organisation rated the claim (an imported ClaimReview).' })
export class ExternalVerdict {
  @Field(() => String) organizationName: string;
  @Field(() => String, { nullable: true }) organizationUrl: string | null;
  @Field(() => String, { nullable: true, description: "The rating in the organisation's words (reviewRating.alternateName)." }) rating: string | null;
  @Field(() => Float, { nullable: true }) ratingValue: number | null;
  @Field(() => Float, { nullable: true }) bestRating: number | null;
  @Field(() => Float, { nullable: true }) worstRating: number | null;
  @Field(() => String, { description: "The review's page." }) url: string;
  @Field(() => DateTimeResolver, { nullable: true }) datePublished: Date | null;
  @Field(() => String, { nullable: true, description: 'Who made the claim, as the review names them.' }) claimAuthor: string | null;
}

export function toExternalVerdict(stored: StoredExternalReview): ExternalVerdict {
  return Object.assign(new ExternalVerdict(), {
    organizationName: stored.organizationName,
    organizationUrl: stored.organizationUrl,
    rating: stored.alternateName,
    ratingValue: stored.ratingValue,
    bestRating: stored.bestRating,
    worstRating: stored.worstRating,
    url: stored.url,
    datePublished: stored.datePublished ? new Date(stored.datePublished) : null,
    claimAuthor: stored.claimAuthor,
  });
}

@InputType()
export class ImportClaimReviewsInput {
  @Field(() => ID) teamId: string;
  @Field(() => String, { description: 'The JSON-LD text: a ClaimReview, an array of them, an @graph, or a DataFeed.' }) document: string;
}

@ObjectType()
export class ImportClaimReviewsPayload {
  @Field(() => [Claim], { description: 'The claims created, one per new ClaimReview, in document order.' }) claims: Claim[];
  @Field(() => Int, { description: 'ClaimReviews skipped because their review URL was imported before.' }) alreadyImported: number;
}
