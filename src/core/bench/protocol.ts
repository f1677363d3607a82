/**
 * The one timing protocol every backend follows (onnxruntime-node, ORT Web in
 * the page, the cloud), so their figures are comparable: per batch size, one
 * timed first run, `warmup` untimed runs, then up to `runs` timed runs, cut
 * short once `maxMs` has passed (never below MIN_RUNS). Each backend times its
 * own call (`session.run` alone, or the HTTP round trip); this module only
 * schedules and summarises. No browser or Node API: unit-tested with a fake clock.
 */
import { summarize } from '../stats';
import type { CellPlan } from './types';

/** One timed call: its duration, and for the cloud the server's own compute time. */
export interface Timed {
  ms: number;
  computeMs?: number;
}

export type RunOnce = () => Promise<Timed>;

/** Fewer warm runs than this give no p90 worth printing, whatever the time budget. */
export const MIN_RUNS = 3;

export interface CellSamples {
  firstRunMs: number;
  samples: number[];
  compute: number[];
}

export async function sampleCell(run: RunOnce, plan: Pick<CellPlan, 'runs' | 'warmup' | 'maxMs'>, now: () => number = () => performance.now()): Promise<CellSamples> {
  const first = await run();
  for (let i = 0; i < plan.warmup; i++) await run();
  const samples: number[] = [];
  const compute: number[] = [];
  const start = now();
  const target = Math.max(plan.runs, 1);
  while (samples.length < target) {
    const t = await run();
    samples.push(t.ms);
    if (t.computeMs !== undefined) compute.push(t.computeMs);
    if (samples.length >= MIN_RUNS && now() - start > plan.maxMs) break;
  }
  return { firstRunMs: first.ms, samples, compute };
}

export interface CellStats {
  firstRunMs: number;
  runs: number;
  medianMs: number;
  p90Ms: number;
  p99Ms: number;
  minMs: number;
  meanMs: number;
  maxMs: number;
  throughput: number;
  gflops: number | null;
  serverComputeMs?: number | null;
}

/** Statistics of one cell; throughput and GFLOP/s are taken at the median. */
export function cellStats(batch: number, madds: number | null, s: CellSamples): CellStats {
  const w = summarize(s.samples);
  if (!w) throw new Error('no finite timing was measured');
  const ms = w.median;
  return {
    firstRunMs: s.firstRunMs, runs: w.count,
    medianMs: ms, p90Ms: w.p90, p99Ms: w.p99, minMs: w.min, meanMs: w.mean, maxMs: w.max,
    throughput: (batch * 1000) / ms,
    gflops: madds === null ? null : (2 * madds * batch) / (ms * 1e6),
    ...(s.compute.length > 0 ? { serverComputeMs: summarize(s.compute)?.median ?? null } : {}),
  };
}

export type CellOutcome = { batch: number; stats: CellStats } | { batch: number; error: string };

/**
 * Every batch size of one (model, backend): `prepare(batch)` builds the input
 * once (outside the timing) and returns the timed call. A failing batch size is
 * reported and the next one still runs.
 */
export async function measureBatches(prepare: (batch: number) => Promise<RunOnce> | RunOnce, plan: CellPlan, madds: number | null, now?: () => number): Promise<CellOutcome[]> {
  const out: CellOutcome[] = [];
  for (const batch of plan.batches) {
    try {
      const run = await prepare(batch);
      out.push({ batch, stats: cellStats(batch, madds, await sampleCell(run, plan, now)) });
    } catch (e) {
      out.push({ batch, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

/**
 * A deterministic N x 3 x H x W input (LCG), roughly the range of normalised
 * pixels. Speed does not depend on the values, but seeding makes runs repeatable
 * and the same tensor feeds every backend.
 */
export function seededTensor(batch: number, seed: number, size = 32): Float32Array {
  let s = (seed + batch * 7919) >>> 0;
  const out = new Float32Array(batch * 3 * size * size);
  for (let i = 0; i < out.length; i++) out[i] = ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 4 - 2;
  return out;
}
