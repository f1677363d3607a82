/**
 * Latency statistics for the popup's benchmark table.
 */
import type { InferenceRecord } from './record';

export interface Summary {
  /** Number of finite values summarised. */
  count: number;
  median: number;
  p90: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/**
 * Percentile of ascending `sorted` by linear interpolation between closest
 * ranks (Hyndman & Fan type 7; numpy's and Excel PERCENTILE.INC's default):
 * rank h = (n-1)·p, then interpolate between sorted[floor h] and sorted[ceil h].
 * Chosen because it never invents values outside [min, max] and agrees with
 * the tools people will check our numbers against.
 */
function percentile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo] ?? NaN;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] ?? a;
  return a + (h - lo) * (b - a);
}

/** Summary of the finite values (NaN/±Infinity are ignored); null when none remain. */
export function summarize(values: readonly number[]): Summary | null {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return null;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: n,
    median: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    min: sorted[0] ?? NaN,
    max: sorted[n - 1] ?? NaN,
    mean: sum / n,
  };
}

/** Where a request came from: a right-click (timed click → label) or page tagging, by hand or auto (timed load → label). */
export type StatsFrom = 'click' | 'page';

export interface StatsRow {
  modelId: string;
  backend: string;
  /** WASM threads the requests ran at (latency depends on them); undefined for WebGPU. */
  threads: number | undefined;
  from: StatsFrom;
  /** Images per session.run: 1 for right-clicks, up to 16 for page tagging (their times are per batch). */
  batchSize: number;
  /**
   * `session.run` latency over successful requests; null when every request in
   * the group failed (the row is still shown so its errors are visible).
   */
  inference: Summary | null;
  /** End-to-end latency over successful requests; null as for `inference`. */
  total: Summary | null;
  /** Failed requests (records with `error`), excluded from the latency figures. */
  errors: number;
  /**
   * Session creation of the requests that had to create one. Those requests are
   * left out of `inference`/`total`: one cold start of seconds would swamp a p95
   * of milliseconds, and the study reports cold start as its own figure.
   */
  coldStart: Summary | null;
}

/**
 * One row per (model, backend, WASM threads, where from, batch size), sorted
 * in that order: each row's requests ran alike and were timed alike (a click
 * from the click, a tagged image from the load of its batch). Failed requests
 * are counted but not timed: a request that died in `fetch` would otherwise
 * drag the inference figures towards zero. They never reached a session, so
 * they join a row of their model and backend (of their kind, the smallest
 * batch, where there is one) instead of making rows of their own. Cold starts
 * are summarised on their own (see StatsRow.coldStart).
 */
export function statsByModelBackend(records: readonly InferenceRecord[]): StatsRow[] {
  type Group = Omit<StatsRow, 'inference' | 'total' | 'coldStart'> & { inference: number[]; total: number[]; cold: number[] };
  const groups = new Map<string, Group>();
  const group = (modelId: string, backend: string, threads: number | undefined, from: StatsFrom, batchSize: number): Group => {
    const key = JSON.stringify([modelId, backend, threads, from, batchSize]);
    let g = groups.get(key);
    if (g === undefined) {
      g = { modelId, backend, threads, from, batchSize, inference: [], total: [], cold: [], errors: 0 };
      groups.set(key, g);
    }
    return g;
  };
  const fromOf = (r: InferenceRecord): StatsFrom => (r.source === 'page' || r.source === 'auto' ? 'page' : 'click');
  const failed: InferenceRecord[] = [];
  for (const r of records) {
    if (r.error !== undefined) {
      failed.push(r);
      continue;
    }
    const g = group(r.modelId, r.backend, r.backend === 'wasm' ? r.threads : undefined, fromOf(r), r.batchSize);
    if (r.coldStart) {
      if (r.sessionCreateMs !== undefined) g.cold.push(r.sessionCreateMs);
    } else {
      g.inference.push(r.timings.inference);
      g.total.push(r.timings.total);
    }
  }
  for (const r of failed) {
    const from = fromOf(r);
    const same = [...groups.values()].filter((g) => g.modelId === r.modelId && g.backend === r.backend).sort((a, b) => a.batchSize - b.batchSize);
    (same.find((g) => g.from === from) ?? same[0] ?? group(r.modelId, r.backend, undefined, from, 1)).errors++;
  }
  // Plain code-unit comparison rather than localeCompare: ids are ASCII and the order must not depend on the user's locale.
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...groups.values()]
    .sort((a, b) => cmp(a.modelId, b.modelId) || cmp(a.backend, b.backend) || (a.threads ?? 0) - (b.threads ?? 0) ||
      cmp(a.from, b.from) || a.batchSize - b.batchSize)
    .map((g) => ({
      modelId: g.modelId, backend: g.backend, threads: g.threads, from: g.from, batchSize: g.batchSize,
      inference: summarize(g.inference), total: summarize(g.total), errors: g.errors, coldStart: summarize(g.cold),
    }));
}
