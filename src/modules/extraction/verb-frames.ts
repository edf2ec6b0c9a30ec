/**
 * Reported speech hung on a reporting verb: its subject (before it, across an appositive, shared
 * with an earlier verb, or the main clause's for a participle), what follows it (that-clause,
 * object, "as" characterisation, or a quotation it hands over to), and attributions that come after
 * their content ("..., the ministry said on Friday.").
 */
import { isAdverbOrAuxiliary, isBeForm, mainSubject, subjectBefore, type SubjectMatch } from './clauses.js';
import { channelAfter, mediaName } from './channels.js';
import { CLAUSE_OPENERS, PARENTHETICAL_ADVERBS } from './lexicon.js';
import { parseSourceAfter } from './speaker-after.js';
import { isVerbLike, type SpeakerMatch, speakerSlot } from './speakers.js';
import { ADJUNCT_STARTERS, hit, skipAdverbs, unquotedWords, type SpeechFrame, type SpeechHit, type VerbContext } from './speech-hit.js';
import { isCapitalized, type Token } from './text.js';
import { type ReportingVerb, reportingVerb } from './verbs.js';

/** A definite bare document ("the report") is a source only with a plain reporting verb. */
// Interpretive verbs ("framed", "portrayed", "cast") are the writer's reading of a document, not its words.
const DOCUMENT_VERBS = new Set([
  'say',
  'acknowledge',
  'admit',
  'affirm',
  'concede',
  'suggest',
  'argue',
  'assert',
  'explain',
  'find',
  'show',
  'state',
  'note',
  'conclude',
  'add',
  'report',
  'estimate',
  'warn',
  'claim',
  'allege',
  'describe',
  'call',
  'label',
  'term',
  'praise',
  'hail',
  'criticize',
  'criticise',
  'condemn',
  'accuse',
  'urge',
  'welcome',
  'predict',
  'reveal',
  'confirm',
  'deny',
  'announce',
  'declare',
  'highlight',
  'stress',
  'emphasize',
  'emphasise',
  'recommend',
  'propose',
  'thank',
]);
/**
 * Skips what can sit between a reporting verb and its that-clause: ", however," or a time adjunct
 * ("said on Monday that", "warned last week that").
 */
function skipInterjection(tokens: Token[], from: number): number {
  let c = from;
  if (tokens[c]?.text === ',') {
    let k = c + 1;
    while (k < tokens.length && tokens[k].isWord && PARENTHETICAL_ADVERBS.has(tokens[k].key)) k++;
    if (k > c + 1 && tokens[k]?.text === ',') c = k + 1;
  }
  if (tokens[c] && ADJUNCT_STARTERS.has(tokens[c].key)) {
    for (let k = c + 1; k < Math.min(tokens.length, c + 6); k++) {
      if (tokens[k].key === 'that' && !tokens[k].quoted) return k;
      if (!tokens[k].isWord || tokens[k].quoted) break;
    }
  }
  return c;
}

/** "“...” she said", "“...” said X": an attribution starting right after the quotation, not a clause going on. */
function isQuotingVerbAfterQuote(token: Token): boolean {
  return reportingVerb(token.key) !== undefined || PRONOUN_SUBJECTS.has(token.key) || isCapitalized(token.text);
}

const PRONOUN_SUBJECTS = new Set(['he', 'she', 'they', 'it', 'we', 'i']);

/**
 * "urged the council to reopen the road", "called on Moscow to withdraw": the addressee, then
 * "to" and the action asked for, which is the content. Index of the action's first token, or -1.
 */
function requestedAction(tokens: Token[], verb: ReportingVerb, from: number): number {
  let k = from;
  if (verb.lemma === 'call') {
    if (tokens[k]?.key !== 'on' && tokens[k]?.key !== 'upon') return -1;
    k++;
  }
  const objectStart = k;
  while (
    k < tokens.length &&
    k - objectStart < 8 &&
    (tokens[k].isWord || /^[-'’&]$/.test(tokens[k].text)) &&
    !tokens[k].quoted &&
    tokens[k].key !== 'to' &&
    !isVerbLike(tokens[k])
  )
    k++;
  if (k === objectStart || tokens[k]?.key !== 'to') return -1;
  const action = tokens[k + 1];
  if (!action || action.quoted || !['VERB', 'AUX'].includes(action.pos)) return -1;
  return k + 1;
}

/**
 * "said of the victim, “...”", "said almost in disbelief: “...”": a short adjunct with no verb of
 * its own between the reporting verb and the colon or comma that hands over to a quotation.
 * Index of the quotation's first token, or -1.
 */
function quotationAfterAdjunct(tokens: Token[], from: number): number {
  for (let k = from; k < tokens.length && k - from <= 6; k++) {
    const token = tokens[k];
    if (token.quoted) return -1;
    if (token.text === ':' || token.text === ',') return k > from && tokens[k + 1]?.quoted ? k + 1 : -1;
    if (!token.isWord || token.pos === 'VERB' || token.pos === 'AUX' || token.key === 'that' || isVerbLike(token)) return -1;
  }
  return -1;
}

function clauseWithoutThat(tokens: Token[], from: number): boolean {
  if (!['DET', 'NOUN', 'PROPN', 'PRON', 'NUM', 'ADJ'].includes(tokens[from]?.pos ?? '')) return false;
  for (let k = from + 1; k < tokens.length && k - from <= 6; k++) {
    const token = tokens[k];
    if (token.quoted || !token.isWord || token.key === 'that' || token.key === 'to') return false;
    if (token.pos === 'AUX' || (token.pos === 'VERB' && !/ing$/.test(token.key))) return !['ADP', 'DET'].includes(tokens[k - 1].pos);
  }
  return false;
}

const COMMISSIVES = new Set(['vow', 'pledge', 'promise', 'threaten']);

/** Reads what follows a reporting verb and returns the frame, the content start, or a quotation hand-over. */
function complement(
  context: VerbContext,
  verb: ReportingVerb,
  v: number,
): { frame: SpeechFrame; contentStart: number; via: string | null; introducesQuote: number | null } | null {
  const { text, sentence } = context;
  const tokens = sentence.tokens;
  let c = v + 1;
  if (tokens[c]?.key === 'out' && verb.lemma === 'point') c++;
  if (verb.lemma === 'make clear') while (c < tokens.length && tokens[c].key !== 'that') c++;
  c = skipAdverbs(tokens, c);
  c = skipInterjection(tokens, c);
  // "explained to the agents that ...": the addressee sits between the verb and its clause.
  if (tokens[c]?.key === 'to' && !tokens[c].quoted && verb.clause && !verb.directive) {
    for (let k = c + 1; k < tokens.length && k - c <= 6; k++) {
      if (tokens[k].quoted || !tokens[k].isWord || isVerbLike(tokens[k])) break;
      if (tokens[k].key === 'that' && k > c + 1) {
        c = k;
        break;
      }
    }
  }
  let via: string | null = null;
  if (verb.lemma === 'tell') {
    const objectStart = c;
    while (
      c < tokens.length &&
      tokens[c].isWord &&
      !tokens[c].quoted &&
      tokens[c].key !== 'that' &&
      !(c > objectStart && ADJUNCT_STARTERS.has(tokens[c].key)) &&
      c - objectStart < 6
    )
      c++;
    via = mediaName(text, tokens.slice(objectStart, c));
    c = skipInterjection(tokens, c);
  }
  // "vowed to detonate ...", "promised to cut taxes": a commitment's content is the action promised.
  if (
    COMMISSIVES.has(verb.lemma) &&
    tokens[c]?.key === 'to' &&
    !tokens[c].quoted &&
    ['VERB', 'AUX'].includes(tokens[c + 1]?.pos ?? '') &&
    !tokens[c + 1].quoted
  )
    return { frame: 'clause', contentStart: c + 1, via, introducesQuote: null };
  const request = verb.directive ? requestedAction(tokens, verb, c) : -1;
  if (request >= 0) return { frame: 'clause', contentStart: request, via, introducesQuote: null };
  const channel = channelAfter(text, tokens, c, tokens.length);
  if (channel.via) {
    via = channel.via;
    c = channel.next;
  }
  const next = tokens[c];
  if (!next) return null;
  if (next.quoted) {
    // "said “some of the members” had begun ...": the quotation is only the clause's subject when
    // the clause goes on after it; then the whole clause is the content, quotation included.
    let q = c;
    while (q < tokens.length && tokens[q].quoted) q++;
    const continues = tokens[q]?.isWord && !isQuotingVerbAfterQuote(tokens[q]) && unquotedWords(tokens, q, tokens.length) >= 2;
    if (continues) return { frame: 'clause', contentStart: c, via, introducesQuote: null };
    return { frame: 'clause', contentStart: c, via, introducesQuote: c };
  }
  if ((next.text === ':' || next.text === ',') && tokens[c + 1]?.quoted) return { frame: 'clause', contentStart: c + 1, via, introducesQuote: c + 1 };
  const handOver = quotationAfterAdjunct(tokens, c);
  if (handOver >= 0) return { frame: 'clause', contentStart: handOver, via, introducesQuote: handOver };
  // "disputed that account.": a determiner, not a complementiser, when only a noun or two follow.
  const clauseBreak = tokens.slice(c + 1).findIndex((token) => /^[.;!?]$/.test(token.text));
  const wordsAfterThat = clauseBreak === -1 ? tokens.length - c - 1 : clauseBreak;
  // "described that pace as 'gradual'": before a characterising "as", "that" determines a noun.
  const asFollows = verb.as && tokens.slice(c + 2, c + 6).some((token) => token.key === 'as' && !token.quoted);
  const thatIsDeterminer = next.key === 'that' && ((wordsAfterThat >= 1 && wordsAfterThat <= 2) || asFollows);
  if (next.key === 'that' && !thatIsDeterminer) return { frame: 'clause', contentStart: c + 1, via, introducesQuote: null };
  if (thatIsDeterminer)
    return verb.object || verb.as ? { frame: asFollows ? 'as' : 'object', contentStart: asFollows ? c : v, via, introducesQuote: null } : null;
  if (!next.isWord) return null;
  if (verb.as) {
    if (next.key === 'as' && tokens[c + 1]?.quoted) return { frame: 'as', contentStart: c + 1, via, introducesQuote: c + 1 };
    let hasAs = false;
    for (let k = c; k < Math.min(tokens.length, c + 20) && !/^[.;!?]$/.test(tokens[k].text); k++) if (tokens[k].key === 'as' && !tokens[k].quoted) hasAs = true;
    if (!hasAs) return verb.lemma === 'describe' ? { frame: 'object', contentStart: v, via, introducesQuote: null } : null;
    return { frame: 'as', contentStart: v, via, introducesQuote: null };
  }
  if (verb.needsComplement) return null;
  if (verb.clause && !verb.object) return { frame: 'clause', contentStart: c, via, introducesQuote: null };
  // "confirmed the meeting had taken place": a noun phrase with a finite verb after it is a clause.
  if (verb.clause && clauseWithoutThat(tokens, c)) return { frame: 'clause', contentStart: c, via, introducesQuote: null };
  return { frame: 'object', contentStart: v, via, introducesQuote: null };
}

export function finiteHit(context: VerbContext, verb: ReportingVerb, v: number): SpeechHit | null {
  const { text, sentence } = context;
  const tokens = sentence.tokens;
  // "the protesters, who call themselves 'water protectors'": naming oneself is not a claim.
  if (['themselves', 'himself', 'herself', 'itself'].includes(tokens[v + 1]?.key ?? '')) return null;
  let p = v - 1;
  while (p >= 0 && isAdverbOrAuxiliary(tokens[p]) && !isBeForm(tokens[p])) p--;
  // "did not state when ...", "never said that ...": what a source did not say is no statement of it.
  if (tokens.slice(p + 1, v).some((token) => ['not', 'never', "n't", 'n’t'].includes(token.key))) return null;
  if (verb.form === 'past' && isBeForm(tokens[p])) return passiveHit(context, v, p);
  // "declined to comment" is no report; "continued to describe it as ..." reports through a
  // catenative verb that shares the subject.
  const catenative = v > 1 && tokens[v - 1].key === 'to' ? catenativeBefore(tokens, v - 2) : -1;
  if (v > 0 && tokens[v - 1].key === 'to' && catenative < 0) return null;
  if (catenative >= 0) {
    const subject = subjectBefore(text, tokens, catenative);
    if (!subject || (subject.match.pronoun === 'it' && verb.as)) return null;
    return fromSubject(context, verb, v, subject);
  }

  const subject = subjectBefore(text, tokens, v) ?? sharedSubject(context, v) ?? slotSubjectBefore(context, verb, v);
  if (!subject) return invertedHit(context, v);
  // "Asked if he believed X, ...", "whether she said so": a question or condition, not a report.
  if (['if', 'whether'].includes(subject.opener?.key ?? '')) return null;
  // "A Reuters report noted": a verb form followed by a verb is a noun ("report").
  // "for what he said was a waste": after "what", the verb that follows belongs to the free relative.
  if (tokens[v + 1] && isVerbLike(tokens[v + 1]) && subject.opener?.key !== 'what') return null;
  // A bare plural form needs a plural subject ("critics argue"), or a modal before it ("will say").
  if (verb.form === 'base' && p === v - 1 && !pluralSubject(subject.match)) return null;
  if (subject.match.bareDefiniteDocument && !DOCUMENT_VERBS.has(verb.lemma)) return null;
  if (subject.match.pronoun === 'it' && verb.as) return null;
  return fromSubject(context, verb, v, subject);
}

/**
 * "The striker said: “...”", "The England forward, 25, said, “...”": before a verb that hands over
 * to a quotation, a determiner and a common noun are a speaker whatever the noun (the slot only a
 * speaker fills), an appositive between commas included.
 */
function slotSubjectBefore(context: VerbContext, verb: ReportingVerb, v: number): SubjectMatch | null {
  const tokens = context.sentence.tokens;
  if (verb.form !== 'past' && verb.form !== 'third') return null;
  if (complement(context, verb, v)?.introducesQuote == null) return null;
  let last = v - 1;
  while (last >= 0 && isAdverbOrAuxiliary(tokens[last])) last--;
  if (last >= 0 && tokens[last].text === ',') {
    // ", 25," or ", a former captain,": an appositive of the phrase before it.
    let open = last - 1;
    while (open >= 0 && open >= last - 6 && tokens[open].text !== ',' && !tokens[open].quoted && tokens[open].pos !== 'VERB') open--;
    if (open < 1 || tokens[open].text !== ',') return null;
    last = open - 1;
  }
  let first = last;
  while (first > 0 && tokens[first - 1].isWord && !tokens[first - 1].quoted && last - first < 6) first--;
  for (let start = first; start < last; start++) {
    const match = speakerSlot(context.text, tokens.slice(start, last + 1), { lenientHead: true });
    if (match && (start === 0 || !tokens[start - 1].isWord || tokens[start - 1].pos === 'ADP' || tokens[start - 1].pos === 'SCONJ')) {
      return { match: { ...match, end: tokens[v - 1].end }, first: start, opener: tokens[start - 1] };
    }
  }
  return null;
}

/** Verbs that hand their subject to an infinitive: "continued to insist", "went on to say". */
const CATENATIVES = new Set(['continue', 'continued', 'continues', 'began', 'begin', 'begins', 'started', 'start', 'starts']);

/** Index of the catenative verb ending at `last` ("continued", "went on"), or -1. */
function catenativeBefore(tokens: Token[], last: number): number {
  if (CATENATIVES.has(tokens[last].key)) return last;
  if (tokens[last].key === 'on' && last > 0 && ['went', 'go', 'goes'].includes(tokens[last - 1].key)) return last - 1;
  return -1;
}

/** "He said X but admitted that Y": a verb after "and"/"but" shares the previous verb's source. */
function sharedSubject(context: VerbContext, v: number): SubjectMatch | null {
  const tokens = context.sentence.tokens;
  let p = v - 1;
  while (p >= 0 && isAdverbOrAuxiliary(tokens[p])) p--;
  if (p < 0 || !['and', 'but'].includes(tokens[p].key)) return null;
  const previous = [...context.earlier].reverse().find((candidate) => candidate.speaker && candidate.cue < v);
  // "The agency appeared to hesitate and called on X to ...": else the main clause's subject.
  if (!previous?.speaker) {
    const main = mainSubject(context.text, tokens, p);
    return main ? { ...main, first: v, detached: true } : null;
  }
  return { match: previous.speaker, first: v, opener: undefined };
}

function pluralSubject(match: SpeakerMatch): boolean {
  if (match.pronoun) return ['they', 'we', 'i', 'you'].includes(match.pronoun);
  const words = (match.speaker.descriptor ?? match.speaker.name ?? '').split(/\s+/);
  // The head noun stands before its post-modifier: "residents of ...", "Americans involved in ...".
  const headWord = match.speaker.anonymous
    ? words.find((word, i) => i > 0 && (/^(in|of|at|from|who|that|familiar|close)$/i.test(word) || /^[a-z]+(?:ed|ing)$/.test(word)))
    : undefined;
  const head = headWord ? words[words.indexOf(headWord) - 1] : words[words.length - 1];
  return /[^s]s$/i.test(head ?? '') || ['people', 'many', 'some', 'others', 'several', 'most', 'few', 'both', 'police'].includes((head ?? '').toLowerCase());
}

const DOCUMENT_FINDINGS = new Set(['show', 'find', 'indicate', 'suggest', 'reveal']);

/** "..., the ministry confirmed on Friday." / "..., he said in a statement.": nothing but an adjunct follows. */
function onlyAdjunctLeft(tokens: Token[], from: number): boolean {
  const rest = tokens.slice(from).filter((token) => !/^[.!?]$/.test(token.text));
  if (rest.length === 0) return true;
  // "..., the Fed said, no change from its last assessment.": a verbless phrase about the clause.
  if (
    rest[0].text === ',' &&
    rest.length > 1 &&
    rest.slice(1).every((token) => !token.quoted && token.text !== ',' && token.pos !== 'VERB' && token.pos !== 'AUX')
  )
    return true;
  if (rest.length > 6 || !ADJUNCT_STARTERS.has(rest[0].key) || rest.some((token) => token.quoted || token.text === ',')) return false;
  return !rest.some((token) => token.key === 'that');
}

const INTRODUCTORY = new Set([
  'after',
  'before',
  'in',
  'on',
  'at',
  'during',
  'while',
  'when',
  'as',
  'since',
  'speaking',
  'asked',
  'for',
  'with',
  'despite',
  'following',
  'although',
  'though',
  'if',
  'once',
  'by',
]);

/**
 * "<clause>, the Office for National Statistics said on Wednesday, the lowest rate since 2021.":
 * a say-verb whose subject follows a comma after a full clause, with no clause of its own after it.
 */
function trailingAttribution(tokens: Token[], subject: SubjectMatch, verb: ReportingVerb, after: number): boolean {
  if (!verb.clause || subject.opener?.text !== ',') return false;
  const next = tokens[after];
  if (!next || !ADJUNCT_STARTERS.has(next.key)) return false;
  let k = after;
  while (k < tokens.length && tokens[k].isWord && !tokens[k].quoted && tokens[k].key !== 'that') k++;
  if (k - after > 5 || (k < tokens.length && tokens[k].text !== ',' && !/^[.!?]$/.test(tokens[k].text))) return false;
  let first = 0;
  while (first < subject.first && !tokens[first].isWord) first++;
  if (INTRODUCTORY.has(tokens[first]?.key ?? '')) return false;
  return unquotedWords(tokens, first, subject.first - 1) >= 4;
}

/** "Refunds, officials say, could take months.": the attribution interrupts the claim it covers. */
function parentheticalAttribution(tokens: Token[], subject: SubjectMatch, after: number): boolean {
  if (subject.opener?.text !== ',' || tokens[after]?.text !== ',') return false;
  const before = tokens.slice(0, subject.first - 1);
  if (before.some((token) => token.text === ',' || token.quoted) || before.filter((token) => token.isWord).length < 1) return false;
  if (INTRODUCTORY.has(before.find((token) => token.isWord)?.key ?? '')) return false;
  return unquotedWords(tokens, after + 1, tokens.length) >= 3;
}

function fromSubject(context: VerbContext, verb: ReportingVerb, v: number, subject: SubjectMatch): SpeechHit | null {
  const tokens = context.sentence.tokens;
  const after = skipAdverbs(tokens, v + 1);
  if (after >= tokens.length || onlyAdjunctLeft(tokens, after) || trailingAttribution(tokens, subject, verb, after)) {
    return postHit(context, v, subject.match, subject.first);
  }
  // "..., a senior aide told Reuters.": the addressee, then nothing but an adjunct.
  if (verb.lemma === 'tell' && subject.opener?.text === ',') {
    let k = after;
    while (k < tokens.length && tokens[k].isWord && !tokens[k].quoted && tokens[k].key !== 'that' && k - after < 5) k++;
    if (k > after && onlyAdjunctLeft(tokens, k)) return postHit(context, v, subject.match, subject.first, mediaName(context.text, tokens.slice(after, k)));
  }
  if (parentheticalAttribution(tokens, subject, after)) {
    return hit({
      sentence: context.sentence,
      cue: v,
      regionStart: 0,
      speaker: subject.match,
      contentStart: 0,
      contentEnd: tokens.length,
      frame: 'clause',
      regionEnd: tokens.length,
    });
  }
  // "Fresh forecasts showed policymakers shifting ...": what a document shows is its content.
  const shape =
    complement(context, verb, v) ??
    (subject.match.speaker.kind === 'DOCUMENT' && DOCUMENT_FINDINGS.has(verb.lemma) && unquotedWords(tokens, v + 1, tokens.length) >= 4
      ? { frame: 'object' as const, contentStart: v + 1, via: null, introducesQuote: null }
      : null);
  if (!shape) return null;
  const what = subject.opener?.key === 'what';
  // "for what he said was a “reckless waste”": the predicate after "was" is what was said. At the
  // start of a sentence ("What the minister said was not true") it is the writer's judgement.
  if (what && isBeForm(tokens[v + 1])) {
    const whatIndex = subject.first - 1;
    if (tokens.slice(0, whatIndex).every((token) => !token.isWord)) return null;
    return hit({
      sentence: context.sentence,
      cue: v,
      regionStart: whatIndex,
      speaker: subject.match,
      contentStart: v + 2,
      contentEnd: tokens.length,
      frame: 'what',
      subjectFirst: subject.first,
    });
  }
  const regionStart = what ? subject.first - 1 : Math.min(subject.first, v);
  return hit({
    sentence: context.sentence,
    cue: v,
    regionStart,
    speaker: subject.match,
    contentStart: what ? subject.first - 1 : shape.contentStart,
    contentEnd: tokens.length,
    frame: what ? 'what' : shape.frame,
    via: shape.via,
    introducesQuote: shape.introducesQuote,
    subjectFirst: subject.first,
    detached: subject.detached,
  });
}

/** "..., said the mayor." / "..., the mayor said." after unquoted content: the content is what precedes. */
function postHit(context: VerbContext, v: number, speaker: SpeakerMatch, speakerFirst: number, via: string | null = null): SpeechHit | null {
  const tokens = context.sentence.tokens;
  const comma = Math.min(speakerFirst, v) - 1;
  if (comma < 1 || tokens[comma].text !== ',') return null;
  let start = 0;
  while (start < comma && (!tokens[start].isWord || ['but', 'and', 'yet', 'so'].includes(tokens[start].key))) start++;
  // "“...,” the mayor said" is a direct quote; a paraphrase holding a quotation ("Risks remain
  // “roughly balanced” between ..., the Fed said") is reported speech that keeps it.
  if (tokens[start].quoted || (tokens.slice(start, comma).some((token) => token.quoted) && unquotedWords(tokens, start, comma) < 4)) return null;
  if (unquotedWords(tokens, start, comma) < 3) return null;
  return hit({
    sentence: context.sentence,
    cue: v,
    regionStart: start,
    speaker,
    contentStart: start,
    contentEnd: comma,
    frame: 'post',
    regionEnd: tokens.length,
    via,
  });
}

function invertedHit(context: VerbContext, v: number): SpeechHit | null {
  const { text, sentence } = context;
  const tokens = sentence.tokens;
  if (v === 0 || tokens[v - 1].text !== ',') return null;
  const source = parseSourceAfter(text, tokens, v + 1);
  if (!source) return null;
  const rest = tokens.slice(source.nextIndex).filter((token) => token.isWord);
  if (rest.length > 0) return null;
  return postHit(context, v, source, v);
}

function passiveHit(context: VerbContext, v: number, be: number): SpeechHit | null {
  const { text, sentence } = context;
  const tokens = sentence.tokens;
  const by = skipAdverbs(tokens, v + 1);
  if (tokens[by]?.key !== 'by') return null;
  const agent = parseSourceAfter(text, tokens, by + 1);
  if (!agent || agent.pronoun) return null;
  let first = be - 1;
  while (
    first >= 0 &&
    !tokens[first].quoted &&
    tokens[first].text !== ',' &&
    tokens[first].text !== ';' &&
    !(CLAUSE_OPENERS.has(tokens[first].key) && first === 0)
  )
    first--;
  first++;
  return hit({
    sentence,
    cue: v,
    regionStart: first,
    speaker: agent,
    contentStart: first,
    contentEnd: tokens.length,
    frame: 'passive',
  });
}

const PERCEPTION_VERBS = new Set(['heard', 'seen', 'caught', 'filmed', 'recorded', 'overheard']);

/** Index of "heard" in "heard saying", of "quoted" in "quoted as saying"; -1 otherwise. */
function perceivingVerbBefore(tokens: Token[], v: number): number {
  if (PERCEPTION_VERBS.has(tokens[v - 1]?.key ?? '')) return v - 1;
  if (tokens[v - 1]?.key === 'as' && tokens[v - 2]?.key === 'quoted') return v - 2;
  return -1;
}

/**
 * "Lee, who is on loan at Leeds, responded ..., saying ...": the main verb right after the comma
 * closing a relative clause or appositive, and the subject across it.
 */
function subjectOfFirstVerbAfterComma(text: string, tokens: Token[], before: number): SubjectMatch | null {
  for (let k = 1; k < before; k++) {
    if (tokens[k - 1].text !== ',' || tokens[k].quoted || tokens[k].pos !== 'VERB' || !/ed$/.test(tokens[k].key)) continue;
    const subject = subjectBefore(text, tokens, k);
    if (subject && subject.first === 0 && !subject.match.pronoun) return subject;
  }
  return null;
}

export function participleHit(context: VerbContext, verb: ReportingVerb, v: number): SpeechHit | null {
  const { text, sentence, earlier } = context;
  const tokens = sentence.tokens;
  if (v === 0) return null; // "Speaking at ...", "Citing ...": the subject comes later, not a report
  const direct = subjectBefore(text, tokens, v);
  if (direct && direct.opener?.key === 'with') return fromSubject(context, verb, v, direct);
  // "X can be heard saying that ...", "X was quoted as saying ...": the subject of the perception
  // or quoting verb is the speaker.
  const perceived = perceivingVerbBefore(tokens, v);
  if (perceived >= 0) {
    const subject = subjectBefore(text, tokens, perceived);
    return subject && !subject.match.bareDefiniteDocument ? fromSubject(context, verb, v, subject) : null;
  }
  // "..., accusing her of X and saying Y": a participle coordinated with one set off by a comma.
  const coordinated =
    tokens[v - 1].key === 'and' && tokens.slice(0, v - 1).some((token, k) => token.text === ',' && /^[a-z]+ing$/.test(tokens[k + 1]?.text ?? ''));
  if (tokens[v - 1].text !== ',' && !coordinated) return null;
  const previous = [...earlier].reverse().find((candidate) => candidate.speaker && candidate.cue < v);
  const subject: SubjectMatch | null = previous?.speaker
    ? { match: previous.speaker, first: previous.subjectFirst ?? previous.regionStart, opener: undefined }
    : (mainSubject(text, tokens, v) ?? subjectOfFirstVerbAfterComma(text, tokens, v));
  if (!subject) return null;
  const shape = complement(context, verb, v);
  if (!shape) return null;
  return hit({
    sentence,
    cue: v,
    regionStart: v,
    speaker: subject.match,
    contentStart: shape.contentStart,
    contentEnd: tokens.length,
    frame: shape.frame,
    via: shape.via ?? previous?.via ?? null,
    introducesQuote: shape.introducesQuote,
    subjectFirst: null,
    detached: true,
  });
}
