import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { ConnectionArgs } from '../../shared/pagination';
import { Assignment } from './assignment.entity';

@InputType()
export class AssignReviewerInput {
  @Field(() => ID) claimId: string;
  @Field(() => ID, { description: "A User with the REVIEWER role or higher in the claim's team." }) reviewerId: string;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Must lie in the future.' }) dueAt?: Date | null;
}

@InputType()
export class ReassignReviewerInput {
  @Field(() => ID) assignmentId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => ID, { nullable: true, description: 'Hand the assignment to another reviewer; omit to keep the reviewer.' })
  reviewerId?: string | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'A new due date; explicit null clears it; omit to keep it.' })
  dueAt?: Date | null;
}

@InputType()
export class CancelAssignmentInput {
  @Field(() => ID) assignmentId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@ObjectType()
export class AssignmentPayload {
  @Field(() => Assignment) assignment: Assignment;
}

@InputType()
export class AssignmentFilter {
  @Field(() => Boolean, { nullable: true, description: 'true: only open assignments; false: only completed or cancelled ones.' })
  open?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'true: only open ones past their due date; false: only those that are not.' })
  overdue?: boolean | null;
}

@ArgsType()
export class AssignmentsArgs extends ConnectionArgs {
  @Field(() => AssignmentFilter, { nullable: true }) filter?: AssignmentFilter | null;
}
