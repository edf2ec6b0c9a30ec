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
  for (let i = firstTokenAt(analysis.tokens, start); i < analysis.tokens.length && analysis.tokens[i].start < end; i++) {
    const token = analysis.tokens[i];
    tokens.push({
      text: token.text,
      key: token.text.toLowerCase().replace(/[’']/g, "'").replace(/\.$/, ''),
      start: token.start,
      end: token.end,
      isWord: /[\p{L}\p{N}]/u.test(token.text),
      pos: token.pos,
      quoted: quoted.some((range) => token.start >= range.start && token.start < range.end),
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

export function isCapitalized(word: string): boolean {
  return /^[\p{Lu}]/u.test(word);
}

export function isAllCapsAcronym(word: string): boolean {
  return /^\p{Lu}[\p{Lu}\p{N}&.-]+$/u.test(word) && word.replace(/[^\p{L}]/gu, '').length >= 2;
}

export function wordCount(text: string): number {
  return (text.match(/[\p{L}\p{N}]+(?:['’\-.][\p{L}\p{N}]+)*/gu) ?? []).length;
}
