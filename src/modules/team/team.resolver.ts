import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import { ConnectionArgs, connectionType, type ConnectionResult } from '../../shared/pagination';
import { badInput } from '../../shared/errors';
import { User } from '../user/user.entity';
import { HistoryArgs } from '../history/history.inputs';
import { HistoryEventConnection } from '../history/history.resolver';
import type { HistoryEvent } from '../history/history-event.entity';
import { Team } from './team.entity';
import { Membership } from './membership.entity';
import { Role } from './role';
import { CreateTeamInput, CreateTeamPayload, UpdateTeamInput, UpdateTeamPayload } from './team.inputs';
import {
  AcceptTeamInvitationPayload,
  AddTeamMemberInput,
  ChangeMemberRoleInput,
  MembershipPayload,
  RemoveTeamMemberInput,
  RemoveTeamMemberPayload,
  RespondToInvitationInput,
  TeamInvitationPayload,
} from './member.inputs';
import { toGlobalId } from '../../shared/ids';

export const TeamConnection = connectionType(Team, 'Team');
export const MembershipConnection = connectionType(Membership, 'Membership');

@Resolver(() => Team)
export class TeamResolver {
  @Query(() => TeamConnection, { description: 'The teams you belong to.' })
  teams(@Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() context: Context): Promise<ConnectionResult<Team>> {
    return context.services.teams.list(args);
  }

  @Query(() => Team, { description: 'One of your teams, by ID or slug.' })
  team(
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('slug', () => String, { nullable: true }) slug: string | null,
    @Ctx() context: Context,
  ): Promise<Team> {
    if (Boolean(id) === Boolean(slug)) throw badInput('Pass exactly one of id or slug', 'id');
    return id ? context.services.teams.getByGlobalId(id) : context.services.teams.getBySlug(slug!);
  }

  @Mutation(() => CreateTeamPayload, { description: 'Opens a desk; you become its OWNER.' })
  async createTeam(@Arg('input', () => CreateTeamInput) input: CreateTeamInput, @Ctx() context: Context): Promise<CreateTeamPayload> {
    return { team: await context.services.teams.create(input) };
  }

  @Mutation(() => UpdateTeamPayload)
  async updateTeam(@Arg('input', () => UpdateTeamInput) input: UpdateTeamInput, @Ctx() context: Context): Promise<UpdateTeamPayload> {
    return { team: await context.services.teams.update(input) };
  }

  @Mutation(() => TeamInvitationPayload, {
    description:
      'Invites an email address to the team (OWNER). They join when they accept (acceptTeamInvitation); the answer is the same whether the address has an account or not.',
  })
  async addTeamMember(@Arg('input', () => AddTeamMemberInput) input: AddTeamMemberInput, @Ctx() context: Context): Promise<TeamInvitationPayload> {
    return { invitation: await context.services.members.invite(input.teamId, input.email, input.role) };
  }

  @Mutation(() => AcceptTeamInvitationPayload, { description: 'Joins the team of one of your invitations (viewer.invitations).' })
  async acceptTeamInvitation(
    @Arg('input', () => RespondToInvitationInput) input: RespondToInvitationInput,
    @Ctx() context: Context,
  ): Promise<AcceptTeamInvitationPayload> {
    return context.services.members.accept(input.invitationId);
  }

  @Mutation(() => TeamInvitationPayload, { description: 'Declines one of your invitations.' })
  async declineTeamInvitation(
    @Arg('input', () => RespondToInvitationInput) input: RespondToInvitationInput,
    @Ctx() context: Context,
  ): Promise<TeamInvitationPayload> {
    return { invitation: await context.services.members.decline(input.invitationId) };
  }

  @Mutation(() => MembershipPayload, { description: "Changes a member's role (OWNER); the last OWNER cannot step down." })
  async changeMemberRole(@Arg('input', () => ChangeMemberRoleInput) input: ChangeMemberRoleInput, @Ctx() context: Context): Promise<MembershipPayload> {
    return { membership: await context.services.members.changeRole(input.teamId, input.userId, input.role) };
  }

  @Mutation(() => RemoveTeamMemberPayload, { description: 'Removes a member (OWNER); the last OWNER cannot be removed.' })
  async removeTeamMember(@Arg('input', () => RemoveTeamMemberInput) input: RemoveTeamMemberInput, @Ctx() context: Context): Promise<RemoveTeamMemberPayload> {
    const removed = await context.services.members.remove(input.teamId, input.userId);
    return { team: await context.services.teams.get(removed.teamId), userId: toGlobalId('User', removed.userId) };
  }

  @FieldResolver(() => Role, { nullable: true, description: 'Your role in this team.' })
  viewerRole(@Root() team: Team, @Ctx() context: Context): Role | null {
    return context.session.actor?.roleIn(team.id) ?? null;
  }

  @FieldResolver(() => MembershipConnection)
  memberships(@Root() team: Team, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() context: Context): Promise<ConnectionResult<Membership>> {
    return context.services.teams.memberships(team.id, args);
  }

  @FieldResolver(() => HistoryEventConnection, { description: 'Changes to the team object itself.' })
  history(@Root() team: Team, @Args(() => HistoryArgs) args: HistoryArgs, @Ctx() context: Context): Promise<ConnectionResult<HistoryEvent>> {
    return context.services.history.list({ entityId: team.id }, team.id, args);
  }
}

@Resolver(() => Membership)
export class MembershipResolver {
  @FieldResolver(() => User)
  async user(@Root() membership: Membership, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.entity(User, false).load(membership.userId))!;
  }

  @FieldResolver(() => Team)
  team(@Root() membership: Membership, @Ctx() context: Context): Promise<Team> {
    return context.services.teams.get(membership.teamId);
  }
}
