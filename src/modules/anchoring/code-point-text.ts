const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * A revision's text addressed in Unicode code points, the unit of every anchor offset.
 * JavaScript strings index UTF-16 code units, so an emoji or a 𝔘 counts 2 there and 1 here.
 *
 * Build one per revision and pass it to every `reanchor` call for that revision: the offset table
 * and the code point array are computed once (the latter only if a fuzzy search needs it).
 */
export class CodePointText {
  readonly length: number;
  /** UTF-16 offset of every code point boundary (length + 1 entries); null when they coincide. */
  private readonly boundaries: Uint32Array | null;
  private cachedCodePoints: Uint32Array | null = null;

  constructor(readonly text: string) {
    // Most articles are all-BMP; they need no table at all.
    if (!SURROGATE.test(text)) {
      this.boundaries = null;
      this.length = text.length;
      return;
    }
    const boundaries = new Uint32Array(text.length + 1);
    let count = 0;
    for (let unit = 0; unit < text.length; unit += isPairAt(text, unit) ? 2 : 1) {
      boundaries[count++] = unit;
    }
    boundaries[count] = text.length;
    this.boundaries = boundaries.slice(0, count + 1);
    this.length = count;
  }

  /** Code points [start, end) as a string; bounds are clamped like String.prototype.slice. */
  slice(start: number, end: number): string {
    const from = clamp(start, 0, this.length);
    const to = clamp(end, from, this.length);
    return this.text.slice(this.toUtf16(from), this.toUtf16(to));
  }

  toUtf16(offset: number): number {
    this.assertOffset(offset, this.length);
    return this.boundaries === null ? offset : this.boundaries[offset];
  }

  /** An offset inside a surrogate pair maps to the code point that the pair encodes. */
  fromUtf16(offset: number): number {
    this.assertOffset(offset, this.text.length);
    if (this.boundaries === null) return offset;
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.boundaries[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /** The text as code point values, for the approximate matcher. */
  get codePoints(): Uint32Array {
    this.cachedCodePoints ??= toCodePoints(this.text, this.length);
    return this.cachedCodePoints;
  }

  private assertOffset(offset: number, max: number): void {
    if (!Number.isInteger(offset) || offset < 0 || offset > max) {
      throw new RangeError(`offset ${offset} is outside 0..${max}`);
    }
  }
}

/** Code point values of a string; a lone surrogate counts as one code point, as in `[...s]`. */
export function toCodePoints(text: string, length?: number): Uint32Array {
  const out = new Uint32Array(length ?? text.length);
  let count = 0;
  for (let unit = 0; unit < text.length; ) {
    const value = text.codePointAt(unit)!;
    out[count++] = value;
    unit += value > 0xffff ? 2 : 1;
  }
  return count === out.length ? out : out.slice(0, count);
}

/** True when the string has no lone surrogate; local so this module does not depend on the ES2024 lib. */
export function isWellFormed(text: string): boolean {
  for (let unit = 0; unit < text.length; unit++) {
    const code = text.charCodeAt(unit);
    if (code < 0xd800 || code > 0xdfff) continue;
    if (!isPairAt(text, unit)) return false;
    unit++;
  }
  return true;
}

function isPairAt(text: string, unit: number): boolean {
  const high = text.charCodeAt(unit);
  const low = text.charCodeAt(unit + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
