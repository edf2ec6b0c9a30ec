/**
 * The language work under the extraction rules: sentence boundaries, tokens and universal
 * part-of-speech tags from wink-nlp with its English lite model (both npm packages; the model is
 * part of the package, nothing is downloaded). Chosen over compromise (see README, "Extraction"):
 * several times faster per article, UPOS tags the rules can reason over, and sentence breaks at
 * paragraph ends that compromise merged.
 *
 * The model is loaded once when this module loads and is only read afterwards: `analyse` is a pure
 * function of its text, so the extractor can run in any number of worker threads.
 */
import winkNLP, { type ItemToken } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import type { Span } from './types.js';

const nlp = winkNLP(model, ['sbd', 'pos']);
const its = nlp.its;

/** Universal POS tag (https://universaldependencies.org/u/pos/). */
export type PartOfSpeech = string;

export interface AnalysedToken {
  text: string;
  /** UTF-16 offsets in the analysed text, end exclusive. */
  start: number;
  end: number;
  pos: PartOfSpeech;
}

export interface Analysis {
  tokens: AnalysedToken[];
  /** Sentence spans as the model reads them (UTF-16, trimmed). */
  sentences: Span[];
}

// The rules read "Putin's", "didn't" and "long-time" as one word (a possessive is a determiner, not
// a noun phrase of its own); the model splits them, so the pieces are joined back.
const CLITIC = /^(?:['’](?:s|re|ll|ve|d|m)|n['’]t)$/i;

function joinsPrevious(previous: AnalysedToken | undefined, token: AnalysedToken, next: AnalysedToken | undefined): boolean {
  if (!previous || previous.end !== token.start) return false;
  if (CLITIC.test(token.text) && /\p{L}$/u.test(previous.text)) return true;
  // "long-time", "U.S.-Russia": a hyphen between two words without spaces joins them.
  if (/^[-‐]$/.test(token.text))
    return next !== undefined && next.start === token.end && /[\p{L}\p{N}]$/u.test(previous.text) && /^[\p{L}\p{N}]/u.test(next.text);
  return /^[-‐]$/.test(previous.text.slice(-1)) && /^[\p{L}\p{N}]/u.test(token.text) && previous.text.length > 1;
}

export function analyse(text: string): Analysis {
  const doc = nlp.readDoc(text);
  const raw: AnalysedToken[] = [];
  const rawIndex: number[] = [];
  let cursor = 0;
  doc.tokens().each((token: ItemToken, index: number) => {
    const value = token.out();
    if (token.out(its.type) === 'tabCRLF' || value.trim() === '') return;
    const start = text.indexOf(value, cursor);
    // The model keeps the text as it is; a token it rewrote cannot be placed, and is skipped.
    if (start < 0) return;
    cursor = start + value.length;
    raw.push({ text: value, start, end: cursor, pos: token.out(its.pos) });
    rawIndex[index] = raw.length - 1;
  });

  // "It will cost $200m. Sources said ...": the model reads "m." as an abbreviation and runs the two
  // sentences together; a unit glued to a number, with a dot and a capital after it, ends one.
  const breaks: number[] = [];
  const tokens: AnalysedToken[] = [];
  raw.forEach((token, i) => {
    const previous = tokens[tokens.length - 1];
    const next = raw[i + 1];
    if (/^\p{L}{1,3}\.$/u.test(token.text) && previous?.pos === 'NUM' && previous.end === token.start && next && /^\p{Lu}/u.test(next.text)) {
      tokens.push({ text: token.text.slice(0, -1), start: token.start, end: token.end - 1, pos: 'NOUN' });
      tokens.push({ text: '.', start: token.end - 1, end: token.end, pos: 'PUNCT' });
      breaks.push(next.start);
      return;
    }
    if (joinsPrevious(previous, token, raw[i + 1])) {
      previous.text += token.text;
      previous.end = token.end;
      // A possessive or a negation keeps the word's tag; a hyphenated compound takes its last part's.
      if (!CLITIC.test(token.text) && token.text !== '-') previous.pos = token.pos;
    } else {
      tokens.push({ ...token });
    }
  });

  const sentences: Span[] = [];
  for (const [first, last] of doc.sentences().out(its.span) as unknown as Array<[number, number]>) {
    let from = first;
    while (from <= last && rawIndex[from] === undefined) from++;
    let to = last;
    while (to >= from && rawIndex[to] === undefined) to--;
    if (from > to) continue;
    let start = raw[rawIndex[from]].start;
    const end = raw[rawIndex[to]].end;
    for (const cut of breaks.filter((offset) => offset > start && offset < end)) {
      sentences.push({ start, end: text.slice(start, cut).trimEnd().length + start });
      start = cut;
    }
    sentences.push({ start, end });
  }
  return { tokens, sentences };
}
