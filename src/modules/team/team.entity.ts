import { Field, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DateTimeResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';

@Entity({ name: 'teams' })
@ObjectType('Team', { implements: Node, description: 'A fact-checking desk: the unit of isolation.' })
export class Team implements Node {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get nodeId(): string {
    return toGlobalId('Team', this.id);
  }

  @Column({ type: 'text' })
  @Field(() => String, { description: 'URL-safe unique handle.' })
  slug: string;

  @Column({ type: 'text' })
  @Field(() => String)
  name: string;

  @Column({ name: 'verdict_quorum', type: 'integer' })
  @Field(() => Int, { description: 'Current verdicts needed before a claim can be SETTLED.' })
  verdictQuorum: number;

  @Column({ name: 'organization_name', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: "The organisation that publishes the desk's fact-checks (ClaimReview author); null: the team name." })
  organizationName: string | null;

  @Column({ name: 'organization_url', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: "The organisation's home page (ClaimReview author url)." })
  organizationUrl: string | null;

  @Column({ name: 'organization_logo_url', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: "The organisation's logo (ClaimReview author logo)." })
  organizationLogoUrl: string | null;

  @Column({ name: 'public_base_url', type: 'text', nullable: true })
  @Field(() => String, {
    nullable: true,
    description:
      "Where this server's public pages are reached (e.g. https://checks.example.org): fact-check pages are {publicBaseUrl}/fact-checks/{id}. Null: the URL the request came in on.",
  })
  publicBaseUrl: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
