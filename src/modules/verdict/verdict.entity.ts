import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DateTimeResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';
import { declareFields, recordedDates, recordedFields, type FieldPolicies, type ReportedFields } from '../../shared/fields';
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

/**
 * Every column of `verdicts`, once: whether history records it (the lifecycle SQL writes it as
 * `claimgraph_verdict_history`; test/verdict-lifecycle.test.ts keeps the two equal) and how a report
 * row's `verdicts` carry it: their JSON Lines key (the SQL builds them from this list). CSV has one
 * row per claim, so a verdict is never a CSV column: its cells `reviewer_ratings` and
 * `verdict_count` sum a row's verdicts up. A column left out says why; test/fields.test.ts checks
 * this against the migrated table.
 */
const VERDICT_POLICIES = {
  id: { history: "the event's entity_id", report: 'JSON `id`, as a global ID' },
  teamId: { history: "never changes; the event's team_id", report: 'a report is of one team' },
  claimId: { history: true, report: "the row's claim" },
  reviewerId: { history: true, report: "JSON `reviewer`: the reviewer's global ID and name" },
  rating: { history: true, report: { json: 'rating' } },
  rationale: { history: true, report: { json: 'rationale' } },
  confidence: { history: true, report: { json: 'confidence' } },
  version: { history: true, report: 'a write precondition (expectedVersion), meaningless outside the API' },
  createdAt: { history: "the SUBMIT event's time", report: "orders a row's verdicts, oldest first" },
  updatedAt: { history: "each event's time", report: { json: 'updatedAt' } },
  judgedRevision: { history: true, report: "review bookkeeping (the claim's status NEEDS_REREVIEW says the words changed)" },
  judgedQuote: { history: true, report: "review bookkeeping (the claim's status NEEDS_REREVIEW says the words changed)" },
  withdrawnAt: { history: true, report: 'a report lists current verdicts only' },
} as const satisfies FieldPolicies<Verdict, 'nodeId' | 'current', VerdictReportedAs>;

/** A verdict's key in a report row's JSON Lines `verdicts`. */
interface VerdictReportedAs {
  json: string;
}

export const VERDICT_COLUMNS = declareFields<VerdictReportedAs, typeof VERDICT_POLICIES>(Verdict, VERDICT_POLICIES);

/**
 * The fields a verdict's history records; `asOf` and `revisions` replay them. The history itself is
 * written by the verdict lifecycle's SQL (`claimgraph_verdict_history` in verdict-lifecycle.sql).
 */
export const VERDICT_FIELDS = recordedFields(VERDICT_COLUMNS);
/** The recorded instants, which history stores as ISO strings. */
export const VERDICT_DATES = recordedDates(VERDICT_COLUMNS);
/** A report verdict's own fields, under their JSON Lines keys. */
export type ReportedVerdict = ReportedFields<Verdict, typeof VERDICT_POLICIES>;
