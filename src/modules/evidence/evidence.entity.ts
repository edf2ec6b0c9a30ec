import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { DateTimeResolver, URLResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';

export enum Stance {
  SUPPORTS = 'SUPPORTS',
  REFUTES = 'REFUTES',
  CONTEXT = 'CONTEXT',
}
registerEnumType(Stance, { name: 'Stance' });

@Entity({ name: 'evidence' })
@ObjectType('Evidence', { implements: Node, description: 'A citation for or against a claim.' })
export class Evidence implements Node {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get nodeId(): string {
    return toGlobalId('Evidence', this.id);
  }

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ name: 'claim_id', type: 'uuid' })
  claimId: string;

  @Column({ name: 'source_id', type: 'uuid', nullable: true })
  sourceId: string | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => URLResolver, { nullable: true })
  url: string | null;

  @Column({ name: 'quoted_passage', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  quotedPassage: string | null;

  @Column({ type: 'text' })
  @Field(() => Stance)
  stance: Stance;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  note: string | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;

  @Column({ name: 'removed_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true })
  removedAt: Date | null;

  @Column({ name: 'removed_by', type: 'uuid', nullable: true })
  removedBy: string | null;
}
