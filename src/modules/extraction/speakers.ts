/**
 * Reading a source out of a noun phrase: a named person with a title ("Ohio Governor Dana
 * Reyes"), an organisation ("the Nordic Press Agency (NPA)"), a document
 * ("A Reuters report"), or a described but unnamed source ("a senior military officer, who requested
 * anonymity"). Offsets are UTF-16; tokens come from `tokenize`.
 */
import {
  ADJECTIVAL_TITLES,
  ANONYMITY_CUES,
  CAPITALISED_FUNCTION_WORDS,
  CORRESPONDENCE_NOUNS,
  DESCRIPTOR_DETERMINERS,
  DOCUMENT_NOUNS,
  INSTITUTION_NOUNS,
  NAME_PARTICLES,
  NOT_AGENT_NOUNS,
  ORGANIZATION_WORDS,
  PRONOUNS,
  QUANTIFIER_SOURCES,
  SOURCE_NOUNS,
  TEMPORAL_PREPOSITIONS,
  TITLE_WORDS,
} from './lexicon.js';
import { isAllCapsAcronym, isCapitalized, type Token } from './text.js';
import type { ExtractedSpeaker } from './types.js';
import { reportingVerb } from './verbs.js';

export interface SpeakerMatch {
  speaker: ExtractedSpeaker;
  /** UTF-16 span of the words naming the source, appositive included. */
  start: number;
  end: number;
  /** Set when the source is a pronoun that still has to be resolved. */
  pronoun: string | null;
  /** "the report", "the statement": a document that is only a source with a plain reporting verb. */
  bareDefiniteDocument: boolean;
  /**
   * "said the 26-year-old": a definite description in a position only a speaker can fill, which
   * news style uses for a person named just before.
   */
  epithet?: boolean;
}

const SLOT_DETERMINERS = new Set(['the', 'a', 'an', 'this', 'that', 'one', 'another', 'his', 'her', 'their', 'its']);

/**
 * A noun phrase in a slot only a speaker fills ("“...,” said the 26-year-old", "“...,” the England
 * international said") is a source whatever its head noun: a determiner, then modifiers and a noun.
 */
export function speakerSlot(text: string, phrase: Token[], options: { lenientHead?: boolean } = {}): SpeakerMatch | null {
  if (phrase.length < 2 || phrase.length > 6 || !SLOT_DETERMINERS.has(phrase[0].key)) return null;
  const rest = phrase.slice(1);
  const head = rest[rest.length - 1];
  // The tagger sometimes reads a noun after a name as an adverb ("the England forward"); in a slot
  // only a speaker fills, a small-letter word that is no function word is taken as the head.
  const lenient = (token: Token): boolean =>
    options.lenientHead === true && token === head && !isCapitalized(token.text) && ['ADV', 'VERB', 'X'].includes(token.pos) && !/ly$/.test(token.key);
  if (!rest.every((token) => token.isWord && !token.quoted && (['NOUN', 'ADJ', 'NUM', 'PROPN'].includes(token.pos) || lenient(token)))) return null;
  if (!(head.pos === 'NOUN' || /-old$/.test(head.key) || lenient(head))) return null;
  const plural = singular(head.key) !== head.key && !/-old$/.test(head.key);
  return {
    speaker: speakerOf({ descriptor: textOf(text, phrase), kind: 'PERSON', anonymous: true }),
    start: phrase[0].start,
    end: head.end,
    pronoun: null,
    bareDefiniteDocument: false,
    epithet: ['the', 'this', 'that'].includes(phrase[0].key) && !plural,
  };
}

export const RELATIVE_PRONOUNS = new Set(['who', 'whose', 'which', 'that', 'whom']);
export const POSTMODIFIER_STARTERS = new Set([
  'in',
  'at',
  'from',
  'of',
  'among',
  'familiar',
  'close',
  'with',
  'within',
  'inside',
  'across',
  'for',
  'involved',
  'briefed',
  'knowledgeable',
  'aware',
  'near',
  'on',
]);

export function singular(word: string): string {
  const key = word.toLowerCase();
  if (key === 'people') return 'person';
  if (key.endsWith('women') || key === 'men' || (key.endsWith('men') && !/(?:omen|amen|imen|emen|ymen)$/.test(key))) return `${key.slice(0, -3)}man`;
  if (key.endsWith('ies') && key.length > 4) return `${key.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(key)) return key;
  if (/(sh|ch|x)es$/.test(key)) return key.slice(0, -2);
  if (key.endsWith('s') && key.length > 3) return key.slice(0, -1);
  return key;
}

export function isSourceNoun(word: string): boolean {
  return SOURCE_NOUNS.has(singular(word)) || SOURCE_NOUNS.has(word.toLowerCase());
}

/** A capitalised word that can be part of a proper name (not "The" or "However"). */
export function isNameWord(token: Token): boolean {
  if (!token.isWord) return false;
  if (!isCapitalized(token.text)) return false;
  return !CAPITALISED_FUNCTION_WORDS.has(token.key);
}

/** A common noun by its tag, or by its small letter when the model is unsure ("Studies show ..."). */
export function isCommonNoun(token: Token): boolean {
  return token.pos === 'NOUN' || !isCapitalized(token.text);
}

export function textOf(text: string, tokens: readonly Token[]): string {
  if (tokens.length === 0) return '';
  return text.slice(tokens[0].start, tokens[tokens.length - 1].end);
}

function stripLeadingArticle(tokens: Token[]): Token[] {
  return tokens.length > 1 && ['the', 'a', 'an'].includes(tokens[0].key) ? tokens.slice(1) : tokens;
}

/**
 * Drops a trailing temporal adjunct from a descriptor's relative clause
 * ("residents who have witnessed the destruction ... during the conflict").
 */
function trimTemporalAdjunct(tokens: Token[], minimum: number): Token[] {
  for (let i = tokens.length - 1; i >= minimum; i--) {
    if (TEMPORAL_PREPOSITIONS.has(tokens[i].key)) return tokens.slice(0, i);
  }
  return tokens;
}

function speakerOf(partial: Pick<ExtractedSpeaker, 'kind' | 'anonymous'> & Partial<ExtractedSpeaker>): ExtractedSpeaker {
  return {
    name: partial.name ?? null,
    descriptor: partial.descriptor ?? null,
    title: partial.title ?? null,
    kind: partial.kind,
    anonymous: partial.anonymous,
  };
}

const FINITE_AUXILIARIES = new Set([
  'has',
  'have',
  'had',
  'will',
  'would',
  'could',
  'can',
  'may',
  'might',
  'should',
  'must',
  'did',
  'does',
  'do',
  'is',
  'was',
  'are',
  'were',
]);

/** A token that makes a would-be noun phrase a clause ("the troops were", "officials said"). */
export function isVerbLike(token: Token): boolean {
  if (!token.isWord || isCapitalized(token.text)) return false;
  if (FINITE_AUXILIARIES.has(token.key)) return true;
  const verb = reportingVerb(token.key);
  if (!verb || isSourceNoun(token.key) || DOCUMENT_NOUNS.has(singular(token.key))) return false;
  return verb.form === 'past' || verb.form === 'ing' || verb.form === 'third';
}

/** Splits a named run into its title ("Ohio Governor") and the name proper ("Dana Reyes"). */
function splitTitle(tokens: Token[]): { title: Token[]; name: Token[] } {
  let lastTitle = -1;
  for (let i = 0; i < tokens.length; i++) {
    if (TITLE_WORDS.has(tokens[i].key) || (!isCapitalized(tokens[i].text) && isSourceNoun(tokens[i].key))) lastTitle = i;
  }
  const name = tokens.slice(lastTitle + 1);
  const title = tokens.slice(0, lastTitle + 1);
  if (name.length === 0 || name.some((token) => ORGANIZATION_WORDS.has(token.key))) {
    return { title: [], name: tokens };
  }
  return { title, name };
}

function nameKind(name: Token[], hasTitle: boolean): ExtractedSpeaker['kind'] {
  if (name.some((token) => ORGANIZATION_WORDS.has(token.key) || isAllCapsAcronym(token.text))) return 'ORGANIZATION';
  if (hasTitle) return 'PERSON';
  const words = name.filter((token) => token.isWord && !NAME_PARTICLES.has(token.key));
  return words.length >= 2 ? 'PERSON' : 'OTHER';
}

/** Index where a proper-name run ending at `end` (exclusive) starts, allowing particles and a parenthetical. */
function nameRunStart(tokens: Token[], end: number): number {
  let i = end;
  if (i > 0 && tokens[i - 1].text === ')') {
    const open = tokens
      .slice(0, i)
      .map((token) => token.text)
      .lastIndexOf('(');
    if (open <= 0) return end;
    i = open;
  }
  let start = i;
  while (i > 0) {
    const token = tokens[i - 1];
    if (isNameWord(token) || (TITLE_WORDS.has(token.key) && isCapitalized(token.text))) start = --i;
    else if (NAME_PARTICLES.has(token.key) && i - 2 >= 0 && isNameWord(tokens[i - 2])) i--;
    else if (token.text === '-' || token.text === '&') i--;
    else break;
  }
  return start;
}

/**
 * Classifies a delimited noun phrase as a source. Returns null when the phrase does not name or
 * describe something able to speak ("the proposal", "the alliance").
 */
export function classifySource(text: string, phrase: Token[]): SpeakerMatch | null {
  let tokens = phrase.filter((token, i) => !(i === phrase.length - 1 && /^[,.;:]$/.test(token.text)));
  while (tokens.length > 0 && ['and', 'but', 'also', 'then', 'so'].includes(tokens[0].key)) tokens = tokens.slice(1);
  if (tokens.length === 0) return null;
  // "No one claimed", "nobody said": a negated subject names no source.
  if (['no', 'nobody', 'none', 'neither', 'nothing'].includes(tokens[0].key)) return null;
  // "Serbia's" or "the ministry's" determines a noun that is missing here: no source on its own.
  if (/['’]s$/.test(tokens[tokens.length - 1].text) && tokens[tokens.length - 1].isWord) return null;
  const start = tokens[0].start;
  const end = tokens[tokens.length - 1].end;

  if (tokens.length === 1 && PRONOUNS.has(tokens[0].key)) {
    return {
      speaker: speakerOf({ kind: 'PERSON', anonymous: false }),
      start,
      end,
      pronoun: tokens[0].key,
      bareDefiniteDocument: false,
    };
  }

  const relative = tokens.findIndex((token, i) => i > 0 && (RELATIVE_PRONOUNS.has(token.key) || token.text === ','));
  const core = relative === -1 ? tokens : tokens.slice(0, relative);
  const tail = relative === -1 ? [] : tokens.slice(relative);
  // A long post-modifier ("a nurse at the county hospital in the north of the state") is allowed;
  // a long head is no noun phrase.
  if (core.length > 16) return null;
  if (core.some((token, i) => i > 0 && isVerbLike(token))) return null;

  const postmodifier = core.findIndex((token, i) => i > 0 && POSTMODIFIER_STARTERS.has(token.key) && !isCapitalized(token.text));
  const head = postmodifier === -1 ? core : core.slice(0, postmodifier);
  if (head.length > 10) return null;
  const headWord = head[head.length - 1];
  const capitalisedWords = head.filter((token) => isNameWord(token));
  const startsSentenceOnly = capitalisedWords.length === 1 && capitalisedWords[0] === head[0];

  // "Tomas Lind of the Stockholm Peace Institute": a person, with the affiliation as a title.
  if (postmodifier > 0 && ['of', 'at', 'from', 'with'].includes(core[postmodifier].key)) {
    const person = namedSource(text, head, start, end);
    if (person && person.speaker.kind === 'PERSON' && head.filter((token) => isNameWord(token)).length >= 2) {
      person.speaker.title = person.speaker.title ?? textOf(text, core.slice(postmodifier));
      return person;
    }
  }

  const commonHead = !isCapitalized(headWord.text) || startsSentenceOnly || capitalisedWords.length === 0 || head.length === 1;
  if (commonHead) {
    const headSingular = singular(headWord.key);
    if ((DOCUMENT_NOUNS.has(headSingular) || DOCUMENT_NOUNS.has(headWord.key)) && (isCommonNoun(headWord) || startsSentenceOnly))
      return documentSource(text, head, core, start, end);
    if (INSTITUTION_NOUNS.has(headSingular) && head.length <= 5) {
      // "the ministry" points at one institution; "unions", "a rights group" and "police" (a plural:
      // some officers of some force) only describe one.
      const plural = headSingular !== headWord.key || headWord.key === 'police';
      const indefinite = head.length > 1 && DESCRIPTOR_DETERMINERS.has(head[0].key) && head[0].key !== 'the';
      if (!plural && !indefinite) return institution(text, tokens, start, end);
      return described(text, core, tail, tokens, start, end, 'ORGANIZATION');
    }
    // Survey results: "64 percent of respondents", "a slim majority", "half of the voters".
    if (SHARE_NOUNS.has(headWord.key) || FRACTION.test(headWord.key)) return described(text, core, tail, tokens, start, end, 'OTHER');
    // Described groups: "Residents who ...", "some analysts", "one Western analyst", "the governor".
    const describesSource =
      isSourceNoun(headWord.key) ||
      QUANTIFIER_SOURCES.has(headWord.key) ||
      (TITLE_WORDS.has(headWord.key) && !isCapitalized(headWord.text) && !ADJECTIVAL_TITLES.has(headWord.key)) ||
      looksAgentive(head);
    if (describesSource) {
      const match = described(text, core, tail, tokens, start, end, 'PERSON');
      // "The veteran keeper said": a definite singular agent noun that is no ordinary source noun
      // is, in news style, the person named just before (an epithet), as in a speaker slot.
      const head0 = head[0].key;
      if (
        ['the', 'this', 'that'].includes(head0) &&
        head.length <= 4 &&
        !isSourceNoun(headWord.key) &&
        singular(headWord.key) === headWord.key &&
        looksAgentive(head)
      )
        match.epithet = true;
      return match;
    }
  }

  if (describesClassMember(head)) return described(text, core, tail, tokens, start, end, 'PERSON');
  // "the Standing Rock Sioux tribe", "the Morton County sheriff's office": a definite article and a
  // proper name before a singular common noun single out one body, which is named.
  if (
    head.length >= 3 &&
    head[0].key === 'the' &&
    headWord.pos === 'NOUN' &&
    singular(headWord.key) === headWord.key &&
    head.slice(1, -1).some((token) => token.pos === 'PROPN')
  ) {
    return institution(text, core, start, end);
  }
  return namedSource(text, core, start, end);
}

const FRACTION = /^(?:one|two|three|four|five|nine)-(?:thirds?|quarters?|fifths?|tenths?)$/;

/** Quantifiers that are function words whatever the tagger makes of a capital ("Several Ohio Republicans"). */
const CLOSED_QUANTIFIERS = new Set(['another', 'other', 'some', 'many', 'several', 'few', 'most', 'both', 'each', 'every', 'certain', 'various', 'numerous']);

const SHARE_NOUNS = new Set(['percent', '%', 'majority', 'minority', 'plurality', 'half', 'third', 'quarter', 'share', 'proportion', 'fraction']);

const MEMBER_DETERMINERS = new Set([
  'a',
  'an',
  'one',
  'another',
  'other',
  'some',
  'many',
  'several',
  'few',
  'most',
  'both',
  'each',
  'every',
  'certain',
  'various',
  'numerous',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
]);

/**
 * Named versus described follows the grammar of the noun phrase, not its capitals: a determiner or
 * quantifier that picks members of a class ("an Ohio Democrat", "One Texas Republican", "Other
 * Democrats") describes a source, and so does a bare plural of a people or party noun
 * ("Republicans said"), while a proper name ("the International Air Transport Association") names one.
 */
function describesClassMember(head: Token[]): boolean {
  const first = head[0];
  const last = head[head.length - 1];
  if (
    head.length >= 2 &&
    (MEMBER_DETERMINERS.has(first.key) || first.pos === 'NUM') &&
    (['DET', 'NUM', 'ADJ', 'PRON'].includes(first.pos) || CLOSED_QUANTIFIERS.has(first.key))
  ) {
    return !head.some((token) => ORGANIZATION_WORDS.has(token.key) || isAllCapsAcronym(token.text));
  }
  if (first.key === 'the' || head.length > 2 || !last.isWord) return false;
  return /^\p{Lu}\p{Ll}+(?:ans|ats|ists|ites)$/u.test(last.text) && (head.length === 1 || head[0].pos === 'ADJ' || head[0].pos === 'PROPN');
}

/** A phrase ending in a proper-name run: "Ohio Governor Dana Reyes", "the Kremlin". */
function namedSource(text: string, core: Token[], start: number, end: number): SpeakerMatch | null {
  const runEnd = core.length;
  const runStart = nameRunStart(core, runEnd);
  if (runStart >= runEnd) return null;
  const run = core.slice(runStart, runEnd);
  if (!run.some((token) => isNameWord(token))) return null;
  const prefix = stripLeadingArticle(core.slice(0, runStart));
  if (prefix.length > 0 && !prefix.every((token) => token.isWord)) return null;
  // "Senator", "the President": an office without a name; resolved later against titled people.
  if (run.every((token) => !token.isWord || TITLE_WORDS.has(token.key))) {
    return {
      speaker: speakerOf({ descriptor: textOf(text, core), title: textOf(text, stripLeadingArticle(core)), kind: 'PERSON', anonymous: true }),
      start,
      end,
      pronoun: null,
      bareDefiniteDocument: false,
    };
  }
  const { title, name } = splitTitle([...prefix, ...run]);
  if (!name.some((token) => isNameWord(token))) return null;
  const hasTitle = title.some((token) => TITLE_WORDS.has(token.key) || isSourceNoun(token.key));
  const nameTokens = stripLeadingArticle(name);
  return {
    speaker: speakerOf({
      name: textOf(text, nameTokens),
      title: hasTitle ? textOf(text, stripLeadingArticle(title)) : null,
      kind: nameKind(nameTokens, hasTitle),
      anonymous: false,
    }),
    start,
    end,
    pronoun: null,
    bareDefiniteDocument: false,
  };
}

function described(text: string, core: Token[], tail: Token[], tokens: Token[], start: number, end: number, kind: ExtractedSpeaker['kind']): SpeakerMatch {
  let descriptorTokens = tail.length > 0 && RELATIVE_PRONOUNS.has(tail[0].key) ? [...core, ...trimTemporalAdjunct(tail, 3)] : core;
  if (tail.length > 0 && tail[0].text === ',' && ANONYMITY_CUES.test(textOf(text, tail))) descriptorTokens = tokens;
  return {
    speaker: speakerOf({ descriptor: textOf(text, descriptorTokens), kind, anonymous: true }),
    start,
    end,
    pronoun: null,
    bareDefiniteDocument: false,
  };
}

/**
 * Agent nouns (-er, -or, -ist, -ian, -ant, -ent: "retailers", "historians") describe people. Only a
 * plural or an indefinite singular counts: "the broader" is a comparative, "a retailer" an agent.
 */
function looksAgentive(head: Token[]): boolean {
  const token = head[head.length - 1];
  if (!token.isWord || (isCapitalized(token.text) && token !== head[0])) return false;
  const word = singular(token.key);
  // "fishermen", "a businesswoman", "the chairman"
  if (/(?:man|woman|person)$/.test(word) && !['human', 'roman', 'german', 'shaman'].includes(word)) {
    return word !== token.key || ['a', 'an', 'one', 'the', 'another'].includes(head[0].key);
  }
  if (word.length < 5 || NOT_AGENT_NOUNS.has(word) || /ment$/.test(word)) return false;
  if (!/(?:er|or|ist|ian|ant|ent)$/.test(word)) return false;
  const plural = word !== token.key;
  // "the sender", "the caller": a definite agent noun is one, when the tagger reads it as a noun.
  const definiteNoun = token.pos === 'NOUN' && ['the', 'this', 'that'].includes(head[0].key);
  return plural || definiteNoun || ['a', 'an', 'one', 'another', 'each', 'every'].includes(head[0].key);
}

function institution(text: string, tokens: Token[], start: number, end: number): SpeakerMatch {
  return {
    speaker: speakerOf({ name: textOf(text, stripLeadingArticle(tokens)), kind: 'ORGANIZATION', anonymous: false }),
    start,
    end,
    pronoun: null,
    bareDefiniteDocument: false,
  };
}

function documentSource(text: string, head: Token[], core: Token[], start: number, end: number): SpeakerMatch {
  const issuer = head.slice(0, -1).filter((token) => isNameWord(token) || /['’]s$/.test(token.text));
  const after = core.slice(head.length);
  const issuedBy = after.length > 1 && ['by', 'from', 'of'].includes(after[0].key) && after.slice(1).some((token) => isNameWord(token));
  // "the indictment", "the ministry's report" point at one identifiable document; "a study" does not.
  const correspondence = CORRESPONDENCE_NOUNS.has(singular(head[head.length - 1].key));
  const definite = (head[0].key === 'the' && !correspondence) || /['’]s$/.test(head[0].text);
  const named = issuer.length > 0 || issuedBy || definite;
  return {
    speaker: named
      ? speakerOf({ name: textOf(text, stripLeadingArticle(core)), kind: 'DOCUMENT', anonymous: false })
      : speakerOf({ descriptor: textOf(text, core), kind: 'DOCUMENT', anonymous: true }),
    start,
    end,
    pronoun: null,
    bareDefiniteDocument: head[0].key === 'the' && issuer.length === 0 && !issuedBy,
  };
}
