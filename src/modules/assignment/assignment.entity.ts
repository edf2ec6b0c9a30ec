import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DateTimeResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';

export enum AssignmentState {
  OPEN = 'OPEN',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(AssignmentState, {
  name: 'AssignmentState',
  valuesConfig: {
    OPEN: { description: "Waiting for the reviewer's verdict." },
    COMPLETED: { description: 'The reviewer submitted a verdict on the claim.' },
    CANCELLED: { description: 'An editor withdrew the assignment.' },
  },
});

@Entity({ name: 'assignments' })
@ObjectType('Assignment', { implements: Node, description: 'A reviewer asked to judge a claim, optionally by a due date.' })
export class Assignment implements Node {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get nodeId(): string {
    return toGlobalId('Assignment', this.id);
  }

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ name: 'claim_id', type: 'uuid' })
  claimId: string;

  @Column({ name: 'reviewer_id', type: 'uuid' })
  reviewerId: string;

  @Column({ name: 'assigned_by', type: 'uuid' })
  assignedBy: string;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true })
  dueAt: Date | null;

  @Column({ type: 'integer' })
  @Field(() => Int, { description: 'Pass as `expectedVersion` when you reassign or cancel.' })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  updatedAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true })
  completedAt: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true })
  cancelledAt: Date | null;

  @Field(() => AssignmentState)
  get state(): AssignmentState {
    if (this.completedAt) return AssignmentState.COMPLETED;
    if (this.cancelledAt) return AssignmentState.CANCELLED;
    return AssignmentState.OPEN;
  }

  @Field(() => Boolean, { description: 'Open and past its due date.' })
  get overdue(): boolean {
    return this.state === AssignmentState.OPEN && this.dueAt !== null && this.dueAt.getTime() < Date.now();
  }
}
