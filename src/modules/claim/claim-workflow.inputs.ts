import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { Rating } from '../verdict/rating';

@InputType()
export class MarkClaimDisputedInput {
  @Field(() => ID) claimId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => String, { description: 'Why the desk considers the claim disputed.' }) reason: string;
}

@InputType()
export class ResolveClaimDisputeInput {
  @Field(() => ID) claimId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@InputType()
export class PublishClaimInput {
  @Field(() => ID) claimId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => Rating) rating: Rating;
  @Field(() => String, { nullable: true }) rationale?: string | null;
  @Field(() => [ID], {
    nullable: true,
    description: 'Evidence of this claim to cite; omit to cite all its current evidence, [] to cite none.',
  })
  evidenceIds?: string[] | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'Publish although the claim is not SETTLED (otherwise NOT_SETTLED); needs a `reason`.',
  })
  override?: boolean | null;
  @Field(() => String, { nullable: true, description: 'Why; required with `override`, kept in history.' })
  reason?: string | null;
}

@InputType()
export class ConfirmClaimTextInput {
  @Field(() => ID) claimId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => String, { description: "Why the verdicts still hold for the claim's changed words; kept in history." }) reason: string;
}

@InputType()
export class UnpublishClaimInput {
  @Field(() => ID) claimId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@ObjectType('PublishedVerdict', { description: "The desk's final verdict on a claim, as an editor published it." })
export class PublishedVerdict {
  @Field(() => Rating) rating: Rating;
  @Field(() => String, { nullable: true }) rationale: string | null;
  @Field(() => DateTimeResolver) publishedAt: Date;
  @Field(() => String, { description: 'The words the verdict was published on.' }) quote: string;
  @Field(() => Boolean, {
    description:
      "True when a revision has changed the claim's words since publication: the publication is left out of ClaimReview " +
      'and marked in reports until an editor publishes it again.',
  })
  textChanged: boolean;
  publishedById: string;
  evidenceIds: string[];
}
