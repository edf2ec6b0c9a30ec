/**
 * Checkworthiness and unattributed assertions. A reviewer's time goes to claims that can be
 * checked against the world: quantities, dates, comparisons, causes and effects, things said not
 * to have happened. Vague framing ("has taken on new significance") and questions score low, so
 * only notable assertions surface instead of every sentence of the article.
 */
import type { Span } from './types.js';
import { wordCount, type Token } from './text.js';

// Low on purpose: a desk would rather dismiss a plain sentence than miss a checkable one; the
// statement's confidence (calibrated on the labelled articles) tells the two apart.
export const ASSERTION_THRESHOLD = 0.2;

interface Feature {
  pattern: RegExp;
  weight: number;
}

const NUMBER_WORDS =
  'two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|half|percent|per cent';
const MONTHS = 'January|February|March|April|May|June|July|August|September|October|November|December|Jan\\.|Feb\\.|Aug\\.|Sept?\\.|Oct\\.|Nov\\.|Dec\\.';
const WEEKDAYS = 'Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday';

const FEATURES: Feature[] = [
  // quantities
  { pattern: /\d/u, weight: 0.3 },
  { pattern: new RegExp(`\\b(?:${NUMBER_WORDS})\\b|%`, 'i'), weight: 0.2 },
  // dates and times
  {
    pattern: new RegExp(
      `\\b(?:${MONTHS}|${WEEKDAYS})\\b|\\b(?:1[89]\\d\\d|20\\d\\d)s?\\b|\\b(?:last|next|this|past) (?:week|month|year|decade|century|spring|summer|autumn|fall|winter)\\b|\\byesterday\\b`,
      'u',
    ),
    weight: 0.2,
  },
  { pattern: /\b(?:days|weeks|months|years) (?:later|earlier|ago)\b/i, weight: 0.05 },
  // comparisons and change
  {
    pattern:
      /\bthan\b|\b(?:largest|biggest|highest|lowest|smallest|fastest|slowest|worst|best|strongest|weakest|deadliest|longest|oldest|youngest|richest|poorest|greatest)\b|\brecord\b|\bfirst time\b|\b(?:twice|double[sd]?|tripled?|halved)\b|\bcompared (?:with|to)\b/i,
    weight: 0.2,
  },
  { pattern: /\b(?:rose|risen|fell|fallen|grew|grown|declined(?!\s+to\b)|increased|decreased|surged|plunged|soared|dropped|doubled)\b/i, weight: 0.15 },
  // causes and effects
  {
    pattern:
      /\b(?:because|due to|caused|causing|led to|leading to|result(?:ed|s)? in|as a result|sparked|triggered|prompted|fuell?ed|drove|driven by|forced|raised (?:questions|concerns|fears|doubts|prices)|boosted|undermined?|reinforc(?:e|es|ed|ing)|strengthen(?:s|ed)?|weaken(?:s|ed)?|isolat(?:e|es|ed)|bolster(?:s|ed)?|contributed to|responsible for|blamed for|linked to|thanks to)\b/i,
    weight: 0.25,
  },
  // something said not to have happened is checkable
  {
    pattern:
      /\b(?:not|never|no longer)\s+(?:\w+ly\s+)?(?:\w+(?:ed|en)|gone|made|held|paid|built|known|seen|told|given)\b|\b(?:did|does|do|has|have|had|was|were) not\b|\b(?:didn|hasn|haven|wasn|weren)['’]t\b/i,
    weight: 0.2,
  },
  // decisions and plans that can be confirmed or denied
  { pattern: /\b(?:plans? to|planned to|intends? to|decided to|agreed to|voted to|approved|has been charged|was charged|pleaded)\b/i, weight: 0.1 },
  // a plain factual predication
  { pattern: /\b(?:is|are|was|were|has|have|had)\b/i, weight: 0.05 },
  // an event told in the past ("the state later waived the penalty"): it happened or it did not
  {
    pattern:
      /\b(?:[a-z]{3,}(?:ed)|made|took|gave|won|lost|met|left|began|became|held|paid|sold|bought|built|sent|spent|went|came|kept|brought|found|included)\b/,
    weight: 0.1,
  },
];

const FIRST_PERSON: Feature = { pattern: /\b(?:we|our|us|you|your|I)\b/, weight: -0.2 };

const PENALTIES: Feature[] = [
  { pattern: /\?/, weight: -0.5 },
  { pattern: /\b(?:may|might|perhaps|possibly|seems?|appears?|arguably|likely|could)\b/i, weight: -0.1 },
  { pattern: /\b(?:significance|implications|complexities|challenges|reminder|symbolic|debate|unfold|remains to be seen)\b/i, weight: -0.1 },
  FIRST_PERSON,
  // Newsroom boilerplate, not a claim about the world.
  {
    pattern:
      /\b(?:declined|refused)\s+to\s+(?:comment|respond|answer|elaborate|say)|\b(?:did|does|has|have|had|was|were|could)\s*(?:not|n['’]t)\s+(?:\w+ly\s+)?(?:respond|comment|reply|return|be reached)|\bnot (?:immediately )?available for comment|\bno immediate comment/i,
    // Heavy enough to outweigh the numbers and negation such a sentence usually carries.
    weight: -0.7,
  },
];

function namedEntityCount(sentence: string): number {
  const words = sentence.split(/\s+/).slice(1);
  const names = new Set<string>();
  for (const word of words) {
    const clean = word.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '').replace(/['’]s$/, '');
    if (/^\p{Lu}/u.test(clean)) names.add(clean);
  }
  return names.size;
}

/** 0..1: how worth checking a piece of text is, from general features of factual claims. */
export function scoreCheckworthiness(text: string, options: { speech?: boolean } = {}): number {
  let score = 0.1;
  // Speakers naturally say "we" and "our"; only the article's own voice is penalised for it.
  const penalties = options.speech ? PENALTIES.filter((penalty) => penalty !== FIRST_PERSON) : PENALTIES;
  for (const feature of [...FEATURES, ...penalties]) if (feature.pattern.test(text)) score += feature.weight;
  const names = namedEntityCount(text);
  if (names >= 3) score += 0.15;
  else if (names >= 1) score += 0.1;
  const words = wordCount(text);
  if (words < 6) score -= 0.15;
  if (words > 45) score -= 0.1;
  return Math.round(Math.min(1, Math.max(0, score)) * 100) / 100;
}

// ", though," set off by commas is a parenthetical, not the start of a contrasting clause.
// A second main clause after ", and" with a subject of its own ("..., and it painted a picture"),
// and a cause ("because the FBI has made no arrests") are claims of their own.
const SPLIT_BEFORE =
  /(?:;|\s[—–]\s|,\s+(?=(?:while|whereas|but|although|though)\b(?!,))|,\s+and\s+(?=(?:it|he|she|they|we|the|its|his|her|their|this|that)\s+\S+)|\s+(?=because\s))/giu;
/** "Although X, Y": the concession and the main clause are separate claims. */
const CONCESSION = /^(?:although|though|even though|while|whereas)\b[^,;]{8,}?,\s+/iu;
const LEADING_GLUE = /^(?:[\s,;:—–-]|and\b|but\b|yet\b|so\b|while\b|whereas\b|although\b|though\b|because\b)+/iu;
const TRAILING_GLUE = /(?:[\s,;:—–-]|\b(?:and|but|with|as|that|which|while|or|a move)\b)+$/iu;

const PREDICATE_START = /^(?:have|has|had|is|are|was|were|will|would|could|can|may|might|should|must|did|does|do|been|being|[a-z]+ed)\b/;

export interface AssertionCandidate extends Span {
  score: number;
}

/**
 * Unattributed assertions in one sentence: the stretches no statement covers, split at clause
 * boundaries, scored, and kept when notable.
 */
export function findAssertions(text: string, sentence: Span & { tokens: readonly Token[] }, covered: readonly Span[]): AssertionCandidate[] {
  const free: Span[] = [];
  let cursor = sentence.start;
  const overlapping = covered.filter((span) => span.end > sentence.start && span.start < sentence.end).sort((a, b) => a.start - b.start);
  for (const span of overlapping) {
    if (span.start > cursor) free.push({ start: cursor, end: span.start });
    cursor = Math.max(cursor, span.end);
  }
  if (cursor < sentence.end) free.push({ start: cursor, end: sentence.end });

  const candidates: AssertionCandidate[] = [];
  for (const piece of free) {
    const pieceText = text.slice(piece.start, piece.end);
    let offset = 0;
    const parts: Span[] = [];
    for (const match of pieceText.matchAll(SPLIT_BEFORE)) {
      parts.push({ start: piece.start + offset, end: piece.start + (match.index ?? 0) });
      offset = (match.index ?? 0) + match[0].length;
    }
    parts.push({ start: piece.start + offset, end: piece.end });
    for (let p = 0; p < parts.length; p++) {
      const concession = CONCESSION.exec(text.slice(parts[p].start, parts[p].end));
      if (concession) {
        const cut = parts[p].start + concession[0].length;
        parts.splice(p, 1, { start: parts[p].start, end: cut }, { start: cut, end: parts[p].end });
        p++;
      }
    }
    for (const part of parts) {
      const trimmed = trimGlue(text, part, part.start === sentence.start);
      if (!trimmed) continue;
      const partText = text.slice(trimmed.start, trimmed.end);
      if (wordCount(partText) < 6) continue;
      // A predicate left over after a cut ("have featured it in ...") has lost its subject.
      if (PREDICATE_START.test(partText)) continue;
      if (/\?\s*$/.test(text.slice(trimmed.start, sentence.end))) continue;
      // "In a televised speech on Friday": a circumstance with no verb of its own asserts nothing.
      if (!hasPredicate(sentence.tokens, trimmed)) continue;
      const score = scoreCheckworthiness(partText);
      if (score >= ASSERTION_THRESHOLD) candidates.push({ ...trimmed, score });
    }
  }
  return candidates;
}

/** A verb that predicates, not a participle used as an adjective ("a televised speech"). */
function hasPredicate(tokens: readonly Token[], span: Span): boolean {
  return tokens.some(
    (token, i) =>
      token.start >= span.start &&
      token.end <= span.end &&
      (token.pos === 'AUX' || (token.pos === 'VERB' && !['DET', 'ADJ'].includes(tokens[i - 1]?.pos ?? ''))),
  );
}

function trimGlue(text: string, span: Span, atSentenceStart: boolean): Span | null {
  let start = span.start;
  let end = span.end;
  const leading = LEADING_GLUE.exec(text.slice(start, end));
  // A sentence-opening "While ..." is part of the claim; glue is only dropped where we cut.
  if (leading && !(atSentenceStart && /^\p{L}/u.test(leading[0]))) start += leading[0].length;
  const trailing = TRAILING_GLUE.exec(text.slice(start, end));
  if (trailing) end -= trailing[0].length;
  // A full sentence keeps its final full stop, like a labelled sentence would.
  if (end < span.end && text[end] === '.' && end + 1 >= span.end) end++;
  while (start < end && /\s/.test(text[start])) start++;
  return end - start > 0 ? { start, end } : null;
}
