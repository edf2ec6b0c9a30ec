import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type { Context } from '../../shared/context';
import { ConnectionArgs, connectionType, type ConnectionResult } from '../../shared/pagination';
import { User } from '../user/user.entity';
import { Team } from '../team/team.entity';
import { Verdict } from '../verdict/verdict.entity';
import { VerdictRevision } from '../verdict/verdict-revision.types';
import { HistoryArgs } from './history.inputs';
import { HistoryEventConnection } from './history.resolver';
import type { HistoryEvent } from './history-event.entity';
import { arrayConnection } from './as-of.service';

export const VerdictRevisionConnection = connectionType(VerdictRevision, 'VerdictRevision');

@Resolver(() => Verdict)
export class VerdictAsOfResolver {
  @FieldResolver(() => Verdict, { nullable: true, description: 'The verdict as it stood at `at`, rebuilt from history (null before it was given).' })
  asOf(@Root() verdict: Verdict, @Arg('at', () => DateTimeResolver) at: Date, @Ctx() context: Context): Promise<Verdict | null> {
    return context.services.asOf.verdict(verdict, at);
  }

  @FieldResolver(() => VerdictRevisionConnection, { description: 'Every state the verdict went through, oldest first, with what changed each time.' })
  async revisions(
    @Root() verdict: Verdict,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() context: Context,
  ): Promise<ConnectionResult<VerdictRevision>> {
    const revisions = await context.services.asOf.revisions(verdict);
    return arrayConnection(revisions, (revision) => BigInt(revision.eventId), args);
  }
}

@Resolver(() => VerdictRevision)
export class VerdictRevisionResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who made this change.' })
  actor(@Root() revision: VerdictRevision, @Ctx() context: Context): Promise<User | null> | null {
    return revision.actorId ? context.loaders.entity(User, false).load(revision.actorId) : null;
  }
}

@Resolver(() => Team)
export class TeamActivityResolver {
  @FieldResolver(() => HistoryEventConnection, {
    description: 'Everything that happened in the team (articles, claims, verdicts, comments, assignments, members), newest first.',
  })
  activity(@Root() team: Team, @Args(() => HistoryArgs) args: HistoryArgs, @Ctx() context: Context): Promise<ConnectionResult<HistoryEvent>> {
    return context.services.history.list({ teamId: team.id }, team.id, args);
  }
}
