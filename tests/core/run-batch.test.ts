import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/core/record';
import { newRecord } from '../../src/core/record';
import { applyOutcome, runBatch, type BatchModel, type BatchOutcome, type RunnableSession } from '../../src/core/run-batch';
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

  it('shows calibrated probabilities (softmax of logits / T) and keeps the raw top-5 beside them, in the record too', async () => {
    const input = [Float32Array.of(3, 0)]; // logits 3, 0, 3+0 = 3
    const plain = await runBatch(async () => session('wasm'), model, 'wasm', input);
    const cal = await runBatch(async () => session('wasm'), { ...model, temperature: 2 }, 'wasm', input);
    // logits [3, 0, 3] / 2 → e^1.5, e^0, e^1.5: the tie stays a tie, the third class gets more.
    const e = [Math.exp(1.5), 1, Math.exp(1.5)];
    const sum = e[0]! + e[1]! + e[2]!;
    expect(cal.top5[0]!.map((p) => p.label)).toEqual(['a', 'c', 'b']);
    expect(cal.top5[0]![0]!.prob).toBeCloseTo(e[0]! / sum, 6);
    expect(cal.top5[0]![2]!.prob).toBeCloseTo(1 / sum, 6);
    expect(cal.top5[0]![0]!.prob).toBeLessThan(plain.top5[0]![0]!.prob);
    expect(cal.rawTop5).toEqual(plain.top5);
    expect(plain.rawTop5).toBeUndefined(); // no calibration: nothing to keep twice
    const rec = newRecord({ requestId: 'r', image: { srcUrl: 'https://a/x.png', pageUrl: 'https://a/' }, modelId: 'tiny', backend: 'wasm' }, 2);
    applyOutcome(rec, { requested: 'wasm' }, { ...cal, queueMs: 0 }, 0, 1);
    expect(rec.top5).toEqual(cal.top5[0]);
    expect(rec.rawTop5).toEqual(plain.top5[0]);
  });

  it('a model with two views per image averages their logits into one row per image before calibrating and ranking', async () => {
    const s = session('wasm');
    // Image 0: views (3, 0) and (0, 1) → logits [3,0,3] and [0,1,1] → mean [1.5, 0.5, 2]. Image 1: (0, 4) twice → [0, 4, 4].
    const inputs = [Float32Array.of(3, 0), Float32Array.of(0, 1), Float32Array.of(0, 4), Float32Array.of(0, 4)];
    const out = await runBatch(async () => s, { ...model, views: 2, temperature: 2 }, 'wasm', inputs);
    expect(s.calls).toEqual([[4, 1, 1, 2]]); // one session.run over every view
    expect(out.top5).toHaveLength(2);
    expect(out.dims).toEqual([2, 3]);
    expect(Array.from(out.logits)).toEqual([1.5, 0.5, 2, 0, 4, 4]);
    const e = [Math.exp(0.75), Math.exp(0.25), Math.exp(1)];
    const sum = e[0]! + e[1]! + e[2]!;
    expect(out.top5[0]!.map((p) => p.label)).toEqual(['c', 'a', 'b']);
    expect(out.top5[0]![0]!.prob).toBeCloseTo(e[2]! / sum, 6);
    await expect(runBatch(async () => session('wasm'), { ...model, views: 2 }, 'wasm', inputs.slice(0, 3))).rejects.toThrow(/not whole images of 2 views/);
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

describe('applyOutcome: what each image of a batch records', () => {
  const records = (n: number) =>
    Array.from({ length: n }, (_, i) => newRecord({ requestId: `r${i}`, image: { srcUrl: `https://a.test/${i}.png`, pageUrl: 'https://a.test/' }, modelId: 'tiny', backend: 'wasm', source: 'page' }, 2));
  const inputs = [Float32Array.of(3, 0), Float32Array.of(0, -2), Float32Array.of(1, 4)];
  /** Fresh records of a batch, each given its row of `out`, as a job writes them. */
  const applied = (out: BatchOutcome, queueMs = 0) => {
    const recs = records(out.top5.length);
    recs.forEach((r, i) => {
      applyOutcome(r, { requested: 'wasm' }, { ...out, queueMs }, i, recs.length);
    });
    return recs;
  };
  /** A session whose runs take `runs[k]` ms each on the test's clock, after `openMs` to open. */
  function timed(runs: number[], openMs: number) {
    let t = 0;
    const s = session('wasm', { createMs: 80 });
    const inner = s.runFloat.bind(s);
    let k = 0;
    s.runFloat = async (...args) => {
      t += runs[k++ % runs.length]!;
      return inner(...args);
    };
    const open = async () => {
      t += openMs;
      return s;
    };
    return { open, now: () => t };
  }

  it("gives each image of a batch-1 model its own session.run and batch size 1, not the chunk's", async () => {
    const { open, now } = timed([3, 5, 11], 0);
    const out = await runBatch(open, { ...model, batchOne: true }, 'wasm', inputs, now);
    const recs = applied(out, 4);
    expect(recs.map((r) => r.timings.inference)).toEqual([3, 5, 11]);
    expect(recs.map((r) => r.batchSize)).toEqual([1, 1, 1]);
    expect(recs.map((r) => r.timings.queue)).toEqual([4, 4, 4]);
    expect(recs.map((r) => r.top5[0]!.label)).toEqual(out.top5.map((p) => p[0]!.label));
  });

  it('gives every image of a batched model the batch size and the one session.run they shared', async () => {
    const { open, now } = timed([9], 0);
    const out = await runBatch(open, model, 'wasm', inputs, now);
    const recs = applied(out);
    expect(recs.map((r) => [r.batchSize, r.timings.inference])).toEqual([[3, 9], [3, 9], [3, 9]]);
  });

  it('marks every image of a batch that waited for a fresh session cold, and counts the creation once', async () => {
    const { open, now } = timed([9], 30);
    const out = await runBatch(open, model, 'wasm', inputs, now);
    const recs = applied(out);
    expect(recs.map((r) => r.coldStart)).toEqual([true, true, true]); // none of them is a warm figure
    expect(recs.map((r) => r.sessionCreateMs)).toEqual([80, undefined, undefined]); // the popup sums it once
    expect(recs.map((r) => r.timings.session)).toEqual([30, 30, 30]);

    const again = applied(await runBatch(open, model, 'wasm', inputs, now));
    expect(again.map((r) => r.coldStart)).toEqual([false, false, false]);
  });

  it('says which backend was asked for and why another answered', async () => {
    const { open, now } = timed([9], 0);
    const out = await runBatch(open, model, 'wasm', inputs.slice(0, 1), now);
    const [r] = records(1);
    applyOutcome(r!, { requested: 'webgpu', fallbackReason: 'no WebGPU adapter' }, { ...out, queueMs: 0 }, 0, 1);
    expect([r!.backend, r!.requestedBackend, r!.fallbackReason]).toEqual(['wasm', 'webgpu', 'no WebGPU adapter']);
    const [same] = records(1);
    applyOutcome(same!, { requested: 'wasm' }, { ...out, queueMs: 0 }, 0, 1);
    expect(same!.requestedBackend).toBeUndefined();
  });
});
