import { findApproximateMatches } from './approximate-search';
import { refineBoundaries } from './boundaries';
import { CodePointText, toCodePoints } from './code-point-text';
import { similarity } from './similarity';
import { buildAnchor, findOccurrences, prefixBefore, suffixAfter } from './text-quote';
import { CONTEXT_LENGTH, type Anchor, type ReanchorMethod, type ReanchorResult, type TextQuoteSelector } from './types';

/*
 * Scoring follows Hypothesis (hypothesis/client, src/annotator/anchoring/match-quote.ts): the quote weighs most,
 * the two contexts next, the position only breaks ties. Measured on English prose, unrelated
 * 32-code-point contexts score ~0.16 similarity (99th percentile ~0.31), unrelated quotes lower,
 * which is what the thresholds below are set against.
 */
const WEIGHTS = { quote: 50, prefix: 20, suffix: 20, position: 2 };
const WEIGHT_SUM = WEIGHTS.quote + WEIGHTS.prefix + WEIGHTS.suffix + WEIGHTS.position;

/** A fuzzy match may differ from the old quote by at most a quarter of its code points. */
export const MIN_QUOTE_SIMILARITY = 0.75;

/**
 * Any accepted placement must reach this combined score. With unrelated context on both sides
 * even an exact copy of the quote scores ~0.6, so passing means at least one side of the old
 * context is still there: the same words somewhere else are not taken for the claim.
 */
export const MIN_SCORE = 0.7;

/**
 * An exact quote at least this long that occurs exactly once is kept even when both neighbours
 * changed (a whole sentence moved to another paragraph): it is more text than both contexts
 * together. Shorter phrases recur too easily ("prices will rise again this autumn", said by a
 * farmer and by a governor) to be moved onto without their context.
 */
export const MIN_STANDALONE_QUOTE_LENGTH = 2 * CONTEXT_LENGTH;

/** Fuzzy search looks this many code points either side of the expected place before the whole text. */
export const SEARCH_RADIUS = 4096;

/**
 * Candidates scored per step, nearest (and for fuzzy, fewest errors) first. Only a quote of a few
 * letters recurs this often; the bound keeps it from costing more than a real claim.
 */
const MAX_EXACT_CANDIDATES = 256;
const MAX_FUZZY_CANDIDATES = 64;

export interface ReanchorOptions {
  /** Length in code points of the text the anchor was made on: scales the old position to the new text. */
  previousTextLength?: number;
}

interface Candidate {
  start: number;
  end: number;
  quoteSimilarity: number;
  score: number;
}

interface Search {
  text: CodePointText;
  quote: TextQuoteSelector;
  quoteLength: number;
  expectedStart: number;
}

/**
 * Place a claim on a revised text: (1) the old position if the words and their context are
 * unchanged; (2) the exact occurrence whose context fits best; (3) the best approximate match near
 * the expected place, then anywhere. A placement that cannot reach the thresholds above is
 * ORPHANED with a reason, never attached to other words.
 *
 * Pass a CodePointText when re-anchoring many claims on one revision, to index it once.
 */
export function reanchor(previous: Anchor, newText: string | CodePointText, options: ReanchorOptions = {}): ReanchorResult {
  const text = typeof newText === 'string' ? new CodePointText(newText) : newText;
  const quote = previous.quote;
  if (quote.exact === '') return { status: 'ORPHANED', reason: 'the claim has no quoted words to look for' };

  const search: Search = {
    text,
    quote,
    quoteLength: toCodePoints(quote.exact).length,
    expectedStart: expectedStart(previous.position.start, text.length, options.previousTextLength),
  };
  if (unchangedAt(search, previous.position.start)) {
    return anchored(text, previous.position.start, search.quoteLength, 'POSITION', 1);
  }

  const occurrences = findOccurrences(text, quote.exact);
  const exact = bestExact(search, occurrences);
  if (exact && exact.score >= MIN_SCORE) return fromCandidate(text, exact, 'EXACT');

  const standalone = occurrences.length === 1 && search.quoteLength >= MIN_STANDALONE_QUOTE_LENGTH ? exact : null;
  const fuzzy = fuzzyMatch(search);
  if (fuzzy && (!standalone || fuzzy.score > standalone.score)) return fromCandidate(text, fuzzy, 'FUZZY');
  if (standalone) return fromCandidate(text, standalone, 'EXACT');
  return { status: 'ORPHANED', reason: orphanReason(occurrences.length) };
}

function expectedStart(oldStart: number, newLength: number, previousLength?: number): number {
  const scaled = previousLength && previousLength > 0 ? Math.round((oldStart * newLength) / previousLength) : oldStart;
  return Math.min(Math.max(scaled, 0), newLength);
}

function unchangedAt(search: Search, start: number): boolean {
  const end = start + search.quoteLength;
  if (!Number.isInteger(start) || start < 0 || end > search.text.length) return false;
  return search.text.slice(start, end) === search.quote.exact && contextIntact(search, start);
}

function contextIntact(search: Search, start: number): boolean {
  const { text, quote } = search;
  return prefixBefore(text, start) === quote.prefix && suffixAfter(text, start + search.quoteLength) === quote.suffix;
}

/**
 * Among exact occurrences, one with its whole old context wins outright (the nearest, if several);
 * otherwise the best-scored of the occurrences nearest the expected place.
 */
function bestExact(search: Search, occurrences: number[]): Candidate | null {
  const byNearness = [...occurrences].sort((a, b) => distance(a, search) - distance(b, search));
  const intact = byNearness.find((start) => contextIntact(search, start));
  if (intact !== undefined) return score(search, intact, intact + search.quoteLength, 0);
  const scored = byNearness.slice(0, MAX_EXACT_CANDIDATES).map((start) => score(search, start, start + search.quoteLength, 0));
  return best(scored);
}

function fuzzyMatch(search: Search): Candidate | null {
  const { text, quoteLength, expectedStart: expected } = search;
  const pattern = toCodePoints(search.quote.exact);
  const maxErrors = Math.floor(quoteLength * (1 - MIN_QUOTE_SIMILARITY));
  if (maxErrors === 0) return null; // too short to differ at all: the exact step has decided

  const windowStart = Math.max(0, expected - SEARCH_RADIUS);
  const windowEnd = Math.min(text.length, expected + quoteLength + SEARCH_RADIUS);
  const near = acceptable(fuzzyCandidates(search, pattern, maxErrors, windowStart, windowEnd));
  if (near || (windowStart === 0 && windowEnd === text.length)) return near;
  return acceptable(fuzzyCandidates(search, pattern, maxErrors, 0, text.length));
}

function fuzzyCandidates(search: Search, pattern: Uint32Array, maxErrors: number, from: number, to: number): Candidate[] {
  const matches = findApproximateMatches(search.text.codePoints, pattern, maxErrors, from, to)
    .filter((match) => match.errors > 0) // exact copies were judged, and refused, by the exact step
    .sort((a, b) => a.errors - b.errors || distance(a.start, search) - distance(b.start, search))
    .slice(0, MAX_FUZZY_CANDIDATES);
  return matches.map((match) => {
    const refined = refineBoundaries(search.text.codePoints, pattern, search.quote, match, maxErrors);
    return score(search, refined.start, refined.end, refined.errors);
  });
}

function acceptable(candidates: Candidate[]): Candidate | null {
  const top = best(candidates);
  return top && top.quoteSimilarity >= MIN_QUOTE_SIMILARITY && top.score >= MIN_SCORE ? top : null;
}

function score(search: Search, start: number, end: number, errors: number): Candidate {
  const { text, quote, quoteLength } = search;
  const quoteSimilarity = 1 - errors / quoteLength;
  const prefixSimilarity = similarity(quote.prefix, prefixBefore(text, start));
  const suffixSimilarity = similarity(quote.suffix, suffixAfter(text, end));
  const positionScore = 1 - distance(start, search) / Math.max(text.length, 1);
  const weighted = WEIGHTS.quote * quoteSimilarity + WEIGHTS.prefix * prefixSimilarity + WEIGHTS.suffix * suffixSimilarity + WEIGHTS.position * positionScore;
  return { start, end, quoteSimilarity, score: weighted / WEIGHT_SUM };
}

function distance(start: number, search: Search): number {
  return Math.abs(start - search.expectedStart);
}

function best(candidates: Candidate[]): Candidate | null {
  let top: Candidate | null = null;
  for (const candidate of candidates) {
    if (!top || candidate.score > top.score) top = candidate;
  }
  return top;
}

function fromCandidate(text: CodePointText, candidate: Candidate, method: ReanchorMethod): ReanchorResult {
  return anchored(text, candidate.start, candidate.end - candidate.start, method, round(candidate.score));
}

function anchored(text: CodePointText, start: number, length: number, method: ReanchorMethod, score: number): ReanchorResult {
  return { status: 'ANCHORED', anchor: buildAnchor(text, start, start + length), method, score };
}

function orphanReason(exactOccurrences: number): string {
  if (exactOccurrences > 0) {
    return exactOccurrences === 1
      ? "the quoted words occur once in the revision, but not in the claim's previous context"
      : `the quoted words occur ${exactOccurrences} times in the revision, but none of them in the claim's previous context`;
  }
  return (
    `the quoted words were removed or rewritten: no passage at least ${MIN_QUOTE_SIMILARITY * 100}% similar ` +
    "to them remains in the claim's previous context"
  );
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
