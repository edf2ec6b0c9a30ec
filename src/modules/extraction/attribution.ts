/**
 * Who said a quotation. Looks, in order, after the closing mark ("...,' said X" / "...,' X said"),
 * before the opening mark (a reporting verb that hands over to it: "stating, '...'", "described as
 * '...'"), at the reported speech it sits in ("Soto emphasized that ... '...'"), at the quotation
 * it continues when split by its attribution ("'...,' said X, '...'"), and at the quotation of
 * the previous paragraph for an unattributed follow-on quote.
 */
import { isAdverbOrAuxiliary, subjectBefore, type SentenceContext } from './clauses.js';
import type { Quotation } from './quotes.js';
import { channelAfter, mediaName } from './channels.js';
import { contentIsQuotation, type SpeechHit } from './reported.js';
import { parseSourceAfter } from './speaker-after.js';
import { classifySource, isVerbLike, type SpeakerMatch, speakerSlot } from './speakers.js';
import { isCapitalized, wordCount, type Token } from './text.js';
import { NAMING_CUES, QUOTE_ONLY_VERBS, reportingVerb } from './verbs.js';

/** `inside`: the quotation is part of a reported-speech statement that holds more than it. */
export type AttributionSource = 'post' | 'pre' | 'speech' | 'inside' | 'split' | 'continuation' | 'none';

export interface QuoteAttribution {
  speaker: SpeakerMatch | null;
  via: string | null;
  source: AttributionSource;
  /** UTF-16 extent of the attribution words, so they are not mistaken for an assertion. */
  coverEnd: number;
  coverStart: number;
}

function isQuotingVerb(token: Token | undefined): boolean {
  if (!token || token.quoted || !token.isWord || isCapitalized(token.text)) return false;
  if (QUOTE_ONLY_VERBS.has(token.key)) return true;
  const verb = reportingVerb(token.key);
  return verb !== undefined && verb.form !== 'ing';
}

function tokenIndexAt(tokens: Token[], offset: number): number {
  return tokens.findIndex((token) => token.start === offset);
}

/** "...,' said Lena Ortiz, a local nurse" / "...,' she said" / "...,' Reyes told reporters". */
function after(text: string, tokens: Token[], closeIndex: number): QuoteAttribution | null {
  let i = closeIndex + 1;
  // "“...,” said X" / "“...” — X said": a comma or a dash before the attribution.
  if (tokens[i]?.text === ',' || /^[—–]$/.test(tokens[i]?.text ?? '')) i++;
  const first = tokens[i];
  if (!first || first.quoted) return null;
  if (isQuotingVerb(first)) {
    const source = parseSourceAfter(text, tokens, i + 1);
    if (!source) return null;
    const channel = channelAfter(text, tokens, source.nextIndex, tokens.length);
    return { speaker: source, via: channel.via, source: 'post', coverStart: tokens[closeIndex].start, coverEnd: source.end };
  }
  if (first.key === 'according' && tokens[i + 1]?.key === 'to') {
    const source = parseSourceAfter(text, tokens, i + 2);
    if (!source) return null;
    return { speaker: source, via: null, source: 'post', coverStart: tokens[closeIndex].start, coverEnd: source.end };
  }
  // "“...,” as the paper reported": "as" introduces the attribution, it is not part of the source.
  if (first.key === 'as' && !first.quoted) i++;
  let j = i;
  while (j < tokens.length && j - i < 10 && !tokens[j].quoted && (tokens[j].isWord || /^[()[\]&-]$/.test(tokens[j].text)) && !isVerbLike(tokens[j])) j++;
  let verbIndex = j;
  while (verbIndex < tokens.length && isAdverbOrAuxiliary(tokens[verbIndex])) verbIndex++;
  // "“...,” [Smith] said": an editor's bracketed name is the name.
  const phrase = tokens.slice(i, j).filter((token) => token.text !== '[' && token.text !== ']');
  let source = phrase.length > 0 && isQuotingVerb(tokens[verbIndex]) ? (classifySource(text, phrase) ?? speakerSlot(text, phrase)) : null;
  if (!source) {
    // "...,' the authority's chief executive, Helen Marsh, said.": a subject with an appositive.
    verbIndex = -1;
    for (let k = i; k < tokens.length && k - i < 18 && !tokens[k].quoted && !/^[.!?;]$/.test(tokens[k].text); k++) {
      // "the report reads": a verb form after a determiner is the noun of the subject.
      const noun = tokens[k].pos === 'NOUN' && k > i && ['DET', 'ADJ', 'NUM'].includes(tokens[k - 1].pos);
      if (isQuotingVerb(tokens[k]) && !noun) {
        verbIndex = k;
        break;
      }
    }
    const subject = verbIndex > i ? subjectBefore(text, tokens, verbIndex) : null;
    if (!subject || (subject.first !== i && !adjunctBetween(tokens, i, subject.first))) return null;
    source = subject.match;
  }
  const verb = reportingVerb(tokens[verbIndex].key);
  let via: string | null = null;
  let coverEnd = tokens[verbIndex].end;
  if (verb?.lemma === 'tell') {
    const object: Token[] = [];
    for (
      let k = verbIndex + 1;
      k < tokens.length && tokens[k].isWord && object.length < 5 && !['on', 'in', 'at', 'that', 'last', 'this'].includes(tokens[k].key);
      k++
    )
      object.push(tokens[k]);
    via = mediaName(text, object);
    if (object.length > 0) coverEnd = object[object.length - 1].end;
  } else {
    const channel = channelAfter(text, tokens, verbIndex + 1, tokens.length);
    via = channel.via;
  }
  return { speaker: source, via, source: 'post', coverStart: tokens[closeIndex].start, coverEnd };
}

/** "“...” under that rule, Smith said": a short adjunct closed by a comma between quote and speaker. */
function adjunctBetween(tokens: Token[], from: number, subjectFirst: number): boolean {
  if (subjectFirst - from < 2 || subjectFirst - from > 8 || tokens[subjectFirst - 1].text !== ',') return false;
  return tokens.slice(from, subjectFirst - 1).every((token) => token.isWord && !token.quoted && !isVerbLike(token));
}

/** "Asked a Maine Republican: “...”" / "Said one official, “...”": the verb first, its speaker after it. */
function invertedBefore(text: string, tokens: Token[], openIndex: number): QuoteAttribution | null {
  const verb = tokens[0];
  if (!verb || openIndex < 3 || !/^[:,]$/.test(tokens[openIndex - 1].text)) return null;
  const reporting = reportingVerb(verb.key);
  if (!QUOTE_ONLY_VERBS.has(verb.key) && reporting?.form !== 'past') return null;
  const source = parseSourceAfter(text, tokens, 1);
  if (!source || source.nextIndex !== openIndex - 1) return null;
  return { speaker: source, via: null, source: 'pre', coverStart: verb.start, coverEnd: tokens[openIndex - 1].end };
}

export interface AttributionContext {
  text: string;
  sentences: SentenceContext[];
  speech: SpeechHit[];
}

function sentenceOf(sentences: SentenceContext[], offset: number): SentenceContext | undefined {
  return sentences.find((sentence) => offset >= sentence.start && offset < sentence.end);
}

/** A reporting verb at the end of the previous sentence, ending in a colon: "She told the crowd:\n'...'". */
function fromColonSentence(text: string, previous: SentenceContext | undefined): QuoteAttribution | null {
  if (!previous) return null;
  const tokens = previous.tokens;
  if (tokens[tokens.length - 1]?.text !== ':') return null;
  for (let v = tokens.length - 2; v >= 0 && v >= tokens.length - 10; v--) {
    if (!isQuotingVerb(tokens[v])) continue;
    const subject = subjectBefore(text, tokens, v);
    if (subject) return { speaker: subject.match, via: null, source: 'pre', coverStart: previous.start, coverEnd: previous.end };
  }
  return null;
}

export function attributeQuotation(
  context: AttributionContext,
  quotation: Quotation,
  earlier: Array<{ quotation: Quotation; attribution: QuoteAttribution }>,
): QuoteAttribution {
  const { text, sentences, speech } = context;
  const closing = sentenceOf(sentences, quotation.close);
  const opening = sentenceOf(sentences, quotation.open);
  const none: QuoteAttribution = { speaker: null, via: null, source: 'none', coverStart: quotation.open, coverEnd: quotation.close + 1 };

  if (closing) {
    const closeIndex = tokenIndexAt(closing.tokens, quotation.close);
    const post = closeIndex >= 0 ? after(text, closing.tokens, closeIndex) : null;
    // "X described A and “B,” as the paper reported": the quotation belongs to X's report, and
    // the paper is the channel it came through.
    const channelOnly = post !== null && closing.tokens[closeIndex + (closing.tokens[closeIndex + 1]?.text === ',' ? 2 : 1)]?.key === 'as';
    const openIndex = opening ? tokenIndexAt(opening.tokens, quotation.open) : -1;
    const container =
      channelOnly && opening === closing
        ? speech.find(
            (hit) => hit.sentence === opening && hit.speaker && hit.introducesQuote === null && hit.contentStart <= openIndex && hit.contentEnd > openIndex,
          )
        : undefined;
    if (container && post) {
      container.via = container.via ?? post.speaker?.speaker.name ?? null;
      return { speaker: container.speaker, via: container.via, source: 'inside', coverStart: quotation.open, coverEnd: post.coverEnd };
    }
    if (post) return { ...post, coverStart: quotation.open };
  }
  if (opening) {
    const openIndex = tokenIndexAt(opening.tokens, quotation.open);
    const introducer = speech.find(
      (hit) =>
        hit.sentence === opening &&
        (hit.introducesQuote === openIndex || (contentIsQuotation(hit) && hit.contentStart <= openIndex && hit.contentEnd > openIndex)),
    );
    if (introducer?.speaker) {
      return {
        speaker: introducer.speaker,
        via: introducer.via,
        source: 'pre',
        coverStart: Math.min(opening.tokens[introducer.regionStart].start, quotation.open),
        coverEnd: quotation.close + 1,
      };
    }
    // "X acknowledged his limits: “...”": the speaker of the statement the colon closes.
    const beforeColon =
      openIndex > 0 && opening.tokens[openIndex - 1].text === ':'
        ? speech.find((hit) => hit.sentence === opening && hit.speaker && hit.introducesQuote === null && hit.contentEnd === openIndex - 1)
        : undefined;
    if (beforeColon?.speaker) {
      return { speaker: beforeColon.speaker, via: beforeColon.via, source: 'pre', coverStart: quotation.open, coverEnd: quotation.close + 1 };
    }
    const inverted = invertedBefore(text, opening.tokens, openIndex);
    if (inverted) return { ...inverted, coverEnd: quotation.close + 1 };
    const split = splitContinuation(quotation, opening, openIndex, earlier);
    if (split) return split;
    if (openIndex === 0 || opening.tokens.slice(0, openIndex).every((token) => !token.isWord)) {
      const colon = fromColonSentence(text, sentences[opening.index - 1]);
      if (colon) return { ...colon, coverStart: quotation.open, coverEnd: quotation.close + 1 };
    }
    const container = speech.find(
      (hit) => hit.sentence === opening && hit.speaker && hit.introducesQuote === null && hit.contentStart <= openIndex && hit.contentEnd > openIndex,
    );
    if (container) {
      // "said the senator is “out of touch”": the quotation belongs to the reported speech around it.
      const source = contentIsQuotation(container) ? 'speech' : 'inside';
      return { speaker: container.speaker, via: container.via, source, coverStart: quotation.open, coverEnd: quotation.close + 1 };
    }
  }
  return none;
}

/** "'This is not about money,' said one union official, 'but ...'": the second part shares the first's speaker. */
function splitContinuation(
  quotation: Quotation,
  sentence: SentenceContext,
  openIndex: number,
  earlier: Array<{ quotation: Quotation; attribution: QuoteAttribution }>,
): QuoteAttribution | null {
  const previous = earlier[earlier.length - 1];
  if (previous?.attribution.source !== 'post' || !previous.attribution.speaker) return null;
  if (previous.quotation.close < sentence.start) return null;
  const between = sentence.tokens.filter((token) => token.start >= previous.attribution.coverEnd && token.start < quotation.open);
  const onlyGlue = between.every((token) => !token.isWord || ['and', 'then', 'adding', 'before', 'but'].includes(token.key));
  if (!onlyGlue || openIndex < 0) return null;
  return { ...previous.attribution, source: 'split', coverStart: previous.attribution.coverEnd, coverEnd: quotation.close + 1 };
}

export interface QuotationShape {
  words: number;
  /** . ? ! (or a comma, when an attribution follows) inside the marks: the words were spoken as a unit. */
  punctuated: boolean;
  /** Nothing but the quotation in its sentence apart from an attribution. */
  standalone: boolean;
  /** Introduced as a name: "the 'historic agreement'", "so-called 'X'", "dubbed 'X'". */
  naming: boolean;
  titleCase: boolean;
}

export function quotationShape(text: string, quotation: Quotation, sentence: SentenceContext | undefined): QuotationShape {
  const content = text.slice(quotation.contentStart, quotation.contentEnd);
  const beforeClose = text.slice(quotation.contentStart, quotation.close).trimEnd();
  const punctuated = /[.!?…,—–-]$/.test(beforeClose);
  const words = wordCount(content);
  let naming = false;
  let standalone = false;
  if (sentence) {
    const openIndex = tokenIndexAt(sentence.tokens, quotation.open);
    const before = sentence.tokens.slice(0, Math.max(openIndex, 0)).filter((token) => token.isWord && !token.quoted);
    const previous = before[before.length - 1];
    naming =
      previous !== undefined &&
      (NAMING_CUES.has(previous.key) ||
        ['the', 'a', 'an', 'its', 'his', 'her', 'their', 'this', 'our', 'of'].includes(previous.key) ||
        (previous.key === 'as' && ['known', 'dubbed', 'described'].includes(before[before.length - 2]?.key ?? '')));
    standalone = before.length === 0;
  }
  const contentWords = content.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
  const titleCase = contentWords.length >= 2 && !/[.!?]$/.test(content) && contentWords.every((word) => word.length <= 3 || /^\p{Lu}/u.test(word));
  return { words, punctuated, standalone, naming, titleCase };
}

/** Whether a quotation is a statement rather than a title, nickname or scare quote. */
export function isStatementQuotation(shape: QuotationShape, attribution: QuoteAttribution): boolean {
  const explicit = attribution.source === 'post' || attribution.source === 'pre' || attribution.source === 'split';
  if (explicit) {
    if (shape.words <= 4 && !shape.punctuated && !shape.standalone) return false;
    return shape.words >= 1;
  }
  if (shape.naming && shape.words <= 8) return false;
  if (shape.titleCase) return false;
  if (attribution.source === 'inside') return false;
  if (attribution.source === 'speech') return shape.words >= 5;
  if (shape.standalone && shape.words >= 3) return true;
  return shape.words >= 6 && shape.punctuated;
}
