/**
 * Approximate substring search: Myers' bit-parallel edit distance (J. ACM 1999) in the block form
 * of Hyyrö (2001), the algorithm Hypothesis uses through approx-string-match. A pass over n code
 * points costs O(n · ⌈m/32⌉) for a pattern of m, and about O(n · ⌈k/32⌉) when searching with at
 * most k errors; m has no limit (diff-match-patch's bitap stops at 32 characters).
 */

export interface ApproximateMatch {
  start: number;
  end: number;
  /** Levenshtein distance between the pattern and text[start, end). */
  errors: number;
}

const WORD = 32;
const HIGH_BIT = 1 << 31;
const LATIN = 256;

/**
 * `profile[j]` is the edit distance between the whole pattern and the best text[i, j) with i free
 * (search) or i = 0 (`anchored`). profile[0] = pattern length. Computes every cell: meant for
 * short runs (aligning a boundary); searching a long text goes through `findApproximateMatches`.
 */
export function editDistanceProfile(text: ArrayLike<number>, pattern: ArrayLike<number>, anchored: boolean): Int32Array {
  const m = pattern.length;
  const profile = new Int32Array(text.length + 1);
  profile[0] = m;
  if (m === 0) return profile.map((_, j) => (anchored ? j : 0));

  const state = new BlockState(pattern);
  // Row 0 is all zeros when searching (start anywhere) and 0, 1, 2… when anchored at the start.
  const topDelta = anchored ? 1 : 0;
  let score = m;
  for (let j = 0; j < text.length; j++) {
    const eqs = state.masksFor(text[j]);
    let carry = topDelta;
    for (let b = 0; b < state.blocks; b++) carry = state.advance(b, eqs, carry);
    score += carry;
    profile[j + 1] = score;
  }
  return profile;
}

/**
 * Every place in text[from, to) where the pattern matches with at most `maxErrors` edits; one
 * match (the fewest errors) per cluster of overlapping end positions.
 */
export function findApproximateMatches(text: Uint32Array, pattern: Uint32Array, maxErrors: number, from = 0, to = text.length): ApproximateMatch[] {
  const ends = bestEnds(bandedSearchProfile(text.subarray(from, to), pattern, maxErrors), maxErrors);
  return ends.map(({ end, errors }) => {
    const absoluteEnd = from + end;
    return { start: matchStart(text, pattern, absoluteEnd, errors, from), end: absoluteEnd, errors };
  });
}

/**
 * Like a search-mode `editDistanceProfile`, but exact only where the distance is at most
 * `maxErrors` (larger values are reported as maxErrors + 1). Ukkonen's cut-off skips the blocks
 * of the pattern that cannot be within `maxErrors` in the current column, so the cost is about
 * O(n · ⌈maxErrors/32⌉) instead of O(n · ⌈m/32⌉).
 */
function bandedSearchProfile(text: ArrayLike<number>, pattern: ArrayLike<number>, maxErrors: number): Int32Array {
  const m = pattern.length;
  const state = new BlockState(pattern);
  const lastBlock = state.blocks - 1;
  const lastBlockRows = m - lastBlock * WORD;
  // Distance at the bottom row of each block, valid for blocks 0..active.
  const bottom = new Int32Array(state.blocks);
  let active = Math.min(lastBlock, Math.max(0, Math.ceil(maxErrors / WORD) - 1));
  for (let b = 0; b <= active; b++) bottom[b] = b === lastBlock ? m : (b + 1) * WORD;

  const profile = new Int32Array(text.length + 1);
  profile[0] = m <= maxErrors ? m : maxErrors + 1;
  for (let j = 0; j < text.length; j++) {
    const eqs = state.masksFor(text[j]);
    let carry = 0;
    for (let b = 0; b <= active; b++) {
      carry = state.advance(b, eqs, carry);
      bottom[b] += carry;
    }
    if (bottom[active] - carry <= maxErrors && active < lastBlock && ((eqs[active + 1] & 1) !== 0 || carry < 0)) {
      // The band reaches the next block: start it from column-0 deltas (+1 per row), which
      // over-estimate only cells that are beyond maxErrors anyway.
      active++;
      state.reset(active);
      const rows = active === lastBlock ? lastBlockRows : WORD;
      bottom[active] = bottom[active - 1] + rows - carry + state.advance(active, eqs, carry);
    } else {
      while (active > 0 && bottom[active] >= maxErrors + WORD) active--;
    }
    profile[j + 1] = active === lastBlock && bottom[active] <= maxErrors ? bottom[active] : maxErrors + 1;
  }
  return profile;
}

/** Myers' vertical delta bit-vectors of every 32-row block of the pattern, for one text column. */
class BlockState {
  readonly blocks: number;
  private readonly lastRowBit: number;
  private readonly positive: Int32Array;
  private readonly negative: Int32Array;
  private readonly masks: Map<number, Int32Array>;
  private readonly latin: (Int32Array | undefined)[];
  private readonly noMatch: Int32Array;

  constructor(pattern: ArrayLike<number>) {
    this.blocks = Math.ceil(pattern.length / WORD);
    this.lastRowBit = 1 << ((pattern.length - 1) % WORD);
    this.positive = new Int32Array(this.blocks).fill(-1); // column 0 is 0, 1, 2…: all deltas +1
    this.negative = new Int32Array(this.blocks);
    this.masks = patternMasks(pattern, this.blocks);
    // Most text is Latin: an array lookup beats the Map in the inner loop.
    this.latin = new Array<Int32Array | undefined>(LATIN).fill(undefined);
    for (const [code, mask] of this.masks) if (code < LATIN) this.latin[code] = mask;
    this.noMatch = new Int32Array(this.blocks);
  }

  masksFor(codePoint: number): Int32Array {
    return (codePoint < LATIN ? this.latin[codePoint] : this.masks.get(codePoint)) ?? this.noMatch;
  }

  reset(block: number): void {
    this.positive[block] = -1;
    this.negative[block] = 0;
  }

  /** Advances one block by one text column; returns the horizontal delta at its bottom row. */
  advance(block: number, eqs: Int32Array, carryIn: number): number {
    const pv = this.positive[block];
    const mv = this.negative[block];
    const eq = eqs[block] | (carryIn < 0 ? 1 : 0);
    const xv = eq | mv;
    const xh = (((eq & pv) + pv) ^ pv) | eq;
    let ph = mv | ~(xh | pv);
    let mh = pv & xh;
    const rowBit = block === this.blocks - 1 ? this.lastRowBit : HIGH_BIT;
    const carryOut = ph & rowBit ? 1 : mh & rowBit ? -1 : 0;
    ph <<= 1;
    mh <<= 1;
    if (carryIn < 0) mh |= 1;
    else if (carryIn > 0) ph |= 1;
    this.positive[block] = mh | ~(xv | ph);
    this.negative[block] = ph & xv;
    return carryOut;
  }
}

function patternMasks(pattern: ArrayLike<number>, blocks: number): Map<number, Int32Array> {
  const masks = new Map<number, Int32Array>();
  for (let i = 0; i < pattern.length; i++) {
    let mask = masks.get(pattern[i]);
    if (!mask) {
      mask = new Int32Array(blocks);
      masks.set(pattern[i], mask);
    }
    mask[(i / WORD) | 0] |= 1 << (i % WORD);
  }
  return masks;
}

function bestEnds(profile: Int32Array, maxErrors: number): { end: number; errors: number }[] {
  const ends: { end: number; errors: number }[] = [];
  let best: { end: number; errors: number } | null = null;
  for (let j = 1; j < profile.length; j++) {
    if (profile[j] <= maxErrors) {
      if (!best || profile[j] < best.errors) best = { end: j, errors: profile[j] };
    } else if (best) {
      ends.push(best);
      best = null;
    }
  }
  if (best) ends.push(best);
  return ends;
}

/**
 * The forward pass only yields where matches end; the start comes from an anchored pass over the
 * reversed text before `end`, preferring the length closest to the pattern's among equal costs.
 */
function matchStart(text: Uint32Array, pattern: Uint32Array, end: number, errors: number, floor: number): number {
  const lowest = Math.max(floor, end - pattern.length - errors);
  const reversedText = text.slice(lowest, end).reverse();
  const reversedPattern = pattern.slice().reverse();
  const profile = editDistanceProfile(reversedText, reversedPattern, true);
  let bestLength = -1;
  for (let length = 0; length < profile.length; length++) {
    if (profile[length] > errors) continue;
    if (bestLength < 0 || Math.abs(length - pattern.length) < Math.abs(bestLength - pattern.length)) {
      bestLength = length;
    }
  }
  return end - Math.max(bestLength, 0);
}
