/**
 * The onnxruntime-node side of `npm run bench:levers`: one configuration
 * (session options, tensor handling, batches) on the CPU, same protocol and
 * inputs as the page, and the pre-optimized copies of a model that
 * onnxruntime-node can write.
 */
import { readFileSync } from 'node:fs';
import type * as Ort from 'onnxruntime-node';
import { inspectOnnx } from '../../src/core/onnx-inspect';
import { type GraphOptLevel, type LeverSettings, prepareIo } from '../../src/core/bench/levers';
import { measureBatches, seededTensor } from '../../src/core/bench/protocol';
import { failedRows, toRows } from '../../src/core/bench/rows';
import type { BenchModel, BenchRow, CellPlan } from '../../src/core/bench/types';
import { summarize } from '../../src/core/stats';
import { ort } from '../lib/ort-node';

function options(threads: number, level: GraphOptLevel, staticBatch?: { name: string; size: number }): Ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: level,
    ...(staticBatch ? { freeDimensionOverrides: { [staticBatch.name]: staticBatch.size } } : {}),
  };
}

export async function measureNativeLever(model: BenchModel, path: string, cores: number, plan: CellPlan, settings: LeverSettings): Promise<BenchRow[]> {
  const threads = settings.threads ?? cores;
  const ctx = { model, backend: 'native-all' as const, threads };
  let session: Ort.InferenceSession | undefined;
  try {
    // The file's symbolic batch dimension, read before (not inside) the timed creations.
    const dim = settings.staticBatch ? inspectOnnx(new Uint8Array(readFileSync(path))).inputs[0]?.dims[0] : undefined;
    if (settings.staticBatch && (typeof dim !== 'string' || dim === '?')) throw new Error('the model has no named free batch dimension to fix');
    const fixed = settings.staticBatch && typeof dim === 'string' ? { name: dim, size: settings.staticBatch } : undefined;
    const creates: number[] = [];
    for (let i = 0; i < Math.max(1, settings.createRuns ?? 1); i++) {
      await session?.release();
      session = undefined;
      const t0 = performance.now();
      session = await ort.InferenceSession.create(path, options(threads, settings.graphOptimizationLevel ?? 'all', fixed));
      creates.push(performance.now() - t0);
    }
    const s = session;
    const input = s?.inputNames[0];
    const output = s?.outputNames[0];
    if (!s || !input || !output) throw new Error('the model has no input or no output');
    const ports = {
      tensor: (d: Float32Array, dims: number[]) => new ort.Tensor('float32', d, dims),
      run: (f: Record<string, Ort.Tensor>, o?: Record<string, Ort.Tensor>) => (o ? s.run(f, o) : s.run(f)),
      data: (t: Ort.Tensor) => t.data as Float32Array,
      dims: (t: Ort.Tensor) => t.dims,
    };
    const io = settings.io ?? 'reused-tensor';
    const cells = await measureBatches((batch) => prepareIo(ports, input, output, io, seededTensor(batch, plan.seed), [batch, 3, 32, 32]), plan, model.madds);
    return toRows({ ...ctx, sessionCreateMs: summarize(creates)?.median ?? null }, cells);
  } catch (e) {
    return failedRows(ctx, plan.batches, e instanceof Error ? e.message : String(e));
  } finally {
    await session?.release().catch(() => undefined);
  }
}

/**
 * `src` as onnxruntime-node optimizes it at level 'extended' (fusions that
 * every CPU build has, none of the x86-only NCHWc layout of 'all'), saved as
 * ONNX or in the ORT format (flatbuffer; what the Python tool
 * `convert_onnx_models_to_ort` writes, through the same session option).
 */
export async function writeOptimized(src: string, dest: string, format: 'onnx' | 'ort'): Promise<void> {
  const s = await ort.InferenceSession.create(src, {
    ...options(1, 'extended'), optimizedModelFilePath: dest,
    ...(format === 'ort' ? { extra: { session: { save_model_format: 'ORT' } } } : {}),
  });
  await s.release();
}
