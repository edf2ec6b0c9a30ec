/**
 * Reported speech: the paraphrased or characterised content of a source, found from a reporting
 * verb and its subject ("critics argue that ...", "Reyes revealed plans ...", "what Beijing
 * describes as ..."), from "according to X", from hearsay adverbs ("reportedly"), from passives
 * with an agent ("was interpreted by some as ...") and from "For many in X, ..." viewpoints.
 * Works on one sentence's tokens; offsets stay UTF-16 until the orchestrator converts them.
 */
import { asChannelToEnd, contentEnd, inOpeningSubordinate, inRelativeClause, trimEnd, type SentenceContext } from './clauses.js';
import { accordingHits, accordingTo, hearsayHits, stanceHits, viewpointHit } from './cue-frames.js';
import { parseSourceAfter } from './speaker-after.js';
import { hit, unquotedWords, type SpeechHit, type VerbContext } from './speech-hit.js';
import { isCapitalized, type Token } from './text.js';
import { finiteHit, participleHit } from './verb-frames.js';
import { type ReportingVerb, reportingVerb } from './verbs.js';

export type { SpeechFrame, SpeechHit } from './speech-hit.js';

/** All reported-speech attributions in one sentence, content ends settled, sorted by position. */
export function findReportedSpeech(text: string, sentence: SentenceContext): SpeechHit[] {
  const context: VerbContext = { text, sentence, earlier: [] };
  const tokens = sentence.tokens;
  const viewpoint = viewpointHit(context);
  let hits: SpeechHit[] = viewpoint ? [viewpoint] : [];
  hits.push(...hearsayHits(context), ...stanceHits(context), ...speechNounHits(context));
  for (let v = 0; v < tokens.length; v++) {
    const token = tokens[v];
    if (token.quoted || !token.isWord) continue;
    if (isCapitalized(token.text) && v > 0) continue;
    if (readsAsNoun(tokens, v)) continue;
    const verb = reportingVerb(token.key) ?? makeClear(tokens, v);
    if (!verb) continue;
    if (hits.some((existing) => existing.frame === 'hearsay' && existing.cue === v)) continue;
    context.earlier = hits;
    const found = verb.form === 'ing' ? participleHit(context, verb, v) : finiteHit(context, verb, v);
    if (found && !(viewpoint && found.regionStart < (viewpoint.contentEnd ?? 0) && found.frame !== 'clause')) hits.push(found);
  }
  // "The Kremlin believes that ..., analysts say.": everything before the trailing attribution is
  // what its source says, a report inside it included.
  const trailing = hits.filter((candidate) => candidate.frame === 'post');
  hits = hits.filter(
    (candidate) => candidate.frame === 'post' || !trailing.some((post) => candidate.cue >= post.contentStart && candidate.cue < post.contentEnd),
  );
  const according = accordingTo(context);
  if (according) hits = accordingHits(context, according, hits);
  hits.sort((a, b) => a.regionStart - b.regionStart || a.cue - b.cue);
  settleContentEnds(hits, tokens);
  // "... the only option because authorities were concerned about ...": a stance inside what
  // another source said is part of that content, not a statement of its own.
  hits = hits.filter(
    (candidate) =>
      candidate.frame !== 'stance' ||
      !hits.some((other) => other !== candidate && other.contentStart <= candidate.regionStart && other.contentEnd >= candidate.contentEnd),
  );
  return hits.filter((candidate) => candidate.introducesQuote !== null || candidate.contentEnd > candidate.contentStart);
}

const SPEECH_NOUNS = new Set([
  'statement',
  'statements',
  'claim',
  'claims',
  'assertion',
  'assertions',
  'allegation',
  'allegations',
  'assurance',
  'assurances',
  'warning',
  'warnings',
  'announcement',
  'accusation',
  'accusations',
  'insistence',
  'argument',
  'promise',
]);

/** "Statements by the agency that no one would be removed ...": a speech noun, its source, its content clause. */
function speechNounHits(context: VerbContext): SpeechHit[] {
  const { text, sentence } = context;
  const tokens = sentence.tokens;
  const hits: SpeechHit[] = [];
  for (let n = 0; n < tokens.length - 3; n++) {
    if (tokens[n].quoted || !SPEECH_NOUNS.has(tokens[n].key) || !['by', 'from'].includes(tokens[n + 1].key)) continue;
    const source = parseSourceAfter(text, tokens, n + 2);
    if (!source || source.pronoun || tokens[source.nextIndex]?.key !== 'that' || tokens[source.nextIndex].quoted) continue;
    let contentStart = source.nextIndex + 1;
    while (contentStart < tokens.length && !tokens[contentStart].isWord && !tokens[contentStart].quoted) contentStart++;
    hits.push(hit({ sentence, cue: n, regionStart: n, speaker: source, contentStart, contentEnd: tokens.length, frame: 'clause' }));
  }
  return hits;
}

const MAKE_FORMS: Record<string, ReportingVerb['form']> = { make: 'base', makes: 'third', made: 'past', making: 'ing' };

/** "made it clear that ...", "has made plain that ...": an idiom that reports like "said". */
function makeClear(tokens: Token[], v: number): ReportingVerb | undefined {
  const form = MAKE_FORMS[tokens[v].key];
  if (!form) return undefined;
  let k = v + 1;
  if (tokens[k]?.key === 'it') k++;
  while (tokens[k] && /^[a-z]+ly$/.test(tokens[k].text) && tokens[k].key.length > 4) k++;
  if (!['clear', 'plain'].includes(tokens[k]?.key ?? '') || tokens[k + 1]?.key !== 'that' || tokens[k].quoted) return undefined;
  return { lemma: 'make clear', clause: true, object: false, as: false, needsComplement: false, form };
}

/**
 * "Insurance claims from the flood rose", "the report noted": a verb form the model tags as a noun,
 * with a determiner or modifier before it or a preposition after it, heads a noun phrase. The tag
 * alone is not trusted ("observers fear that ..." is tagged as a noun too).
 */
function readsAsNoun(tokens: Token[], v: number): boolean {
  if (tokens[v].pos !== 'NOUN' && tokens[v].pos !== 'PROPN') return false;
  const before = tokens[v - 1];
  const after = tokens[v + 1];
  if (before && (['DET', 'ADJ', 'NUM'].includes(before.pos) || /['’]s$/.test(before.text))) return true;
  return after !== undefined && after.pos === 'ADP' && !['that', 'as'].includes(after.key);
}

const SUBORDINATE_STARTS = new Set(['because', 'since', 'as', 'although', 'though', 'if', 'unless', 'until']);

const FINITE_AFTER_AND = new Set(['have', 'has', 'had', 'will', 'would', 'is', 'are', 'was', 'were', 'also', 'then', 'later', 'did']);

function settleContentEnds(hits: SpeechHit[], tokens: Token[]): void {
  for (const current of hits) {
    if (current.introducesQuote !== null) {
      current.contentEnd = current.contentStart;
      current.regionEnd = Math.max(current.cue + 1, current.regionEnd);
      continue;
    }
    if (current.frame === 'post' || (current.frame === 'according' && current.contentEnd < tokens.length)) continue;
    if (current.frame === 'viewpoint') {
      current.contentEnd = tokens.length;
      current.regionEnd = tokens.length;
      continue;
    }
    if (current.frame === 'what') {
      let end = current.contentStart + 1;
      while (end < tokens.length && (tokens[end].isWord || tokens[end].quoted || /^[-'’]$/.test(tokens[end].text))) end++;
      current.contentEnd = trimEnd(tokens, current.contentStart, end);
      current.regionEnd = current.contentEnd;
      continue;
    }
    const later = hits.find(
      (other) =>
        other !== current &&
        other.frame !== 'what' &&
        other.frame !== 'hearsay' &&
        !(other.frame === 'stance' && SUBORDINATE_STARTS.has(tokens[other.regionStart - 1]?.key ?? '')) &&
        other.regionStart > current.contentStart &&
        other.cue > current.cue,
    );
    const limit = later ? later.regionStart : tokens.length;
    let end = contentEnd(tokens, current.contentStart, limit, {
      stopAtFirstComma: inOpeningSubordinate(tokens, current.cue) || inRelativeClause(tokens, current.cue),
      stopAtDash: current.frame === 'hearsay',
    });
    // "describe the crossing as 'a hidden gem' and have featured it ...": a second predicate of
    // the subject, not part of what was said.
    if (current.frame === 'object' || current.frame === 'as') {
      for (let i = current.cue + 2; i < end - 1; i++) {
        // "..., keeping policy loose": a free adjunct of the subject after the characterisation.
        let after = i + 1;
        while (after < end && !tokens[after].isWord && tokens[after].quoted) after++;
        if (tokens[i].text === ',' && /^[a-z]+ing$/.test(tokens[after]?.text ?? '') && !tokens[after].quoted) {
          end = trimEnd(tokens, current.contentStart, after);
          break;
        }
        if (tokens[i].quoted || !['and', 'but'].includes(tokens[i].key)) continue;
        const next = tokens[i + 1];
        if (FINITE_AFTER_AND.has(next.key) || (reportingVerb(next.key)?.form === 'past' && !next.quoted)) {
          end = trimEnd(tokens, current.contentStart, i);
          break;
        }
      }
    }
    current.contentEnd = end;
    current.regionEnd = Math.max(end, current.cue + 1);
    // "..., as the paper reported.": the channel after the content is part of the attribution.
    for (let k = end; k < Math.min(tokens.length, end + 3); k++) {
      if (tokens[k].key === 'as' && !tokens[k].quoted && asChannelToEnd(tokens, k + 1)) current.regionEnd = tokens.length;
    }
    // A bare object ("expressed mixed emotions") is no claim without its subject: take the clause.
    const contentWords = tokens.slice(current.contentStart, end).filter((token) => token.isWord).length;
    if ((current.frame === 'object' || current.frame === 'as') && current.subjectFirst !== null && current.contentStart <= current.cue && contentWords < 5) {
      current.contentStart = Math.min(current.contentStart, current.subjectFirst);
    }
    const content = tokens.slice(current.contentStart, end);
    if (current.frame === 'clause' && !content.some((token) => token.quoted)) {
      // "Lederman said about the suit": a content clause has a verb of its own.
      // The model may tag the clause's verb as a noun ("the closures cost $30 million"): a clause
      // of four words or more that does not open with a preposition is trusted too.
      // Without "that" the tag must show the verb: "claimed responsibility for the attack in a
      // post" is a noun phrase, an act and not a report.
      const afterThat = tokens[current.contentStart - 1]?.key === 'that';
      const predicate =
        content.some((token) => token.pos === 'VERB' || token.pos === 'AUX') ||
        (afterThat && content[0]?.pos !== 'ADP' && unquotedWords(tokens, current.contentStart, end) >= 4);
      if (unquotedWords(tokens, current.contentStart, end) < 2 || !predicate) current.contentEnd = current.contentStart;
    }
  }
}

/** True when the content is (almost) nothing but a quotation, so the quotation alone is the statement. */
export function contentIsQuotation(speech: SpeechHit): boolean {
  const tokens = speech.sentence.tokens;
  const from = speech.contentStart <= speech.cue ? speech.cue + 1 : speech.contentStart;
  const hasQuote = tokens.slice(from, speech.contentEnd).some((token) => token.quoted && token.isWord);
  const carrying = tokens.slice(from, speech.contentEnd).filter((token) => token.isWord && !token.quoted && !LIGHT_WORDS.has(token.key));
  // A characterisation ("called the role '...'") has the quotation as its predicate; after "said",
  // any word outside the quotation ("the barriers '...'") is part of the claim.
  const characterising = speech.frame === 'as' || speech.frame === 'object';
  return hasQuote && !characterising && carrying.length < 1;
}

const LIGHT_WORDS = new Set(['that', 'as', 'to', 'of']);
