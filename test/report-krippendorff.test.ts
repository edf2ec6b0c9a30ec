import { describe, expect, it } from 'vitest';
import { coincidences, krippendorffAlpha } from '../src/modules/report/krippendorff';
import { consensusRating } from '../src/modules/report/report-row';
import { Rating } from '../src/modules/verdict/rating';

const _ = null;
/** Columns of observer rows -> one array of values per unit, missing values dropped. */
const units = (observers: (number | null)[][]): number[][] =>
  observers[0].map((_value, unit) => observers.map((row) => row[unit]).filter((value): value is number => value !== null));

describe('krippendorffAlpha', () => {
  // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four observers,
  // twelve units, values 1..5, missing data. Published results: nominal .743, ordinal .815, interval .849.
  const paper = units([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
  ]);

  it('reproduces the worked example of Krippendorff (2011)', () => {
    const matrix = coincidences(paper);
    // the paper's coincidence matrix: n_1 = 9, n_2 = 13, n_3 = 10, n_4 = 5, n_5 = 3 (n = 40 pairable values)
    const marginal = (value: number) => matrix.filter((entry) => entry.c === value).reduce((sum, entry) => sum + entry.o, 0);
    expect([1, 2, 3, 4, 5].map(marginal).map((value) => Math.round(value * 1e9) / 1e9)).toEqual([9, 13, 10, 5, 3]);
    // o_11 = 7 and o_12 = 4/3 as printed in the paper
    expect(matrix.find((entry) => entry.c === 1 && entry.k === 1)!.o).toBeCloseTo(7, 12);
    expect(matrix.find((entry) => entry.c === 1 && entry.k === 2)!.o).toBeCloseTo(4 / 3, 12);
    expect(krippendorffAlpha(matrix, 'nominal')).toEqual({ alpha: expect.closeTo(0.743, 3), pairableValues: 40 });
    expect(krippendorffAlpha(matrix, 'ordinal').alpha).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(matrix, 'interval').alpha).toBeCloseTo(0.849, 3);
  });

  it('reproduces the Wikipedia example (three coders, fifteen units)', () => {
    const wikipedia = units([
      [_, _, _, _, _, 3, 4, 1, 2, 1, 1, 3, 3, _, 3],
      [1, _, 2, 1, 3, 3, 4, 3, _, _, _, _, _, _, _],
      [_, _, 2, 1, 3, 4, 4, _, 2, 1, 1, 3, 3, _, 4],
    ]);
    expect(krippendorffAlpha(coincidences(wikipedia), 'nominal').alpha).toBeCloseTo(0.691, 3);
    expect(krippendorffAlpha(coincidences(wikipedia), 'interval').alpha).toBeCloseTo(0.811, 3);
  });

  it('counts a weighted unit as that many identical units', () => {
    const weighted = krippendorffAlpha(
      coincidences(
        [
          [1, 1],
          [1, 2],
          [2, 2, 3],
        ],
        [3, 2, 5],
      ),
      'ordinal',
    );
    const repeated = krippendorffAlpha(
      coincidences([...Array.from({ length: 3 }, () => [1, 1]), ...Array.from({ length: 2 }, () => [1, 2]), ...Array.from({ length: 5 }, () => [2, 2, 3])]),
      'ordinal',
    );
    expect(weighted.pairableValues).toBe(repeated.pairableValues);
    expect(weighted.alpha).toBeCloseTo(repeated.alpha!, 12);
  });

  it('computes a small case exactly by hand', () => {
    // units (A,A) (A,B) (B,B): o_AA = 2, o_AB = o_BA = 1, o_BB = 2; n_A = n_B = 3, n = 6.
    // nominal: D_o ∝ 2, D_e ∝ 2·3·3 = 18, alpha = 1 - (6-1)·2/18 = 4/9
    expect(
      krippendorffAlpha(
        coincidences([
          ['A', 'A'],
          ['A', 'B'],
          ['B', 'B'],
        ]),
        'nominal',
      ).alpha,
    ).toBeCloseTo(4 / 9, 12);
  });

  it('is 1 for perfect agreement, undefined without variation or without pairs', () => {
    expect(
      krippendorffAlpha(
        coincidences([
          [1, 1],
          [2, 2, 2],
          [5, 5],
        ]),
        'ordinal',
      ).alpha,
    ).toBe(1);
    expect(
      krippendorffAlpha(
        coincidences([
          [3, 3],
          [3, 3],
        ]),
        'nominal',
      ).alpha,
    ).toBeNull();
    expect(krippendorffAlpha(coincidences([[1], [2], []]), 'nominal')).toEqual({ alpha: null, pairableValues: 0 });
    expect(() =>
      krippendorffAlpha(
        [
          { c: 'A', k: 'B', o: 1 },
          { c: 'B', k: 'A', o: 1 },
        ],
        'ordinal',
      ),
    ).toThrow(/numeric/);
  });

  it('is negative when coders disagree systematically', () => {
    expect(
      krippendorffAlpha(
        coincidences([
          [1, 5],
          [5, 1],
          [1, 5],
        ]),
        'interval',
      ).alpha!,
    ).toBeLessThan(0);
  });
});

describe('consensusRating', () => {
  it('takes the median of agreeing verdicts, a half step toward MIXED', () => {
    expect(consensusRating([Rating.TRUE, Rating.TRUE])).toBe(Rating.TRUE);
    expect(consensusRating([Rating.TRUE, Rating.MOSTLY_TRUE])).toBe(Rating.MOSTLY_TRUE);
    expect(consensusRating([Rating.FALSE, Rating.MOSTLY_FALSE])).toBe(Rating.MOSTLY_FALSE);
    expect(consensusRating([Rating.MIXED, Rating.MOSTLY_TRUE])).toBe(Rating.MIXED);
    expect(consensusRating([Rating.TRUE, Rating.MOSTLY_TRUE, Rating.TRUE])).toBe(Rating.TRUE);
    expect(consensusRating([Rating.MISLEADING, Rating.MISLEADING])).toBe(Rating.MISLEADING);
    expect(consensusRating([Rating.MISLEADING, Rating.UNVERIFIABLE])).toBeNull();
    expect(consensusRating([Rating.MISLEADING, Rating.TRUE])).toBeNull();
    expect(consensusRating([])).toBeNull();
  });
});
