import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Verdict } from './verdict.entity';
import { Rating } from './rating';
import { Claim } from '../claim/claim.entity';

@InputType()
export class SubmitVerdictInput {
  @Field(() => ID) claimId: string;
  @Field(() => Rating) rating: Rating;
  @Field(() => String, { nullable: true }) rationale?: string | null;
  @Field(() => Float, { nullable: true, description: '0..1' }) confidence?: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Omit to give your first verdict on the claim; to revise it, pass the version you read.',
  })
  expectedVersion?: number | null;
}

@InputType()
export class WithdrawVerdictInput {
  @Field(() => ID) verdictId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@ObjectType()
export class VerdictPayload {
  @Field(() => Verdict) verdict: Verdict;
  @Field(() => Claim, { description: 'The claim, with its re-derived status.' }) claim: Claim;
}
