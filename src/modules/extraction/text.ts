import type { AnalysedToken, Analysis, PartOfSpeech } from './nlp.js';

/**
 * Everything inside the extractor works on UTF-16 offsets (that is what RegExp and String#slice
 * speak); only the public boundary converts to code points, so the conversion lives in one place.
 */
export class CodePointIndex {
  private readonly utf16ToCodePoint: Uint32Array;

  constructor(readonly text: string) {
    this.utf16ToCodePoint = new Uint32Array(text.length + 1);
    let codePoint = 0;
    for (let i = 0; i < text.length; i++) {
      this.utf16ToCodePoint[i] = codePoint;
      const unit = text.charCodeAt(i);
      // A high surrogate and its low surrogate share one code point index.
      const isHighSurrogate = unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length;
      if (isHighSurrogate) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          this.utf16ToCodePoint[i + 1] = codePoint;
          i++;
        }
      }
      codePoint++;
    }
    this.utf16ToCodePoint[text.length] = codePoint;
  }

  toCodePoint(utf16Offset: number): number {
    return this.utf16ToCodePoint[utf16Offset];
  }
}

export interface Token {
  text: string;
  /** Lowercased, with a trailing abbreviation dot removed, for lexicon look-ups. */
  key: string;
  start: number;
  end: number;
  isWord: boolean;
  /** Universal part-of-speech tag from the language model (PROPN, NOUN, DET, VERB, ...). */
  pos: PartOfSpeech;
  /** Inside a quotation (marks included), so reported-speech rules leave it alone. */
  quoted: boolean;
}

/** The analysed tokens of [start, end) as rule tokens. */
export function tokenize(analysis: Analysis, start: number, end: number, quoted: readonly QuotedRange[] = []): Token[] {
  const tokens: Token[] = [];
  const inQuotation = quotedLookup(quoted);
  for (let i = firstTokenAt(analysis.tokens, start); i < analysis.tokens.length && analysis.tokens[i].start < end; i++) {
    const token = analysis.tokens[i];
    tokens.push({
      text: token.text,
      key: token.text.toLowerCase().replace(/[’']/g, "'").replace(/\.$/, ''),
      start: token.start,
      end: token.end,
      isWord: /[\p{L}\p{N}]/u.test(token.text),
      pos: token.pos,
      quoted: inQuotation(token.start),
    });
  }
  return tokens;
}

function firstTokenAt(tokens: readonly AnalysedToken[], offset: number): number {
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (tokens[middle].start < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

export interface QuotedRange {
  start: number;
  end: number;
}

const quotedLookups = new WeakMap<readonly QuotedRange[], (offset: number) => boolean>();

/**
 * Whether an offset lies in any of the ranges, as `ranges.some(...)` would say, in logarithmic
 * time: a document's every sentence is tokenized against all of its quotations, and a linear scan
 * per token made that quadratic in the document's length. Made once per array of ranges: the
 * ranges sorted by start, and the furthest end among each prefix of them; an offset is inside a
 * range exactly when some range starting at or before it ends after it.
 */
function quotedLookup(ranges: readonly QuotedRange[]): (offset: number) => boolean {
  let lookup = quotedLookups.get(ranges);
  if (lookup) return lookup;
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const starts = sorted.map((range) => range.start);
  const furthestEnd: number[] = [];
  for (const [i, range] of sorted.entries()) furthestEnd.push(Math.max(range.end, i > 0 ? furthestEnd[i - 1] : -Infinity));
  lookup = (offset) => {
    // ranges starting at or before the offset: sorted[0 .. count)
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (starts[middle] <= offset) low = middle + 1;
      else high = middle;
    }
    return low > 0 && furthestEnd[low - 1] > offset;
  };
  quotedLookups.set(ranges, lookup);
  return lookup;
}

export function isCapitalized(word: string): boolean {
  return /^[\p{Lu}]/u.test(word);
}

export function isAllCapsAcronym(word: string): boolean {
  return /^\p{Lu}[\p{Lu}\p{N}&.-]+$/u.test(word) && word.replace(/[^\p{L}]/gu, '').length >= 2;
}

export function wordCount(text: string): number {
  return (text.match(/[\p{L}\p{N}]+(?:['’\-.][\p{L}\p{N}]+)*/gu) ?? []).length;
}
