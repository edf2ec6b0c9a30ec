import { describe, expect, it } from 'vitest';
import {
  extractStatements,
  findQuotations,
  matchStatements,
  normalizeSourceName,
  overlapsByHalf,
  scoreCheckworthiness,
  segmentSentences,
  speakerMatches,
  type ExtractedStatement,
} from '../../src/modules/extraction/index.js';

function sentencesOf(text: string): string[] {
  const points = [...text];
  return segmentSentences(text).map(({ start, end }) => points.slice(start, end).join(''));
}

function statementWith(statements: ExtractedStatement[], words: string): ExtractedStatement {
  const found = statements.find((statement) => statement.quote.includes(words));
  if (!found) throw new Error(`no statement contains "${words}"; got:\n${statements.map((s) => `  ${s.kind} ${s.quote}`).join('\n')}`);
  return found;
}

function speakerLabel(statement: ExtractedStatement): string | null {
  return statement.speaker ? (statement.speaker.name ?? statement.speaker.descriptor) : null;
}

describe(segmentSentences.name, () => {
  it('does not split after honorifics, military ranks, months or dotted acronyms before a name', () => {
    const text = 'Mr. Smith met Dr. Jones and Gen. Ali on Jan. 5 in the U.S. Capitol. They talked for an hour.';
    expect(sentencesOf(text)).toEqual(['Mr. Smith met Dr. Jones and Gen. Ali on Jan. 5 in the U.S. Capitol.', 'They talked for an hour.']);
  });

  it('splits after a dotted acronym that really ends the sentence', () => {
    expect(sentencesOf('He moved to the U.S. The move was hard.')).toEqual(['He moved to the U.S.', 'The move was hard.']);
  });

  it('keeps initials and decimal numbers inside the sentence', () => {
    const text = 'J. R. R. Tolkien sold 3.5 million copies. The deal was worth $1.2bn last year.';
    expect(sentencesOf(text)).toEqual(['J. R. R. Tolkien sold 3.5 million copies.', 'The deal was worth $1.2bn last year.']);
  });

  it('keeps a multi-sentence quotation together with its attribution', () => {
    const text = '“I am done. We leave now,” he said. Then he left.';
    expect(sentencesOf(text)).toEqual(['“I am done. We leave now,” he said.', 'Then he left.']);
  });

  it('does not split before a lowercase attribution after a question inside quotes', () => {
    expect(sentencesOf('‘Why now?’ asked the mayor. Nobody answered.')).toEqual(['‘Why now?’ asked the mayor.', 'Nobody answered.']);
  });

  it('keeps a quotation that runs over a line break without re-opening as one sentence', () => {
    const text = '‘When will it end?\nWhen will we rebuild?’ asked a farmer.\nThe rain continued.';
    expect(sentencesOf(text)).toEqual(['‘When will it end?\nWhen will we rebuild?’ asked a farmer.', 'The rain continued.']);
  });

  it('breaks a multi-paragraph quotation at each re-opened paragraph', () => {
    const text = '“The first part is long.\n“The second part ends it,” she said.';
    expect(sentencesOf(text)).toEqual(['“The first part is long.', '“The second part ends it,” she said.']);
  });

  it('leaves a wire dateline out of the first sentence', () => {
    expect(sentencesOf('KYIV, Ukraine (AP) — Drones struck three regions overnight. Power was cut.')).toEqual([
      'Drones struck three regions overnight.',
      'Power was cut.',
    ]);
  });

  it('counts offsets in code points, not UTF-16 units', () => {
    const text = 'Fans cheered 🎉🎉. The team won.';
    const spans = segmentSentences(text);
    // 'Fans cheered ' is 13 code points and each emoji one more, so 'The' starts at 17 (19 in UTF-16).
    expect(spans[1]).toEqual({ start: 17, end: 30 });
    expect([...text].slice(spans[1].start, spans[1].end).join('')).toBe('The team won.');
  });
});

describe(findQuotations.name, () => {
  it('tells closing single quotes from apostrophes inside and after words', () => {
    const text = 'It’s Russia’s plan, the nations’ envoys said, calling it ‘a fair deal for everyone’s future.’';
    const quotations = findQuotations(text);
    expect(quotations).toHaveLength(1);
    expect(text.slice(quotations[0].contentStart, quotations[0].contentEnd)).toBe('a fair deal for everyone’s future.');
  });

  it('prefers a later closing mark over a plural possessive inside the quotation', () => {
    const text = '‘The islanders’ interests come first,’ she said.';
    const [quotation] = findQuotations(text);
    expect(text.slice(quotation.contentStart, quotation.contentEnd)).toBe('The islanders’ interests come first');
  });

  it('pairs straight double and single quotes and marks nested ones', () => {
    const text = '"He called it \'a disgrace\' on air," she said.';
    const quotations = findQuotations(text);
    expect(quotations.map((quotation) => [quotation.family, quotation.nested])).toEqual([
      ['double', false],
      ['single', true],
    ]);
  });

  it('ignores elisions such as ’90s and rock ’n’ roll style marks', () => {
    expect(findQuotations('Music of the ’90s was loud.')).toHaveLength(0);
  });
});

describe(`${extractStatements.name}: direct quotes`, () => {
  it('attributes a quote to a speaker named after it, with the appositive as title', () => {
    const text = '“The water came in within minutes,” said Laura Benning, a nurse at the county hospital.';
    const [statement] = extractStatements(text);
    expect(statement).toMatchObject({ kind: 'DIRECT_QUOTE', sourcing: 'SOURCED', quote: 'The water came in within minutes' });
    expect(statement.speaker).toMatchObject({ name: 'Laura Benning', title: 'a nurse at the county hospital', kind: 'PERSON', anonymous: false });
  });

  it('keeps end punctuation inside the quote and drops the comma before the closing mark', () => {
    const text = '‘We will rebuild.’ The council met later. ‘Not this year,’ said the treasurer.';
    const statements = extractStatements(text).filter((s) => s.kind === 'DIRECT_QUOTE');
    expect(statements.map((s) => s.quote)).toEqual(['We will rebuild.', 'Not this year']);
  });

  it('attributes a quote to a speaker named before it, with a colon or a participle', () => {
    const text =
      'Governor Ellen Voss spoke at the dam. She told reporters: “We will pay for every damaged home.” Voss praised the volunteers, adding, “They saved lives tonight, and we owe them.”';
    const statements = extractStatements(text);
    expect(speakerLabel(statementWith(statements, 'We will pay for every damaged home'))).toBe('Ellen Voss');
    expect(speakerLabel(statementWith(statements, 'They saved lives tonight'))).toBe('Ellen Voss');
  });

  it('splits a quote interrupted by its attribution into two statements with one speaker', () => {
    const text = '‘This is not about money,’ said one union official, ‘but about whether anyone listens to nurses.’';
    const quotes = extractStatements(text).filter((s) => s.kind === 'DIRECT_QUOTE');
    expect(quotes.map((s) => s.quote)).toEqual(['This is not about money', 'but about whether anyone listens to nurses.']);
    expect(quotes.every((s) => s.sourcing === 'ANONYMOUS' && s.speaker?.descriptor === 'one union official')).toBe(true);
  });

  it('splits a quote re-opened over several paragraphs into one statement per paragraph, same speaker', () => {
    const text =
      'The coach addressed the fans after the final.\n“We lost the game but not our pride.\n“Next season we come back stronger,” said coach Mark Hollis.';
    const quotes = extractStatements(text).filter((statement) => statement.kind === 'DIRECT_QUOTE');
    expect(quotes.map((quote) => [quote.quote, speakerLabel(quote)])).toEqual([
      ['We lost the game but not our pride.', 'Mark Hollis'],
      ['Next season we come back stronger', 'Mark Hollis'],
    ]);
  });

  it('gives a follow-on quote in the next paragraph to the previous speaker', () => {
    const text = '“We were never warned,” said Tom Reilly, who owns the bakery.\n“Nobody from the council has visited since the flood.”';
    const follow = statementWith(extractStatements(text), 'Nobody from the council');
    expect(speakerLabel(follow)).toBe('Tom Reilly');
  });

  it('does not take scare quotes, nicknames or titles for statements', () => {
    const text = 'Critics mocked the ‘historic agreement’ on Monday. Residents call the tower ‘the Needle’. The novel ‘A Quiet Harbour’ sold well.';
    expect(extractStatements(text).filter((s) => s.kind === 'DIRECT_QUOTE')).toEqual([]);
  });

  it('keeps a quote inside reported speech as part of that statement, not a second one', () => {
    const text = 'According to the state news agency, President Omar Sadiq said that the new dam would ‘guarantee water for our children for fifty years.’';
    const statements = extractStatements(text);
    const reported = statements.find((s) => s.kind === 'REPORTED_SPEECH');
    expect(reported).toMatchObject({ sourcing: 'SOURCED', via: 'state news agency' });
    expect(reported?.quote).toContain('‘guarantee water for our children for fifty years.’');
    expect(speakerLabel(reported!)).toBe('Omar Sadiq');
    expect(statements.filter((s) => s.kind === 'DIRECT_QUOTE')).toEqual([]);
  });

  it('reports offsets in code points when the text holds emoji and other non-BMP characters', () => {
    const text = 'Fans posted 🔥🔥 all night. “𝒲e made history tonight,” said captain Ana Ruiz.';
    const [quote] = extractStatements(text).filter((s) => s.kind === 'DIRECT_QUOTE');
    expect(quote.quote).toBe('𝒲e made history tonight');
    expect([...text].slice(quote.start, quote.end).join('')).toBe(quote.quote);
    expect(quote.start).toBe(27);
    expect(quote.end).toBe(quote.start + [...quote.quote].length);
  });
});

describe(`${extractStatements.name}: reported speech`, () => {
  it('reads "X said that ..." and resolves a later bare surname to the full name', () => {
    const text = 'Health Minister Carla Ibsen visited the clinic on Monday. Ibsen said that waiting times had fallen by a third since March.';
    const statement = statementWith(extractStatements(text), 'waiting times had fallen');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'SOURCED', quote: 'waiting times had fallen by a third since March' });
    expect(statement.speaker).toMatchObject({ name: 'Carla Ibsen', title: 'Health Minister', kind: 'PERSON' });
  });

  it('reads "according to X" at the start and at the end of a sentence', () => {
    const text = 'According to the Port Authority, cargo volumes rose 8% in 2023. Ships waited an average of four days to dock, according to harbour pilots.';
    const statements = extractStatements(text);
    expect(statementWith(statements, 'cargo volumes rose')).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'SOURCED' });
    expect(speakerLabel(statementWith(statements, 'cargo volumes rose'))).toBe('Port Authority');
    expect(statementWith(statements, 'Ships waited')).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'ANONYMOUS' });
    expect(speakerLabel(statementWith(statements, 'Ships waited'))).toBe('harbour pilots');
  });

  it('puts the relaying agency in via when someone else is the speaker', () => {
    const text = 'According to the Nordic Press Agency (NPA), Prime Minister Lena Holt emphasized that the border would stay open through the winter.';
    const statement = statementWith(extractStatements(text), 'the border would stay open');
    expect(speakerLabel(statement)).toBe('Lena Holt');
    expect(statement.via).toBe('Nordic Press Agency (NPA)');
  });

  it('reads "told", "revealed", "highlighted" and "described ... as"', () => {
    const text =
      'Mayor Ruth Adeyemi told the city council that the budget gap had doubled. She revealed plans to close two libraries in the spring. Adeyemi highlighted the rising cost of road repairs. Union leaders described the cuts as an attack on public services.';
    const statements = extractStatements(text);
    expect(speakerLabel(statementWith(statements, 'the budget gap had doubled'))).toBe('Ruth Adeyemi');
    expect(speakerLabel(statementWith(statements, 'plans to close two libraries'))).toBe('Ruth Adeyemi');
    expect(speakerLabel(statementWith(statements, 'the rising cost of road repairs'))).toBe('Ruth Adeyemi');
    expect(statementWith(statements, 'an attack on public services')).toMatchObject({ sourcing: 'ANONYMOUS' });
  });

  it('reads "what X describes as ..." and "asked X"', () => {
    const text = 'The treaty ended what Beijing describes as a century of humiliation. ‘Who pays for the repairs?’ asked Peter Lang, a shop owner.';
    const statements = extractStatements(text);
    expect(statementWith(statements, 'what Beijing describes as')).toMatchObject({
      kind: 'REPORTED_SPEECH',
      quote: 'what Beijing describes as a century of humiliation',
    });
    expect(speakerLabel(statementWith(statements, 'Who pays for the repairs?'))).toBe('Peter Lang');
  });

  it('carries a speaker across a pronoun in the next sentence', () => {
    const text = 'Police Chief Dana Cole held a briefing on Friday. She said two suspects had been arrested near the station.';
    const statement = statementWith(extractStatements(text), 'two suspects had been arrested');
    expect(statement.speaker).toMatchObject({ name: 'Dana Cole', kind: 'PERSON' });
  });

  it('carries "they" to the group that spoke before', () => {
    const text = 'Local fishermen said the catch had halved since the spill. They said prices at the harbour had doubled.';
    const statement = statementWith(extractStatements(text), 'prices at the harbour had doubled');
    expect(statement).toMatchObject({ sourcing: 'ANONYMOUS' });
    expect(speakerLabel(statement)).toBe('Local fishermen');
  });

  it('reads a stance without a verb of saying and a relative clause after an organisation', () => {
    const text = 'The plan drew criticism from the European Commission, which has questioned its legality. Others were less enthusiastic about the cost.';
    const statements = extractStatements(text);
    expect(speakerLabel(statementWith(statements, 'questioned its legality'))).toBe('European Commission');
    expect(statementWith(statements, 'Others were less enthusiastic')).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'ANONYMOUS' });
  });

  it('reads an attribution that comes after its content, with or without a time adjunct', () => {
    const text = 'Water levels fell by a metre overnight, the river authority said on Tuesday. Three bridges remain closed, police said.';
    const statements = extractStatements(text);
    expect(statementWith(statements, 'Water levels fell')).toMatchObject({ kind: 'REPORTED_SPEECH', quote: 'Water levels fell by a metre overnight' });
    expect(speakerLabel(statementWith(statements, 'Water levels fell'))).toBe('river authority');
    expect(speakerLabel(statementWith(statements, 'Three bridges remain closed'))).toBe('police');
  });

  it('marks hearsay ("reportedly") as anonymous reported speech', () => {
    const text = 'The club reportedly offered the striker a five-year contract worth £40m.';
    const statement = statementWith(extractStatements(text), 'offered the striker');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'ANONYMOUS' });
    expect(statement.speaker?.descriptor).toBe('reportedly');
  });
});

describe(`${extractStatements.name}: anonymous sources`, () => {
  it.each([
    ['“The talks are stuck,” said a European diplomat.', 'a European diplomat'],
    ['“The talks are stuck,” said one Western analyst.', 'one Western analyst'],
    ['“The talks are stuck,” said a senior official, who requested anonymity.', 'a senior official, who requested anonymity'],
    ['“The talks are stuck,” said a senior official, who spoke on condition of anonymity.', 'a senior official, who spoke on condition of anonymity'],
  ])('keeps the descriptor of %s', (text, descriptor) => {
    const [statement] = extractStatements(text);
    expect(statement).toMatchObject({ sourcing: 'ANONYMOUS' });
    expect(statement.speaker).toMatchObject({ name: null, descriptor, anonymous: true });
  });

  it('treats officials, analysts and people familiar with a matter as anonymous', () => {
    const text =
      'Officials said the plant would reopen in May. Some analysts argue that the delay will cost $200m. Sources familiar with the talks said a deal was close. Local officials described the fire as the worst in a decade.';
    const statements = extractStatements(text).filter((s) => s.kind === 'REPORTED_SPEECH');
    expect(statements.map((s) => [s.sourcing, speakerLabel(s)])).toEqual([
      ['ANONYMOUS', 'Officials'],
      ['ANONYMOUS', 'Some analysts'],
      ['ANONYMOUS', 'Sources familiar with the talks'],
      ['ANONYMOUS', 'Local officials'],
    ]);
  });

  it('treats a named organisation or document as sourced', () => {
    const text = 'A Reuters report said the mine had been sold. The Interior Ministry said it was investigating.';
    const statements = extractStatements(text);
    expect(statementWith(statements, 'the mine had been sold').speaker).toMatchObject({ name: 'Reuters report', kind: 'DOCUMENT', anonymous: false });
    expect(statementWith(statements, 'it was investigating').speaker).toMatchObject({ name: 'Interior Ministry', kind: 'ORGANIZATION' });
  });
});

describe(`${extractStatements.name}: assertions`, () => {
  it('surfaces unattributed claims with numbers, dates, comparisons or causes and skips vague ones', () => {
    const text =
      'Unemployment fell to 4.1% in June, the lowest level since 2008. The decision has taken on new significance. The storm caused power cuts across three counties.';
    const assertions = extractStatements(text).filter((s) => s.kind === 'ASSERTION');
    expect(assertions.map((s) => s.quote)).toEqual([
      'Unemployment fell to 4.1% in June, the lowest level since 2008.',
      'The storm caused power cuts across three counties.',
    ]);
    expect(assertions.every((s) => s.sourcing === 'UNSOURCED' && s.speaker === null)).toBe(true);
  });

  it('does not turn questions or comment refusals into assertions', () => {
    const text =
      'Will the 2025 budget survive the vote in March? The company declined to comment on the figures from 2023. The ministry did not immediately respond to questions about the 2024 deficit.';
    expect(extractStatements(text).filter((s) => s.kind === 'ASSERTION')).toEqual([]);
  });

  it('scores checkable claims above framing', () => {
    expect(scoreCheckworthiness('Exports rose 12% in 2023, more than in any year since 1990.')).toBeGreaterThan(
      scoreCheckworthiness('The partnership continues to unfold in complex ways.'),
    );
  });

  it('returns statements sorted by start with quotes equal to the code point slice', () => {
    const text = 'Prices rose 9% in 2022 because of the war. “It was brutal,” said trader Ken Obi. Analysts said the rise had peaked in October.';
    const statements = extractStatements(text);
    const points = [...text];
    expect(statements.map((s) => s.start)).toEqual([...statements.map((s) => s.start)].sort((a, b) => a - b));
    for (const statement of statements) expect(points.slice(statement.start, statement.end).join('')).toBe(statement.quote);
  });
});

describe(normalizeSourceName.name, () => {
  it.each([
    ['Kursk Governor Alexander Khinstin', 'alexander khinstin'],
    ['Dr. Jane Smith', 'jane smith'],
    ['Mr. O’Brien', 'o’brien'.replace('’', '')],
    ['North Korean leader Kim Jong Un', 'kim jong un'],
    ['the Interior Ministry', 'interior ministry'],
    ['a European diplomat', 'european diplomat'],
    ['a Russian military expert, who requested anonymity', 'russian military expert who requested anonymity'],
    ['Martin Luther King Jr.', 'martin luther king'],
    ['General Motors', 'general motors'],
  ])('%s -> %s', (name, expected) => {
    expect(normalizeSourceName(name)).toBe(expected);
  });
});

describe('evaluation helpers', () => {
  it('matches spans that overlap by at least half of the longer one', () => {
    expect(overlapsByHalf({ start: 0, end: 10 }, { start: 6, end: 12 })).toBe(false);
    expect(overlapsByHalf({ start: 0, end: 10 }, { start: 5, end: 12 })).toBe(true);
    expect(overlapsByHalf({ start: 0, end: 100 }, { start: 10, end: 40 })).toBe(false);
  });

  it('matches one to one, largest overlap first', () => {
    const predicted = [
      { start: 0, end: 10 },
      { start: 2, end: 10 },
    ];
    const gold = [{ start: 1, end: 10 }];
    expect(matchStatements(predicted, gold)).toEqual([{ predicted: 0, gold: 0, overlap: 9 }]);
  });

  it('accepts a speaker whose name ends with the label or the reverse, on word boundaries', () => {
    const speaker = { name: 'Khinstin', descriptor: null, title: null, kind: 'PERSON' as const, anonymous: false };
    expect(speakerMatches(speaker, 'Alexander Khinstin')).toBe(true);
    expect(speakerMatches({ ...speaker, name: 'Stinstin' }, 'Alexander Khinstin')).toBe(false);
    expect(speakerMatches({ ...speaker, name: null, descriptor: 'some analysts', anonymous: true }, 'some analysts')).toBe(true);
  });
});
