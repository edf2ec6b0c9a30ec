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
  return longer === shorter || longer.endsWith(' ' + shorter);
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
  /** null when the label has no speaker. */
  speakerCorrect: boolean | null;
  sourcingCorrect: boolean;
  kindCorrect: boolean;
}

export interface EvaluationReport {
  predictedCount: number;
  goldCount: number;
  matchedCount: number;
  precision: number;
  recall: number;
  f1: number;
  speakerAccuracy: number;
  speakerEvaluated: number;
  sourcingAccuracy: number;
  kindAccuracy: number;
  matches: MatchedPair[];
  missed: LocatedLabel[];
  spurious: ExtractedStatement[];
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

export function evaluateExtraction(text: string, predicted: readonly ExtractedStatement[], labels: readonly LabelledStatement[]): EvaluationReport {
  const gold = locateLabels(text, labels);
  const matches = matchStatements(predicted, gold);
  const pairs: MatchedPair[] = matches.map((match) => {
    const p = predicted[match.predicted];
    const g = gold[match.gold];
    return {
      predicted: p,
      gold: g,
      speakerCorrect: g.speaker === null ? null : speakerMatches(p.speaker, g.speaker),
      sourcingCorrect: p.sourcing === g.sourcing,
      kindCorrect: p.kind === g.kind,
    };
  });
  const matchedPredicted = new Set(matches.map((match) => match.predicted));
  const matchedGold = new Set(matches.map((match) => match.gold));
  const withSpeaker = pairs.filter((pair) => pair.speakerCorrect !== null);
  const precision = ratio(matches.length, predicted.length);
  const recall = ratio(matches.length, gold.length);
  return {
    predictedCount: predicted.length,
    goldCount: gold.length,
    matchedCount: matches.length,
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    speakerAccuracy: ratio(withSpeaker.filter((pair) => pair.speakerCorrect).length, withSpeaker.length),
    speakerEvaluated: withSpeaker.length,
    sourcingAccuracy: ratio(pairs.filter((pair) => pair.sourcingCorrect).length, pairs.length),
    kindAccuracy: ratio(pairs.filter((pair) => pair.kindCorrect).length, pairs.length),
    matches: pairs,
    missed: gold.filter((_, i) => !matchedGold.has(i)),
    spurious: predicted.filter((_, i) => !matchedPredicted.has(i)),
  };
}
