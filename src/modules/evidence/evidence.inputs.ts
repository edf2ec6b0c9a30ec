import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { URLResolver } from 'graphql-scalars';
import { Evidence, Stance } from './evidence.entity';
import { Claim } from '../claim/claim.entity';

@InputType()
export class AddEvidenceInput {
  @Field(() => ID) claimId: string;
  @Field(() => Stance) stance: Stance;
  @Field(() => URLResolver, { nullable: true }) url?: URL | string | null;
  @Field(() => ID, { nullable: true }) sourceId?: string | null;
  @Field(() => String, { nullable: true }) quotedPassage?: string | null;
  @Field(() => String, { nullable: true }) note?: string | null;
}

@InputType()
export class RemoveEvidenceInput {
  @Field(() => ID) evidenceId: string;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@ObjectType()
export class EvidencePayload {
  @Field(() => Evidence) evidence: Evidence;
  @Field(() => Claim) claim: Claim;
}
