import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { notFound } from '../../shared/errors';
import { Membership } from '../team/membership.entity';
import { TeamInvitation } from '../team/invitation.entity';
import { User } from './user.entity';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { description: 'The caller.' })
  async viewer(@Ctx() context: Context): Promise<User> {
    const actor = requireActor(context);
    const user = await context.loaders.entity(User, false).load(actor.userId);
    if (!user) throw notFound('User');
    return user;
  }

  @FieldResolver(() => [TeamInvitation], { description: 'Your pending invitations to teams (empty for anyone but the viewer).' })
  async invitations(@Root() user: User, @Ctx() context: Context): Promise<TeamInvitation[]> {
    if (user.id !== requireActor(context).userId) return [];
    return context.services.members.pendingInvitations();
  }

  @FieldResolver(() => [Membership], { description: 'Memberships in teams you can see (all of yours, for the viewer).' })
  async memberships(@Root() user: User, @Ctx() context: Context): Promise<Membership[]> {
    const actor = requireActor(context);
    return context.loaders
      .keyed<string, Membership[]>('User.memberships', async (userIds) => {
        const manager = await context.db.manager();
        const rows = await manager
          .createQueryBuilder(Membership, 'membership')
          .where('membership.user_id = ANY(:userIds) AND membership.team_id = ANY(:teamIds)', { userIds: [...userIds], teamIds: actor.teamIds })
          .orderBy('membership.created_at', 'ASC')
          .getMany();
        return userIds.map((id) => rows.filter((row) => row.userId === id));
      })
      .load(user.id);
  }
}
