import { Field, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DateTimeResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';

@Entity({ name: 'comments' })
@ObjectType('Comment', { implements: Node, description: 'Discussion on a claim, threaded by reply. Edits and deletions stay in history.' })
export class Comment implements Node {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get nodeId(): string {
    return toGlobalId('Comment', this.id);
  }

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ name: 'claim_id', type: 'uuid' })
  claimId: string;

  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId: string | null;

  @Column({ name: 'author_id', type: 'uuid' })
  authorId: string;

  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'integer' })
  @Field(() => Int, { description: 'Pass as `expectedVersion` when you edit or delete the comment.' })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  updatedAt: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true, description: 'Set once deleted; the comment stays as a placeholder while it has replies.' })
  deletedAt: Date | null;

  @Field(() => String, { name: 'body', nullable: true, description: 'Null once deleted (earlier text remains in `history`).' })
  get visibleBody(): string | null {
    return this.deletedAt ? null : this.body;
  }

  @Field(() => Boolean, { description: 'True once the text was changed after posting.' })
  get edited(): boolean {
    // every edit and the deletion bump the version; a deleted comment reports only its deletion
    return !this.deletedAt && this.version > 1;
  }
}
