import { Field, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { DateTimeResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';

@Entity({ name: 'article_revisions' })
@ObjectType('ArticleRevision', { implements: Node, description: "One immutable version of an article's text." })
export class ArticleRevision implements Node {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get nodeId(): string {
    return toGlobalId('ArticleRevision', this.id);
  }

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ name: 'article_id', type: 'uuid' })
  articleId: string;

  @Column({ type: 'integer' })
  @Field(() => Int)
  number: number;

  @Column({ type: 'text' })
  @Field(() => String, { description: 'The text; claim anchors count its Unicode code points.' })
  body: string;

  @Column({ name: 'body_sha256', type: 'text' })
  @Field(() => String, { description: 'Hex SHA-256 of the UTF-8 body.' })
  bodySha256: string;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;
}
