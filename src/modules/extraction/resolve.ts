/**
 * Article-wide knowledge about sources: the full names behind later bare surnames ("Reyes" ->
 * "Dana Reyes"), organisations behind their acronyms, and which person a "he" or "she"
 * most plausibly is.
 */
import type { SentenceContext } from './clauses.js';
import { ADJECTIVAL_TITLES, NAME_PARTICLES, ORGANIZATION_WORDS, TITLE_WORDS } from './lexicon.js';
import { classifySource, isNameWord, isSourceNoun, type SpeakerMatch } from './speakers.js';
import { isAllCapsAcronym, isCapitalized, type Token } from './text.js';
import type { ExtractedSpeaker } from './types.js';

interface Person {
  name: string;
  words: string[];
  title: string | null;
}

interface Organisation {
  name: string;
  alias: string;
}

interface Mention {
  person: Person;
  position: number;
  sentence: number;
}

/** Words that make a capitalised run a place or an institution rather than a person. */
const PLACE_WORDS = new Set([
  'north',
  'south',
  'east',
  'west',
  'northern',
  'southern',
  'eastern',
  'western',
  'central',
  'new',
  'saint',
  'st',
  'united',
  'republic',
  'kingdom',
  'region',
  'province',
  'county',
  'city',
  'state',
  'states',
  'island',
  'islands',
  'sea',
  'lake',
  'river',
  'mount',
  'bay',
  'gulf',
  'valley',
  'street',
  'road',
  'square',
  'park',
  'airport',
  'station',
  'museum',
  'hospital',
  'school',
  'university',
  'church',
  'bridge',
  'district',
  'village',
  'town',
  'coast',
  'america',
  'africa',
  'europe',
  'asia',
  'union',
  'league',
  'cup',
  'day',
  'year',
  'war',
]);

function nameRunAfter(tokens: Token[], from: number): Token[] {
  const run: Token[] = [];
  for (let i = from; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.quoted) break;
    if (isNameWord(token) && !TITLE_WORDS.has(token.key) && !ORGANIZATION_WORDS.has(token.key) && !isAllCapsAcronym(token.text)) run.push(token);
    else if (NAME_PARTICLES.has(token.key) && run.length > 0 && tokens[i + 1] && isNameWord(tokens[i + 1])) run.push(token);
    else break;
  }
  while (run.length > 0 && NAME_PARTICLES.has(run[run.length - 1].key)) run.pop();
  return run;
}

const TITLE_ABBREVIATIONS: Record<string, string> = {
  sen: 'senator',
  gov: 'governor',
  rep: 'representative',
  gen: 'general',
  pres: 'president',
  prof: 'professor',
  dr: 'doctor',
  capt: 'captain',
  col: 'colonel',
  lt: 'lieutenant',
  sgt: 'sergeant',
  adm: 'admiral',
  maj: 'major',
  rev: 'reverend',
  supt: 'superintendent',
  det: 'detective',
  insp: 'inspector',
};

function expandTitle(word: string): string {
  return TITLE_ABBREVIATIONS[word] ?? word;
}

export class SourceRegistry {
  private readonly people: Person[] = [];
  private readonly organisations: Organisation[] = [];
  private readonly mentions: Mention[] = [];
  /** Every run of two or more capitalised name words, for clipped forms ("the Fed"). */
  private readonly nameRuns = new Set<string>();

  static build(text: string, sentences: SentenceContext[], speakers: SpeakerMatch[]): SourceRegistry {
    const registry = new SourceRegistry();
    for (const sentence of sentences) registry.collectTitledNames(text, sentence.tokens);
    for (const sentence of sentences) registry.collectActingNames(text, sentence.tokens);
    for (const match of speakers) {
      const speaker = match.speaker;
      if (speaker.anonymous || !speaker.name || speaker.kind === 'DOCUMENT') continue;
      if (speaker.kind === 'PERSON' && speaker.name.split(/\s+/).length >= 2) registry.addPerson(speaker.name, speaker.title);
    }
    for (const match of speakers) registry.expandSurname(text, sentences, match.speaker);
    for (const sentence of sentences) registry.collectAcronyms(text, sentence.tokens);
    for (const sentence of sentences) registry.collectNameRuns(text, sentence.tokens);
    for (const sentence of sentences) registry.collectMentions(sentence);
    return registry;
  }

  private addPerson(name: string, title: string | null): void {
    const existing = this.people.find((person) => person.name === name);
    if (existing) {
      existing.title = existing.title ?? title;
      return;
    }
    this.people.push({ name, words: name.split(/\s+/), title });
  }

  private collectTitledNames(text: string, tokens: Token[]): void {
    for (let i = 0; i < tokens.length - 1; i++) {
      const token = tokens[i];
      if (token.quoted || !token.isWord) continue;
      const weak = ADJECTIVAL_TITLES.has(token.key);
      const isTitle = TITLE_WORDS.has(token.key) || (!isCapitalized(token.text) && isSourceNoun(token.key));
      if (!isTitle) continue;
      const run = nameRunAfter(tokens, i + 1);
      // "General Motors" is no general; "Chief Dana Cole" is a chief.
      if (run.length === 0 || (weak && run.length < 2)) continue;
      let first = i;
      while (
        first > 0 &&
        tokens[first - 1].isWord &&
        !tokens[first - 1].quoted &&
        (isCapitalized(tokens[first - 1].text) || TITLE_WORDS.has(tokens[first - 1].key)) &&
        !['The', 'A', 'An'].includes(tokens[first - 1].text) &&
        i - first < 4
      )
        first--;
      const parsed = classifySource(text, tokens.slice(first, i + 1 + run.length));
      const name = text.slice(run[0].start, run[run.length - 1].end);
      this.addPerson(name, parsed?.speaker.title ?? null);
    }
  }

  /**
   * Two or three capitalised words acting as a subject ("Maria Lopez lost her job", "Jonas Berg
   * rows") are most likely a person, so that a later "she" or "he" can find them.
   */
  private collectActingNames(text: string, tokens: Token[]): void {
    for (let i = 0; i < tokens.length; i++) {
      if (i > 0 && isNameWord(tokens[i - 1])) continue;
      const run = nameRunAfter(tokens, i);
      // "China's Xi praises": a possessive is a determiner, not part of a name.
      const possessive = run.findIndex((token) => /['’]s$/.test(token.text));
      if (possessive >= 0) {
        i += possessive;
        continue;
      }
      if (run.length < 2 || run.length > 3 || run.some((token) => PLACE_WORDS.has(token.key) || isAllCapsAcronym(token.text))) continue;
      const next = tokens[i + run.length];
      const actsAsSubject = next?.isWord && !isCapitalized(next.text) && /(?:ed|s)$/.test(next.key) && !/ss$/.test(next.key);
      const introducedByAppositive = next?.text === ',' && (/^\d+$/.test(tokens[i + run.length + 1]?.text ?? '') || tokens[i + run.length + 1]?.key === 'who');
      if (actsAsSubject || introducedByAppositive) this.addPerson(text.slice(run[0].start, run[run.length - 1].end), null);
      i += run.length - 1;
    }
  }

  /** A one-word source ("Berg") is the surname of a full name used elsewhere ("Jonas Berg rows ..."). */
  private expandSurname(text: string, sentences: SentenceContext[], speaker: ExtractedSpeaker): void {
    if (speaker.anonymous || !speaker.name || speaker.kind === 'ORGANIZATION' || speaker.kind === 'DOCUMENT') return;
    if (speaker.name.includes(' ') || this.people.some((person) => person.words.includes(speaker.name ?? ''))) return;
    for (const sentence of sentences) {
      const tokens = sentence.tokens;
      for (let i = 1; i < tokens.length; i++) {
        if (tokens[i].text !== speaker.name || tokens[i].quoted) continue;
        let first = i;
        while (
          first > 0 &&
          i - first < 3 &&
          isNameWord(tokens[first - 1]) &&
          !/['’]s$/.test(tokens[first - 1].text) &&
          !TITLE_WORDS.has(tokens[first - 1].key) &&
          !ORGANIZATION_WORDS.has(tokens[first - 1].key)
        )
          first--;
        if (first === i) continue;
        this.addPerson(text.slice(tokens[first].start, tokens[i].end), null);
        return;
      }
    }
  }

  private collectAcronyms(text: string, tokens: Token[]): void {
    for (let i = 2; i + 1 < tokens.length; i++) {
      if (tokens[i - 1].text !== '(' || tokens[i + 1].text !== ')' || !isAllCapsAcronym(tokens[i].text)) continue;
      let first = i - 1;
      while (first > 0 && (isNameWord(tokens[first - 1]) || NAME_PARTICLES.has(tokens[first - 1].key))) first--;
      if (first === i - 1) continue;
      this.organisations.push({ name: text.slice(tokens[first].start, tokens[i + 1].end), alias: tokens[i].text });
    }
  }

  private collectNameRuns(text: string, tokens: Token[]): void {
    for (let i = 0; i < tokens.length; i++) {
      let end = i;
      while (end < tokens.length && !tokens[end].quoted && isNameWord(tokens[end]) && !/['’]s$/.test(tokens[end].text)) end++;
      if (end - i >= 2) this.nameRuns.add(text.slice(tokens[i].start, tokens[end - 1].end));
      i = end;
    }
  }

  /**
   * "Fed" for "U.S. Federal Reserve": a one-word name that clips a word of exactly one longer name
   * used in the article is that name.
   */
  private unclip(name: string): string | null {
    if (name.length < 3 || /\s/.test(name)) return null;
    const found = [...this.nameRuns].filter((run) => run.split(/\s+/).some((word) => word.length > name.length && word.startsWith(name)));
    return found.length === 1 ? found[0] : null;
  }

  private collectMentions(sentence: SentenceContext): void {
    const tokens = sentence.tokens;
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i].quoted || !isNameWord(tokens[i])) continue;
      for (const person of this.people) {
        const full = person.words.every((word, k) => tokens[i + k]?.text === word);
        const nextIsName = tokens[i + 1] !== undefined && isNameWord(tokens[i + 1]);
        const surname = tokens[i].text === person.words[person.words.length - 1] && !nextIsName;
        if (full || (surname && (i === 0 || !isNameWord(tokens[i - 1])))) {
          this.mentions.push({ person, position: tokens[i].start, sentence: sentence.index });
          if (full) i += person.words.length - 1;
          break;
        }
      }
    }
  }

  /** Completes a partial name from earlier in the article and settles its kind. */
  resolve(speaker: ExtractedSpeaker): ExtractedSpeaker {
    if (speaker.anonymous && speaker.descriptor) return this.resolveOffice(speaker, speaker.descriptor);
    if (speaker.anonymous || !speaker.name || speaker.kind === 'DOCUMENT') return speaker;
    const organisation = this.organisations.find((candidate) => candidate.alias === speaker.name);
    if (organisation) return { ...speaker, name: organisation.name, kind: 'ORGANIZATION' };
    const unclipped = speaker.kind !== 'PERSON' && !this.people.some((person) => person.words.includes(speaker.name ?? '')) ? this.unclip(speaker.name) : null;
    if (unclipped) return { ...speaker, name: unclipped, kind: 'ORGANIZATION' };
    const words = speaker.name.split(/\s+/);
    let candidates = this.people.filter(
      (person) => person.words.length >= words.length && words.every((word, k) => person.words[person.words.length - words.length + k] === word),
    );
    // Family name first ("Xi" for "Xi Jinping"), or a first name used on second mention.
    if (candidates.length === 0 && words.length === 1) candidates = this.people.filter((person) => person.words.length > 1 && person.words[0] === words[0]);
    if (candidates.length === 0) return speaker;
    const longest = Math.max(...candidates.map((person) => person.words.length));
    const best = candidates.filter((person) => person.words.length === longest);
    if (best.length > 1) return speaker;
    return { ...speaker, name: best[0].name, title: speaker.title ?? best[0].title, kind: 'PERSON' };
  }

  /**
   * "the governor", "Senator": an office named without a person is the one person in the article
   * holding that title, when there is exactly one.
   */
  private resolveOffice(speaker: ExtractedSpeaker, descriptor: string): ExtractedSpeaker {
    const words = descriptor
      .toLowerCase()
      .replace(/[.]/g, '')
      .split(/\s+/)
      .filter((word) => !['the', 'a', 'an'].includes(word));
    if (words.length === 0 || words.length > 3 || !words.every((word) => TITLE_WORDS.has(word))) return speaker;
    const office = expandTitle(words[words.length - 1]);
    const holders = this.people.filter((person) =>
      (person.title ?? '')
        .toLowerCase()
        .replace(/[.]/g, '')
        .split(/\s+/)
        .some((word) => expandTitle(word) === office),
    );
    if (holders.length !== 1) return speaker;
    return { name: holders[0].name, descriptor: null, title: holders[0].title, kind: 'PERSON', anonymous: false };
  }

  /**
   * The person a "he"/"she" at `position` refers to: the last person named earlier in the same
   * sentence, else the first person named in the nearest earlier sentence naming anyone (the
   * subject of that sentence, usually).
   */
  personBefore(position: number, sentence: number): { speaker: ExtractedSpeaker; position: number } | null {
    const same = this.mentions.filter((mention) => mention.sentence === sentence && mention.position < position);
    let chosen: Mention | undefined = same[same.length - 1];
    for (let s = sentence - 1; !chosen && s >= Math.max(0, sentence - 3); s--) {
      chosen = this.mentions.find((mention) => mention.sentence === s);
    }
    if (!chosen) return null;
    return {
      speaker: { name: chosen.person.name, descriptor: null, title: chosen.person.title, kind: 'PERSON', anonymous: false },
      position: chosen.position,
    };
  }
}
