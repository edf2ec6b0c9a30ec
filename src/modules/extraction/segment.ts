import { analyse, type Analysis } from './nlp.js';
import { findQuotations, topLevel, type Quotation } from './quotes.js';
import { CodePointIndex } from './text.js';
import type { Span } from './types.js';

function insideQuotation(index: number, quotations: readonly Quotation[]): Quotation | undefined {
  return quotations.find((quotation) => index > quotation.open && index <= quotation.close);
}

/**
 * Sentence spans in UTF-16 offsets, trimmed of surrounding space: the language model's sentences,
 * with a quotation kept whole with its attribution ("'I'm done. We leave now,' he said." is one
 * sentence, since the attribution belongs to both parts), and a break at every paragraph end except
 * inside a quotation that runs on without being re-opened.
 */
export function sentenceSpans(text: string, quotations: readonly Quotation[] = findQuotations(text), analysis: Analysis = analyse(text)): Span[] {
  const outer = topLevel(quotations);
  const cuts = new Set<number>([0, text.length]);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    const quotation = insideQuotation(i, outer);
    if (quotation?.spansLineBreak && !quotation.reopenings.some((mark) => mark > i && text.slice(i, mark).trim() === '')) continue;
    cuts.add(i);
  }
  for (const sentence of analysis.sentences) {
    if (insideQuotation(sentence.start, outer)) continue;
    // "‘Why now?’ asked the mayor.": what goes on in lower case belongs to the sentence before.
    if (/^\p{Ll}/u.test(text[sentence.start])) continue;
    cuts.add(sentence.start);
  }
  const ordered = [...cuts].sort((a, b) => a - b);
  const spans: Span[] = [];
  for (let c = 0; c + 1 < ordered.length; c++) {
    let start = ordered[c];
    let end = ordered[c + 1];
    while (start < end && /\s/.test(text[start])) start++;
    start += datelineLength(text.slice(start, end));
    while (end > start && /\s/.test(text[end - 1])) end--;
    if (end > start) spans.push({ start, end });
  }
  return spans;
}

// "KYIV, Ukraine (AP) — " / "WASHINGTON — ": where the story was filed, not part of its first sentence.
const DATELINE = /^\p{Lu}[\p{Lu} .'’-]{2,}(?:,\s*\p{Lu}[\p{L} .'’-]*)?(?:\s*\([^)\n]{1,40}\))?\s*[—–-]{1,2}\s+(?=\S)/u;

function datelineLength(sentence: string): number {
  const match = DATELINE.exec(sentence);
  return match ? match[0].length : 0;
}

/** Sentence boundaries in Unicode code points of `text`, end exclusive. */
export function segmentSentences(text: string): Array<{ start: number; end: number }> {
  const index = new CodePointIndex(text);
  return sentenceSpans(text).map((span) => ({
    start: index.toCodePoint(span.start),
    end: index.toCodePoint(span.end),
  }));
}
