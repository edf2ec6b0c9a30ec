import { Field, Float, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { FieldChange } from '../history/field-change';
import { Rating } from './rating';

export { FieldChange };

@ObjectType('VerdictRevision', { description: 'A verdict as it stood after one change, with what that change altered.' })
export class VerdictRevision {
  @Field(() => Int, { description: "The verdict's version after this change." }) version: number;
  @Field(() => String, { description: 'SUBMIT, REVISE or WITHDRAW.' }) action: string;
  @Field(() => DateTimeResolver) at: Date;
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field(() => Rating) rating: Rating;
  @Field(() => String, { nullable: true }) rationale: string | null;
  @Field(() => Float, { nullable: true }) confidence: number | null;
  @Field(() => DateTimeResolver, { nullable: true }) withdrawnAt: Date | null;
  @Field(() => [FieldChange], { description: 'What differs from the previous revision (empty for the first).' }) changes: FieldChange[];
  actorId: string | null;
  /** The history event this revision comes from. */
  eventId: string;
}
