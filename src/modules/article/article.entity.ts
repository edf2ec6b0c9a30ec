import { Field, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DateTimeResolver, URLResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';

@Entity({ name: 'articles' })
@ObjectType('Article', { implements: Node, description: 'A text under review.' })
export class Article implements Node {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get nodeId(): string {
    return toGlobalId('Article', this.id);
  }

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ type: 'text' })
  @Field(() => String)
  title: string;

  @Column({ type: 'text', nullable: true })
  @Field(() => URLResolver, { nullable: true })
  url: string | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  outlet: string | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  byline: string | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'text' })
  @Field(() => String, { description: 'BCP 47 language tag, e.g. `en` or `pt-BR`.' })
  language: string;

  @Column({ name: 'current_revision_number', type: 'integer' })
  @Field(() => Int)
  currentRevisionNumber: number;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  updatedAt: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
