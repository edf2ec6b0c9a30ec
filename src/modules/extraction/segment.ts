import { ABBREVIATIONS, PREFIX_ABBREVIATIONS, SENTENCE_STARTERS } from './lexicon.js';
import { findQuotations, topLevel, type Quotation } from './quotes.js';
import { CodePointIndex } from './text.js';
import type { Span } from './types.js';

const TERMINATORS = /[.!?…]/;
const CLOSERS = /[’'"”)\]»]/;

function wordBefore(text: string, dotIndex: number): string {
  let i = dotIndex;
  while (i > 0 && /[\p{L}\p{N}.]/u.test(text[i - 1])) i--;
  return text.slice(i, dotIndex);
}

function wordAt(text: string, index: number): string {
  const match = /^[\p{L}\p{N}]+/u.exec(text.slice(index, index + 40));
  return match ? match[0] : '';
}

/**
 * Decides whether a single dot after `word` ends the sentence, given what comes next.
 * Honorifics never end one (Dr. Smith); initials and dotted acronyms (J. R. R., U.S.) and
 * abbreviations that can close a sentence (Inc., etc.) end one only before a typical opener.
 */
function dotEndsSentence(word: string, nextWord: string): boolean {
  const key = word.toLowerCase().replace(/\./g, '');
  const nextKey = nextWord.toLowerCase();
  if (PREFIX_ABBREVIATIONS.has(key) && !word.includes('.')) return false;
  const isInitial = /^\p{Lu}$/u.test(word);
  const isDottedAcronym = /^(?:\p{L}\.)+\p{L}$/u.test(word);
  if (isInitial || isDottedAcronym || ABBREVIATIONS.has(key)) {
    return /^\p{Lu}/u.test(nextWord) && SENTENCE_STARTERS.has(nextKey);
  }
  return true;
}

function insideQuotation(index: number, quotations: readonly Quotation[]): Quotation | undefined {
  return quotations.find((quotation) => index > quotation.open && index <= quotation.close);
}

/**
 * Sentence spans in UTF-16 offsets, trimmed of surrounding space.
 * A quotation is kept whole with its attribution ("'I'm done. We leave now,' he said." is one
 * sentence), except that a quotation re-opened at the start of a paragraph still breaks there.
 */
export function sentenceSpans(text: string, quotations: readonly Quotation[] = findQuotations(text)): Span[] {
  const outer = topLevel(quotations);
  const cuts: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      const quotation = insideQuotation(i, outer);
      if (quotation && quotation.spansLineBreak && !quotation.reopenings.some((mark) => mark > i && text.slice(i, mark).trim() === '')) continue;
      cuts.push(i);
      continue;
    }
    if (!TERMINATORS.test(ch)) continue;
    let j = i;
    while (j < text.length && TERMINATORS.test(text[j])) j++;
    while (j < text.length && CLOSERS.test(text[j])) j++;
    if (j < text.length && !/\s/.test(text[j])) {
      i = j - 1;
      continue;
    }
    let k = j;
    while (k < text.length && /[ \t\u00a0]/.test(text[k])) k++;
    if (k >= text.length) {
      cuts.push(j);
      break;
    }
    // A line break decides for itself (it may sit inside a quotation that continues).
    if (text[k] === '\n') {
      i = k - 1;
      continue;
    }
    const next = text[k];
    if (/\p{Ll}/u.test(next)) {
      i = j - 1;
      continue;
    }
    const singleDot = ch === '.' && j - i === 1 + countClosers(text, i + 1, j);
    if (singleDot && !dotEndsSentence(wordBefore(text, i), wordAt(text, k))) {
      i = j - 1;
      continue;
    }
    if (insideQuotation(j - 1, outer) && insideQuotation(j, outer)) {
      i = j - 1;
      continue;
    }
    cuts.push(j);
    i = j - 1;
  }
  cuts.push(text.length);

  const spans: Span[] = [];
  for (let c = 0; c + 1 < cuts.length; c++) {
    let start = cuts[c];
    let end = cuts[c + 1];
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

function countClosers(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (CLOSERS.test(text[i])) count++;
  return count;
}

/** Sentence boundaries in Unicode code points of `text`, end exclusive. */
export function segmentSentences(text: string): Array<{ start: number; end: number }> {
  const index = new CodePointIndex(text);
  return sentenceSpans(text).map((span) => ({
    start: index.toCodePoint(span.start),
    end: index.toCodePoint(span.end),
  }));
}
