/**
 * Reported speech without a reporting verb of its own: hearsay ("reportedly", "is said to"),
 * viewpoints ("For many in X, ..."), stances ("Others were less enthusiastic"), and "according to
 * X" (which may instead name the channel when another speaker follows: "According to the state agency,
 * Soto emphasized ...").
 */
import { isBeForm, subjectBefore } from './clauses.js';
import { CLAUSE_OPENERS, PARENTHETICAL_ADVERBS, STANCE_ADJECTIVES } from './lexicon.js';
import { parseSourceAfter } from './speaker-after.js';
import { classifySource, type SpeakerMatch } from './speakers.js';
import { hit, unquotedWords, type SpeechHit, type VerbContext } from './speech-hit.js';
import { mediaName } from './channels.js';
import { isCapitalized, type Token } from './text.js';

const HEARSAY_ADVERBS = new Set(['reportedly', 'allegedly', 'purportedly', 'reputedly', 'supposedly']);
const HEARSAY_PARTICIPLES = new Set([
  'said',
  'reported',
  'believed',
  'understood',
  'thought',
  'rumored',
  'rumoured',
  'alleged',
  'claimed',
  'considered',
  'told',
]);

/**
 * Hearsay. "reportedly", "allegedly" stand for unspecified reports (anonymous); an impersonal
 * passive ("is widely believed that", "are understood to be") reports content with no one to say
 * it: reported speech without a speaker (LABELLING.md, "Decided cases").
 */
export function hearsayHits(context: VerbContext): SpeechHit[] {
  const { sentence } = context;
  const tokens = sentence.tokens;
  const hits: SpeechHit[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.quoted || !token.isWord) continue;
    // "reportedly": unspecified reports, an anonymous source the adverb stands in for.
    if (HEARSAY_ADVERBS.has(token.key)) {
      const speaker: SpeakerMatch = {
        speaker: { name: null, descriptor: token.key, title: null, kind: 'OTHER', anonymous: true },
        start: token.start,
        end: token.end,
        pronoun: null,
        bareDefiniteDocument: false,
      };
      hits.push(hit({ sentence, cue: i, regionStart: i, speaker, contentStart: i, contentEnd: tokens.length, frame: 'hearsay' }));
      continue;
    }
    // "the BBC understands ...", "the paper has learned that ...": an outlet's own sources, unnamed.
    if (OUTLET_KNOWLEDGE.has(token.key) && i > 0) {
      const found = outletKnowledge(context, i);
      if (found) hits.push(found);
      continue;
    }
    // "X is said to ...", "it was reported that ...", "is widely believed that ..."
    if (!isBeForm(token)) continue;
    let participle = i + 1;
    if (tokens[participle]?.key === 'been') participle++;
    while (participle < tokens.length && /^[a-z]+ly$/.test(tokens[participle].text) && tokens[participle].key.length > 4) participle++;
    let marker = tokens[participle + 1]?.key ?? '';
    // "clubs were told neutral grounds were the only option": the addressee told a bare clause.
    if (tokens[participle]?.key === 'told' && !['to', 'that', 'by'].includes(marker) && bareClauseAt(tokens, participle + 1)) marker = 'bare';
    if (!HEARSAY_PARTICIPLES.has(tokens[participle]?.key ?? '') || !['to', 'that', 'bare'].includes(marker) || tokens[participle + 1].quoted) continue;
    if (tokens[participle].key === 'considered' && marker !== 'to') continue;
    let first = i - 1;
    while (first >= 0 && !tokens[first].quoted && tokens[first].text !== ',' && !CLAUSE_OPENERS.has(tokens[first].key)) first--;
    first++;
    // With "that" the content is the clause; with "to" it is the subject and what it is said to do.
    const clause = marker === 'that' || marker === 'bare';
    if (!clause && first >= i) continue;
    hits.push(
      hit({
        sentence,
        cue: participle,
        regionStart: clause ? Math.min(first, i) : first,
        speaker: null,
        impersonal: true,
        contentStart: marker === 'bare' ? participle + 1 : clause ? participle + 2 : first,
        contentEnd: tokens.length,
        frame: 'hearsay',
      }),
    );
  }
  return hits;
}

const OUTLET_KNOWLEDGE = new Set(['understands', 'learned', 'learnt', 'learns']);

/** A clause starts here: a short subject, then a finite verb, within a few words. */
function bareClauseAt(tokens: Token[], from: number): boolean {
  for (let k = from; k < tokens.length && k - from <= 8; k++) {
    const token = tokens[k];
    if (token.quoted || (!token.isWord && !/^['’-]$/.test(token.text))) return false;
    if (k > from && (token.pos === 'AUX' || token.pos === 'VERB')) return true;
  }
  return false;
}

/**
 * "The BBC understands the union has ...", "the paper has learned that ...": content whose source the
 * outlet does not name: reported speech with no speaker, the outlet as its channel (LABELLING.md).
 */
function outletKnowledge(context: VerbContext, v: number): SpeechHit | null {
  const { text, sentence } = context;
  const tokens = sentence.tokens;
  let last = v - 1;
  if (['has', 'have', 'had'].includes(tokens[last]?.key ?? '')) last--;
  let first = last;
  while (first > 0 && tokens[first - 1].isWord && !tokens[first - 1].quoted && (isCapitalized(tokens[first - 1].text) || tokens[first - 1].key === 'the'))
    first--;
  if (first > last) return null;
  const via = mediaName(text, tokens.slice(first, last + 1));
  if (!via) return null;
  let contentStart = v + 1;
  if (tokens[contentStart]?.key === 'that' && !tokens[contentStart].quoted) contentStart++;
  else if (!bareClauseAt(tokens, contentStart)) return null;
  return hit({ sentence, cue: v, regionStart: first, speaker: null, impersonal: true, contentStart, contentEnd: tokens.length, frame: 'hearsay', via });
}

/** "For many in the valley, ...", "To critics, ...", "In the view of X, ...": the whole sentence is their view. */
export function viewpointHit(context: VerbContext): SpeechHit | null {
  const { text, sentence } = context;
  const tokens = sentence.tokens;
  let i = 0;
  while (i < tokens.length && (!tokens[i].isWord || PARENTHETICAL_ADVERBS.has(tokens[i].key) || ['but', 'yet', 'and'].includes(tokens[i].key))) i++;
  const opener = tokens[i]?.key;
  let phraseStart = -1;
  let namedAllowed = false;
  if (opener === 'for' || opener === 'to') phraseStart = i + 1;
  else if (
    opener === 'in' &&
    tokens[i + 1]?.key === 'the' &&
    ['view', 'eyes', 'opinion', 'estimation'].includes(tokens[i + 2]?.key ?? '') &&
    tokens[i + 3]?.key === 'of'
  ) {
    phraseStart = i + 4;
    namedAllowed = true;
  }
  if (phraseStart < 0) return null;
  const comma = tokens.findIndex((token, k) => k > phraseStart && token.text === ',');
  if (comma < 0 || comma - phraseStart > 8 || unquotedWords(tokens, comma + 1, tokens.length) < 4) return null;
  const source = classifySource(text, tokens.slice(phraseStart, comma));
  if (!source || source.pronoun) return null;
  // "For Soto, the deal secures ..." is usually about Soto's interest, not her words:
  // only an explicit viewpoint phrase or a described group ("for many", "to critics") speaks.
  if (!namedAllowed && !(source.speaker.anonymous && source.speaker.kind !== 'DOCUMENT')) return null;
  return hit({ sentence, cue: i, regionStart: 0, speaker: source, contentStart: 0, contentEnd: tokens.length, frame: 'viewpoint' });
}

export interface AccordingTo {
  index: number;
  source: SpeakerMatch;
  next: number;
  leading: boolean;
}

export function accordingTo(context: VerbContext): AccordingTo | null {
  const { text, sentence } = context;
  const tokens = sentence.tokens;
  const index = tokens.findIndex((token, k) => token.key === 'according' && tokens[k + 1]?.key === 'to' && !token.quoted);
  if (index < 0) return null;
  const source = parseSourceAfter(text, tokens, index + 2);
  if (!source) return null;
  const leading = tokens.slice(0, index).every((token) => !token.isWord || PARENTHETICAL_ADVERBS.has(token.key) || ['but', 'and', 'yet'].includes(token.key));
  return { index, source, next: source.nextIndex, leading };
}

function viaText(text: string, source: SpeakerMatch): string {
  return source.speaker.name ?? source.speaker.descriptor ?? text.slice(source.start, source.end);
}

export function accordingHits(context: VerbContext, according: AccordingTo, hits: SpeechHit[]): SpeechHit[] {
  const tokens = context.sentence.tokens;
  const { index, source, next, leading } = according;
  if (leading) {
    const relay = hits.find((candidate) => candidate.regionStart >= next && candidate.speaker);
    if (relay) {
      relay.via = relay.via ?? viaText(context.text, source);
      return hits;
    }
    if (tokens[next]?.text !== ',') return hits;
    return [
      ...hits,
      hit({
        sentence: context.sentence,
        cue: index,
        regionStart: index,
        speaker: source,
        contentStart: next + 1,
        contentEnd: tokens.length,
        frame: 'according',
      }),
    ];
  }
  const atEnd = tokens.slice(next).every((token) => !token.isWord);
  if (atEnd && tokens[index - 1]?.text === ',') {
    let start = 0;
    while (start < index && !tokens[start].isWord) start++;
    if (tokens.slice(start, index - 1).some((token) => token.quoted) && unquotedWords(tokens, start, index - 1) < 3) return hits;
    return [
      ...hits,
      hit({
        sentence: context.sentence,
        cue: index,
        regionStart: start,
        speaker: source,
        contentStart: start,
        contentEnd: index - 1,
        frame: 'according',
        regionEnd: tokens.length,
      }),
    ];
  }
  return [
    ...hits,
    hit({ sentence: context.sentence, cue: index, regionStart: 0, speaker: source, contentStart: 0, contentEnd: tokens.length, frame: 'according' }),
  ];
}

const DEGREE_WORDS = new Set([
  'not',
  'less',
  'more',
  'very',
  'deeply',
  'increasingly',
  'far',
  'much',
  'so',
  'too',
  'openly',
  'still',
  'also',
  'equally',
  'somewhat',
  'largely',
  'broadly',
  'sharply',
  'bitterly',
]);

/** "Others were less enthusiastic about the prices": a source's stance, reported without a verb of saying. */
export function stanceHits(context: VerbContext): SpeechHit[] {
  const { text, sentence } = context;
  const tokens = sentence.tokens;
  const hits: SpeechHit[] = [];
  for (let i = 1; i < tokens.length; i++) {
    if (tokens[i].quoted || !isBeForm(tokens[i])) continue;
    let k = i + 1;
    while (k < tokens.length && DEGREE_WORDS.has(tokens[k].key)) k++;
    if (!tokens[k] || tokens[k].quoted || !STANCE_ADJECTIVES.has(tokens[k].key)) continue;
    const subject = subjectBefore(text, tokens, i);
    if (!subject || subject.match.pronoun === 'it' || subject.match.bareDefiniteDocument || subject.match.speaker.kind === 'DOCUMENT') continue;
    hits.push(
      hit({ sentence, cue: k, regionStart: subject.first, speaker: subject.match, contentStart: subject.first, contentEnd: tokens.length, frame: 'stance' }),
    );
  }
  return hits;
}
