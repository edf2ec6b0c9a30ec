import { describe, expect, it } from 'vitest';
import { extractStatements, type ExtractedStatement } from '../../src/modules/extraction/index.js';

// One test per class of error the extractor made on real articles it had not seen, written as
// general sentences of the same pattern (none is taken from a labelled article).

function speech(text: string): ExtractedStatement[] {
  return extractStatements(text).filter((statement) => statement.kind !== 'ASSERTION');
}

function who(statement: ExtractedStatement | undefined): string | null {
  return statement?.speaker ? (statement.speaker.name ?? statement.speaker.descriptor) : null;
}

describe('named versus described speakers follow the grammar of the noun phrase', () => {
  it.each([
    ['An Ohio Democrat said the bill would pass easily.', 'An Ohio Democrat'],
    ['One Texas Republican said the vote had been rigged.', 'One Texas Republican'],
    ['Another Chicago alderman said the budget was a disaster.', 'Another Chicago alderman'],
    ['Other Democrats said the plan would cost too much.', 'Other Democrats'],
    ['Port Authority officials said the bridge would reopen in May.', 'Port Authority officials'],
    ['Security officials said the attack had been planned for weeks.', 'Security officials'],
    ['Republicans said the tax cut would pay for itself.', 'Republicans'],
  ])('%s -> ANONYMOUS', (text, descriptor) => {
    const [statement] = speech(text);
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'ANONYMOUS' });
    expect(who(statement)).toBe(descriptor);
  });

  it.each([
    ['Several Ohio Republicans said the bill went too far.', 'Several Ohio Republicans'],
    ['Nearly two-thirds of respondents said the country was on the wrong track.', 'Nearly two-thirds of respondents'],
  ])('a quantifier the tagger reads as a name, or a fraction, describes: %s', (text, descriptor) => {
    const [statement] = speech(text);
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'ANONYMOUS' });
    expect(who(statement)).toBe(descriptor);
  });

  it('a description after the quote with a long post-modifier, whatever its noun', () => {
    const [statement] = speech('“It was chaos,” said a nurse at the county hospital in the north of the state.');
    expect(statement).toMatchObject({ kind: 'DIRECT_QUOTE', sourcing: 'ANONYMOUS' });
    expect(who(statement)).toBe('a nurse at the county hospital in the north of the state');
  });

  it.each([
    ['Studies show that night shifts raise the risk of diabetes.', 'Studies'],
    ['Police said they had used tear gas and rubber bullets.', 'Police'],
  ])('a common noun capitalised at the start of a sentence describes: %s', (text, descriptor) => {
    const [statement] = speech(text);
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'ANONYMOUS' });
    expect(who(statement)).toBe(descriptor);
  });

  it('a definite article and a proper name before a singular noun name one body', () => {
    const statements = speech('While the city insists that the road is safe, the Green Valley residents association says that it floods every spring.');
    expect(statements.map((statement) => [statement.quote, statement.sourcing])).toEqual([
      ['the road is safe', 'SOURCED'],
      ['it floods every spring', 'SOURCED'],
    ]);
  });

  it('keeps a proper name whole and sourced', () => {
    const [statement] = speech('The International Air Transport Association said airlines would lose $8 billion this year.');
    expect(statement).toMatchObject({ sourcing: 'SOURCED', quote: 'airlines would lose $8 billion this year' });
    expect(who(statement)).toBe('International Air Transport Association');
  });
});

describe('attribution found where the speaker is not next to the quote', () => {
  it('after intervening words', () => {
    const [statement] = speech('“We will not back down,” under that rule, Senator Maria Lopez said.');
    expect(statement).toMatchObject({ kind: 'DIRECT_QUOTE', sourcing: 'SOURCED', quote: 'We will not back down' });
    expect(who(statement)).toBe('Maria Lopez');
  });

  it('with a long descriptor after the quote', () => {
    const [statement] = speech('“The numbers do not add up,” said a county official in the largest district of the state.');
    expect(statement).toMatchObject({ sourcing: 'ANONYMOUS' });
    expect(who(statement)).toBe('a county official in the largest district of the state');
  });

  it('across a long appositive of role and affiliation', () => {
    const [statement] = speech('Ana Ruiz, director of the research unit of the National Institute of Health of Peru, said the outbreak had peaked.');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'SOURCED', quote: 'the outbreak had peaked' });
    expect(who(statement)).toBe('Ana Ruiz');
  });

  it('inverted before the quote', () => {
    const [statement] = speech('Asked a Maine Republican: “Who will pay for all of this?”');
    expect(statement).toMatchObject({ kind: 'DIRECT_QUOTE', sourcing: 'ANONYMOUS' });
    expect(who(statement)).toBe('a Maine Republican');
  });

  it('after "adding that"', () => {
    const statements = speech('Councillor Dev Patel spoke for an hour, adding that the city “cannot afford another strike.”');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'SOURCED', quote: 'the city “cannot afford another strike.”' });
  });

  it('for "another said ..." holding a quotation', () => {
    const statements = speech('Most residents backed the plan. Another said the senator is “out of touch with ordinary people.”');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'ANONYMOUS' });
    expect(who(statements[0])).toBe('Another');
  });

  it('for short follow-on quotes by the same speaker in the next paragraphs', () => {
    const text = '“We are ready,” Jane Kowalski, the head of the union, said on Tuesday.\n“This must stop.”\n“Nobody will win.”';
    const statements = speech(text);
    expect(statements.map((statement) => [statement.quote, who(statement)])).toEqual([
      ['We are ready', 'Jane Kowalski'],
      ['This must stop.', 'Jane Kowalski'],
      ['Nobody will win.', 'Jane Kowalski'],
    ]);
  });

  it('not for a follow-on quote after someone else has spoken', () => {
    const text = '“We are ready,” Jane Kowalski said.\nThe employers said talks had failed.\n“This must stop.”';
    const quote = speech(text).find((statement) => statement.quote === 'This must stop.');
    expect(quote?.speaker ?? null).toBeNull();
  });

  it('in "..., a senior aide told Reuters."', () => {
    const [statement] = speech('The deal will be signed next week, a senior aide told Reuters.');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'ANONYMOUS', quote: 'The deal will be signed next week', via: 'Reuters' });
  });

  it.each([
    ['In the survey, 64 percent of respondents said the economy was getting worse.', '64 percent of respondents', 'the economy was getting worse'],
    ['A slim majority said they would vote for the measure.', 'A slim majority', 'they would vote for the measure'],
  ])('for survey results: %s', (text, speaker, quote) => {
    const [statement] = speech(text);
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'ANONYMOUS', quote });
    expect(who(statement)).toBe(speaker);
  });
});

describe('spans', () => {
  it('reported speech is the content clause, and "A, but that B" is one statement', () => {
    const [statement] = speech('Smith said that the council would close the road, but that it would reopen it in June.');
    expect(statement.quote).toBe('the council would close the road, but that it would reopen it in June');
  });

  it('a relative clause with a reporting verb ends with its clause', () => {
    const [statement] = speech('The minister, who said he had met the rebels twice, resigned on Friday.');
    expect(statement.quote).toBe('he had met the rebels twice');
  });

  it('keeps minus and percent signs', () => {
    const [statement] = extractStatements('Sales fell -12% in March, and prices rose by up to 10%.');
    expect(statement.quote).toBe('Sales fell -12% in March, and prices rose by up to 10%.');
  });
});

describe('what is not speech', () => {
  it.each([
    'The rebels condemned the shooting and claimed responsibility for the attack.',
    'No one claimed responsibility for the blast.',
    'The company will announce a plan to cut jobs.',
    'The governor blamed the utility for the outage, accusing it of neglect.',
    'Insurance claims from the flood rose by 40% last year.',
    'The audit does not state when the minister was first told.',
    'The group claimed responsibility for the attack in a post on Telegram.',
    'Her lawyers did not call any witnesses, and the prosecutors never explained why the fire started.',
  ])('%s', (text) => {
    expect(speech(text)).toEqual([]);
  });

  it('a reporting verb without a content clause, or naming oneself', () => {
    const statements = speech('“Nobody is safe here,” Ortiz said about the ruling. The workers, who call themselves “the forgotten”, marched on Monday.');
    expect(statements.map((statement) => statement.quote)).toEqual(['Nobody is safe here']);
  });

  it('a circumstance fragment is neither speech nor an assertion', () => {
    const statements = extractStatements('In a televised speech on Friday, the president said the war would end soon.');
    expect(statements.map((statement) => statement.quote)).toEqual(['the war would end soon']);
  });
});

describe('content with no one to say it', () => {
  it.each([
    ['The BBC understands the league has written to every club about the new rules.', 'the league has written to every club about the new rules', 'BBC'],
    ['On Monday, The Times learned that the council had sold the land in secret.', 'the council had sold the land in secret', 'The Times'],
  ])('an outlet that understands or learned: %s', (text, quote, via) => {
    const [statement] = speech(text);
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'UNSOURCED', speaker: null, quote });
    expect(statement.via).toContain(via.replace(/^The /, ''));
  });

  it('an addressee told a bare clause, a stance inside it included', () => {
    const [statement, ...rest] = speech('Last month teachers were told the exams would go ahead because officials were confident about the rooms.');
    expect(rest).toEqual([]);
    expect(statement).toMatchObject({
      kind: 'REPORTED_SPEECH',
      sourcing: 'UNSOURCED',
      quote: 'the exams would go ahead because officials were confident about the rooms',
    });
  });
});

describe('reporting verbs with more between them and their content', () => {
  it('an addressee before the that-clause', () => {
    const [statement] = speech('Ortiz explained to the inspectors that the gate had been left open.');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', quote: 'the gate had been left open', sourcing: 'SOURCED' });
  });

  it('a participle coordinated after the main verb of a subject with a relative clause', () => {
    const [statement] = speech('Lee, who joined the club in May, reacted to the ban online, mocking the referee and saying he did not care about the fine.');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', quote: 'he did not care about the fine', sourcing: 'SOURCED' });
    expect(who(statement)).toBe('Lee');
  });

  it('an editor’s bracketed name after the quote is the speaker', () => {
    const [statement] = speech('“It goes a lot further than money,” [Ortiz] said.');
    expect(statement).toMatchObject({ kind: 'DIRECT_QUOTE', sourcing: 'SOURCED' });
    expect(who(statement)).toBe('Ortiz');
  });

  it('"as X reported" after a report holding a quotation is its channel, not a second speaker', () => {
    const statements = speech('One driver described waiting for hours and “watching the water rise past the doors,” as the local paper reported.');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'ANONYMOUS' });
    expect(statements[0].quote).not.toMatch(/reported/);
    expect(who(statements[0])).toBe('One driver');
  });

  it('a subject with an age and a relative clause after it', () => {
    const [statement] = speech('Ortiz, 52, who has run the ferry since 2001, told The Herald that bookings had halved.');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', quote: 'bookings had halved', sourcing: 'SOURCED' });
    expect(who(statement)).toBe('Ortiz');
  });

  it('an attribution after a dash', () => {
    const [statement] = speech('“The water is still rising” — Mayor Dan Cole said on Friday.');
    expect(statement).toMatchObject({ kind: 'DIRECT_QUOTE', sourcing: 'SOURCED' });
    expect(who(statement)).toBe('Dan Cole');
  });

  it('"for what X said was Y": Y is what X said; a sentence opening "What X said was" is the writer’s judgement', () => {
    const [statement] = speech('Mayor Ana Ortiz criticised the council for what she said was a “reckless waste of public money.”');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'SOURCED' });
    expect(statement.quote).toMatch(/^a “reckless waste/);
    expect(speech('What the minister said was not true.')).toEqual([]);
  });

  it('the outlet told, then a time adjunct, then the clause', () => {
    const [statement] = speech('Senator Ana Ruiz told CNN on Sunday that she would vote against the bill.');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', quote: 'she would vote against the bill', via: 'CNN' });
  });

  it('keeps a percent sign at the end of the content', () => {
    const [statement] = speech('According to the statistics office, unemployment fell to 3.9%.');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', quote: 'unemployment fell to 3.9%' });
  });

  it('a clause without "that" after a verb that also takes an object', () => {
    const [statement] = speech('The mayor’s office confirmed the meeting had taken place.');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', quote: 'the meeting had taken place' });
  });

  it('a verb inside a question put to the speaker reports nothing', () => {
    const statements = speech('Asked if he believed the jurors were biased, Ortiz said: “They were doing their job.”');
    expect(statements.map((statement) => statement.quote)).toEqual(['They were doing their job.']);
  });
});

describe('commitments report the action promised', () => {
  it.each([
    ['The caller vowed to close every road into the town by noon.', 'close every road into the town by noon', 'The caller'],
    ['The union threatened to strike if the offer was not improved.', 'strike if the offer was not improved', 'union'],
  ])('%s', (text, quote, source) => {
    const [statement] = speech(text);
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', quote });
    expect(who(statement)).toBe(source);
  });
});

describe('documents as sources', () => {
  it('a message of unknown author is anonymous, an identified one is sourced', () => {
    const [unknown] = speech('“You will not see me coming,” the email warned.');
    expect(unknown).toMatchObject({ kind: 'DIRECT_QUOTE', sourcing: 'ANONYMOUS' });
    const [known] = speech('“The branch will close in May,” the bank’s letter said.');
    expect(known).toMatchObject({ kind: 'DIRECT_QUOTE', sourcing: 'SOURCED' });
  });

  it.each([
    ['The audit acknowledges serious gaps in the records that could have misled the board.', 'audit'],
    ['The audit, published after a long delay, affirms that the money was spent as the council decided.', 'audit'],
    ['Most of the money was spent on consultants, according to the heavily redacted audit.', 'heavily redacted audit'],
  ])('%s', (text, source) => {
    const [statement] = speech(text);
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'SOURCED' });
    expect(who(statement)).toBe(source);
  });
});

describe('assertions', () => {
  it('proposes checkable own-voice sentences and says how sure it is', () => {
    const text = 'The river rose 3.2 metres overnight, the highest level since 1998. The town has a long history.';
    const assertions = extractStatements(text).filter((statement) => statement.kind === 'ASSERTION');
    expect(assertions.map((statement) => statement.quote)).toEqual(['The river rose 3.2 metres overnight, the highest level since 1998.']);
    expect(assertions[0].confidence).toBeGreaterThan(0.5);
  });
});

describe('assertions by clause', () => {
  const assertions = (text: string): string[] =>
    extractStatements(text)
      .filter((statement) => statement.kind === 'ASSERTION')
      .map((statement) => statement.quote);

  it('an event told in the past is proposed', () => {
    expect(assertions('The province later cancelled the contract.')).toEqual(['The province later cancelled the contract.']);
  });

  it('a concession and its main clause are separate claims', () => {
    expect(assertions('Although the bridge was inspected in 2019, engineers found cracks in four of its pillars.')).toContain(
      'engineers found cracks in four of its pillars.',
    );
  });

  it('a cause, and a second main clause with its own subject, are separate claims', () => {
    const found = assertions('The plan apparently worked because the police have made no arrests since March.');
    expect(found).toContain('the police have made no arrests since March.');
    const coordinated = assertions('The trial heard from 30 witnesses over six days, and it showed a man who had planned the attack for months.');
    expect(coordinated).toContain('it showed a man who had planned the attack for months.');
  });
});

describe('extraction is a pure function of the text', () => {
  it('gives the same statements on every call', () => {
    const text = 'An Ohio Democrat said the bill would pass. “It will,” Senator Maria Lopez said.';
    expect(extractStatements(text)).toEqual(extractStatements(text));
  });
});

describe('reported speech recall (open frames)', () => {
  it.each([
    ['The mayor urged residents to stay indoors until the storm had passed.', 'stay indoors until the storm had passed', 'The mayor'],
    ['Rights groups called on the government to release the prisoners.', 'release the prisoners', 'Rights groups'],
  ])('a request reports the action asked for: %s', (text, quote, speaker) => {
    const [statement] = speech(text);
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', quote });
    expect(who(statement)).toBe(speaker);
  });

  it.each([
    ['The strike ended quickly, but it is widely believed that the owners paid the workers off.', 'the owners paid the workers off'],
    ['Prices will fall to 2 percent, which is considered to be close to the target.', 'which is considered to be close to the target'],
  ])('an impersonal passive is reported speech with no one to say it: %s', (text, quote) => {
    const [statement] = speech(text);
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'UNSOURCED', speaker: null, quote });
  });

  it('a hearsay adverb stands for unspecified reports', () => {
    const [statement] = speech('The minister reportedly resigned on Friday after the vote.');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'ANONYMOUS' });
  });

  it('a catenative verb shares its subject with the reporting verb', () => {
    const [statement] = speech('The board went on to say that the merger would save money.');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', quote: 'the merger would save money' });
    expect(who(statement)).toBe('board');
  });

  it('a report inside content attributed at the end belongs to the trailing attribution', () => {
    const statements = speech('The ministry believes that the rebels are regrouping in the hills, analysts say.');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ sourcing: 'ANONYMOUS', quote: 'The ministry believes that the rebels are regrouping in the hills' });
    expect(who(statements[0])).toBe('analysts');
  });
});

describe('quotations inside reported speech', () => {
  it('a quotation that is only the subject of the content clause stays inside it', () => {
    const statements = speech('Senator Ana Ruiz said “some of my colleagues” had already changed their minds.');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ kind: 'REPORTED_SPEECH', quote: '“some of my colleagues” had already changed their minds' });
  });

  it('a paraphrase holding a quotation before a trailing attribution is one reported statement', () => {
    const statements = speech('Demand for housing remains “remarkably strong” across the region, the central bank said, no change from its March view.');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ kind: 'REPORTED_SPEECH', quote: 'Demand for housing remains “remarkably strong” across the region' });
  });

  it('a content clause with its own subject and verb around a quotation is reported speech holding it', () => {
    const statements = speech('Mayor Lena Ortiz has said it is “far too soon to reopen the stadiums to fans”.');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'SOURCED' });
    expect(statements[0].quote).toMatch(/^it is “far too soon/);
    const [direct] = speech('The mayor said: “It is far too soon to reopen the stadiums to fans.”');
    expect(direct).toMatchObject({ kind: 'DIRECT_QUOTE', quote: 'It is far too soon to reopen the stadiums to fans.' });
  });

  it('a characterisation holding a quotation is reported speech, not a direct quote', () => {
    const statements = speech('The regulator continued to describe that risk as “manageable,” keeping its rules unchanged.');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ kind: 'REPORTED_SPEECH', quote: 'that risk as “manageable,”' });
  });
});

describe('more open frames', () => {
  it.each([
    [
      'In a recording, Senator Ana Ruiz can be heard saying that the attacks were ordered by the governor.',
      'the attacks were ordered by the governor',
      'Ana Ruiz',
    ],
    ['Mayor Tom Hale was quoted as saying the bridge would reopen in May.', 'the bridge would reopen in May', 'Tom Hale'],
    [
      'Mayor Tom Hale blamed the utility for the outage, accusing it of neglect and saying it had ignored warnings for years.',
      'it had ignored warnings for years',
      'Tom Hale',
    ],
    [
      'As a candidate, Senator Ana Ruiz had made it clear that she would take a hard line with the banks.',
      'she would take a hard line with the banks',
      'Ana Ruiz',
    ],
    ['The agency appeared to hesitate and called on the airline to refund the passengers.', 'refund the passengers', 'agency'],
  ])('%s', (text, quote, speaker) => {
    const statement = speech(text).find((candidate) => candidate.quote === quote);
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH' });
    expect(who(statement)).toBe(speaker);
  });

  it('the clause the speaker leads stays an assertion of its own', () => {
    const statements = extractStatements(
      'Mayor Tom Hale blamed the utility for the outage, accusing it of neglect and saying it had ignored warnings for years.',
    );
    expect(statements.find((statement) => statement.kind === 'ASSERTION')?.quote).toBe(
      'Mayor Tom Hale blamed the utility for the outage, accusing it of neglect',
    );
  });

  it('what a document shows is its content', () => {
    const [statement] = speech('New forecasts, the first since the election, showed policymakers shifting their outlook to faster growth.');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', quote: 'policymakers shifting their outlook to faster growth' });
  });

  it('a speech noun with its source and content clause', () => {
    const [statement] = speech(
      'Statements by the Army Corps of Engineers and the state government that there are no plans to remove the campers did little to calm fears.',
    );
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'SOURCED' });
    expect(statement.quote.startsWith('there are no plans to remove the campers')).toBe(true);
    expect(who(statement)).toBe('Army Corps of Engineers and the state government');
  });

  it('a source coordinated to the end of the sentence is one source', () => {
    const [statement] = speech('More than 40 people were injured in the clashes, according to the medic and healer council.');
    expect(statement).toMatchObject({ sourcing: 'SOURCED', quote: 'More than 40 people were injured in the clashes' });
    expect(who(statement)).toBe('medic and healer council');
  });

  it('a plural subject with a participle after its head takes a plural verb', () => {
    const [statement] = speech('Many farmers living in the valley ascribe the poor harvest to the late rains.');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', sourcing: 'ANONYMOUS' });
  });
});

describe('whole entity names', () => {
  it('a clipped name is the longer name it clips', () => {
    const text = 'The U.S. Federal Reserve raised interest rates on Wednesday. Risks to the outlook remain balanced, the Fed said.';
    const [statement] = speech(text);
    expect(statement).toMatchObject({ sourcing: 'SOURCED' });
    expect(who(statement)).toBe('U.S. Federal Reserve');
  });
});

describe('a speaker slot filled by a description', () => {
  it('a definite description after the quote is the person just named', () => {
    const text = 'Striker Tom Okafor has been ruled out for a month.\n“It is a blow,” said the 26-year-old.';
    const [statement] = speech(text);
    expect(statement).toMatchObject({ kind: 'DIRECT_QUOTE', sourcing: 'SOURCED' });
    expect(who(statement)).toMatch(/Tom Okafor$/);
  });

  it('an indefinite description there is an anonymous source', () => {
    const [statement] = speech('“The queue was endless,” said a 40-year-old from the suburbs.');
    expect(statement).toMatchObject({ kind: 'DIRECT_QUOTE', sourcing: 'ANONYMOUS' });
  });

  it('a description before a verb that hands over to a quotation is the speaker, whatever its noun', () => {
    const text =
      'Goalkeeper Ana Ruiz missed the final through injury.\nThe veteran keeper, 34, said: “We will be back next season.”\n“Nobody in this squad gives up.”\n“We lost friends this year. You have to look after the people around you.”';
    const statements = speech(text);
    expect(statements).toHaveLength(3);
    for (const statement of statements) {
      expect(statement).toMatchObject({ kind: 'DIRECT_QUOTE', sourcing: 'SOURCED' });
      expect(who(statement)).toMatch(/Ana Ruiz$/);
    }
    const [anonymous] = speech('The cyclist said: “The road was far too wet to race on.”');
    expect(anonymous).toMatchObject({ kind: 'DIRECT_QUOTE', sourcing: 'ANONYMOUS' });
    expect(who(anonymous)).toBe('The cyclist');
  });

  it('a written text quoted before "the letter began" / "the report reads", and its follow-on quote', () => {
    for (const [text, source] of [
      ['“We regret to tell you that the branch will close,” the letter began. “Staff will move to other branches.”', 'the letter'],
      ['“Every site must be checked before pupils arrive,” the report reads. “Closing them all was the only option.”', 'report'],
    ]) {
      const statements = speech(text);
      expect(statements).toHaveLength(2);
      for (const statement of statements) {
        expect(statement.kind).toBe('DIRECT_QUOTE');
        expect(who(statement)).toBe(source);
      }
    }
  });

  it('a report closed by a colon, then the quotation that spells it out: two statements, one speaker', () => {
    const statements = speech('Ortiz also admitted his doubts about the plan: “I never thought the budget would hold.”');
    expect(statements.map((statement) => statement.kind)).toEqual(['REPORTED_SPEECH', 'DIRECT_QUOTE']);
    expect(statements[0].quote).toMatch(/his doubts about the plan$/);
    expect(statements[1].quote).toBe('I never thought the budget would hold.');
    expect(statements.map(who)).toEqual(['Ortiz', 'Ortiz']);
  });

  it('a short adjunct between the verb and the quotation it hands over to', () => {
    for (const text of ['Okafor said of his coach, “He never doubted me for a second.”', 'Okafor said almost in tears: “He never doubted me for a second.”']) {
      const [statement] = speech(text);
      expect(statement).toMatchObject({ kind: 'DIRECT_QUOTE', sourcing: 'SOURCED', quote: 'He never doubted me for a second.' });
      expect(who(statement)).toBe('Okafor');
    }
  });

  it('a clause after "according to X," is the content, not an appositive of X', () => {
    const [statement] = speech('According to the audit, teachers were not consulted about the closures.');
    expect(statement).toMatchObject({ kind: 'REPORTED_SPEECH', quote: 'teachers were not consulted about the closures' });
  });
});
