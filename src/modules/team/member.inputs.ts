import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Role } from './role';
import { Membership } from './membership.entity';
import { Team } from './team.entity';
import { TeamInvitation } from './invitation.entity';

@InputType()
export class AddTeamMemberInput {
  @Field(() => ID) teamId: string;
  @Field(() => String, { description: 'Whom to invite: they join when the holder of this address accepts.' }) email: string;
  @Field(() => String, { nullable: true, deprecationReason: 'Ignored: an invitation carries no name; the invitee keeps their own.' }) name?: string | null;
  @Field(() => Role) role: Role;
}

@InputType()
export class RespondToInvitationInput {
  @Field(() => ID) invitationId: string;
}

@ObjectType()
export class TeamInvitationPayload {
  @Field(() => TeamInvitation) invitation: TeamInvitation;
}

@ObjectType()
export class AcceptTeamInvitationPayload {
  @Field(() => TeamInvitation) invitation: TeamInvitation;
  @Field(() => Membership) membership: Membership;
}

@InputType()
export class ChangeMemberRoleInput {
  @Field(() => ID) teamId: string;
  @Field(() => ID) userId: string;
  @Field(() => Role) role: Role;
}

@InputType()
export class RemoveTeamMemberInput {
  @Field(() => ID) teamId: string;
  @Field(() => ID) userId: string;
}

@ObjectType()
export class MembershipPayload {
  @Field(() => Membership) membership: Membership;
}

@ObjectType()
export class RemoveTeamMemberPayload {
  @Field(() => Team) team: Team;
  @Field(() => ID, { description: 'The removed user.' }) userId: string;
}
