import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import { connectionType, type ConnectionResult } from '../../shared/pagination';
import { Claim } from '../claim/claim.entity';
import { User } from '../user/user.entity';
import { HistoryArgs } from '../history/history.inputs';
import { HistoryEventConnection } from '../history/history.resolver';
import type { HistoryEvent } from '../history/history-event.entity';
import { Assignment } from './assignment.entity';
import { AssignReviewerInput, AssignmentPayload, AssignmentsArgs, CancelAssignmentInput, ReassignReviewerInput } from './assignment.inputs';

export const AssignmentConnection = connectionType(Assignment, 'Assignment');

@Resolver(() => Assignment)
export class AssignmentResolver {
  @Mutation(() => AssignmentPayload, { description: 'Asks a reviewer to judge a claim, optionally by a due date (EDITOR).' })
  async assignReviewer(@Arg('input', () => AssignReviewerInput) input: AssignReviewerInput, @Ctx() context: Context): Promise<AssignmentPayload> {
    return { assignment: await context.services.assignments.assign(input) };
  }

  @Mutation(() => AssignmentPayload, { description: "Changes an open assignment's reviewer and/or due date (EDITOR); needs the version you read." })
  async reassignReviewer(@Arg('input', () => ReassignReviewerInput) input: ReassignReviewerInput, @Ctx() context: Context): Promise<AssignmentPayload> {
    return { assignment: await context.services.assignments.reassign(input) };
  }

  @Mutation(() => AssignmentPayload, { description: 'Withdraws an open assignment (EDITOR); it stays on record.' })
  async cancelAssignment(@Arg('input', () => CancelAssignmentInput) input: CancelAssignmentInput, @Ctx() context: Context): Promise<AssignmentPayload> {
    return { assignment: await context.services.assignments.cancel(input) };
  }

  @FieldResolver(() => Claim)
  async claim(@Root() assignment: Assignment, @Ctx() context: Context): Promise<Claim> {
    // straight from the row: the assignment of a since-deleted claim still names it
    return (await context.loaders.entity(Claim).load(assignment.claimId))!;
  }

  @FieldResolver(() => User)
  async reviewer(@Root() assignment: Assignment, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.entity(User, false).load(assignment.reviewerId))!;
  }

  @FieldResolver(() => User)
  async assignedBy(@Root() assignment: Assignment, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.entity(User, false).load(assignment.assignedBy))!;
  }

  @FieldResolver(() => HistoryEventConnection, { description: 'Assigned, reassigned, completed, cancelled; newest first.' })
  history(@Root() assignment: Assignment, @Args(() => HistoryArgs) args: HistoryArgs, @Ctx() context: Context): Promise<ConnectionResult<HistoryEvent>> {
    return context.services.history.list({ entityId: assignment.id }, assignment.teamId, args);
  }
}

@Resolver(() => User)
export class UserAssignmentsResolver {
  @FieldResolver(() => AssignmentConnection, {
    description: 'Claims this user is asked to review, in your teams: soonest due first, undated last. `viewer { assignments }` is your queue.',
  })
  assignments(@Root() user: User, @Args(() => AssignmentsArgs) args: AssignmentsArgs, @Ctx() context: Context): Promise<ConnectionResult<Assignment>> {
    return context.services.assignments.forUser(user, args.filter, args);
  }
}
