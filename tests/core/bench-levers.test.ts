import { describe, expect, it } from 'vitest';
import { type IoPorts, LEVERS, leverConfigs, leverRows, leversMarkdown, prepareIo } from '../../src/core/bench/levers';
import type { BenchRow } from '../../src/core/bench/types';

const row = (model: string, batch: number, medianMs: number | null, sessionCreateMs = 10, error?: string): BenchRow => ({
  model, source: 'catalog', backend: 'native-all', threads: 2, batch, sessionCreateMs, firstRunMs: 1, runs: 3,
  medianMs, p90Ms: medianMs, p99Ms: medianMs, minMs: medianMs, meanMs: medianMs, maxMs: medianMs,
  throughput: medianMs ? (batch * 1000) / medianMs : null, gflops: null, vsNative: null, ...(error ? { error } : {}),
});

describe('lever configurations', () => {
  it('measures the product settings first, and only files that exist', () => {
    const all = leverConfigs(3, new Set(['fp32', 'int8', 'preopt-onnx', 'preopt-ort']));
    expect(all[0]).toEqual({ key: 'base', file: 'fp32', settings: { createRuns: 3, graphOptimizationLevel: 'all', io: 'fresh-tensor' }, batches: [1, 8, 32] });
    expect(all.map((c) => c.key)).toEqual(['base', 'opt-disabled', 'opt-basic', 'opt-extended', 'preopt-onnx', 'preopt-ort', 'io-reused', 'io-preallocated', 'int8', 'static-b1', 'threads-1', 'threads-2', 'threads-4']);
    expect(all.find((c) => c.key === 'static-b1')?.settings.staticBatch).toBe(1);
    expect(all.filter((c) => c.key.startsWith('threads-')).map((c) => [c.settings.threads, c.batches])).toEqual([[1, [1, 16]], [2, [1, 16]], [4, [1, 16]]]);
    expect(leverConfigs(1, new Set(['fp32'])).map((c) => c.key)).not.toContain('int8');
  });
});

describe('lever rows', () => {
  const m = new Map<string, BenchRow[]>([
    ['base', [row('f', 1, 2, 100), row('f', 8, 8, 100), row('f', 32, 16, 100)]],
    ['opt-disabled', [row('f', 1, 4, 50)]], ['opt-basic', [row('f', 1, 3, 60)]], ['opt-extended', [row('f', 1, 2, 80)]],
    ['preopt-onnx', [row('p', 1, 2, 25)]],
    ['io-reused', [row('f', 1, 1), row('f', 32, 8)]],
    ['io-preallocated', [row('f', 1, null, 10, 'not filled'), row('f', 32, null, 10, 'not filled')]],
    ['int8', [row('q', 1, 1, 200), row('q', 32, 4, 200)]],
    ['static-b1', [row('f', 1, 2.5, 20)]],
    ['threads-1', [row('f', 1, 3), row('f', 16, 48)]], ['threads-2', [row('f', 1, 2), row('f', 16, 24)]], ['threads-4', [row('f', 1, 4), row('f', 16, 96)]],
    ['workers-1x', [row('f', 256, 1000)]], ['workers-2x1', [row('f', 256, 800)]],
    ['gpu-nhwc', [row('f', 1, 2, 40), row('f', 32, 8, 40)]], ['gpu-nchw', [row('f', 1, 4, 20), row('f', 32, 16, 20)]],
    ['gpu-outputs', [row('f', 1, 1.6), row('f', 32, 6.4)]],
  ]);
  const rows = leverRows('native', m, 2);
  const get = (lever: string, variant: string, batch = 1) => rows.find((r) => r.lever === lever && r.variant === variant && r.batch === batch)!;

  it('compares each variant with its baseline per image, from the same run', () => {
    expect(get('graph-optimization', 'all').speedup).toBe(2); // 4 ms disabled / 2 ms
    expect(get('graph-optimization', 'all').createSpeedup).toBe(0.5); // 50 / 100
    expect(get('pre-optimized', 'pre-optimized .onnx, level disabled')).toMatchObject({ speedup: 1, createSpeedup: 4 });
    expect(get('batching', 'batch 32', 32).speedup).toBe(4); // 2 ms/img vs 0.5 ms/img
    expect(get('io', 'reused input tensor', 32).speedup).toBe(2);
    expect(get('int8', 'int8 QDQ', 32).speedup).toBe(4);
    expect(get('int8', 'fp32', 32).speedup).toBe(1);
    expect(get('static-shape', 'batch fixed to 1 (freeDimensionOverrides)')).toMatchObject({ speedup: 0.8, createSpeedup: 5 });
    expect(get('threads', '4 threads', 16).speedup).toBe(0.25); // against the product's 2 threads, same batch
    expect(get('threads', '1 thread').baseline).toBe('2 threads (product)');
    expect(get('threads', '2 threads (product)').speedup).toBe(1);
    expect(get('workers', 'two 1-thread sessions in two workers', 256).speedup).toBe(1.25); // 1000 ms / 800 ms for the same 256 images
    expect(get('webgpu-layout', 'preferredLayout NCHW', 32)).toMatchObject({ speedup: 0.5, createSpeedup: 2 });
    expect(get('webgpu-outputs', 'output kept in a GPU buffer')).toMatchObject({ speedup: 1.25, baseline: 'output read back to the CPU' });
  });

  it('keeps a failed variant with its reason and no ratio, and leaves out what was not configured', () => {
    expect(get('io', 'reused input + preallocated output')).toMatchObject({ speedup: null, error: 'not filled' });
    expect(rows.some((r) => r.variant.startsWith('ORT format'))).toBe(false);
    expect(new Set(rows.map((r) => r.lever))).toEqual(new Set(LEVERS));
  });

  it('prints one table line per row', () => {
    const md = leversMarkdown({
      schema: 'pit-levers/1', createdAt: '', machine: { cpuModel: 'cpu', cores: 2 } as never,
      config: { model: 'f', int8: 'q', runtimes: ['native'], runs: 3, warmup: 0, maxSecondsPerCell: 1, createRuns: 1, seed: 1, threads: { web: null, native: 2 } },
      models: [], accuracy: { fp32Top1: 60, int8Top1: 59.5, deltaPoints: -0.5 }, notes: ['n'], measured: {}, rows,
    });
    expect(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| lever') && !l.startsWith('| ---'))).toHaveLength(rows.length);
    expect(md).toContain('Δ -0.50 points');
    expect(md).toContain('| int8 | native | int8 QDQ | fp32 | 32 |');
  });
});

describe('tensor handling', () => {
  type T = { data: Float32Array; dims: number[] };
  const ports = (fillFetches: boolean): IoPorts<T> & { runs: number } => {
    const p = {
      runs: 0,
      tensor: (data: Float32Array, dims: number[]) => ({ data, dims }),
      async run(feeds: Record<string, T>, fetches?: Record<string, T>) {
        p.runs++;
        const x = feeds.x!.data;
        const y = new Float32Array([x[0]! * 2, x[1]! + 1]);
        const out = fetches?.y;
        if (out && fillFetches) out.data.set(y);
        return { y: out ?? { data: y, dims: [1, 2] } };
      },
      data: (t: T) => t.data,
      dims: (t: T) => t.dims,
    };
    return p;
  };

  it('times every mode after checking its output against a plain run', async () => {
    for (const mode of ['fresh-tensor', 'reused-tensor', 'preallocated-output'] as const) {
      const p = ports(true);
      const run = await prepareIo(p, 'x', 'y', mode, new Float32Array([1, 2]), [1, 2]);
      expect(p.runs).toBe(2); // reference + check, untimed
      expect((await run()).ms).toBeGreaterThanOrEqual(0);
      expect(p.runs).toBe(3);
    }
  });

  it('refuses a preallocated output the runtime never fills', async () => {
    await expect(prepareIo(ports(false), 'x', 'y', 'preallocated-output', new Float32Array([1, 2]), [1, 2])).rejects.toThrow(/did not receive the result/);
  });
});
