/** W3C Web Annotation TextPositionSelector: Unicode code point offsets, `end` exclusive. */
export interface TextPositionSelector {
  start: number;
  end: number;
}

/** W3C Web Annotation TextQuoteSelector: the words and up to CONTEXT_LENGTH code points around them. */
export interface TextQuoteSelector {
  exact: string;
  prefix: string;
  suffix: string;
}

export interface Anchor {
  position: TextPositionSelector;
  quote: TextQuoteSelector;
}

/** Code points of context kept on each side of a quote (Hypothesis keeps the same). */
export const CONTEXT_LENGTH = 32;

export type ReanchorMethod = 'POSITION' | 'EXACT' | 'FUZZY';

export type ReanchorResult = { status: 'ANCHORED'; anchor: Anchor; method: ReanchorMethod; score: number } | { status: 'ORPHANED'; reason: string };
