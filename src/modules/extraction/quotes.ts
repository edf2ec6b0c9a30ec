/**
 * Finds quotations (the marks and the words between them) in UTF-16 offsets.
 *
 * Double and single quotation marks are paired independently, then a quotation that sits inside
 * another is marked nested: nested ones belong to their outer quotation and never become
 * statements of their own. The hard part is the single mark: ’ is also the apostrophe
 * (It’s, Russia’s, nations’), so a closing candidate is judged by what surrounds it.
 */
export type QuoteFamily = 'double' | 'single';

export interface Quotation {
  /** Index of the opening mark. */
  open: number;
  /** Index of the closing mark. */
  close: number;
  /** The quoted words, without marks, surrounding space or a trailing comma. */
  contentStart: number;
  contentEnd: number;
  family: QuoteFamily;
  /** Indices of the marks that re-open the quotation at the start of later paragraphs. */
  reopenings: number[];
  /** True when a line break inside the quotation is not followed by a re-opening mark. */
  spansLineBreak: boolean;
  nested: boolean;
}

type MarkRole = 'open' | 'close';

interface Mark {
  index: number;
  role: MarkRole;
  /**
   * A closing ’ after an "s" followed by a word may be the plural possessive (nations’ leaders);
   * it closes only when nothing better follows in the paragraph.
   */
  ambiguous: boolean;
}

const OPENING_CONTEXT = /[\s([{\-–—/“"‘'«]/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const ELISIONS = /^(?:em|n|til|cause|tis|twas|bout|round)\b/i;

function isOpeningContext(text: string, index: number): boolean {
  return index === 0 || OPENING_CONTEXT.test(text[index - 1]);
}

function isClosingContext(text: string, index: number): boolean {
  return index > 0 && !/\s/.test(text[index - 1]);
}

function nextIsWordStart(text: string, index: number): boolean {
  return index + 1 < text.length && !/\s/.test(text[index + 1]);
}

function doubleMarks(text: string): Mark[] {
  const marks: Mark[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '“' || ch === '«' || ch === '„') marks.push({ index: i, role: 'open', ambiguous: false });
    else if (ch === '”' || ch === '»') marks.push({ index: i, role: 'close', ambiguous: false });
    else if (ch === '"') {
      const canOpen = isOpeningContext(text, i) && nextIsWordStart(text, i);
      const canClose = isClosingContext(text, i);
      if (canOpen && !canClose) marks.push({ index: i, role: 'open', ambiguous: false });
      else if (canClose && !canOpen) marks.push({ index: i, role: 'close', ambiguous: false });
    }
  }
  return marks;
}

function singleMarks(text: string): Mark[] {
  const marks: Mark[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '‘' && ch !== '’' && ch !== "'") continue;
    const prev = i > 0 ? text[i - 1] : ' ';
    const next = i + 1 < text.length ? text[i + 1] : ' ';
    const rest = text.slice(i + 1, i + 8);
    if (LETTER_OR_DIGIT.test(prev) && LETTER_OR_DIGIT.test(next)) continue; // apostrophe: It’s
    const opensHere =
      (ch === '‘' || ch === "'") &&
      isOpeningContext(text, i) &&
      nextIsWordStart(text, i) &&
      !/^\d\ds\b/.test(rest) && // ’90s
      !ELISIONS.test(rest);
    if (opensHere) {
      marks.push({ index: i, role: 'open', ambiguous: false });
      continue;
    }
    if ((ch === '’' || ch === "'") && isClosingContext(text, i) && !LETTER_OR_DIGIT.test(next)) {
      const strong = /[.,!?;:…—–\-)]/u.test(prev) || !/\s/.test(next);
      marks.push({ index: i, role: 'close', ambiguous: !strong && /[sS]/.test(prev) });
    }
  }
  return marks;
}

function paragraphBreaks(text: string): number[] {
  const breaks: number[] = [];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') breaks.push(i);
  return breaks;
}

function firstNonSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i])) i++;
  return i;
}

function paragraphEnd(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  return newline === -1 ? text.length : newline;
}

interface Pairing {
  open: number;
  close: number;
  reopenings: number[];
  spansLineBreak: boolean;
}

/**
 * Pairs marks of one family. An unclosed quotation at the end of a paragraph continues only when
 * the next paragraph re-opens it (the English multi-paragraph convention) or closes it before
 * opening anything else (a quotation hard-wrapped across lines); otherwise the stray mark is dropped.
 */
function pairMarks(text: string, marks: Mark[]): Pairing[] {
  const pairs: Pairing[] = [];
  const breaks = paragraphBreaks(text);
  let open: Pairing | null = null;
  let breakCursor = 0;

  for (let m = 0; m < marks.length; m++) {
    const mark = marks[m];
    while (open && breakCursor < breaks.length && breaks[breakCursor] < mark.index) {
      const lineBreak = breaks[breakCursor++];
      if (lineBreak <= open.open) continue;
      const nextStart = firstNonSpace(text, lineBreak);
      const reopening = marks.find((candidate) => candidate.index === nextStart && candidate.role === 'open');
      if (reopening) {
        open.reopenings.push(reopening.index);
        continue;
      }
      const nextParagraphEnd = paragraphEnd(text, nextStart);
      const firstInNext = marks.find((candidate) => candidate.index >= nextStart && candidate.index < nextParagraphEnd);
      if (firstInNext?.role === 'close' && !firstInNext.ambiguous) {
        open.spansLineBreak = true;
        continue;
      }
      open = null;
    }
    while (breakCursor < breaks.length && breaks[breakCursor] < mark.index && !open) breakCursor++;

    if (mark.role === 'open') {
      if (open?.reopenings.includes(mark.index)) continue;
      // A second opener while one is open means the first was never closed: start over here.
      open = { open: mark.index, close: -1, reopenings: [], spansLineBreak: false };
      continue;
    }
    if (!open) continue;
    if (mark.ambiguous && hasBetterCloser(text, marks, m)) continue;
    open.close = mark.index;
    pairs.push(open);
    open = null;
  }
  return pairs;
}

function hasBetterCloser(text: string, marks: Mark[], from: number): boolean {
  const end = paragraphEnd(text, marks[from].index);
  for (let k = from + 1; k < marks.length && marks[k].index < end; k++) {
    if (marks[k].role === 'open') return false;
    if (!marks[k].ambiguous) return true;
  }
  return false;
}

function contentBounds(text: string, open: number, close: number): { start: number; end: number } {
  let start = open + 1;
  let end = close;
  while (start < end && /\s/.test(text[start])) start++;
  // A comma (or dash) before the closing mark belongs to the sentence around the quotation,
  // while . ? ! belong to the quoted words.
  while (end > start && /[\s,;:—–-]/.test(text[end - 1])) end--;
  return { start, end };
}

export function findQuotations(text: string): Quotation[] {
  const found: Quotation[] = [];
  for (const family of ['double', 'single'] as const) {
    const marks = family === 'double' ? doubleMarks(text) : singleMarks(text);
    for (const pair of pairMarks(text, marks)) {
      const { start, end } = contentBounds(text, pair.open, pair.close);
      if (end <= start) continue;
      found.push({
        open: pair.open,
        close: pair.close,
        contentStart: start,
        contentEnd: end,
        family,
        reopenings: pair.reopenings,
        spansLineBreak: pair.spansLineBreak,
        nested: false,
      });
    }
  }
  found.sort((a, b) => a.open - b.open || b.close - a.close);
  return resolveNesting(found);
}

function resolveNesting(quotations: Quotation[]): Quotation[] {
  const kept: Quotation[] = [];
  for (const quotation of quotations) {
    const crossing = kept.find((other) => quotation.open > other.open && quotation.open < other.close && quotation.close > other.close);
    if (crossing) {
      // Two families whose pairs cross cannot both be right; the longer pairing is usually the
      // real quotation and the shorter one an apostrophe taken for a mark.
      if (quotation.close - quotation.open <= crossing.close - crossing.open) continue;
      kept.splice(kept.indexOf(crossing), 1);
    }
    kept.push(quotation);
  }
  for (const quotation of kept) {
    quotation.nested = kept.some((other) => other !== quotation && other.open < quotation.open && other.close > quotation.close);
  }
  return kept.sort((a, b) => a.open - b.open);
}

export function topLevel(quotations: readonly Quotation[]): Quotation[] {
  return quotations.filter((quotation) => !quotation.nested);
}
