import { describe, expect, it } from 'vitest';
import { editDistanceProfile, findApproximateMatches } from '../../src/modules/anchoring/approximate-search';

/** Textbook dynamic programme: the reference the bit-parallel matcher must agree with. */
function referenceProfile(text: number[], pattern: number[], anchored: boolean): number[] {
  let previous = Array.from({ length: pattern.length + 1 }, (_, i) => i);
  const profile = [pattern.length];
  for (let j = 1; j <= text.length; j++) {
    const current = [anchored ? j : 0];
    for (let i = 1; i <= pattern.length; i++) {
      const substitution = previous[i - 1] + (pattern[i - 1] === text[j - 1] ? 0 : 1);
      current[i] = Math.min(substitution, previous[i] + 1, current[i - 1] + 1);
    }
    profile.push(current[pattern.length]);
    previous = current;
  }
  return profile;
}

function levenshtein(a: number[], b: number[]): number {
  return referenceProfile(b, a, true)[b.length];
}

function generator(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

/** Random pattern (across block boundaries: up to 150 symbols) and a text seeded with mutated copies. */
function randomCase(random: (n: number) => number): { text: number[]; pattern: number[] } {
  const alphabet = 2 + random(6);
  const symbol = () => random(alphabet) + (random(12) === 0 ? 0x1f600 : 0);
  const pattern = Array.from({ length: 1 + random(150) }, symbol);
  const text: number[] = [];
  while (text.length < random(300)) {
    if (random(3) === 0) {
      for (const code of pattern) if (random(8) !== 0) text.push(random(6) === 0 ? symbol() : code);
    } else {
      text.push(symbol());
    }
  }
  return { text, pattern };
}

describe('approximate search', () => {
  it('computes the same edit distance profile as the textbook algorithm', () => {
    const random = generator(7);
    for (let round = 0; round < 500; round++) {
      const { text, pattern } = randomCase(random);
      for (const anchored of [false, true]) {
        expect(Array.from(editDistanceProfile(text, pattern, anchored))).toEqual(referenceProfile(text, pattern, anchored));
      }
    }
  });

  it('finds the best match and reports true distances within the error bound', () => {
    const random = generator(11);
    for (let round = 0; round < 500; round++) {
      const { text, pattern } = randomCase(random);
      const maxErrors = random(pattern.length);
      const matches = findApproximateMatches(Uint32Array.from(text), Uint32Array.from(pattern), maxErrors);

      const reference = referenceProfile(text, pattern, false);
      const fewest = Math.min(...reference.slice(1));
      expect(matches.length > 0).toBe(text.length > 0 && fewest <= maxErrors);
      if (matches.length > 0) expect(Math.min(...matches.map((match) => match.errors))).toBe(fewest);
      for (const match of matches) {
        expect(match.errors).toBeLessThanOrEqual(maxErrors);
        expect(levenshtein(pattern, text.slice(match.start, match.end))).toBe(match.errors);
      }
    }
  });

  it('searches only the requested window, with offsets into the whole text', () => {
    const encode = (s: string) => Uint32Array.from([...s], (c) => c.codePointAt(0)!);
    const text = encode('The mayor said the bridge would reopen in March. The mayor said the bridge would reopen in May.');
    const [match] = findApproximateMatches(text, encode('the bridge would reopen in March'), 4, 49, text.length);
    // "March" -> "Ma" and "March" -> "May" both cost 3: the matcher promises the cost, not which.
    expect(match).toMatchObject({ start: 64, errors: 3 });
    expect([93, 94]).toContain(match.end);
  });
});
