/**
 * Krippendorff's alpha, computed from a coincidence matrix (Krippendorff, "Computing Krippendorff's
 * Alpha-Reliability", 2011). Units are claims, coders are reviewers, values are their current ratings.
 *
 *   o_ck = Σ_u (number of c-k pairs of values in unit u) / (m_u - 1)    (units with m_u >= 2 only)
 *   n_c  = Σ_k o_ck,   n = Σ_c n_c
 *   α    = 1 - (n - 1) · Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck
 *
 * α is 1 for perfect agreement, 0 for agreement at chance, negative below it; it is undefined (null)
 * when fewer than two pairable values exist or when every value is the same (no expected disagreement).
 */
export type AlphaMetric = 'nominal' | 'ordinal' | 'interval';

export interface Coincidence<V> {
  c: V;
  k: V;
  /** The (possibly fractional) number of c-k pairs. */
  o: number;
}

export interface AlphaResult {
  alpha: number | null;
  /** Pairable values: the values in units with at least two of them. */
  pairableValues: number;
}

/**
 * The coincidence matrix of units (one array of values per unit; missing values simply absent).
 * `weights[i]` counts unit i that many times: units with the same values contribute alike, so many
 * units can be passed as their distinct value patterns with how often each occurs.
 */
export function coincidences<V>(units: readonly (readonly V[])[], weights?: readonly number[]): Coincidence<V>[] {
  const matrix = new Map<V, Map<V, number>>();
  for (const [index, values] of units.entries()) {
    const m = values.length;
    const weight = weights ? weights[index] : 1;
    if (m < 2) continue;
    const counts = new Map<V, number>();
    for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
    for (const [c, nc] of counts) {
      for (const [k, nk] of counts) {
        // ordered pairs of different coders: n_uc · (n_uk - [c = k])
        const pairs = weight * nc * (nk - (c === k ? 1 : 0));
        if (pairs === 0) continue;
        const row = matrix.get(c) ?? new Map<V, number>();
        row.set(k, (row.get(k) ?? 0) + pairs / (m - 1));
        matrix.set(c, row);
      }
    }
  }
  return [...matrix].flatMap(([c, row]) => [...row].map(([k, o]) => ({ c, k, o })));
}

/**
 * α from coincidences. For 'ordinal' and 'interval' the values must be numbers (their order, and for
 * 'interval' their distance, is what the metric measures); 'nominal' takes any values.
 */
export function krippendorffAlpha<V extends string | number>(entries: readonly Coincidence<V>[], metric: AlphaMetric): AlphaResult {
  const marginals = new Map<V, number>();
  for (const { c, o } of entries) marginals.set(c, (marginals.get(c) ?? 0) + o);
  const n = [...marginals.values()].reduce((sum, value) => sum + value, 0);
  const pairableValues = Math.round(n * 1e9) / 1e9;
  if (n < 2) return { alpha: null, pairableValues };

  const delta = distance(marginals, metric);
  let observed = 0;
  for (const { c, k, o } of entries) observed += o * delta(c, k);
  let expected = 0;
  for (const [c, nc] of marginals) for (const [k, nk] of marginals) expected += nc * nk * delta(c, k);
  if (expected === 0) return { alpha: null, pairableValues };
  return { alpha: 1 - ((n - 1) * observed) / expected, pairableValues };
}

function distance<V extends string | number>(marginals: Map<V, number>, metric: AlphaMetric): (c: V, k: V) => number {
  if (metric === 'nominal') return (c, k) => (c === k ? 0 : 1);
  for (const value of marginals.keys()) {
    if (typeof value !== 'number') throw new Error(`${metric} alpha needs numeric values`);
  }
  if (metric === 'interval') return (c, k) => ((c as number) - (k as number)) ** 2;
  // ordinal: δ_ck = Σ_{g from c to k} n_g - (n_c + n_k) / 2, over the values in rank order
  const ranked = [...marginals.keys()].sort((a, b) => (a as number) - (b as number));
  const cumulative = new Map<V, number>();
  let running = 0;
  for (const value of ranked) {
    running += marginals.get(value)!;
    cumulative.set(value, running);
  }
  return (c, k) => {
    if (c === k) return 0;
    const low = Math.min(c as number, k as number) as V;
    const high: V = low === c ? k : c;
    const between = cumulative.get(high)! - cumulative.get(low)! + marginals.get(low)!;
    return (between - (marginals.get(c)! + marginals.get(k)!) / 2) ** 2;
  };
}
