import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import type { ConnectionResult } from '../../shared/pagination';
import { Claim } from '../claim/claim.entity';
import { User } from '../user/user.entity';
import { HistoryArgs } from '../history/history.inputs';
import { HistoryEventConnection } from '../history/history.resolver';
import type { HistoryEvent } from '../history/history-event.entity';
import { Verdict } from './verdict.entity';
import { SubmitVerdictInput, VerdictPayload, WithdrawVerdictInput } from './verdict.inputs';

@Resolver(() => Verdict)
export class VerdictResolver {
  @Mutation(() => VerdictPayload, { description: 'Gives or revises your verdict on a claim (REVIEWER).' })
  submitVerdict(@Arg('input', () => SubmitVerdictInput) input: SubmitVerdictInput, @Ctx() context: Context): Promise<VerdictPayload> {
    return context.services.verdicts.submit(input);
  }

  @Mutation(() => VerdictPayload, { description: 'Withdraws your verdict; the record stays in history.' })
  withdrawVerdict(@Arg('input', () => WithdrawVerdictInput) input: WithdrawVerdictInput, @Ctx() context: Context): Promise<VerdictPayload> {
    return context.services.verdicts.withdraw(input);
  }

  @FieldResolver(() => User)
  reviewer(@Root() verdict: Verdict, @Ctx() context: Context): User | Promise<User> {
    // usually already there (the verdicts query joins the reviewer): no promise then
    return (
      context.loaders.peek(User, verdict.reviewerId) ??
      context.loaders
        .entity(User, false)
        .load(verdict.reviewerId)
        .then((user) => user!)
    );
  }

  @FieldResolver(() => Claim)
  claim(@Root() verdict: Verdict, @Ctx() context: Context): Promise<Claim> {
    return context.services.claims.get(verdict.claimId);
  }

  @FieldResolver(() => HistoryEventConnection, { description: 'Every revision of this verdict, newest first.' })
  history(@Root() verdict: Verdict, @Args(() => HistoryArgs) args: HistoryArgs, @Ctx() context: Context): Promise<ConnectionResult<HistoryEvent>> {
    return context.services.history.list({ entityId: verdict.id }, verdict.teamId, args);
  }
}
