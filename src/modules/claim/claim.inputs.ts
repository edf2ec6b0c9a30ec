import { ArgsType, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Claim } from './claim.entity';
import { ClaimKind, ClaimSort, ClaimStatus, Sourcing, AnchorState } from './claim.enums';
import { Rating } from '../verdict/rating';
import { ConnectionArgs } from '../../shared/pagination';

@InputType('TextPositionInput', { description: 'Code point offsets in the current revision; end exclusive.' })
export class TextPositionInput {
  @Field(() => Int) start: number;
  @Field(() => Int) end: number;
}

@InputType('TextQuoteInput', { description: 'The exact words, with the text just before/after them when they occur more than once.' })
export class TextQuoteInput {
  @Field(() => String) exact: string;
  @Field(() => String, { nullable: true }) prefix?: string | null;
  @Field(() => String, { nullable: true }) suffix?: string | null;
}

@InputType('AnchorInput', { description: 'Exactly one of `position` or `quote`.' })
export class AnchorInput {
  @Field(() => TextPositionInput, { nullable: true }) position?: TextPositionInput | null;
  @Field(() => TextQuoteInput, { nullable: true }) quote?: TextQuoteInput | null;
}

@InputType()
export class CreateClaimInput {
  @Field(() => ID) articleId: string;
  @Field(() => AnchorInput) anchor: AnchorInput;
  @Field(() => ClaimKind) kind: ClaimKind;
  @Field(() => Sourcing, { nullable: true, description: 'Default: from the speaker (none: UNSOURCED; anonymous: ANONYMOUS; named: SOURCED).' })
  sourcing?: Sourcing | null;
  @Field(() => ID, { nullable: true }) speakerId?: string | null;
  @Field(() => String, { nullable: true }) note?: string | null;
}

@ObjectType()
export class ClaimPayload {
  @Field(() => Claim) claim: Claim;
}

@InputType()
export class UpdateClaimInput {
  @Field(() => ID) claimId: string;
  @Field(() => Int, { description: 'The version you read; a stale one fails with VERSION_CONFLICT.' }) expectedVersion: number;
  @Field(() => AnchorInput, { nullable: true, description: 'Move the claim to other words of the current revision.' })
  anchor?: AnchorInput | null;
  @Field(() => ClaimKind, { nullable: true }) kind?: ClaimKind | null;
  @Field(() => Sourcing, { nullable: true }) sourcing?: Sourcing | null;
  @Field(() => String, { nullable: true, description: 'An empty string clears the note.' }) note?: string | null;
}

@InputType()
export class DeleteClaimInput {
  @Field(() => ID) claimId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@InputType()
export class SetClaimSpeakerInput {
  @Field(() => ID) claimId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => ID, { nullable: true, description: 'Null removes the speaker (the claim becomes UNSOURCED unless `sourcing` says otherwise).' })
  speakerId?: string | null;
  @Field(() => Sourcing, { nullable: true, description: 'Default: derived from the speaker.' }) sourcing?: Sourcing | null;
}

@ObjectType('SimilarClaim', { description: 'A claim of the same team with similar wording.' })
export class SimilarClaim {
  @Field(() => Claim) claim: Claim;
  @Field(() => Float, { description: 'Trigram similarity of the quotes, 0..1.' }) similarity: number;
}

@InputType()
export class ClaimFilter {
  @Field(() => ID, { nullable: true }) teamId?: string | null;
  @Field(() => ID, { nullable: true }) articleId?: string | null;
  @Field(() => [ClaimStatus], { nullable: true }) status?: ClaimStatus[] | null;
  @Field(() => [Sourcing], { nullable: true }) sourcing?: Sourcing[] | null;
  @Field(() => [ClaimKind], { nullable: true }) kind?: ClaimKind[] | null;
  @Field(() => [Rating], { nullable: true, description: 'Claims with a current verdict of one of these ratings.' }) rating?: Rating[] | null;
  @Field(() => ID, { nullable: true, description: 'Claims with a current verdict by this reviewer (a User ID).' }) reviewerId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Claims whose speaker is this source.' }) speakerId?: string | null;
  @Field(() => AnchorState, { nullable: true }) anchorState?: AnchorState | null;
  @Field(() => String, {
    nullable: true,
    description: 'Full-text search over claim quotes (web-search syntax); without `sort`, results are ranked best first.',
  })
  search?: string | null;
  @Field(() => String, { nullable: true, description: 'Language of `search` (BCP 47) for stemming; default `en`.' })
  searchLanguage?: string | null;
}

@ArgsType()
export class ClaimsArgs extends ConnectionArgs {
  @Field(() => ClaimFilter, { nullable: true }) filter?: ClaimFilter | null;
  @Field(() => ClaimSort, { nullable: true, description: 'Default CREATED, or relevance when `filter.search` is given.' })
  sort?: ClaimSort | null;
}
