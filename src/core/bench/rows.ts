/** Turning measured cells into result rows, and the browser/native ratios across rows. Pure. */
import type { CellOutcome } from './protocol';
import { type BackendId, type BenchModel, type BenchRow, NATIVE_REF } from './types';

export interface RowContext {
  model: BenchModel;
  backend: BackendId;
  threads: number | null;
  sessionCreateMs: number | null;
  adapter?: string;
}

const EMPTY = {
  firstRunMs: null, runs: 0, medianMs: null, p90Ms: null, p99Ms: null, minMs: null, meanMs: null, maxMs: null,
  throughput: null, gflops: null,
} as const;

export function toRows(ctx: RowContext, cells: readonly CellOutcome[]): BenchRow[] {
  return cells.map((c) => ({
    model: ctx.model.key, source: ctx.model.source, backend: ctx.backend, threads: ctx.threads, batch: c.batch,
    sessionCreateMs: ctx.sessionCreateMs,
    ...('stats' in c ? c.stats : { ...EMPTY, error: c.error }),
    vsNative: null,
    ...(ctx.adapter ? { adapter: ctx.adapter } : {}),
  }));
}

/** Rows for every batch size of a (model, backend) that failed before any run (e.g. session creation). */
export function failedRows(ctx: Omit<RowContext, 'sessionCreateMs'>, batches: readonly number[], error: string): BenchRow[] {
  return toRows({ ...ctx, sessionCreateMs: null }, batches.map((batch) => ({ batch, error })));
}

/** Fill `vsNative` for every non-native row whose native reference (NATIVE_REF) was measured. */
export function withRatios(rows: readonly BenchRow[]): BenchRow[] {
  const native = new Map<string, number>();
  for (const r of rows) if (r.backend.startsWith('native-') && r.medianMs) native.set(`${r.model}|${r.batch}|${r.backend}`, r.medianMs);
  return rows.map((r) => {
    const ref = NATIVE_REF[r.backend];
    const base = ref ? native.get(`${r.model}|${r.batch}|${ref}`) : undefined;
    return { ...r, vsNative: ref && base && r.medianMs ? { ref, ratio: r.medianMs / base } : null };
  });
}
