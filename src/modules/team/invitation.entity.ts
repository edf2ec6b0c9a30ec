import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { DateTimeResolver } from 'graphql-scalars';
import { toGlobalId } from '../../shared/ids';
import { Role } from './role';

export enum InvitationStatus {
  PENDING = 'PENDING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
}
registerEnumType(InvitationStatus, { name: 'InvitationStatus' });

/**
 * An invitation to join a team. It carries only what the inviting OWNER typed (the email, the
 * role) and, for the invitee who cannot read the team yet, the team's name and slug as they were.
 */
@Entity({ name: 'team_invitations' })
@ObjectType('TeamInvitation', { description: 'An invitation to join a team, until its invitee accepts or declines it.' })
export class TeamInvitation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { name: 'id' })
  get nodeId(): string {
    return toGlobalId('TeamInvitation', this.id);
  }

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ name: 'team_name', type: 'text' })
  @Field(() => String, { description: "The team's name when the invitation was made." })
  teamName: string;

  @Column({ name: 'team_slug', type: 'text' })
  @Field(() => String)
  teamSlug: string;

  @Column({ type: 'text' })
  @Field(() => String, { description: 'The address invited, as the inviter typed it (lower-cased).' })
  email: string;

  @Column({ type: 'text' })
  @Field(() => Role)
  role: Role;

  @Column({ type: 'text' })
  @Field(() => InvitationStatus)
  status: InvitationStatus;

  @Column({ name: 'invited_by', type: 'uuid' })
  invitedBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;

  @Column({ name: 'responded_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true })
  respondedAt: Date | null;
}
