import { toCodePoints } from './code-point-text';

/**
 * 1 for equal strings, falling towards 0 with the Levenshtein distance relative to the longer one.
 * Meant for context and quote strings (quadratic in their length); two empty strings are equal.
 */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const left = toCodePoints(a);
  const right = toCodePoints(b);
  const longer = Math.max(left.length, right.length);
  return longer === 0 ? 1 : 1 - levenshtein(left, right) / longer;
}

function levenshtein(a: Uint32Array, b: Uint32Array): number {
  let previous = Uint32Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, previous[j] + 1, current[j - 1] + 1);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}
