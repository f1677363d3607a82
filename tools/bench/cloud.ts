/**
 * The cloud side: a KServe v2 endpoint (`npm run server`, Triton, KServe)
 * through the extension's own client (src/core/cloud-client.ts). Each timed
 * run is one request's round trip; the server's `compute` time, where it
 * reports one, is kept beside it (the rest is network, queueing and encoding).
 */
import { inferRemote } from '../../src/core/cloud-client';
import { validateEndpoint } from '../../src/core/cloud-endpoint';
import { measureBatches, seededTensor } from '../../src/core/bench/protocol';
import { failedRows, toRows } from '../../src/core/bench/rows';
import type { BenchRow, CellPlan } from '../../src/core/bench/types';
import type { ModelSpec } from './models';

/** The endpoint's base URL, or a reason why it cannot be used. */
export function cloudBase(url: string): string {
  const check = validateEndpoint(url);
  if (!check.ok) throw new Error(`--cloud: ${check.reason}`);
  return check.base;
}

export async function measureCloud(spec: ModelSpec, base: string, token: string | undefined, plan: CellPlan): Promise<BenchRow[]> {
  const ctx = { model: spec.model, backend: 'cloud' as const, threads: null };
  try {
    const target = { base, model: spec.model.key, timeoutMs: 60_000, ...(token ? { token } : {}) };
    const cells = await measureBatches((batch) => {
      const data = seededTensor(batch, plan.seed);
      return async () => {
        const r = await inferRemote(target, spec.input, data, [batch, 3, 32, 32], spec.classes);
        return { ms: r.roundTripMs, ...(r.computeMs !== undefined ? { computeMs: r.computeMs } : {}) };
      };
    }, plan, spec.model.madds);
    return toRows({ ...ctx, sessionCreateMs: null }, cells);
  } catch (e) {
    return failedRows(ctx, plan.batches, e instanceof Error ? e.message : String(e));
  }
}
