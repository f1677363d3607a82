import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/core/record';
import { runBatch, type BatchModel, type RunnableSession } from '../../src/core/run-batch';
import { isLaneFailure, LaneError } from '../../src/core/lane-error';
import { StageError } from '../../src/core/stage-error';

const model: BatchModel = { id: 'tiny', inputName: 'in', outputName: 'out', chw: [1, 1, 2], labels: ['a', 'b', 'c'] };

/** A session whose logits are the input's two values plus their sum, per image. */
function session(backend: Backend, opts: { fail?: string; createMs?: number; values?: (d: Float32Array) => number[] } = {}): RunnableSession & { calls: number[][] } {
  const calls: number[][] = [];
  return {
    backend, threads: backend === 'wasm' ? 2 : 1, createMs: opts.createMs ?? 40, fresh: true, calls,
    async runFloat(inputName, data, dims, outputName) {
      expect([inputName, outputName]).toEqual(['in', 'out']);
      calls.push([...dims]);
      if (opts.fail) throw new Error(opts.fail);
      const out: number[] = [];
      for (let i = 0; i < dims[0]!; i++) out.push(data[2 * i]!, data[2 * i + 1]!, data[2 * i]! + data[2 * i + 1]!);
      return { data: Float32Array.from(opts.values ? opts.values(data) : out), dims: [dims[0]!, 3] };
    },
  };
}

describe('runBatch', () => {
  it('runs N inputs as one session.run and ranks each row', async () => {
    const s = session('wasm');
    const out = await runBatch(async () => s, model, 'wasm', [Float32Array.of(3, 0), Float32Array.of(0, -2)]);
    expect(s.calls).toEqual([[2, 1, 1, 2]]);
    expect(out.top5.map((r) => r.map((p) => p.label))).toEqual([['a', 'c', 'b'], ['a', 'b', 'c']]);
    expect(out.top5[1]![0]!.label).toBe('a');
    expect(out.backend).toBe('wasm');
    expect(out.fallback).toBeUndefined();
  });

  it('runs a batch-1 model one image per session.run, with the labels a batch would give and each run timed', async () => {
    const s = session('wasm');
    const inputs = [Float32Array.of(3, 0), Float32Array.of(0, -2), Float32Array.of(1, 4)];
    const batched = await runBatch(async () => session('wasm'), model, 'wasm', inputs);
    let t = 0;
    const out = await runBatch(async () => s, { ...model, batchOne: true }, 'wasm', inputs, () => (t += 2));
    expect(s.calls).toEqual([[1, 1, 1, 2], [1, 1, 1, 2], [1, 1, 1, 2]]);
    expect(out.top5).toEqual(batched.top5);
    expect(out.runMs).toEqual([2, 2, 2]); // each image's own run: its record's inference time
    expect(out.inferenceMs).toBeGreaterThanOrEqual(6);
    expect(batched.runMs).toBeUndefined();
  });

  /** A clock that advances `step` ms per reading: the batch below then "waits" for its session. */
  const ticking = (step: number) => {
    let t = 0;
    return () => (t += step);
  };

  it('reports the cold start once: the next batch through the same session is warm', async () => {
    const s = session('wasm', { createMs: 123 });
    const first = await runBatch(async () => s, model, 'wasm', [Float32Array.of(1, 2)], ticking(5));
    const second = await runBatch(async () => s, model, 'wasm', [Float32Array.of(1, 2)], ticking(5));
    expect(first.coldStartMs).toBe(123);
    expect(second.coldStartMs).toBeUndefined();
  });

  it('does not call a session that a warm-up made beforehand a cold start', async () => {
    const s = session('wasm', { createMs: 123 });
    const out = await runBatch(async () => s, model, 'wasm', [Float32Array.of(1, 2)], () => 7); // no time passes waiting
    expect(out.coldStartMs).toBeUndefined();
    expect(s.fresh).toBe(false);
  });

  it('falls back from a failing WebGPU session to WASM in the same request, with the reason and both cold starts', async () => {
    const gpu = session('webgpu', { fail: 'unsupported op Foo', createMs: 500 });
    const wasm = session('wasm', { createMs: 60 });
    const out = await runBatch(async (b) => (b === 'webgpu' ? gpu : wasm), model, 'webgpu', [Float32Array.of(5, 1)], ticking(5));
    expect(out.backend).toBe('wasm');
    expect(out.fallback).toMatch(/WebGPU failed \(inference failed: unsupported op Foo\): used WASM instead/);
    expect(out.coldStartMs).toBe(560);
    expect(out.top5[0]![0]!.label).toBe('c');
    // The fallback session was consumed here: it does not report a cold start on the next request.
    expect((await runBatch(async () => wasm, model, 'wasm', [Float32Array.of(5, 1)])).coldStartMs).toBeUndefined();
  });

  it('falls back to WASM when WebGPU answers NaN logits (a GPU fault, not the model), counting both cold starts', async () => {
    const gpu = session('webgpu', { createMs: 300, values: () => [Number.NaN, 1, 2] });
    const wasm = session('wasm', { createMs: 60 });
    const out = await runBatch(async (b) => (b === 'webgpu' ? gpu : wasm), model, 'webgpu', [Float32Array.of(5, 1)], ticking(5));
    expect(out.backend).toBe('wasm');
    expect(out.fallback).toMatch(/WebGPU failed \(the model's output is unusable: .*NaN.*\): used WASM instead/);
    expect(out.coldStartMs).toBe(360);
    expect(out.top5[0]![0]!.label).toBe('c');
  });

  it('falls back when the WebGPU session cannot even be created', async () => {
    const wasm = session('wasm');
    const out = await runBatch(async (b) => {
      if (b === 'webgpu') throw new Error('device lost');
      return wasm;
    }, model, 'webgpu', [Float32Array.of(1, 1)]);
    expect(out.backend).toBe('wasm');
    expect(out.fallback).toContain('device lost');
  });

  it('names the stage of a WASM failure, a wrong output size and NaN logits', async () => {
    await expect(runBatch(async () => session('wasm', { fail: 'boom' }), model, 'wasm', [Float32Array.of(1, 1)]))
      .rejects.toMatchObject({ stage: 'inference', message: 'inference failed: boom' });
    await expect(runBatch(async () => session('wasm', { values: () => [1, 2] }), model, 'wasm', [Float32Array.of(1, 1)]))
      .rejects.toThrow('the model returned 2 values for 1 image(s); expected 1 x 3 classes');
    await expect(runBatch(async () => session('wasm', { values: () => [1, Number.NaN, 2] }), model, 'wasm', [Float32Array.of(1, 1)]))
      .rejects.toThrow(/output is unusable.*NaN/);
    await expect(runBatch(async () => { throw new Error('no file'); }, model, 'wasm', [Float32Array.of(1, 1)]))
      .rejects.toSatisfy((e) => e instanceof StageError && e.stage === 'model' && e.message.includes('could not load model tiny (wasm): no file'));
  });

  it("keeps the session's own error as the cause: a worker lane's failure stays recognisable for its retry, the model's own does not", async () => {
    const gone = new LaneError('the inference worker was closed');
    const lane: RunnableSession = { ...session('wasm'), runFloat: async () => { throw gone; } };
    const laneFailed = await runBatch(async () => lane, model, 'wasm', [Float32Array.of(1, 1)]).catch((e: unknown) => e);
    expect(laneFailed).toBeInstanceOf(StageError);
    expect(laneFailed).toMatchObject({ stage: 'inference', message: 'inference failed: the inference worker was closed', cause: gone });
    expect(isLaneFailure(laneFailed)).toBe(true);
    const modelFailed = await runBatch(async () => session('wasm', { fail: 'bad shape' }), model, 'wasm', [Float32Array.of(1, 1)]).catch((e: unknown) => e);
    expect(isLaneFailure(modelFailed)).toBe(false);
    expect(isLaneFailure(new Error('x', { cause: new Error('y', { cause: gone }) }))).toBe(true);
  });

  it('refuses inputs of the wrong size instead of running them', async () => {
    await expect(runBatch(async () => session('wasm'), model, 'wasm', [Float32Array.of(1, 2), Float32Array.of(1)]))
      .rejects.toThrow('input 1 has 1 values; the model takes 2');
  });
});
