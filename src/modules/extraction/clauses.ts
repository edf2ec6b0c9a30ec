/**
 * Shallow clause reading over one sentence's tokens: where a subject noun phrase starts, which
 * noun phrase is the subject of the main clause, and where the content of a reporting verb ends.
 * No parser: English news sentences are regular enough for commas, clause openers and verbs.
 */
import {
  ANONYMITY_CUES,
  AUXILIARIES,
  CLAUSE_OPENERS,
  IRREGULAR_PARTICIPLES,
  IRREGULAR_PAST,
  PARENTHETICAL_ADVERBS,
  SUBORDINATORS,
  TITLE_WORDS,
} from './lexicon.js';
import { classifySource, isSourceNoun, isVerbLike, type SpeakerMatch } from './speakers.js';
import { isCapitalized, type Token } from './text.js';
import { reportingVerb } from './verbs.js';

export interface SentenceContext {
  index: number;
  start: number;
  end: number;
  tokens: Token[];
  paragraph: number;
}

export interface SubjectMatch {
  match: SpeakerMatch;
  /** Token index where the subject phrase starts. */
  first: number;
  /** The token just before the phrase (a clause opener such as "what" or "with"), if any. */
  opener: Token | undefined;
  /** The subject of another clause, shared by this verb ("X appeared to hesitate and urged ..."). */
  detached?: boolean;
}

const BE_FORMS = new Set(['is', 'was', 'are', 'were', 'been', 'being', 'be']);

export function isAdverbOrAuxiliary(token: Token): boolean {
  if (!token.isWord || isCapitalized(token.text)) return false;
  return AUXILIARIES.has(token.key) || (/ly$/.test(token.key) && token.key.length > 4 && token.key !== 'family');
}

export function isBeForm(token: Token | undefined): boolean {
  return token !== undefined && BE_FORMS.has(token.key);
}

function matchingOpenParen(tokens: Token[], close: number): number {
  for (let i = close - 1; i >= 0; i--) if (tokens[i].text === '(') return i;
  return -1;
}

/** Skips a ", however," style parenthetical that ends at `comma`; returns the index before it. */
function skipParenthetical(tokens: Token[], comma: number): number {
  let p = comma - 1;
  while (p >= 0 && tokens[p].isWord && PARENTHETICAL_ADVERBS.has(tokens[p].key)) p--;
  if (p < comma - 1 && p >= 0 && tokens[p].text === ',') return p - 1;
  return -1;
}

const BOUND_BEFORE_WITH = new Set(['familiar', 'acquainted', 'involved', 'connected', 'associated', 'along', 'together', 'working', 'dealing']);

/** Index of the first token of the phrase ending at `last`, read back to a clause boundary. */
function phraseStart(tokens: Token[], last: number): number {
  let first = last;
  while (first >= 0) {
    const token = tokens[first];
    if (token.quoted) break;
    if (token.text === ')') {
      const open = matchingOpenParen(tokens, first);
      if (open < 0) break;
      first = open - 1;
      continue;
    }
    if (!token.isWord && token.text !== '-' && token.text !== '&') break;
    // "officials familiar with the matter": "with" after such an adjective stays in the phrase.
    if (CLAUSE_OPENERS.has(token.key) && !(token.key === 'with' && BOUND_BEFORE_WITH.has(tokens[first - 1]?.key ?? ''))) break;
    first--;
  }
  return first + 1;
}

const TIME_WORDS = new Set([
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  'today',
  'yesterday',
  'earlier',
  'later',
  'tonight',
  'morning',
  'afternoon',
  'evening',
  'night',
  'week',
  'month',
  'year',
]);

/** "Sen. Laura Whitfield on Thursday questioned": the time adjunct is not part of the subject. */
function trimTrailingTime(tokens: Token[], first: number, last: number): number {
  let end = last;
  if (end >= first && TIME_WORDS.has(tokens[end].key)) {
    let k = end - 1;
    while (k >= first && ['on', 'late', 'early', 'last', 'this', 'in', 'the', 'at', 'overnight'].includes(tokens[k].key)) k--;
    if (k < end - 1 || ['earlier', 'later', 'yesterday', 'today'].includes(tokens[end].key)) end = k;
  }
  return end;
}

function previousComma(tokens: Token[], before: number): number {
  for (let i = before - 1; i >= 0 && before - i <= 24; i--) {
    if (tokens[i].quoted) return -1;
    if (tokens[i].text === ',') return i;
  }
  return -1;
}

function phraseText(text: string, tokens: Token[], first: number, last: number): string {
  const from = tokens[first].key === 'the' ? first + 1 : first;
  return text.slice(tokens[from].start, tokens[last].end);
}

function plainSubject(text: string, tokens: Token[], last: number): SubjectMatch | null {
  const first = phraseStart(tokens, last);
  const end = trimTrailingTime(tokens, first, last);
  if (first > end || end - first > 18) return null;
  const match = classifySource(text, tokens.slice(first, end + 1));
  return match ? { match, first, opener: tokens[first - 1] } : null;
}

/**
 * A subject set off from its verb by commas: "Whitfield, a Democrat who ..., has", "Martin Gale,
 * the council's chief executive, said", "The company's CEO, Jane Doe, said", "A senior official,
 * speaking on condition of anonymity, said", "Ewan MacLeod, who runs a guest house, welcomed".
 */
function subjectAcrossComma(text: string, tokens: Token[], comma: number): SubjectMatch | null {
  const skipped = skipParenthetical(tokens, comma);
  if (skipped >= 0) {
    let last = skipped;
    while (last >= 0 && isAdverbOrAuxiliary(tokens[last])) last--;
    return last >= 0 ? plainSubject(text, tokens, last) : null;
  }
  const opening = previousComma(tokens, comma);
  if (opening < 1) return null;
  const inner = tokens.slice(opening + 1, comma);
  if (inner.length === 0) return null;
  const head = inner[0];
  // "Smith, 45, who has run the shop ..., told": an appositive after another one.
  const outer = plainSubject(text, tokens, opening - 1) ?? (previousComma(tokens, opening) > 0 ? subjectAcrossComma(text, tokens, opening) : null);
  const describes =
    RELATIVE_OR_PARTICIPLE.has(head.key) ||
    /^[a-z]+(ing|ed)$/.test(head.text) ||
    IRREGULAR_PARTICIPLES.has(head.text) ||
    ['a', 'an', 'the', 'his', 'her', 'their', 'its', 'one'].includes(head.key) ||
    /^\d+$/.test(head.text) ||
    /['’]s$/.test(head.text) ||
    // "Glenn Morris, spokesman for the council of ..., said": a bare title or role noun.
    (!isCapitalized(head.text) && (TITLE_WORDS.has(head.key) || isSourceNoun(head.key)));
  if (outer && describes) {
    const speaker = { ...outer.match.speaker };
    const innerText = text.slice(inner[0].start, inner[inner.length - 1].end);
    if (speaker.anonymous && speaker.descriptor && ANONYMITY_CUES.test(innerText)) {
      speaker.descriptor = text.slice(outer.match.start, inner[inner.length - 1].end);
    } else if (
      !speaker.anonymous &&
      speaker.kind !== 'DOCUMENT' &&
      !RELATIVE_OR_PARTICIPLE.has(head.key) &&
      !/^[a-z]+(ing|ed)$/.test(head.text) &&
      !IRREGULAR_PARTICIPLES.has(head.text)
    ) {
      speaker.title = speaker.title ?? phraseText(text, tokens, opening + 1, comma - 1);
      if (speaker.kind === 'OTHER') speaker.kind = 'PERSON';
    }
    return { ...outer, match: { ...outer.match, speaker, end: inner[inner.length - 1].end } };
  }
  // "The council's chief executive, Martin Gale, ...": the name between the commas is the source.
  const named = classifySource(text, inner);
  const firstOuter = phraseStart(tokens, opening - 1);
  if (!named || named.speaker.anonymous || named.pronoun || firstOuter >= opening) return null;
  const description = classifySource(text, tokens.slice(firstOuter, opening));
  const descriptive = description !== null && (description.speaker.anonymous || description.speaker.kind === 'ORGANIZATION');
  if (!descriptive) return null;
  const speaker = { ...named.speaker };
  if (speaker.kind !== 'ORGANIZATION') {
    speaker.title = speaker.title ?? phraseText(text, tokens, firstOuter, opening - 1);
    speaker.kind = 'PERSON';
  }
  return { match: { ...named, speaker, start: tokens[firstOuter].start }, first: firstOuter, opener: tokens[firstOuter - 1] };
}

const RELATIVE_OR_PARTICIPLE = new Set(['who', 'whose', 'which', 'whom', 'speaking', 'citing', 'based', 'writing']);

/** The source phrase that is the subject of the verb at `verbIndex`, read backwards. */
export function subjectBefore(text: string, tokens: Token[], verbIndex: number): SubjectMatch | null {
  let last = verbIndex - 1;
  while (last >= 0 && isAdverbOrAuxiliary(tokens[last])) last--;
  if (last < 0) return null;
  if (tokens[last].text === ',') return subjectAcrossComma(text, tokens, last);
  if (['who', 'which'].includes(tokens[last].key) && tokens[last - 1]?.text === ',') return antecedent(text, tokens, last - 1);
  return plainSubject(text, tokens, last);
}

/**
 * "..., the European Union, which has questioned ...": the source is the noun phrase right before
 * the relative pronoun, read back only to the nearest preposition or verb.
 */
function antecedent(text: string, tokens: Token[], comma: number): SubjectMatch | null {
  let first = comma;
  while (first > 0) {
    const token = tokens[first - 1];
    if (token.quoted || (!token.isWord && token.text !== ')' && token.text !== '(') || isVerbLike(token)) break;
    if (!isCapitalized(token.text) && !['the', 'a', 'an'].includes(token.key) && !/^[a-z]+(?:al|an|ic|ish|ese)$/.test(token.text) && first < comma) break;
    first--;
  }
  if (first >= comma) return null;
  const match = classifySource(text, tokens.slice(first, comma));
  return match && !match.pronoun ? { match, first, opener: tokens[first - 1] } : null;
}

/**
 * The subject of the sentence's main clause when it is a source ("..., Chilean President Ana
 * Soto sent a letter ..., praising ..."): the first source phrase, at the sentence start
 * or after a comma or clause opener, that is directly followed by a finite verb.
 */
export function mainSubject(text: string, tokens: Token[], before: number): SubjectMatch | null {
  for (let start = 0; start < before; start++) {
    const previous = tokens[start - 1];
    const atClauseStart = start === 0 || previous.text === ',' || CLAUSE_OPENERS.has(previous.key);
    if (!atClauseStart || tokens[start].quoted || !tokens[start].isWord) continue;
    let end = start;
    while (
      end < before &&
      (tokens[end].isWord || /^[()&-]$/.test(tokens[end].text)) &&
      !tokens[end].quoted &&
      !looksFinite(tokens[end], tokens[end - 1]) &&
      !(end > start && CLAUSE_OPENERS.has(tokens[end].key))
    )
      end++;
    if (end === start || end >= before || end - start > 10) continue;
    if (!looksFinite(tokens[end], tokens[end - 1])) continue;
    const match = classifySource(text, tokens.slice(start, end));
    if (match) return { match, first: start, opener: previous };
  }
  return null;
}

function looksFinite(token: Token, previous: Token | undefined): boolean {
  if (!token.isWord || isCapitalized(token.text)) return false;
  if (isVerbLike(token)) return true;
  if (/[^e]ed$/.test(token.key) || /eed$/.test(token.key) || IRREGULAR_PAST.has(token.key)) return true;
  // "Beijing says", "Soto wants": a bare -s verb right after a capitalised name.
  return previous !== undefined && isCapitalized(previous.text) && /[^s]s$/.test(token.key) && token.key.length > 3;
}

/** True when the reporting verb sits in a sentence-opening subordinate clause ("While X framed ..., Y"). */
/** "The minister, who said he had met the rebels, resigned": the verb sits in a relative clause. */
export function inRelativeClause(tokens: Token[], verbIndex: number): boolean {
  let p = verbIndex - 1;
  while (p >= 0 && isAdverbOrAuxiliary(tokens[p])) p--;
  return p >= 1 && ['who', 'which'].includes(tokens[p].key) && tokens[p - 1].text === ',';
}

export function inOpeningSubordinate(tokens: Token[], verbIndex: number): boolean {
  let i = 0;
  while (i < tokens.length && !tokens[i].isWord) i++;
  if (i >= tokens.length || !SUBORDINATORS.has(tokens[i].key)) return false;
  for (let k = i + 1; k < verbIndex; k++) if (tokens[k].text === ',' && !tokens[k].quoted) return false;
  return true;
}

function isSpeechParticiple(token: Token | undefined): boolean {
  if (!token || token.quoted) return false;
  const verb = reportingVerb(token.key);
  return verb !== undefined && verb.form === 'ing';
}

export interface ContentOptions {
  stopAtFirstComma?: boolean;
  stopAtDash?: boolean;
}

/**
 * Where the content of a reporting verb ends (exclusive token index): at the end of the sentence,
 * or before a "; ", a ", stating ..." participle that introduces the next statement, a contrast
 * (", but ...", ", while ..."), or the start of another attribution (`limit`).
 */
export function contentEnd(tokens: Token[], from: number, limit: number, options: ContentOptions = {}): number {
  let end = limit;
  for (let i = from; i < limit; i++) {
    const token = tokens[i];
    // "..., as the paper reported." (the comma may sit inside the closing mark): the channel the
    // content came through, not part of it.
    if (token.key === 'as' && !token.quoted && i > from && /^[,”’"']$/.test(tokens[i - 1].text) && asChannelToEnd(tokens, i + 1)) {
      end = i;
      break;
    }
    if (token.quoted) continue;
    // "acknowledged his limits: “...”": a colon hands over to a quotation, a statement of its own.
    if (token.text === ';' || (token.text === ':' && tokens[i + 1]?.quoted && i > from)) {
      end = i;
      break;
    }
    if (options.stopAtDash && /^[—–]$/.test(token.text)) {
      end = i;
      break;
    }
    if (token.text === ',') {
      const next = tokens[i + 1];
      if (isSpeechParticiple(next)) {
        end = i;
        break;
      }
      // "said A, but that B": a second content under the same verb is part of the statement.
      const secondContent = next?.key === 'but' && tokens[i + 2]?.key === 'that' && !tokens[i + 2].quoted;
      if (next && ['but', 'while', 'whereas', 'although', 'though'].includes(next.key) && !next.quoted && !secondContent) {
        end = i;
        break;
      }
      if (options.stopAtFirstComma && i > from + 2) {
        end = i;
        break;
      }
    }
  }
  // Cut back to the last comma when another attribution starts mid-clause (", a move that local
  // officials described as ..."): the words between belong to that attribution.
  if (end === limit && limit < tokens.length) {
    for (let i = limit - 1; i > from; i--) {
      if (tokens[i].text === ',' && !tokens[i].quoted) return trimEnd(tokens, from, i);
    }
  }
  return trimEnd(tokens, from, end);
}

export function asChannelToEnd(tokens: Token[], from: number): boolean {
  for (let k = from; k < tokens.length && k - from <= 7; k++) {
    if (tokens[k].quoted) return false;
    const verb = reportingVerb(tokens[k].key);
    if (verb && (verb.form === 'past' || verb.form === 'third') && k > from) return tokens.slice(k + 1).every((token) => !token.isWord);
  }
  return false;
}

/** Drops trailing punctuation and dangling function words, but keeps a closing quotation mark. */
export function trimEnd(tokens: Token[], from: number, end: number): number {
  let e = end;
  while (e > from) {
    const token = tokens[e - 1];
    if (token.quoted && !token.isWord) break;
    // "fell to 3.9%": a percent sign belongs to its number.
    if (!token.isWord && token.text !== ')' && token.text !== '%') {
      e--;
      continue;
    }
    if (['and', 'but', 'with', 'that', 'which', 'as', 'while', 'or', 'a', 'an', 'the'].includes(token.key)) {
      e--;
      continue;
    }
    break;
  }
  return e;
}
