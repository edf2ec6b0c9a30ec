import { editDistanceProfile, type ApproximateMatch } from './approximate-search';
import { toCodePoints } from './code-point-text';
import type { TextQuoteSelector } from './types';

/**
 * Where exactly a fuzzy match begins and ends. The cheapest alignment of the quote alone often
 * stops short of a changed edge ("twelve" -> "fifteen" aligns as "teen", "💙💛" -> "💛💙" as
 * "💛"), so each boundary is moved, within `maxErrors`, to where quote and old context together
 * align best; then a boundary still inside a word is widened to the word's edge when the old quote
 * began or ended on one. A refinement that would cost the quote its similarity is dropped.
 */
export function refineBoundaries(
  codePoints: Uint32Array,
  pattern: Uint32Array,
  quote: TextQuoteSelector,
  match: ApproximateMatch,
  maxErrors: number,
): ApproximateMatch {
  const aligned = alignStart(codePoints, pattern, quote, alignEnd(codePoints, pattern, quote, match, maxErrors), maxErrors);
  const start = startsOnWordBoundary(quote) ? widen(codePoints, aligned.start, -1, maxErrors) : aligned.start;
  const end = endsOnWordBoundary(quote) ? widen(codePoints, aligned.end, 1, maxErrors) : aligned.end;
  const errors = start === aligned.start && end === aligned.end ? aligned.errors : quoteErrors(codePoints, pattern, start, end);
  const best = errors <= maxErrors ? { start, end, errors } : aligned;
  return best.errors <= maxErrors ? best : match;
}

function alignEnd(codePoints: Uint32Array, pattern: Uint32Array, quote: TextQuoteSelector, match: ApproximateMatch, slack: number): ApproximateMatch {
  const suffix = toCodePoints(quote.suffix);
  const limit = Math.min(codePoints.length, match.end + slack);
  // errors[j] = distance between the quote and text[start, start + j)
  const errors = editDistanceProfile(codePoints.subarray(match.start, limit), pattern, true);
  let best = match;
  let bestCost = Infinity;
  for (let end = Math.max(match.start + 1, match.end - slack); end <= limit; end++) {
    const quoteCost = errors[end - match.start];
    const cost = quoteCost + contextCost(codePoints, end, suffix, 1);
    if (cost < bestCost || (cost === bestCost && closer(end - match.start, best.end - match.start, pattern.length))) {
      best = { start: match.start, end, errors: quoteCost };
      bestCost = cost;
    }
  }
  return best;
}

function alignStart(codePoints: Uint32Array, pattern: Uint32Array, quote: TextQuoteSelector, match: ApproximateMatch, slack: number): ApproximateMatch {
  const prefix = toCodePoints(quote.prefix).reverse();
  const floor = Math.max(0, match.start - slack);
  // errors[j] = distance between the quote and text[end - j, end)
  const errors = editDistanceProfile(codePoints.slice(floor, match.end).reverse(), pattern.slice().reverse(), true);
  let best = match;
  let bestCost = Infinity;
  for (let start = floor; start <= Math.min(match.end - 1, match.start + slack); start++) {
    const quoteCost = errors[match.end - start];
    const cost = quoteCost + contextCost(codePoints, start, prefix, -1);
    if (cost < bestCost || (cost === bestCost && closer(match.end - start, match.end - best.start, pattern.length))) {
      best = { start, end: match.end, errors: quoteCost };
      bestCost = cost;
    }
  }
  return best;
}

/**
 * Distance between the old context and the text next to `offset` (after it for direction 1,
 * before it, with `context` reversed, for -1), free at the far end so a shift costs only once.
 */
function contextCost(codePoints: Uint32Array, offset: number, context: Uint32Array, direction: 1 | -1): number {
  if (context.length === 0) return 0;
  const reach = context.length + (context.length >> 1);
  const run =
    direction === 1
      ? codePoints.subarray(offset, Math.min(codePoints.length, offset + reach))
      : codePoints.slice(Math.max(0, offset - reach), offset).reverse();
  const profile = editDistanceProfile(run, context, true);
  return Math.min(...profile);
}

function quoteErrors(codePoints: Uint32Array, pattern: Uint32Array, start: number, end: number): number {
  const profile = editDistanceProfile(codePoints.subarray(start, end), pattern, true);
  return profile[profile.length - 1];
}

/** Ties go to the span whose length is nearest the old quote's: an edge kept beats an edge dropped. */
function closer(candidate: number, current: number, target: number): boolean {
  return Math.abs(candidate - target) < Math.abs(current - target);
}

/** Moves a boundary that falls inside a word to the word's edge, if that is at most `limit` away. */
function widen(codePoints: Uint32Array, boundary: number, direction: -1 | 1, limit: number): number {
  const insideWord = (offset: number) => offset > 0 && offset < codePoints.length && isWordChar(codePoints[offset - 1]) && isWordChar(codePoints[offset]);
  let moved = boundary;
  while (insideWord(moved)) {
    // Scripts written without spaces (CJK) would otherwise widen over a whole run of text.
    if (Math.abs(moved - boundary) >= limit) return boundary;
    moved += direction;
  }
  return moved;
}

function startsOnWordBoundary(quote: TextQuoteSelector): boolean {
  const before = lastCodePoint(quote.prefix);
  return isWordChar(quote.exact.codePointAt(0)!) && (before === undefined || !isWordChar(before));
}

function endsOnWordBoundary(quote: TextQuoteSelector): boolean {
  const after = quote.suffix.codePointAt(0);
  return isWordChar(lastCodePoint(quote.exact)!) && (after === undefined || !isWordChar(after));
}

function lastCodePoint(text: string): number | undefined {
  const codePoints = toCodePoints(text);
  return codePoints.length === 0 ? undefined : codePoints[codePoints.length - 1];
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;

function isWordChar(codePoint: number): boolean {
  return WORD_CHAR.test(String.fromCodePoint(codePoint));
}
