import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DateTimeResolver, URLResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';

export enum SourceKind {
  PERSON = 'PERSON',
  ORGANIZATION = 'ORGANIZATION',
  DOCUMENT = 'DOCUMENT',
  OTHER = 'OTHER',
}
registerEnumType(SourceKind, { name: 'SourceKind' });

@Entity({ name: 'sources' })
@ObjectType('Source', { implements: Node, description: 'Who or what a claim rests on.' })
export class Source implements Node {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get nodeId(): string {
    return toGlobalId('Source', this.id);
  }

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ type: 'text' })
  @Field(() => SourceKind)
  kind: SourceKind;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Null for an anonymous source.' })
  name: string | null;

  @Column({ name: 'normalized_name', type: 'text', nullable: true })
  normalizedName: string | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Title or role, e.g. "Kursk Governor".' })
  title: string | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  affiliation: string | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => URLResolver, { nullable: true })
  url: string | null;

  @Column({ type: 'boolean' })
  @Field(() => Boolean)
  anonymous: boolean;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'How the text describes an unnamed source, e.g. "a European diplomat".' })
  descriptor: string | null;

  @Column({ type: 'integer' })
  @Field(() => Int)
  version: number;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  updatedAt: Date;

  @Field(() => String, { description: 'The name, or the descriptor of an anonymous source.' })
  get displayName(): string {
    return this.name ?? this.descriptor ?? '';
  }
}
