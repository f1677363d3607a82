import { describe, expect, it } from 'vitest';
import type { InferenceRecord } from '../../src/core/record';
import { statsByModelBackend, summarize } from '../../src/core/stats';

describe('summarize', () => {
  it('interpolates percentiles between closest ranks', () => {
    const s = summarize(Array.from({ length: 100 }, (_, i) => 100 - i)); // 100..1, unsorted on purpose
    expect(s).not.toBeNull();
    expect(s?.count).toBe(100);
    expect(s?.median).toBeCloseTo(50.5, 10);
    expect(s?.p90).toBeCloseTo(90.1, 10);
    expect(s?.p95).toBeCloseTo(95.05, 10);
    expect(s?.p99).toBeCloseTo(99.01, 10);
    expect([s?.min, s?.max, s?.mean]).toEqual([1, 100, 50.5]);
  });

  it('takes the middle value for odd counts', () => {
    expect(summarize([7, 1, 3])?.median).toBe(3);
    expect(summarize([1, 2, 3, 4])?.median).toBe(2.5);
  });

  it('summarises a single value as itself', () => {
    expect(summarize([4.2])).toEqual({ count: 1, median: 4.2, p90: 4.2, p95: 4.2, p99: 4.2, min: 4.2, max: 4.2, mean: 4.2 });
  });

  it('ignores non-finite values and returns null when nothing is left', () => {
    expect(summarize([])).toBeNull();
    expect(summarize([NaN, Infinity])).toBeNull();
    expect(summarize([2, NaN, 4, -Infinity])).toMatchObject({ count: 2, median: 3, mean: 3 });
  });
});

let n = 0;
function rec(modelId: string, backend: 'wasm' | 'webgpu', inference: number, total: number, error?: string): InferenceRecord {
  return {
    requestId: `r${n++}`, time: 0, pageUrl: 'https://example.test/', imageUrl: 'https://example.test/a.png',
    modelId, backend, threads: 1, batchSize: 1, top5: [], coldStart: false,
    timings: { fetch: 0, decodeResize: 0, preprocess: 0, inference, postprocess: 0, total, queue: 0 },
    ...(error === undefined ? {} : { error, errorStage: 'inference' }),
  };
}

describe('statsByModelBackend', () => {
  it('groups by model and backend, sorted, with errors counted but not timed', () => {
    const rows = statsByModelBackend([
      rec('resnet20-pit', 'webgpu', 2, 10),
      rec('mobilenet', 'wasm', 30, 40),
      rec('resnet20-pit', 'wasm', 5, 20),
      rec('resnet20-pit', 'wasm', 7, 30),
      rec('resnet20-pit', 'wasm', 0, 1, 'session failed'),
      rec('resnet20-pit', 'webgpu', 4, 12),
    ]);
    expect(rows.map((r) => [r.modelId, r.backend, r.errors])).toEqual([
      ['mobilenet', 'wasm', 0],
      ['resnet20-pit', 'wasm', 1],
      ['resnet20-pit', 'webgpu', 0],
    ]);
    expect(rows[1]?.inference).toMatchObject({ count: 2, median: 6, min: 5, max: 7 });
    expect(rows[1]?.total).toMatchObject({ count: 2, median: 25 });
    expect(rows[2]?.inference?.median).toBe(3);
    expect(rows[1]?.coldStart).toBeNull();
  });

  it('keeps batched page-tagging times apart from single-image times', () => {
    const rows = statsByModelBackend([rec('m', 'wasm', 2, 5), { ...rec('m', 'wasm', 16, 40), batchSize: 16 }, { ...rec('m', 'wasm', 0, 1, 'HTTP 404'), batchSize: 16 }]);
    expect(rows.map((r) => [r.batchSize, r.inference?.median ?? null, r.errors])).toEqual([[1, 2, 1], [16, 16, 0]]);
  });

  it('summarises cold starts on their own instead of letting them swamp the warm latencies', () => {
    const cold = { ...rec('m', 'wasm', 40, 1500), coldStart: true, sessionCreateMs: 1200 };
    const [row] = statsByModelBackend([cold, rec('m', 'wasm', 2, 5), rec('m', 'wasm', 4, 7)]);
    expect(row?.inference).toMatchObject({ count: 2, median: 3, max: 4 });
    expect(row?.total).toMatchObject({ count: 2, max: 7 });
    expect(row?.coldStart).toMatchObject({ count: 1, median: 1200 });
    // A cold batch: its other images waited for the same creation, are left out of the warm figures, and count it once.
    const batch = [{ ...cold, batchSize: 16 }, ...Array.from({ length: 15 }, () => ({ ...rec('m', 'wasm', 40, 1500), batchSize: 16, coldStart: true }))];
    const [b] = statsByModelBackend([...batch, { ...rec('m', 'wasm', 3, 6), batchSize: 16 }]);
    expect(b?.total).toMatchObject({ count: 1, median: 6 });
    expect(b?.coldStart).toMatchObject({ count: 1, median: 1200 });
  });

  it('keeps a group whose requests all failed, with null latencies', () => {
    expect(statsByModelBackend([rec('m', 'webgpu', 0, 0, 'no adapter')])).toEqual([
      { modelId: 'm', backend: 'webgpu', threads: undefined, from: 'click', batchSize: 1, inference: null, total: null, errors: 1, coldStart: null },
    ]);
    expect(statsByModelBackend([])).toEqual([]);
  });
});

describe('statsByModelBackend rows: requests that ran and were timed alike', () => {
  const at = (threads: number, source: InferenceRecord['source'], batchSize: number, inference: number, backend: 'wasm' | 'webgpu' = 'wasm'): InferenceRecord =>
    ({ ...rec('resnet20-pit', backend, inference, inference + 10), threads, source, batchSize });

  it('keeps WASM thread counts apart: a 1-thread median never mixes with a 4-thread one', () => {
    const rows = statsByModelBackend([at(4, 'click', 1, 5), at(1, 'click', 1, 20), at(4, 'click', 1, 7), at(1, 'click', 1, 22)]);
    expect(rows.map((r) => [r.backend, r.threads, r.inference?.median])).toEqual([['wasm', 1, 21], ['wasm', 4, 6]]);
  });

  it('keeps right-clicks apart from tagged pages, auto-tag counted as page tagging, even at the same batch size', () => {
    const rows = statsByModelBackend([at(2, 'click', 1, 5), at(2, undefined, 1, 7), at(2, 'page', 1, 30), at(2, 'auto', 1, 40), at(2, 'page', 16, 100)]);
    expect(rows.map((r) => [r.from, r.batchSize, r.inference?.count, r.inference?.median])).toEqual([
      ['click', 1, 2, 6], // a record from before sources were stored counts as a click
      ['page', 1, 2, 35],
      ['page', 16, 1, 100],
    ]);
  });

  it('ignores threads for WebGPU', () => {
    const rows = statsByModelBackend([at(1, 'click', 1, 2, 'webgpu'), at(4, 'click', 1, 4, 'webgpu')]);
    expect(rows.map((r) => [r.backend, r.threads, r.inference?.count])).toEqual([['webgpu', undefined, 2]]);
  });
});

describe('statsByModelBackend: failed requests', () => {
  const ok = (threads: number, source: InferenceRecord['source'], batchSize: number): InferenceRecord =>
    ({ ...rec('resnet20-pit', 'wasm', 5, 15), threads, source, batchSize });
  const failed = (threads: number, source: InferenceRecord['source']): InferenceRecord => ({ ...rec('resnet20-pit', 'wasm', 0, 1, 'HTTP 404'), threads, source });

  it('join a row of their model and kind instead of making an empty one (a 404 on a tagged page, a thread count of 0)', () => {
    const rows = statsByModelBackend([ok(2, 'page', 16), ok(2, 'page', 4), failed(1, 'page'), ok(4, 'click', 1), failed(0, 'click'), failed(0, undefined)]);
    expect(rows.map((r) => [r.threads, r.from, r.batchSize, r.errors])).toEqual([
      [2, 'page', 4, 1], // the smallest batch of the page rows
      [2, 'page', 16, 0],
      [4, 'click', 1, 2],
    ]);
  });

  it('of a kind with no timed row join another row of their model and backend', () => {
    const rows = statsByModelBackend([ok(2, 'page', 16), failed(2, 'click')]);
    expect(rows.map((r) => [r.from, r.batchSize, r.errors])).toEqual([['page', 16, 1]]);
  });
});
