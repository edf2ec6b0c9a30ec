import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Role } from './role';
import { Membership } from './membership.entity';
import { Team } from './team.entity';

@InputType()
export class AddTeamMemberInput {
  @Field(() => ID) teamId: string;
  @Field(() => String, { description: 'An existing user\'s email; a new user is created when none has it.' }) email: string;
  @Field(() => String, { nullable: true, description: 'Name for a newly created user (default: the part before @).' }) name?: string | null;
  @Field(() => Role) role: Role;
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
