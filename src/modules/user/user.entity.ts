import { Field, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DateTimeResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';

@Entity({ name: 'users' })
@ObjectType('User', { implements: Node, description: 'A person who works on a desk.' })
export class User implements Node {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get nodeId(): string {
    return toGlobalId('User', this.id);
  }

  @Column({ type: 'text' })
  @Field(() => String)
  email: string;

  @Column({ type: 'text' })
  @Field(() => String)
  name: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
