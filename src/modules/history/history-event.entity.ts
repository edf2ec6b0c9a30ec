import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { DateTimeResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { type NodeType, toGlobalId } from '../../shared/ids';

/**
 * What a history event is about: a node (its global-ID type names), or a membership, which has no
 * ID of its own. History events and invitations are not histories' subjects.
 */
export type EntityType = Exclude<NodeType, 'HistoryEvent' | 'TeamInvitation'> | 'Membership';

@Entity({ name: 'history_events' })
@ObjectType('HistoryEvent', { implements: Node, description: 'One change, as recorded in the same transaction as the change.' })
export class HistoryEvent implements Node {
  // bigint comes back from pg as a string; keeping it a string avoids precision loss
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  get nodeId(): string {
    return toGlobalId('HistoryEvent', this.id);
  }

  @Column({ name: 'team_id', type: 'uuid', nullable: true })
  teamId: string | null;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  at: Date;

  @Column({ name: 'entity_type', type: 'text' })
  @Field(() => String, { description: 'GraphQL type name of the changed object.' })
  entityType: EntityType;

  @Column({ name: 'entity_id', type: 'uuid' })
  entityId: string;

  @Column({ type: 'text' })
  @Field(() => String, { description: 'What happened, e.g. CREATE, UPDATE, DELETE, SUBMIT, WITHDRAW.' })
  action: string;

  // As recorded (entity property names, raw ids); the API shows them translated (HistoryEventResolver).
  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  reason: string | null;

  @Column({ name: 'claim_id', type: 'uuid', nullable: true })
  claimId: string | null;

  @Column({ name: 'article_id', type: 'uuid', nullable: true })
  articleId: string | null;

  @Field(() => String, { description: 'Global ID of the changed object.' })
  get entityNodeId(): string {
    return toGlobalId(this.entityType as Parameters<typeof toGlobalId>[0], this.entityId);
  }
}
