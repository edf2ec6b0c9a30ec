import { describe, expect, it } from 'vitest';
import { anchorByPosition, anchorByQuote, CodePointText, CONTEXT_LENGTH, reanchor, type Anchor, type ReanchorResult } from '../../src/modules/anchoring';
import { DomainError, ErrorCode } from '../../src/shared/errors';

const ARTICLE = [
  'KURSK, Russia — The regional governor said on Tuesday that twelve people were killed when a drone struck an ' +
    'apartment block near the railway station. Rescue workers searched the rubble through the night.',
  '"We will rebuild every home before winter," the governor told reporters, standing beside a burned-out bus. ' +
    'A teacher who lives nearby said the explosion shattered windows three streets away.',
  'The defence ministry said air defences had intercepted 27 drones over the region. One Russian analyst said ' +
    'the figure could not be verified. A farmer from a nearby village said prices will rise again this autumn.',
  'A European diplomat, who requested anonymity, said sanctions would be reviewed in March. According to the ' +
    'state news agency, the governor also said prices will rise again this autumn.',
].join('\n\n');

/** Code point offsets of the n-th (0-based) occurrence of `words` in `text`. */
function locate(text: string, words: string, nth = 0): { start: number; end: number } {
  let unit = -1;
  for (let i = 0; i <= nth; i++) {
    unit = text.indexOf(words, unit + 1);
    if (unit === -1) throw new Error(`test setup: "${words}" occurs fewer than ${nth + 1} times`);
  }
  const start = [...text.slice(0, unit)].length;
  return { start, end: start + [...words].length };
}

function anchorOn(text: string, words: string, nth = 0): Anchor {
  const { start, end } = locate(text, words, nth);
  return anchorByPosition(text, start, end);
}

function thrown(action: () => unknown): DomainError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a DomainError');
}

function expectAnchored(result: ReanchorResult): Extract<ReanchorResult, { status: 'ANCHORED' }> {
  if (result.status !== 'ANCHORED') throw new Error(`expected ANCHORED, got ORPHANED: ${result.reason}`);
  return result;
}

/** The anchor's position and quote describe the same words of `text`. */
function expectConsistent(text: string, anchor: Anchor): void {
  expect(new CodePointText(text).slice(anchor.position.start, anchor.position.end)).toBe(anchor.quote.exact);
  expect(anchor).toEqual(anchorByPosition(text, anchor.position.start, anchor.position.end));
}

describe('CodePointText', () => {
  it('counts and converts offsets in code points, not UTF-16 units', () => {
    // 🔥 and 𝔘 are surrogate pairs; 𠀋 is CJK Extension B, also outside the BMP.
    const text = new CodePointText('a🔥b𝔘c𠀋d');
    expect(text.length).toBe(7);
    expect(text.slice(1, 4)).toBe('🔥b𝔘');
    expect(text.toUtf16(2)).toBe(3);
    expect(text.fromUtf16(3)).toBe(2);
    expect(text.toUtf16(7)).toBe(10);
    expect(text.fromUtf16(10)).toBe(7);
  });
});

describe('anchorByPosition', () => {
  it('builds the quote selector with 32 code points of context each side', () => {
    const { start, end } = locate(ARTICLE, 'twelve people were killed');
    const anchor = anchorByPosition(ARTICLE, start, end);
    expect(anchor).toEqual({
      position: { start, end },
      quote: {
        exact: 'twelve people were killed',
        prefix: 'l governor said on Tuesday that ',
        suffix: ' when a drone struck an apartmen',
      },
    });
    expect([...anchor.quote.prefix]).toHaveLength(CONTEXT_LENGTH);
  });

  it.each([
    ['a negative start', -1, 5],
    ['end equal to start', 10, 10],
    ['end before start', 10, 4],
    ['end past the text', 0, [...ARTICLE].length + 1],
  ])('rejects %s as ANCHOR_OUT_OF_RANGE with the text length', (_case, start, end) => {
    const error = thrown(() => anchorByPosition(ARTICLE, start, end));
    expect(error.code).toBe(ErrorCode.ANCHOR_OUT_OF_RANGE);
    expect(error.details).toEqual({ length: [...ARTICLE].length });
    expect(error.message).toMatch(/code points/);
  });

  it('rejects fractional offsets as bad input', () => {
    expect(thrown(() => anchorByPosition(ARTICLE, 1.5, 8)).code).toBe(ErrorCode.BAD_USER_INPUT);
  });

  it('rejects a whitespace-only span as bad input', () => {
    const { end } = locate(ARTICLE, 'railway station.');
    expect(thrown(() => anchorByPosition(ARTICLE, end, end + 1)).code).toBe(ErrorCode.BAD_USER_INPUT);
  });

  it('counts offsets in code points when the text has emoji, math letters and CJK Extension B', () => {
    const text = '🔥🔥 𝔘𝔨𝔯𝔞𝔦𝔫𝔢 𠀋: The mayor said the fire was contained.';
    const codePoints = [...text].length;
    expect(codePoints).toBeLessThan(text.length);

    const { start, end } = locate(text, 'the fire was contained');
    expect(start).toBe(29);
    const anchor = anchorByPosition(text, start, end);
    expect(anchor.quote.exact).toBe('the fire was contained');
    expect(anchor.quote.prefix).toBe('🔥🔥 𝔘𝔨𝔯𝔞𝔦𝔫𝔢 𠀋: The mayor said ');

    expect(anchorByPosition(text, 0, codePoints).quote.exact).toBe(text);
    expect(thrown(() => anchorByPosition(text, 0, codePoints + 1)).details).toEqual({ length: codePoints });
  });

  it('truncates prefix and suffix at the edges of the text', () => {
    const text = 'Officials denied the report. Nothing else was said.';
    expect(anchorOn(text, 'Officials denied').quote.prefix).toBe('');
    expect(anchorOn(text, 'else was said.').quote).toEqual({
      exact: 'else was said.',
      prefix: 'Officials denied the report. Nothing '.slice(-CONTEXT_LENGTH),
      suffix: '',
    });
  });

  it('takes exactly 32 code points of context even when they are surrogate pairs', () => {
    const gothic = '𝔄'.repeat(40);
    const anchor = anchorOn(`${gothic} quoted words ${gothic}`, 'quoted words');
    expect(anchor.quote.prefix).toBe(`${'𝔄'.repeat(31)} `);
    expect(anchor.quote.suffix).toBe(` ${'𝔄'.repeat(31)}`);
  });
});

describe('anchorByQuote', () => {
  it('anchors a unique quote at its code point offsets', () => {
    const anchor = anchorByQuote(ARTICLE, { exact: 'the explosion shattered windows three streets away' });
    expect(anchor.position).toEqual(locate(ARTICLE, 'the explosion shattered windows three streets away'));
    expectConsistent(ARTICLE, anchor);
  });

  it('accepts null prefix and suffix', () => {
    const anchor = anchorByQuote(ARTICLE, { exact: 'intercepted 27 drones', prefix: null, suffix: null });
    expect(anchor.position).toEqual(locate(ARTICLE, 'intercepted 27 drones'));
  });

  it('reports a quote that is not in the revision', () => {
    const error = thrown(() => anchorByQuote(ARTICLE, { exact: 'forty people were killed' }));
    expect(error.code).toBe(ErrorCode.ANCHOR_NOT_FOUND);
    expect(error.details).toMatchObject({ occurrences: 0 });
  });

  it('refuses to choose between repeated occurrences without context', () => {
    const error = thrown(() => anchorByQuote(ARTICLE, { exact: 'prices will rise again this autumn' }));
    expect(error.code).toBe(ErrorCode.ANCHOR_AMBIGUOUS);
    expect(error.details).toEqual({ occurrences: 2 });
    expect(error.message).toBe('quote occurs 2 times in the revision; add prefix or suffix to choose one');
  });

  it('disambiguates by prefix', () => {
    const anchor = anchorByQuote(ARTICLE, { exact: 'prices will rise again this autumn', prefix: 'the governor also said ' });
    expect(anchor.position).toEqual(locate(ARTICLE, 'prices will rise again this autumn', 1));
    expectConsistent(ARTICLE, anchor);
  });

  it('disambiguates by suffix', () => {
    const anchor = anchorByQuote(ARTICLE, { exact: 'prices will rise again this autumn', suffix: '.\n\nA European' });
    expect(anchor.position).toEqual(locate(ARTICLE, 'prices will rise again this autumn', 0));
  });

  it('reports context that matches none of the occurrences as not found', () => {
    const error = thrown(() => anchorByQuote(ARTICLE, { exact: 'prices will rise again this autumn', prefix: 'the mayor said ' }));
    expect(error.code).toBe(ErrorCode.ANCHOR_NOT_FOUND);
    expect(error.details).toMatchObject({ occurrences: 2 });
  });

  it('stays ambiguous when the context fits several occurrences', () => {
    const error = thrown(() => anchorByQuote(ARTICLE, { exact: 'prices will rise again this autumn', prefix: 'said ' }));
    expect(error.code).toBe(ErrorCode.ANCHOR_AMBIGUOUS);
    expect(error.details).toEqual({ occurrences: 2 });
  });

  it.each(['', '   \n'])('rejects a blank quote %j as bad input', (exact) => {
    expect(thrown(() => anchorByQuote(ARTICLE, { exact })).code).toBe(ErrorCode.BAD_USER_INPUT);
  });

  it('anchors a quote containing emoji at code point offsets', () => {
    const text = 'Fans posted 𝔘 signs 🇺🇦 and wrote "we stand with you 💙💛" on the monument. Police made no arrests.';
    const anchor = anchorByQuote(text, { exact: 'we stand with you 💙💛' });
    expect(anchor.position).toEqual({ start: 34, end: 54 });
    expect(anchor.quote.suffix).toBe('" on the monument. Police made n');
    expectConsistent(text, anchor);
  });
});

describe('reanchor', () => {
  const claim = () => anchorOn(ARTICLE, 'twelve people were killed');

  it('keeps the position when the text is unchanged', () => {
    const result = expectAnchored(reanchor(claim(), ARTICLE));
    expect(result).toEqual({ status: 'ANCHORED', anchor: claim(), method: 'POSITION', score: 1 });
  });

  it('follows the words when text is inserted before them', () => {
    const inserted = 'UPDATE 🔴 This story has been updated with new casualty figures.\n\n';
    const revised = inserted + ARTICLE;
    const result = expectAnchored(reanchor(claim(), revised));
    expect(result.method).toBe('EXACT');
    expect(result.anchor.position.start).toBe(claim().position.start + [...inserted].length);
    expect(result.anchor.quote.exact).toBe('twelve people were killed');
    expectConsistent(revised, result.anchor);
  });

  it('picks the duplicate phrase whose context matches', () => {
    const governor = anchorOn(ARTICLE, 'prices will rise again this autumn', 1);
    const farmer = anchorOn(ARTICLE, 'prices will rise again this autumn', 0);
    const revised = ARTICLE.replace('KURSK, Russia —', 'KURSK, Russia, Aug 12 (Reuters) —');

    const governorResult = expectAnchored(reanchor(governor, revised));
    expect(governorResult.anchor.position).toEqual(locate(revised, 'prices will rise again this autumn', 1));
    expect(governorResult.method).toBe('EXACT');

    const farmerResult = expectAnchored(reanchor(farmer, revised));
    expect(farmerResult.anchor.position).toEqual(locate(revised, 'prices will rise again this autumn', 0));
  });

  it('stays on the original when an identical phrase is inserted before it', () => {
    const revised = ARTICLE.replace(
      'Rescue workers searched',
      'A hospital spokeswoman confirmed that twelve people were killed and 40 injured. Rescue workers searched',
    );
    const result = expectAnchored(reanchor(claim(), revised));
    expect(result.anchor.position).toEqual(locate(revised, 'twelve people were killed', 0));
    expect(result.anchor.quote.prefix).toBe(claim().quote.prefix);

    const later = anchorOn(ARTICLE, 'the figure could not be verified');
    const revisedAgain = ARTICLE.replace('The defence ministry said', 'Ukrainian officials said the figure could not be verified. The defence ministry said');
    const laterResult = expectAnchored(reanchor(later, revisedAgain));
    expect(laterResult.anchor.position).toEqual(locate(revisedAgain, 'the figure could not be verified', 1));
  });

  it('re-anchors fuzzily, with the new words, when a word inside the claim changes', () => {
    const revised = ARTICLE.replace('twelve people were killed', 'fifteen people were killed');
    const result = expectAnchored(reanchor(claim(), revised));
    expect(result.method).toBe('FUZZY');
    expect(result.anchor.quote.exact).toBe('fifteen people were killed');
    expect(result.score).toBeGreaterThanOrEqual(0.7);
    expect(result.score).toBeLessThan(1);
    expectConsistent(revised, result.anchor);
  });

  it('re-anchors a longer claim whose figure was corrected', () => {
    const before = anchorOn(ARTICLE, 'air defences had intercepted 27 drones over the region');
    const revised = ARTICLE.replace('intercepted 27 drones', 'intercepted 31 drones');
    const result = expectAnchored(reanchor(before, revised));
    expect(result.method).toBe('FUZZY');
    expect(result.anchor.quote.exact).toBe('air defences had intercepted 31 drones over the region');
  });

  it('re-anchors through a whitespace-only change inside the quote', () => {
    const before = anchorOn(ARTICLE, 'the explosion shattered windows three streets away');
    const revised = ARTICLE.replace('shattered windows three', 'shattered windows\nthree');
    const result = expectAnchored(reanchor(before, revised));
    expect(result.method).toBe('FUZZY');
    expect(result.anchor.quote.exact).toBe('the explosion shattered windows\nthree streets away');
    expect(result.score).toBeGreaterThan(0.95);
  });

  it('follows a claim moved to another paragraph', () => {
    const sentence = 'A teacher who lives nearby said the explosion shattered windows three streets away.';
    const revised = `${ARTICLE.replace(` ${sentence}`, '')}\n\n${sentence}`;

    // Part of a sentence: the words before it moved along with it.
    const partial = anchorOn(ARTICLE, 'the explosion shattered windows three streets away');
    const partialResult = expectAnchored(reanchor(partial, revised));
    expect(partialResult.method).toBe('EXACT');
    expect(partialResult.anchor.position).toEqual(locate(revised, 'the explosion shattered windows three streets away'));
    expect(partialResult.anchor.quote.suffix).toBe('.');

    // A whole sentence: both neighbours changed, but a quote this long and unique is its own evidence.
    const whole = anchorOn(ARTICLE, sentence);
    const wholeResult = expectAnchored(reanchor(whole, revised));
    expect(wholeResult.method).toBe('EXACT');
    expect(wholeResult.anchor.position).toEqual(locate(revised, sentence));
  });

  it('orphans a claim whose sentence was deleted', () => {
    const revised = ARTICLE.replace(
      'The regional governor said on Tuesday that twelve people were killed when a drone struck an apartment ' + 'block near the railway station. ',
      '',
    );
    const result = reanchor(claim(), revised);
    expect(result.status).toBe('ORPHANED');
    expect(result).toMatchObject({ reason: expect.stringMatching(/removed or rewritten/) });
  });

  it('orphans a claim whose words were rewritten', () => {
    const revised = ARTICLE.replace('twelve people were killed', 'a dozen residents died');
    expect(reanchor(claim(), revised).status).toBe('ORPHANED');
  });

  it('orphans a deleted claim rather than attach it to the same words elsewhere', () => {
    const revised = ARTICLE.replace(' A farmer from a nearby village said prices will rise again this autumn.', '');
    const farmer = anchorOn(ARTICLE, 'prices will rise again this autumn', 0);
    const result = reanchor(farmer, revised);
    expect(result.status).toBe('ORPHANED');
    expect(result).toMatchObject({ reason: expect.stringMatching(/occur once in the revision, but not in the claim's previous context/) });
  });

  it('orphans a deleted claim rather than attach it to a similar sentence elsewhere', () => {
    const text =
      'In Kharkiv, officials said nine people were injured in the shelling. ' +
      'Power was cut to several districts. In Sumy, officials said five people were injured in the shelling. ' +
      'Schools were closed.';
    const sumy = anchorOn(text, 'officials said five people were injured in the shelling');
    const revised = text.replace('In Sumy, officials said five people were injured in the shelling. ', '');
    expect(reanchor(sumy, revised).status).toBe('ORPHANED');
  });

  it('breaks a tie between identical contexts by nearness to the old position', () => {
    const line = 'Polling stations close at 8 p.m. local time.\n';
    const text = `Election day in Kursk.\n${line.repeat(6)}Results are expected overnight.`;
    const fourth = anchorOn(text, 'close at 8 p.m.', 3);
    const revised = text.replace('Election day in Kursk.', 'Election day in the Kursk region.');
    const result = expectAnchored(reanchor(fourth, revised));
    expect(result.anchor.position).toEqual(locate(revised, 'close at 8 p.m.', 3));
  });

  it('scales the old position by the change in text length when told the previous length', () => {
    // Lines 2 to 5 have identical context, so only position can choose; the longer header moves
    // the claim (on line 4) by almost a whole line, so the raw old offset now lies nearer line 3.
    const line = 'Polling stations close at 8 p.m. local time.\n';
    const text = `Election day.\n${line.repeat(6)}Results are expected overnight.`;
    const fourth = anchorOn(text, 'close at 8 p.m.', 3);
    const revised = text.replace('Election day.', 'Election day in the Kursk region, where turnout is high.');

    const raw = expectAnchored(reanchor(fourth, revised));
    expect(raw.anchor.position).toEqual(locate(revised, 'close at 8 p.m.', 2));
    const scaled = expectAnchored(reanchor(fourth, revised, { previousTextLength: [...text].length }));
    expect(scaled.anchor.position).toEqual(locate(revised, 'close at 8 p.m.', 3));
  });

  it('keeps code point offsets right around emoji, math letters and CJK Extension B', () => {
    const text = 'Fans wrote "we stand with you 💙💛" on the monument, the 𝔐𝔞𝔶𝔬𝔯 said. 𠀋 Police made no arrests.';
    const before = anchorByQuote(text, { exact: 'we stand with you 💙💛' });
    const revised = `🔥🔥 Breaking 𝔘: ${text.replace('with you 💙💛', 'with you 💛💙')}`;
    const result = expectAnchored(reanchor(before, revised));
    expect(result.method).toBe('FUZZY');
    expect(result.anchor.quote.exact).toBe('we stand with you 💛💙');
    expectConsistent(revised, result.anchor);
  });

  it('finds a changed claim far from its old place when text was inserted before it', () => {
    const background = 'Background: the region has been shelled repeatedly since last summer. '.repeat(100);
    const revised = background + ARTICLE.replace('twelve people were killed', 'fifteen people were killed');
    const result = expectAnchored(reanchor(claim(), revised));
    expect(result.method).toBe('FUZZY');
    expect(result.anchor.position).toEqual(locate(revised, 'fifteen people were killed'));
  });
});

describe('reanchor at article scale', () => {
  // A deterministic 100 KB article of unique sentences and 200 claims spread over it.
  const WORDS = (
    'the governor said officials regional drone attack ministry defence village farmer teacher prices winter ' +
    'autumn reporters bridge station railway rebuild homes killed injured shelling district power schools closed ' +
    'analyst diplomat sanctions reviewed agency news state European Russian Ukrainian border troops city mayor ' +
    'council budget funds water supply hospital doctors patients evacuated residents shelter night morning weekend ' +
    'spokesman confirmed denied claimed reported according statement interview television'
  ).split(' ');

  function generator(seed: number): (n: number) => number {
    let state = seed;
    return (n) => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
  }

  function sentences(seed: number, totalLength: number): string[] {
    const random = generator(seed);
    const out: string[] = [];
    for (let length = 0; length < totalLength; ) {
      const words = Array.from({ length: 8 + random(18) }, () => WORDS[random(WORDS.length)]);
      words.splice(3, 0, String(random(10_000)));
      const sentence = `${words.join(' ')}.`;
      out.push(sentence[0].toUpperCase() + sentence.slice(1));
      length += sentence.length + 1;
    }
    return out;
  }

  const original = sentences(1, 100_000);
  const text = original.join(' ');
  const claimed = Array.from({ length: 200 }, (_, k) => Math.floor((k * original.length) / 200));
  // Each claim: its sentence from the third word to before the full stop.
  const claimWords = (sentence: string) => sentence.slice(sentence.indexOf(' ', sentence.indexOf(' ') + 1) + 1, -1);
  const claims = claimed.map((index) => anchorOn(text, claimWords(original[index])));

  it('re-anchors 200 claims in a revised 100 KB article: shifted, edited and deleted', () => {
    const edited = (sentence: string) => sentence.replace(/ (\w+)\.$/, (_, last: string) => ` ${last === 'prices' ? 'costs' : 'prices'}.`);
    const revisedSentences = original.map((sentence, index) => {
      const k = claimed.indexOf(index);
      if (k >= 0 && k % 10 === 0) return null;
      return k >= 0 && k % 3 === 0 ? edited(sentence) : sentence;
    });
    const revised = `${sentences(2, 10_000).join(' ')} ${revisedSentences.filter((s) => s !== null).join(' ')}`;
    const revisedText = new CodePointText(revised);

    const started = performance.now();
    const results = claims.map((claim) => reanchor(claim, revisedText, { previousTextLength: [...text].length }));
    const elapsed = performance.now() - started;

    results.forEach((result, k) => {
      const sentence = original[claimed[k]];
      if (k % 10 === 0) {
        expect(result.status).toBe('ORPHANED');
      } else if (k % 3 === 0) {
        const anchor = expectAnchored(result).anchor;
        expect(anchor.quote.exact).toBe(claimWords(edited(sentence)));
        expect(result).toMatchObject({ method: 'FUZZY' });
      } else {
        expect(result).toMatchObject({ status: 'ANCHORED', method: 'EXACT' });
        expect(expectAnchored(result).anchor.quote.exact).toBe(claimWords(sentence));
      }
    });
    expect(elapsed).toBeLessThan(8_000);
  }, 30_000);

  it('orphans 200 claims against an unrelated 100 KB text within the time budget', () => {
    const unrelated = new CodePointText(sentences(3, 100_000).join(' '));
    const started = performance.now();
    const results = claims.map((claim) => reanchor(claim, unrelated));
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(results.every((result) => result.status === 'ORPHANED')).toBe(true);
  }, 30_000);
});
