/**
 * Reading a source that follows its verb ("said one Western analyst", "asked Tom Reilly, a baker
 * whose shop was flooded", "according to the Nordic Press Agency (NPA)"), where
 * the phrase has no clause boundary to stop it and has to find its own end.
 */
import { QUANTIFIER_SOURCES, TITLE_WORDS } from './lexicon.js';
import {
  classifySource,
  isNameWord,
  isSourceNoun,
  isVerbLike,
  POSTMODIFIER_STARTERS,
  RELATIVE_PRONOUNS,
  speakerSlot,
  textOf,
  type SpeakerMatch,
} from './speakers.js';
import { isCapitalized, type Token } from './text.js';

const FORWARD_STOPS = new Set([
  'that',
  'on',
  'at',
  'during',
  'after',
  'before',
  'when',
  'while',
  'as',
  'because',
  'to',
  'in',
  'last',
  'this',
  'earlier',
  'later',
  'yesterday',
  'today',
  'and',
  'but',
  'told',
  'said',
  'says',
  'added',
  'adding',
  'via',
  'through',
  'according',
]);
const ANONYMOUS_POSTMODIFIERS = new Set([
  'familiar',
  'close',
  'in',
  'at',
  'from',
  'of',
  'among',
  'with',
  'involved',
  'briefed',
  'knowledgeable',
  'inside',
  'within',
  'near',
  'based',
  'informed',
]);

const WEEKDAYS_AND_MONTHS =
  /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December)$/;

export interface ForwardMatch extends SpeakerMatch {
  /** Index just past the last token consumed (appositive included). */
  nextIndex: number;
}

/**
 * Reads a source that follows its verb ("said one Western analyst", "asked Tom Reilly, a baker
 * whose shop was flooded", "according to the Nordic Press Agency (NPA)").
 */
export function parseSourceAfter(text: string, tokens: Token[], from: number): ForwardMatch | null {
  let i = from;
  const phrase: Token[] = [];
  let anonymousHead = false;
  while (i < tokens.length) {
    const token = tokens[i];
    if (token.quoted) break;
    if (token.text === '(') {
      const close = tokens.findIndex((candidate, k) => k > i && candidate.text === ')');
      if (close === -1 || close - i > 6) break;
      phrase.push(...tokens.slice(i, close + 1));
      i = close + 1;
      continue;
    }
    if (!token.isWord && token.text !== '-' && token.text !== '&') break;
    const placeAfterOn =
      token.key === 'on' && anonymousHead && tokens[i + 1] !== undefined && isNameWord(tokens[i + 1]) && !WEEKDAYS_AND_MONTHS.test(tokens[i + 1].text);
    const coordinated = token.key === 'and' && phrase.length > 0 && coordinationToEnd(tokens, i + 1);
    if (phrase.length > 0 && FORWARD_STOPS.has(token.key) && !(anonymousHead && ANONYMOUS_POSTMODIFIERS.has(token.key)) && !placeAfterOn && !coordinated) break;
    if (phrase.length > 0 && isVerbLike(token)) break;
    // "a study published on Monday": a participle after the head starts a clause about it.
    // "the partially redacted report": after an adverb it modifies the head still to come.
    const premodifier = /^[a-z]+ly$/.test(phrase[phrase.length - 1]?.text ?? '') && ['NOUN', 'PROPN'].includes(tokens[i + 1]?.pos ?? '');
    if (phrase.length >= 2 && /^[a-z]+ed$/.test(token.text) && !ANONYMOUS_POSTMODIFIERS.has(token.key) && !premodifier) break;
    if (phrase.length === 0 && !token.isWord) break;
    phrase.push(token);
    if (!isCapitalized(token.text) && (isSourceNoun(token.key) || QUANTIFIER_SOURCES.has(token.key))) anonymousHead = true;
    // "said a nurse at the county hospital": a determiner and a common noun, whatever the noun,
    // head a description that its post-modifiers continue.
    if (phrase.length >= 2 && token.pos === 'NOUN' && !isCapitalized(token.text) && ['a', 'an', 'one', 'another'].includes(phrase[0].key)) anonymousHead = true;
    if (phrase.length > 14) return null;
    i++;
  }
  // A post-modifier must name something: "sources familiar with the matter", not "sources familiar".
  while (phrase.length > 1 && POSTMODIFIER_STARTERS.has(phrase[phrase.length - 1].key)) {
    phrase.pop();
    i--;
  }
  if (phrase.length === 0) return null;
  let appositive: Token[] = [];
  let relativeClause: Token[] = [];
  let next = i;
  if (tokens[i]?.text === ',' && tokens[i + 1] && !tokens[i + 1].quoted) {
    const clauseEnd = findClauseEnd(tokens, i + 1);
    const clause = tokens.slice(i + 1, clauseEnd);
    const first = clause[0];
    if (first && RELATIVE_PRONOUNS.has(first.key) && first.key !== 'that') {
      relativeClause = clause;
      next = clauseEnd;
    } else if (first && isAppositiveStart(clause) && !isClause(clause)) {
      appositive = clause;
      next = clauseEnd;
    }
  }
  const match = classifySource(text, phrase) ?? coordinatedSource(text, phrase) ?? speakerSlot(text, phrase);
  if (!match) return null;
  const speaker = { ...match.speaker };
  if (appositive.length > 0 && !speaker.anonymous && speaker.kind !== 'DOCUMENT') {
    speaker.title = textOf(text, appositive);
    if (speaker.kind === 'OTHER') speaker.kind = 'PERSON';
  }
  if (relativeClause.length > 0 && speaker.anonymous && speaker.descriptor) {
    speaker.descriptor = text.slice(phrase[0].start, relativeClause[relativeClause.length - 1].end);
  }
  const last = [...phrase, ...appositive, ...relativeClause].at(-1) ?? phrase[phrase.length - 1];
  return { ...match, speaker, end: last.end, nextIndex: next };
}

/**
 * "according to the medic and healer council.": a short noun phrase after "and" that ends the
 * sentence (or runs into a content clause's "that") is coordinated with the source, not the start
 * of a new clause.
 */
function coordinationToEnd(tokens: Token[], from: number): boolean {
  let k = from;
  while (
    k < tokens.length &&
    k - from < 6 &&
    tokens[k].isWord &&
    !tokens[k].quoted &&
    !FORWARD_STOPS.has(tokens[k].key) &&
    !isVerbLike(tokens[k]) &&
    tokens[k].pos !== 'VERB' &&
    tokens[k].pos !== 'AUX'
  )
    k++;
  return k > from && (k === tokens.length || /^[.!?]$/.test(tokens[k].text) || (tokens[k].key === 'that' && !tokens[k].quoted));
}

/** "the Army Corps of Engineers and the state government": both together, classified by the first. */
function coordinatedSource(text: string, phrase: Token[]): SpeakerMatch | null {
  const and = phrase.findIndex((token, k) => k > 0 && token.key === 'and');
  if (and < 0) return null;
  const first = classifySource(text, phrase.slice(0, and));
  if (!first || first.pronoun) return null;
  const whole = textOf(text, phrase[0].key === 'the' ? phrase.slice(1) : phrase);
  const speaker = first.speaker.anonymous
    ? { ...first.speaker, descriptor: textOf(text, phrase) }
    : { ...first.speaker, name: whole, kind: first.speaker.kind === 'ORGANIZATION' ? ('ORGANIZATION' as const) : ('OTHER' as const) };
  return { ...first, speaker, end: phrase[phrase.length - 1].end };
}

function findClauseEnd(tokens: Token[], from: number): number {
  let i = from;
  while (i < tokens.length && !tokens[i].quoted && !/^[,.;:!?—–]$/.test(tokens[i].text)) i++;
  return i;
}

/** "the report, teachers were not consulted": a subject and its verb make a clause, not an appositive. */
function isClause(clause: Token[]): boolean {
  if (['a', 'an', 'the', 'his', 'her', 'their', 'its', 'one'].includes(clause[0].key) || /['’]s$/.test(clause[0].text)) return false;
  return clause.some((token) => token.pos === 'AUX') || clause.some((token, k) => k > 0 && token.pos === 'VERB' && clause[k - 1].pos === 'NOUN');
}

function isAppositiveStart(clause: Token[]): boolean {
  const first = clause[0];
  if (!first.isWord) return false;
  if (['a', 'an', 'the', 'his', 'her', 'their', 'its', 'one'].includes(first.key)) return clause.length >= 2;
  if (/^\d+$/.test(first.text)) return true; // an age: "Lena Ortiz, 54, a nurse"
  if (first.key.endsWith("'s")) return true;
  return (
    (!isCapitalized(first.text) && (TITLE_WORDS.has(first.key) || isSourceNoun(first.key))) ||
    (clause.length >= 2 && !isCapitalized(clause[1].text) && (TITLE_WORDS.has(clause[1].key) || isSourceNoun(clause[1].key)) && isCapitalized(first.text))
  );
}
