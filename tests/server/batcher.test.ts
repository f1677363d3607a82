import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/core/kserve/protocol-error';
import { Batcher, type RunBatch } from '../../server/batcher';

/** A stand-in model: row r of output = [sum of input row r, its first value]; records each run's row count. */
function fakeModel(delayMs = 5) {
  const runs: number[] = [];
  const run: RunBatch = async (input, count) => {
    runs.push(count);
    await new Promise((r) => setTimeout(r, delayMs));
    const out = new Float32Array(count * 2);
    for (let r = 0; r < count; r++) {
      const row = input.subarray(r * 3, (r + 1) * 3);
      out[r * 2] = row.reduce((a, b) => a + b, 0);
      out[r * 2 + 1] = row[0]!;
    }
    return out;
  };
  return { run, runs };
}
const rows = (...firsts: number[]) => Float32Array.from(firsts.flatMap((f) => [f, 1, 1]));
const options = { inputRow: 3, outputRow: 2, maxBatch: 4, maxDelayMs: 2, maxQueue: 10 };

describe('Batcher', () => {
  it('runs concurrent requests as one batch and hands each its own rows', async () => {
    const { run, runs } = fakeModel();
    const b = new Batcher(run, options);
    const [x, y] = await Promise.all([b.submit(rows(10), 1), b.submit(rows(20, 30), 2)]);
    expect(runs).toEqual([3]);
    expect(Array.from(x.output)).toEqual([12, 10]);
    expect(Array.from(y.output)).toEqual([22, 20, 32, 30]);
    expect([x.batchSize, y.batchSize]).toEqual([3, 3]);
    expect(x.computeMs).toBeGreaterThan(0);
    expect(x.queueMs).toBeGreaterThanOrEqual(1); // waited for company
    expect(b.size).toBe(0);
  });

  it('never exceeds maxBatch, keeps FIFO order, and runs the next batch right after', async () => {
    const { run, runs } = fakeModel();
    const b = new Batcher(run, options);
    const results = await Promise.all([b.submit(rows(1, 2, 3), 3), b.submit(rows(4, 5), 2), b.submit(rows(6), 1)]);
    expect(runs).toEqual([3, 3]);
    expect(results.map((r) => Array.from(r.output).filter((_, i) => i % 2 === 1))).toEqual([[1, 2, 3], [4, 5], [6]]);
  });

  it('answers 503 past maxQueue and 400 past maxBatch, without disturbing admitted requests', async () => {
    const { run } = fakeModel(20);
    const b = new Batcher(run, { ...options, maxQueue: 2 });
    const admitted = [b.submit(rows(1), 1), b.submit(rows(2), 1)];
    expect(() => b.submit(rows(3), 1)).toThrow(expect.objectContaining({ status: 503 }));
    expect(() => b.submit(rows(1, 2, 3, 4, 5), 5)).toThrow(ProtocolError);
    expect((await Promise.all(admitted)).map((r) => r.output[1])).toEqual([1, 2]);
    await expect(b.submit(rows(9), 1)).resolves.toMatchObject({ batchSize: 1 });
  });

  it('rejects every request of a failed run, then serves the next', async () => {
    let fail = true;
    const b = new Batcher(async (input, count) => {
      if (fail) throw new Error('session died');
      return new Float32Array(count * 2).fill(input[0]!);
    }, options);
    const failed = await Promise.allSettled([b.submit(rows(1), 1), b.submit(rows(2), 1)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(b.submit(rows(7), 1)).resolves.toMatchObject({ output: new Float32Array([7, 7]) });
    expect(b.size).toBe(0);
  });

  it('rejects a model that returns the wrong number of values', async () => {
    const b = new Batcher(async () => new Float32Array(3), options);
    await expect(b.submit(rows(1), 1)).rejects.toThrow(/returned 3 values for 1 rows of 2/);
  });
});
