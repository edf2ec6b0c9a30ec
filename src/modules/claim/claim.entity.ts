import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DateTimeResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';
import { AnchorState, ClaimKind, ClaimStatus, Sourcing } from './claim.enums';
import type { StoredExternalReview } from '../publishing/claim-review-import.types';
import type { Rating } from '../verdict/rating';

@ObjectType('TextPositionSelector', { description: 'W3C Web Annotation TextPositionSelector, in Unicode code points.' })
export class TextPositionSelectorType {
  @Field(() => Int) start: number;
  @Field(() => Int, { description: 'Exclusive.' }) end: number;
}

@ObjectType('TextQuoteSelector', { description: 'W3C Web Annotation TextQuoteSelector (prefix/suffix up to 32 code points).' })
export class TextQuoteSelectorType {
  @Field(() => String) exact: string;
  @Field(() => String) prefix: string;
  @Field(() => String) suffix: string;
}

@ObjectType('Utf16Position', {
  description: 'The same span in UTF-16 code units, the unit of JavaScript strings: `text.slice(start, end)` is the quote.',
})
export class Utf16PositionType {
  @Field(() => Int) start: number;
  @Field(() => Int, { description: 'Exclusive.' }) end: number;
}

@ObjectType('Anchor', { description: "Where a claim sits in its revision's text." })
export class AnchorType {
  @Field(() => TextPositionSelectorType, { description: 'In Unicode code points (the W3C selector).' }) position: TextPositionSelectorType;
  @Field(() => TextQuoteSelectorType) quote: TextQuoteSelectorType;
  /** The revision the offsets count in (`utf16Position` converts through its text). Not a field. */
  revisionId: string;
}

@Entity({ name: 'claims' })
@ObjectType('Claim', { implements: Node, description: 'One statement in an article.' })
export class Claim implements Node {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get nodeId(): string {
    return toGlobalId('Claim', this.id);
  }

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ name: 'article_id', type: 'uuid' })
  articleId: string;

  @Column({ name: 'revision_id', type: 'uuid' })
  revisionId: string;

  @Column({ name: 'position_start', type: 'integer' })
  positionStart: number;

  @Column({ name: 'position_end', type: 'integer' })
  positionEnd: number;

  @Column({ name: 'quote_exact', type: 'text' })
  quoteExact: string;

  @Column({ name: 'quote_prefix', type: 'text' })
  quotePrefix: string;

  @Column({ name: 'quote_suffix', type: 'text' })
  quoteSuffix: string;

  @Column({ name: 'anchor_state', type: 'text' })
  @Field(() => AnchorState)
  anchorState: AnchorState;

  @Column({ type: 'text' })
  @Field(() => ClaimKind)
  kind: ClaimKind;

  @Column({ type: 'text' })
  @Field(() => Sourcing)
  sourcing: Sourcing;

  @Column({ name: 'speaker_id', type: 'uuid', nullable: true })
  speakerId: string | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'The channel the statement is reported through, e.g. a news agency.' })
  via: string | null;

  /** Another organisation's verdict, on claims imported from its ClaimReview (see Claim.externalVerdict). */
  @Column({ name: 'external_review', type: 'jsonb', nullable: true })
  externalReview: StoredExternalReview | null;

  @Column({ name: 'repeat_of_id', type: 'uuid', nullable: true })
  repeatOfId: string | null;

  @Column({ name: 'extraction_confidence', type: 'real', nullable: true })
  @Field(() => Float, { nullable: true, description: 'How sure automatic extraction was (0..1); null for claims marked by hand.' })
  extractionConfidence: number | null;

  @Column({ type: 'real', nullable: true })
  @Field(() => Float, { nullable: true, description: 'How much an unattributed assertion deserves checking (0..1), from extraction.' })
  checkworthiness: number | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  note: string | null;

  @Column({ type: 'text' })
  @Field(() => ClaimStatus)
  status: ClaimStatus;

  @Column({ name: 'disputed_reason', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Set while an editor has marked the claim disputed.' })
  disputedReason: string | null;

  @Column({ name: 'disputed_by', type: 'uuid', nullable: true })
  disputedBy: string | null;

  @Column({ name: 'disputed_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true })
  disputedAt: Date | null;

  @Column({ name: 'judged_quote', type: 'text', nullable: true })
  @Field(() => String, {
    nullable: true,
    description:
      "Set while a revision has changed the words this claim's verdicts judged: the words they judged (`quote` has the new ones). " +
      'The status is NEEDS_REREVIEW until a reviewer gives or revises a verdict, or an editor confirms the verdicts (`confirmClaimText`).',
  })
  judgedQuote: string | null;

  // The desk's published verdict (exposed as `published`); set and cleared together.
  @Column({ name: 'published_rating', type: 'text', nullable: true })
  publishedRating: Rating | null;

  @Column({ name: 'published_rationale', type: 'text', nullable: true })
  publishedRationale: string | null;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @Column({ name: 'published_by', type: 'uuid', nullable: true })
  publishedBy: string | null;

  /** The words the publication was made on; `published.textChanged` when they differ from `quote`. */
  @Column({ name: 'published_quote', type: 'text', nullable: true })
  publishedQuote: string | null;

  @Column({ name: 'published_evidence_ids', type: 'uuid', array: true, nullable: true })
  publishedEvidenceIds: string[] | null;

  /** Set on a claim rebuilt from history by `asOf`: the instant it shows. Not a column. */
  asOfTime?: Date;

  @Column({ type: 'integer' })
  @Field(() => Int, { description: 'Pass as `expectedVersion` when you change the claim.' })
  version: number;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  updatedAt: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true })
  deletedAt: Date | null;

  @Field(() => String, { description: 'The exact words, as in `anchor.quote.exact`.' })
  get quote(): string {
    return this.quoteExact;
  }

  @Field(() => AnchorType)
  get anchor(): AnchorType {
    return {
      position: { start: this.positionStart, end: this.positionEnd },
      quote: { exact: this.quoteExact, prefix: this.quotePrefix, suffix: this.quoteSuffix },
      revisionId: this.revisionId,
    };
  }
}
