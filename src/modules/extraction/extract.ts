import { findAssertions, scoreCheckworthiness } from './assertions.js';
import { attributeQuotation, isStatementQuotation, quotationShape, type QuoteAttribution } from './attribution.js';
import type { SentenceContext } from './clauses.js';
import { analyse } from './nlp.js';
import { findQuotations, topLevel, type Quotation } from './quotes.js';
import { contentIsQuotation, findReportedSpeech, type SpeechHit } from './reported.js';
import { SourceRegistry } from './resolve.js';
import { sentenceSpans } from './segment.js';
import type { SpeakerMatch } from './speakers.js';
import { CodePointIndex, tokenize, wordCount } from './text.js';
import type { ClaimKind, ExtractedSpeaker, ExtractedStatement, Sourcing, Span } from './types.js';

/** A statement before offsets are converted and pronouns resolved; offsets are UTF-16. */
interface Draft {
  kind: ClaimKind;
  start: number;
  end: number;
  /** Words the statement accounts for (attribution included), kept out of assertion search. */
  cover: Span;
  speaker: SpeakerMatch | null;
  via: string | null;
  confidence: number;
  sentence: SentenceContext;
  /** Reported speech with no one to say it. */
  impersonal?: boolean;
  /** UTF-16 offset of the opening mark, for direct quotes. */
  quotationOpen?: number;
}

function buildSentences(text: string, quotations: Quotation[]): SentenceContext[] {
  const quoted = quotations.map((quotation) => ({ start: quotation.open, end: quotation.close + 1 }));
  const analysis = analyse(text);
  let paragraph = 0;
  let cursor = 0;
  return sentenceSpans(text, quotations, analysis).map((span, index) => {
    for (; cursor < span.start; cursor++) if (text[cursor] === '\n') paragraph++;
    return { index, start: span.start, end: span.end, paragraph, tokens: tokenize(analysis, span.start, span.end, quoted) };
  });
}

function speechDraft(hit: SpeechHit, quoteStatements: ReadonlySet<number>): Draft | null {
  if (hit.introducesQuote !== null || (!hit.speaker && !hit.impersonal)) return null;
  const tokens = hit.sentence.tokens;
  // "described it as '...'": when the quotation is itself a statement, the paraphrase adds nothing.
  const quotedStatementInside = tokens.slice(hit.contentStart, hit.contentEnd).some((token) => quoteStatements.has(token.start));
  if (contentIsQuotation(hit) && quotedStatementInside) return null;
  let contentEnd = hit.contentEnd;
  // A statement that is the whole sentence keeps its full stop.
  if (hit.contentStart === 0 && contentEnd === tokens.length - 1 && /^[.!?]$/.test(tokens[contentEnd].text)) contentEnd++;
  const start = tokens[hit.contentStart].start;
  const end = tokens[contentEnd - 1].end;
  const regionStart = tokens[Math.min(hit.regionStart, hit.contentStart)].start;
  const regionEnd = tokens[Math.max(hit.regionEnd, contentEnd) - 1]?.end ?? end;
  const speakerStart = hit.detached ? regionStart : Math.min(hit.speaker?.start ?? regionStart, regionStart);
  return {
    kind: 'REPORTED_SPEECH',
    start,
    end,
    cover: {
      start: hit.frame === 'what' ? regionStart : Math.min(speakerStart, regionStart),
      end: Math.max(regionEnd, end, hit.speaker && hit.speaker.end <= hit.sentence.end ? hit.speaker.end : end),
    },
    speaker: hit.speaker,
    via: hit.via,
    confidence: hit.confidence - (hit.speaker?.pronoun ? 0.05 : 0),
    impersonal: hit.impersonal,
    sentence: hit.sentence,
  };
}

function quoteDrafts(text: string, sentences: SentenceContext[], speech: SpeechHit[], quotations: Quotation[]): Draft[] {
  const drafts: Draft[] = [];
  const earlier: Array<{ quotation: Quotation; attribution: QuoteAttribution }> = [];
  let lastQuote: { draft: Draft; paragraph: number } | null = null;
  for (const quotation of topLevel(quotations)) {
    let attribution = attributeQuotation({ text, sentences, speech }, quotation, earlier);
    const sentence = sentences.find((candidate) => quotation.open >= candidate.start && quotation.open < candidate.end);
    if (!sentence) continue;
    const shape = quotationShape(text, quotation, sentence);
    earlier.push({ quotation, attribution });
    // A follow-on quotation with no attribution of its own continues the previous speaker, when
    // it comes right after (same or next paragraph) and reads as speech, not as a label.
    // Nobody else may have spoken in between ("when nobody else has spoken", LABELLING.md).
    const otherSpoke =
      lastQuote !== null &&
      speech.some((hit) => hit.speaker && !hit.speaker.pronoun && hit.sentence.index > lastQuote!.draft.sentence.index && hit.sentence.index < sentence.index);
    if (
      attribution.source === 'none' &&
      lastQuote &&
      !otherSpoke &&
      sentence.paragraph - lastQuote.paragraph <= 1 &&
      shape.standalone &&
      (shape.words >= 5 || (shape.words >= 2 && shape.punctuated))
    ) {
      attribution = { ...attribution, speaker: lastQuote.draft.speaker, via: lastQuote.draft.via, source: 'continuation' };
    }
    if (!isStatementQuotation(shape, attribution)) continue;
    // Calibrated on the development articles (eval:extraction prints precision per band): quotes
    // with their attribution beside them were all right, follow-on quotes nearly all, and a quote
    // with no attribution at all mostly was not a statement.
    const confidence = { post: 0.95, pre: 0.9, split: 0.9, speech: 0.8, inside: 0.8, continuation: 0.8, none: 0.3 }[attribution.source];
    const draft: Draft = {
      kind: 'DIRECT_QUOTE',
      start: quotation.contentStart,
      end: quotation.contentEnd,
      cover: { start: Math.min(attribution.coverStart, quotation.open), end: Math.max(attribution.coverEnd, quotation.close + 1) },
      speaker: attribution.speaker,
      via: attribution.via,
      confidence,
      sentence,
      quotationOpen: quotation.open,
    };
    drafts.push(...paragraphPieces(text, sentences, quotation, draft));
    lastQuote = {
      draft,
      paragraph: sentences.find((candidate) => quotation.close >= candidate.start && quotation.close <= candidate.end)?.paragraph ?? sentence.paragraph,
    };
  }
  return drafts;
}

/**
 * A quotation running over several paragraphs, re-opened at each, is one statement per paragraph
 * (LABELLING.md), all with the same speaker.
 */
function paragraphPieces(text: string, sentences: SentenceContext[], quotation: Quotation, draft: Draft): Draft[] {
  if (quotation.reopenings.length === 0) return [draft];
  const pieces: Draft[] = [];
  let start = quotation.contentStart;
  for (const reopening of [...quotation.reopenings, -1]) {
    let end = reopening === -1 ? quotation.contentEnd : text.lastIndexOf('\n', reopening);
    while (end > start && /[\s,;:—–-]/.test(text[end - 1])) end--;
    if (end > start) {
      const sentence = sentences.find((candidate) => start >= candidate.start && start < candidate.end) ?? draft.sentence;
      pieces.push({ ...draft, start, end, sentence });
    }
    if (reopening !== -1) {
      start = reopening + 1;
      while (start < text.length && /\s/.test(text[start])) start++;
    }
  }
  return pieces.length > 0 ? pieces : [draft];
}

interface Resolved {
  speaker: ExtractedSpeaker | null;
  confidencePenalty: number;
}

function resolveSpeaker(
  draft: Draft,
  registry: SourceRegistry,
  previous: Array<{ draft: Draft; speaker: ExtractedSpeaker | null }>,
  sentences: SentenceContext[],
): Resolved {
  const match = draft.speaker;
  if (!match) return { speaker: null, confidencePenalty: 0 };
  // A follow-on quote carries its speaker's words from an earlier sentence: resolve them there.
  const matchSentence = sentences.find((sentence) => match.start >= sentence.start && match.start < sentence.end)?.index ?? draft.sentence.index;
  if (match.epithet) {
    // "said the 26-year-old": the person named last, if one was named close before.
    const named = registry.personBefore(match.start, Math.min(matchSentence, draft.sentence.index));
    if (named) return { speaker: named.speaker, confidencePenalty: 0.1 };
  }
  if (!match.pronoun) return { speaker: registry.resolve(match.speaker), confidencePenalty: 0 };
  if (match.pronoun === 'he' || match.pronoun === 'she') {
    const named = registry.personBefore(match.start, draft.sentence.index);
    // "A resident who lives near the depot said ... 'It was like an earthquake,' he said.": a
    // described single person who spoke more recently than anyone was named is the "he".
    const described = [...previous]
      .reverse()
      .find(
        (candidate) =>
          draft.sentence.index - candidate.draft.sentence.index <= 2 &&
          candidate.speaker?.anonymous &&
          candidate.speaker.kind === 'PERSON' &&
          /^(?:a|an|one|another|the)\s/i.test(candidate.speaker.descriptor ?? ''),
      );
    if (described?.speaker && (!named || (described.draft.speaker?.start ?? 0) > named.position)) {
      return { speaker: described.speaker, confidencePenalty: 0.1 };
    }
    return named ? { speaker: named.speaker, confidencePenalty: 0.05 } : { speaker: null, confidencePenalty: 0.2 };
  }
  if (match.pronoun === 'they' || match.pronoun === 'it') {
    const wanted = (speaker: ExtractedSpeaker): boolean =>
      match.pronoun === 'it' ? speaker.kind === 'ORGANIZATION' || speaker.kind === 'DOCUMENT' : speaker.anonymous || speaker.kind === 'ORGANIZATION';
    for (let i = previous.length - 1; i >= 0; i--) {
      const candidate = previous[i];
      if (draft.sentence.index - candidate.draft.sentence.index > 3) break;
      if (candidate.speaker && wanted(candidate.speaker)) return { speaker: candidate.speaker, confidencePenalty: 0.1 };
    }
  }
  return { speaker: null, confidencePenalty: 0.2 };
}

function sourcingOf(speaker: ExtractedSpeaker | null): Sourcing {
  if (!speaker) return 'UNSOURCED';
  return speaker.anonymous ? 'ANONYMOUS' : 'SOURCED';
}

/**
 * A first line without final punctuation, followed by more text, is a headline: it restates the
 * story's claims in telegraphic form ("Senator questions chip subsidy"), and the body says them properly.
 */
function isHeadline(text: string, sentence: SentenceContext): boolean {
  if (sentence.index !== 0 || sentence.paragraph !== 0) return false;
  const lineEnd = text.indexOf('\n', sentence.start);
  if (lineEnd === -1 || text.slice(sentence.end, lineEnd).trim() !== '' || text.slice(lineEnd).trim() === '') return false;
  return !/[.!?…"”’')]$/.test(text.slice(sentence.start, sentence.end)) && wordCount(text.slice(sentence.start, sentence.end)) <= 14;
}

/** Candidate statements of an article's plain text, sorted by start (code point offsets). */
export function extractStatements(text: string): ExtractedStatement[] {
  const index = new CodePointIndex(text);
  const quotations = findQuotations(text);
  const allSentences = buildSentences(text, quotations);
  const headline = allSentences.find((sentence) => isHeadline(text, sentence));
  const sentences = allSentences;
  const body = sentences.filter((sentence) => sentence !== headline);
  const speech = body.flatMap((sentence) => findReportedSpeech(text, sentence));
  const quotes = quoteDrafts(text, sentences, speech, quotations).filter((draft) => draft.sentence !== headline);
  const quoteStatements = new Set(quotes.map((draft) => draft.quotationOpen ?? -1));
  // Words inside a quotation's attribution ("..., said a shop owner, who asked not to be named
  // because she feared ...") describe the speaker; they are not a statement of their own.
  const inAttribution = (draft: Draft): boolean =>
    quotes.some((quote) => draft.start >= quote.cover.start && draft.end <= quote.cover.end && (draft.end <= quote.start || draft.start >= quote.end));
  const drafts: Draft[] = [
    ...quotes,
    ...speech.map((hit) => speechDraft(hit, quoteStatements)).filter((draft): draft is Draft => draft !== null && !inAttribution(draft)),
  ].sort((a, b) => a.start - b.start || b.end - a.end);

  const registry = SourceRegistry.build(
    text,
    sentences,
    drafts.map((draft) => draft.speaker).filter((speaker): speaker is SpeakerMatch => speaker !== null),
  );
  const resolved: Array<{ draft: Draft; speaker: ExtractedSpeaker | null }> = [];
  for (const draft of drafts) {
    const { speaker, confidencePenalty } = resolveSpeaker(draft, registry, resolved, sentences);
    // Reported speech hangs on its source; with a pronoun nobody can be found for, it is noise.
    if (!speaker && draft.kind === 'REPORTED_SPEECH' && !draft.impersonal) continue;
    draft.confidence -= confidencePenalty;
    resolved.push({ draft, speaker });
  }

  // "calling it what she said was Y": of a report inside another report by the same source, the
  // inner one is what was said; the outer adds only the frame.
  const sameSource = (a: ExtractedSpeaker | null, b: ExtractedSpeaker | null): boolean =>
    a !== null && b !== null && (a.name ?? a.descriptor) === (b.name ?? b.descriptor);
  const kept = resolved.filter(
    ({ draft, speaker }) =>
      draft.kind !== 'REPORTED_SPEECH' ||
      !resolved.some(
        (other) =>
          other.draft !== draft &&
          other.draft.kind === 'REPORTED_SPEECH' &&
          sameSource(other.speaker, speaker) &&
          other.draft.start >= draft.start &&
          other.draft.end <= draft.end &&
          other.draft.end - other.draft.start < draft.end - draft.start,
      ),
  );

  const statements: ExtractedStatement[] = kept.map(({ draft, speaker }) => ({
    start: index.toCodePoint(draft.start),
    end: index.toCodePoint(draft.end),
    quote: text.slice(draft.start, draft.end),
    kind: draft.kind,
    sourcing: sourcingOf(speaker),
    speaker,
    via: draft.via,
    confidence: round(draft.confidence),
    checkworthiness: scoreCheckworthiness(text.slice(draft.start, draft.end), { speech: true }),
  }));

  const covered = drafts.map((draft) => draft.cover);
  for (const sentence of body) {
    for (const candidate of findAssertions(text, sentence, covered)) {
      statements.push({
        start: index.toCodePoint(candidate.start),
        end: index.toCodePoint(candidate.end),
        quote: text.slice(candidate.start, candidate.end),
        kind: 'ASSERTION',
        sourcing: 'UNSOURCED',
        speaker: null,
        via: null,
        confidence: assertionConfidence(candidate.score),
        checkworthiness: candidate.score,
      });
    }
  }

  const unique = new Map<string, ExtractedStatement>();
  for (const statement of statements.sort((a, b) => a.start - b.start || b.end - a.end)) {
    const key = `${statement.start}:${statement.end}:${statement.kind}`;
    if (!unique.has(key)) unique.set(key, statement);
  }
  return [...unique.values()];
}

/**
 * About one in three proposed assertions below a check-worthiness of 0.5 were labelled check-worthy
 * on the development articles, about two in three above it; finer steps of the score did not
 * separate them better.
 */
function assertionConfidence(checkworthiness: number): number {
  return checkworthiness >= 0.5 ? 0.65 : 0.35;
}

function round(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 100) / 100;
}
