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
}

@InputType()
export class UnpublishClaimInput {
  @Field(() => ID) claimId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@ObjectType('PublishedVerdict', { description: 'The desk\'s final verdict on a claim, as an editor published it.' })
export class PublishedVerdict {
  @Field(() => Rating) rating: Rating;
  @Field(() => String, { nullable: true }) rationale: string | null;
  @Field(() => DateTimeResolver) publishedAt: Date;
  publishedById: string;
  evidenceIds: string[];
}
