/** The native side: onnxruntime-node on the CPU ("server CPU"), same protocol and inputs as the browser. */
import { measureBatches, seededTensor } from '../../src/core/bench/protocol';
import { failedRows, toRows } from '../../src/core/bench/rows';
import type { BackendId, BenchRow, CellPlan } from '../../src/core/bench/types';
import { nodeSession, ort } from '../lib/ort-node';
import type { ModelSpec } from './models';

let runtimeLoaded = false;

export interface NativeResult {
  rows: BenchRow[];
  /** The process's first session creation (loads ORT's native runtime), when this call made it. */
  runtimeInitMs?: number;
}

export async function measureNative(spec: ModelSpec, backend: Extract<BackendId, 'native-1' | 'native-all'>, threads: number, plan: CellPlan): Promise<NativeResult> {
  const ctx = { model: spec.model, backend, threads };
  let runtimeInitMs: number | undefined;
  try {
    if (!runtimeLoaded) {
      // As in the page: the first creation also sets up the runtime; keep it out of sessionCreateMs.
      const t0 = performance.now();
      await (await nodeSession(spec.path, threads)).release();
      runtimeInitMs = performance.now() - t0;
      runtimeLoaded = true;
    }
    const t0 = performance.now();
    const session = await nodeSession(spec.path, threads);
    const sessionCreateMs = performance.now() - t0;
    try {
      const input = session.inputNames[0] ?? spec.input;
      const cells = await measureBatches((batch) => {
        const feeds = { [input]: new ort.Tensor('float32', seededTensor(batch, plan.seed), [batch, 3, 32, 32]) };
        return async () => {
          const s = performance.now();
          await session.run(feeds);
          return { ms: performance.now() - s };
        };
      }, plan, spec.model.madds);
      return { rows: toRows({ ...ctx, sessionCreateMs }, cells), ...(runtimeInitMs !== undefined ? { runtimeInitMs } : {}) };
    } finally {
      await session.release();
    }
  } catch (e) {
    return { rows: failedRows(ctx, plan.batches, e instanceof Error ? e.message : String(e)) };
  }
}
