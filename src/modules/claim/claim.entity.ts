import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DateTimeResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';
import { declareFields, recordedDates, recordedFields, type FieldPolicies, type ReportedAs, type ReportedFields, type Reason } from '../../shared/fields';
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

const JOINED_ARTICLE = 'the report joins the article: article_id, article_title, … (JSON `article`)';
const PUBLICATION = 'the report carries the publication as a whole: published_rating, published_rationale, published_at, published_quote (JSON `published`)';
const ANCHOR = "where the words sit in the revision: the API's `anchor`; the report quotes the words";
const SET_AT_IMPORT = 'set once at import and never written again: `asOf` shows the current value';
const NOT_A_FINDING = 'review bookkeeping, not a finding: the API and history have it';

/**
 * Every column of `claims`, once (README, "Adding a field to Claim"): whether history records it
 * (and so `asOf` replays it), and how the verdict report carries it (its rows, CSV and JSON Lines).
 * A column left out says why. test/fields.test.ts checks this against the migrated table.
 */
const CLAIM_POLICIES = {
  id: { history: "the event's entity_id", report: "every format's first column: claim_id / claimId, as a global ID" },
  teamId: { history: "never changes; the event's team_id", report: 'a report is of one team' },
  articleId: { history: true, report: JOINED_ARTICLE },
  revisionId: { history: true, report: ANCHOR },
  positionStart: { history: true, report: `${ANCHOR}; it orders the rows` },
  positionEnd: { history: true, report: ANCHOR },
  quoteExact: { history: true, report: { csv: 'quote', json: 'quote' } },
  quotePrefix: { history: true, report: ANCHOR },
  quoteSuffix: { history: true, report: ANCHOR },
  anchorState: { history: true, report: 'whether the words are still found: an editing concern (Article.orphanedClaims)' },
  kind: { history: true, report: { csv: 'kind', json: 'kind' } },
  sourcing: { history: true, report: { csv: 'sourcing', json: 'sourcing' } },
  speakerId: { history: true, report: 'the report joins the speaker: speaker, speaker_kind (JSON `speaker`)' },
  via: { history: SET_AT_IMPORT, report: 'the channel of a reported statement: triage detail for the desk (Claim.via)' },
  externalReview: {
    history: 'set once by a ClaimReview import, whose CREATE event records it; no write changes it',
    report: "another organisation's verdict: Claim.externalVerdict and the public pages show it, the desk's own report does not",
  },
  repeatOfId: { history: SET_AT_IMPORT, report: 'a link to another claim (Claim.repeatOf), not a finding of this one' },
  extractionConfidence: { history: SET_AT_IMPORT, report: "extraction's triage score, not a finding" },
  checkworthiness: { history: SET_AT_IMPORT, report: "extraction's triage score, not a finding" },
  note: { history: true, report: "the desk's working note: internal, not for an exported report" },
  status: { history: true, report: { csv: 'status', json: 'status' } },
  disputedReason: { history: true, report: NOT_A_FINDING },
  disputedBy: { history: true, report: NOT_A_FINDING },
  disputedAt: { history: true, report: NOT_A_FINDING },
  judgedQuote: { history: true, report: `${NOT_A_FINDING} (status NEEDS_REREVIEW says the words changed)` },
  publishedRating: { history: true, report: PUBLICATION },
  publishedRationale: { history: true, report: PUBLICATION },
  publishedAt: { history: true, report: PUBLICATION },
  publishedBy: { history: true, report: NOT_A_FINDING },
  publishedQuote: { history: true, report: PUBLICATION },
  publishedEvidenceIds: { history: true, report: 'marks the cited evidence: `published` of each evidence item' },
  version: { history: true, report: 'a write precondition (expectedVersion), meaningless outside the API' },
  createdBy: { history: "the CREATE event's actor", report: NOT_A_FINDING },
  createdAt: { history: "the CREATE event's time", report: { csv: 'imported_at', json: 'importedAt' } },
  updatedAt: { history: "each event's time", report: 'the time of any write, not a finding' },
  deletedAt: { history: true, report: 'a report never holds deleted claims' },
} as const satisfies FieldPolicies<Claim, 'nodeId' | 'quote' | 'anchor' | 'asOfTime'>;

export const CLAIM_COLUMNS = declareFields<ReportedAs, typeof CLAIM_POLICIES>(Claim, CLAIM_POLICIES);

/** Columns of `claims` that the entity does not map, and why. */
export const CLAIM_DATABASE_ONLY: Record<string, Reason> = {
  search_config: 'the text search configuration of search_tsv; Postgres fills it',
  search_tsv: 'generated by Postgres from quote_exact for full-text search (ClaimFilter.search)',
};

/** The fields a claim's history records; `asOf` replays them. */
export const CLAIM_FIELDS = recordedFields(CLAIM_COLUMNS);
/** The recorded instants, which history stores as ISO strings. */
export const CLAIM_DATES = recordedDates(CLAIM_COLUMNS);
/** A report row's own claim fields, under their JSON Lines keys. */
export type ReportedClaim = ReportedFields<Claim, typeof CLAIM_POLICIES>;
