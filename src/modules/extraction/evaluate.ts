/**
 * Scoring extracted statements against hand labels. Pure functions, shared by the CLI
 * (src/cli/eval-extraction.ts) and the accuracy test.
 */
import { normalizeSourceName } from './normalize.js';
import type { ClaimKind, ExtractedSpeaker, ExtractedStatement, Sourcing, Span } from './types.js';

export interface LabelledStatement {
  /** Exact substring of the article. */
  quote: string;
  kind: ClaimKind;
  speaker: string | null;
  sourcing: Sourcing;
  via?: string | null;
}

export interface LocatedLabel extends LabelledStatement {
  /** Code point offsets, end exclusive. */
  start: number;
  end: number;
}

/** Places each label's quote in the text (code points); repeated quotes take successive occurrences. */
export function locateLabels(text: string, labels: readonly LabelledStatement[]): LocatedLabel[] {
  const used = new Map<string, number>();
  return labels.map((label) => {
    let from = used.get(label.quote) ?? 0;
    const at = text.indexOf(label.quote, from);
    if (at < 0) throw new Error(`label quote not found in text: ${label.quote.slice(0, 60)}`);
    from = at + label.quote.length;
    used.set(label.quote, from);
    const start = [...text.slice(0, at)].length;
    return { ...label, start, end: start + [...label.quote].length };
  });
}

export function overlapLength(a: Span, b: Span): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

/**
 * The match criterion: two spans match when they overlap by at least half, i.e. the overlap is at
 * least 0.5 × the length of the LONGER span. Using the longer span means a short statement inside
 * a long one (a quotation inside the reported speech that contains it) is not a match.
 */
export function overlapsByHalf(a: Span, b: Span): boolean {
  const longer = Math.max(a.end - a.start, b.end - b.start);
  return longer > 0 && overlapLength(a, b) >= 0.5 * longer;
}

export interface StatementMatch {
  predicted: number;
  gold: number;
  overlap: number;
}

/** One-to-one greedy matching: qualifying pairs taken in order of decreasing overlap. */
export function matchStatements(predicted: readonly Span[], gold: readonly Span[]): StatementMatch[] {
  const pairs: StatementMatch[] = [];
  predicted.forEach((p, pi) => {
    gold.forEach((g, gi) => {
      if (overlapsByHalf(p, g)) pairs.push({ predicted: pi, gold: gi, overlap: overlapLength(p, g) });
    });
  });
  pairs.sort((a, b) => b.overlap - a.overlap || a.predicted - b.predicted || a.gold - b.gold);
  const takenPredicted = new Set<number>();
  const takenGold = new Set<number>();
  const matches: StatementMatch[] = [];
  for (const pair of pairs) {
    if (takenPredicted.has(pair.predicted) || takenGold.has(pair.gold)) continue;
    takenPredicted.add(pair.predicted);
    takenGold.add(pair.gold);
    matches.push(pair);
  }
  return matches.sort((a, b) => a.gold - b.gold);
}

function endsWithWords(longer: string, shorter: string): boolean {
  if (shorter.length === 0) return false;
  return longer === shorter || longer.endsWith(` ${shorter}`);
}

/**
 * A predicted speaker matches a label when its name or descriptor equals the label after
 * normalisation, or one ends with the other on a word boundary ("Reyes" / "Dana Reyes").
 */
export function speakerMatches(predicted: ExtractedSpeaker | null, label: string): boolean {
  if (!predicted) return false;
  const wanted = normalizeSourceName(label);
  return [predicted.name, predicted.descriptor]
    .filter((value): value is string => value !== null && value.length > 0)
    .map(normalizeSourceName)
    .some((candidate) => endsWithWords(candidate, wanted) || endsWithWords(wanted, candidate));
}

export interface MatchedPair {
  predicted: ExtractedStatement;
  gold: LocatedLabel;
  /** A label without a speaker wants no speaker. */
  speakerCorrect: boolean;
  sourcingCorrect: boolean;
  kindCorrect: boolean;
}

/** Counts of one article or of several pooled; every ratio is derived from them. */
export interface ExtractionCounts {
  /** Quotes and reported speech, on both sides. */
  speechPredicted: number;
  speechLabelled: number;
  speechMatched: number;
  speakerCorrect: number;
  sourcingCorrect: number;
  kindCorrect: number;
  assertionsPredicted: number;
  assertionsLabelled: number;
  assertionsFound: number;
  /** Per confidence band (CONFIDENCE_BANDS): proposed statements and how many matched a label. */
  bandPredicted: number[];
  bandMatched: number[];
}

export interface EvaluationReport {
  counts: ExtractionCounts;
  /** Speech matches (speech predictions against speech labels). */
  matches: MatchedPair[];
  missed: LocatedLabel[];
  spurious: ExtractedStatement[];
  missedAssertions: LocatedLabel[];
  /** Proposed assertions no labelled assertion matches (the labels keep only check-worthy ones). */
  unlabelledAssertions: ExtractedStatement[];
}

/** Lower bounds of the confidence bands eval reports precision for; the last band runs to 1. */
export const CONFIDENCE_BANDS = [0, 0.5, 0.7, 0.85] as const;

export function bandOf(confidence: number): number {
  let band = 0;
  CONFIDENCE_BANDS.forEach((lower, index) => {
    if (confidence >= lower) band = index;
  });
  return band;
}

function isSpeech(kind: ClaimKind): boolean {
  return kind !== 'ASSERTION';
}

function indicesWhere<T>(items: readonly T[], keep: (item: T) => boolean): number[] {
  return items.flatMap((item, index) => (keep(item) ? [index] : []));
}

/**
 * Speech (quotes + reported speech) is matched against speech labels, assertions against assertion
 * labels, each one-to-one: a quote is never credited for finding an assertion or the reverse.
 */
export function evaluateExtraction(text: string, predicted: readonly ExtractedStatement[], labels: readonly LabelledStatement[]): EvaluationReport {
  const gold = locateLabels(text, labels);
  const speechPredicted = indicesWhere(predicted, (statement) => isSpeech(statement.kind));
  const speechGold = indicesWhere(gold, (label) => isSpeech(label.kind));
  const assertionPredicted = indicesWhere(predicted, (statement) => !isSpeech(statement.kind));
  const assertionGold = indicesWhere(gold, (label) => !isSpeech(label.kind));
  const speechMatches = matchStatements(
    speechPredicted.map((i) => predicted[i]),
    speechGold.map((i) => gold[i]),
  ).map((match) => ({ predicted: speechPredicted[match.predicted], gold: speechGold[match.gold] }));
  const assertionMatches = matchStatements(
    assertionPredicted.map((i) => predicted[i]),
    assertionGold.map((i) => gold[i]),
  ).map((match) => ({ predicted: assertionPredicted[match.predicted], gold: assertionGold[match.gold] }));

  const pairs: MatchedPair[] = speechMatches.map((match) => {
    const p = predicted[match.predicted];
    const g = gold[match.gold];
    return {
      predicted: p,
      gold: g,
      speakerCorrect: g.speaker === null ? p.speaker === null : speakerMatches(p.speaker, g.speaker),
      sourcingCorrect: p.sourcing === g.sourcing,
      kindCorrect: p.kind === g.kind,
    };
  });
  const matchedPredicted = new Set([...speechMatches, ...assertionMatches].map((match) => match.predicted));
  const matchedGold = new Set([...speechMatches, ...assertionMatches].map((match) => match.gold));
  const bandPredicted = CONFIDENCE_BANDS.map(() => 0);
  const bandMatched = CONFIDENCE_BANDS.map(() => 0);
  predicted.forEach((statement, index) => {
    const band = bandOf(statement.confidence);
    bandPredicted[band]++;
    if (matchedPredicted.has(index)) bandMatched[band]++;
  });
  return {
    counts: {
      speechPredicted: speechPredicted.length,
      speechLabelled: speechGold.length,
      speechMatched: speechMatches.length,
      speakerCorrect: pairs.filter((pair) => pair.speakerCorrect).length,
      sourcingCorrect: pairs.filter((pair) => pair.sourcingCorrect).length,
      kindCorrect: pairs.filter((pair) => pair.kindCorrect).length,
      assertionsPredicted: assertionPredicted.length,
      assertionsLabelled: assertionGold.length,
      assertionsFound: assertionMatches.length,
      bandPredicted,
      bandMatched,
    },
    matches: pairs,
    missed: speechGold.filter((i) => !matchedGold.has(i)).map((i) => gold[i]),
    spurious: speechPredicted.filter((i) => !matchedPredicted.has(i)).map((i) => predicted[i]),
    missedAssertions: assertionGold.filter((i) => !matchedGold.has(i)).map((i) => gold[i]),
    unlabelledAssertions: assertionPredicted.filter((i) => !matchedPredicted.has(i)).map((i) => predicted[i]),
  };
}

export function poolCounts(all: readonly ExtractionCounts[]): ExtractionCounts {
  const sum = (pick: (counts: ExtractionCounts) => number): number => all.reduce((total, counts) => total + pick(counts), 0);
  return {
    speechPredicted: sum((c) => c.speechPredicted),
    speechLabelled: sum((c) => c.speechLabelled),
    speechMatched: sum((c) => c.speechMatched),
    speakerCorrect: sum((c) => c.speakerCorrect),
    sourcingCorrect: sum((c) => c.sourcingCorrect),
    kindCorrect: sum((c) => c.kindCorrect),
    assertionsPredicted: sum((c) => c.assertionsPredicted),
    assertionsLabelled: sum((c) => c.assertionsLabelled),
    assertionsFound: sum((c) => c.assertionsFound),
    bandPredicted: CONFIDENCE_BANDS.map((_, band) => sum((c) => c.bandPredicted[band])),
    bandMatched: CONFIDENCE_BANDS.map((_, band) => sum((c) => c.bandMatched[band])),
  };
}

export interface ExtractionFigures {
  speechPrecision: number;
  speechRecall: number;
  speechF1: number;
  /** Over matched speech; a label without a speaker counts as correct when none was proposed. */
  speakerAccuracy: number;
  sourcingAccuracy: number;
  kindAccuracy: number;
  /** Share of labelled assertions matched by a proposed assertion. */
  assertionsFound: number;
  assertionPrecision: number;
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

export function figuresOf(counts: ExtractionCounts): ExtractionFigures {
  const precision = ratio(counts.speechMatched, counts.speechPredicted);
  const recall = ratio(counts.speechMatched, counts.speechLabelled);
  return {
    speechPrecision: precision,
    speechRecall: recall,
    speechF1: ratio(2 * precision * recall, precision + recall),
    speakerAccuracy: ratio(counts.speakerCorrect, counts.speechMatched),
    sourcingAccuracy: ratio(counts.sourcingCorrect, counts.speechMatched),
    kindAccuracy: ratio(counts.kindCorrect, counts.speechMatched),
    assertionsFound: ratio(counts.assertionsFound, counts.assertionsLabelled),
    assertionPrecision: ratio(counts.assertionsFound, counts.assertionsPredicted),
  };
}
