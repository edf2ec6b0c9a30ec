import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DateTimeResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';
import { Rating } from './rating';

@Entity({ name: 'verdicts' })
@ObjectType('Verdict', { implements: Node, description: "One reviewer's judgement of one claim." })
export class Verdict implements Node {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get nodeId(): string {
    return toGlobalId('Verdict', this.id);
  }

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ name: 'claim_id', type: 'uuid' })
  claimId: string;

  @Column({ name: 'reviewer_id', type: 'uuid' })
  reviewerId: string;

  @Column({ type: 'text' })
  @Field(() => Rating)
  rating: Rating;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  rationale: string | null;

  @Column({ type: 'real', nullable: true })
  @Field(() => Float, { nullable: true, description: '0..1' })
  confidence: number | null;

  @Column({ type: 'integer' })
  @Field(() => Int, { description: 'Pass as `expectedVersion` when you revise the verdict.' })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  updatedAt: Date;

  @Column({ name: 'judged_revision', type: 'integer' })
  @Field(() => Int, { description: 'The number of the article revision whose words this verdict judged (when given or last revised).' })
  judgedRevision: number;

  @Column({ name: 'judged_quote', type: 'text' })
  @Field(() => String, { description: "The exact words this verdict judged; the claim's `quote` may have changed since." })
  judgedQuote: string;

  @Column({ name: 'withdrawn_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true, description: 'Set once the reviewer withdrew it; the record stays.' })
  withdrawnAt: Date | null;

  @Field(() => Boolean, { description: 'False once withdrawn.' })
  get current(): boolean {
    return this.withdrawnAt === null;
  }
}
