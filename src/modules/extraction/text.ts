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
  /** Inside a quotation (marks included), so reported-speech rules leave it alone. */
  quoted: boolean;
}

// Order matters: dotted acronyms (U.S.) and honorifics (Dr.) must win over the plain word rule,
// and a single capital + dot is an initial only when a capitalised word follows (J. R. R. Tolkien).
const TOKEN_PATTERN = new RegExp(
  [
    String.raw`(?:\p{L}\.){2,}`,
    String.raw`(?<![\p{L}\p{N}])(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|St|Jr|Sr|Rev|Maj|Adm|Cmdr|Messrs|Hon|Supt|Det|Insp|Pres|Inc|Ltd|Corp|Co|Bros|Plc)\.`,
    String.raw`\p{Lu}\.(?=\s+\p{Lu})`,
    String.raw`[\p{L}\p{M}\p{N}]+(?:(?:['’\-‐]|[.,](?=\p{N})|\.(?=\p{L}))[\p{L}\p{M}\p{N}]+)*`,
    String.raw`\S`,
  ].join('|'),
  'gu',
);

export function tokenize(text: string, start: number, end: number, quoted: readonly QuotedRange[] = []): Token[] {
  const tokens: Token[] = [];
  const slice = text.slice(start, end);
  for (const match of slice.matchAll(TOKEN_PATTERN)) {
    const tokenStart = start + (match.index ?? 0);
    const tokenText = match[0];
    const isWord = /[\p{L}\p{N}]/u.test(tokenText);
    tokens.push({
      text: tokenText,
      key: tokenText.toLowerCase().replace(/[’']/g, "'").replace(/\.$/, ''),
      start: tokenStart,
      end: tokenStart + tokenText.length,
      isWord,
      quoted: quoted.some((range) => tokenStart >= range.start && tokenStart < range.end),
    });
  }
  return tokens;
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

/** Trim whitespace from both ends of [start, end) of text. */
export function trimSpan(text: string, start: number, end: number): { start: number; end: number } {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s])) s++;
  while (e > s && /\s/.test(text[e - 1])) e--;
  return { start: s, end: e };
}
