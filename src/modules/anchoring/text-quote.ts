import type { CodePointText } from './code-point-text';
import { CONTEXT_LENGTH, type Anchor } from './types';

/** The anchor of text[start, end) with its context as a fresh TextQuoteSelector would hold it. */
export function buildAnchor(text: CodePointText, start: number, end: number): Anchor {
  return {
    position: { start, end },
    quote: {
      exact: text.slice(start, end),
      prefix: prefixBefore(text, start),
      suffix: suffixAfter(text, end),
    },
  };
}

export function prefixBefore(text: CodePointText, start: number): string {
  return text.slice(Math.max(0, start - CONTEXT_LENGTH), start);
}

export function suffixAfter(text: CodePointText, end: number): string {
  return text.slice(end, Math.min(text.length, end + CONTEXT_LENGTH));
}

/** Code point starts of every occurrence of `exact`, overlapping ones included. */
export function findOccurrences(text: CodePointText, exact: string): number[] {
  const starts: number[] = [];
  if (exact === '') return starts;
  for (let unit = text.text.indexOf(exact); unit !== -1; unit = text.text.indexOf(exact, unit + 1)) {
    starts.push(text.fromUtf16(unit));
  }
  return starts;
}
