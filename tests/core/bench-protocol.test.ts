import { describe, expect, it } from 'vitest';
import { cellStats, MIN_RUNS, measureBatches, sampleCell, seededTensor } from '../../src/core/bench/protocol';

/** A run whose i-th call takes durations[i] ms, on a fake clock that advances by the same amount. */
function fake(durations: number[]) {
  let clock = 0;
  let i = 0;
  const calls: number[] = [];
  const run = async () => {
    const ms = durations[Math.min(i, durations.length - 1)]!;
    calls.push(i++);
    clock += ms;
    return { ms };
  };
  return { run, now: () => clock, calls };
}

describe('sampleCell', () => {
  it('times the first run apart, skips the warm-ups, then takes `runs` samples', async () => {
    const f = fake([50, 9, 9, 1, 2, 3, 4, 5]);
    const s = await sampleCell(f.run, { runs: 5, warmup: 2, maxMs: 1e9 }, f.now);
    expect(s.firstRunMs).toBe(50);
    expect(s.samples).toEqual([1, 2, 3, 4, 5]);
    expect(f.calls).toHaveLength(8);
  });

  it('stops once the time budget is spent, but never below MIN_RUNS', async () => {
    const f = fake([100]);
    expect((await sampleCell(f.run, { runs: 100, warmup: 0, maxMs: 450 }, f.now)).samples).toHaveLength(5);
    const g = fake([1000]);
    expect((await sampleCell(g.run, { runs: 100, warmup: 0, maxMs: 1 }, g.now)).samples).toHaveLength(MIN_RUNS);
  });

  it('keeps the server compute times when the runner reports them', async () => {
    let n = 0;
    const s = await sampleCell(async () => ({ ms: 10, computeMs: ++n }), { runs: 3, warmup: 0, maxMs: 1e9 });
    expect(s.compute).toEqual([2, 3, 4]);
  });
});

describe('cellStats', () => {
  it('derives throughput and GFLOP/s from the median', () => {
    const s = cellStats(8, 40e6, { firstRunMs: 30, samples: [4, 2, 3, 100, 2.5], compute: [] });
    expect(s).toMatchObject({ firstRunMs: 30, runs: 5, medianMs: 3, minMs: 2, maxMs: 100 });
    expect(s.throughput).toBeCloseTo((8 * 1000) / 3);
    expect(s.gflops).toBeCloseTo((2 * 40e6 * 8) / 3e-3 / 1e9);
    expect(s.p99Ms).toBeGreaterThanOrEqual(s.p90Ms);
    expect(s.p90Ms).toBeGreaterThanOrEqual(s.medianMs);
    expect(s.serverComputeMs).toBeUndefined();
  });

  it('has no GFLOP/s without multiply-adds, and a median server compute with them', () => {
    const s = cellStats(1, null, { firstRunMs: 1, samples: [5, 6, 7], compute: [1, 3, 2] });
    expect(s.gflops).toBeNull();
    expect(s.serverComputeMs).toBe(2);
  });

  it('refuses to summarise nothing', () => {
    expect(() => cellStats(1, 1, { firstRunMs: 1, samples: [Number.NaN], compute: [] })).toThrow(/no finite timing/);
  });
});

describe('measureBatches', () => {
  it('measures each batch size and reports a failing one without stopping', async () => {
    const out = await measureBatches((batch) => {
      if (batch === 8) throw new Error('out of memory');
      return async () => ({ ms: batch });
    }, { batches: [1, 8, 32], runs: 3, warmup: 0, maxMs: 1e9, seed: 1 }, 10);
    expect(out.map((c) => c.batch)).toEqual([1, 8, 32]);
    expect(out[1]).toEqual({ batch: 8, error: 'out of memory' });
    expect(out[2] && 'stats' in out[2] && out[2].stats.medianMs).toBe(32);
  });
});

describe('seededTensor', () => {
  it('is deterministic, sized N x 3 x 32 x 32 and within [-2, 2)', () => {
    const a = seededTensor(2, 7);
    expect(a).toHaveLength(2 * 3 * 32 * 32);
    expect(seededTensor(2, 7)).toEqual(a);
    expect(seededTensor(2, 8)).not.toEqual(a);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...a)).toBeLessThan(2);
  });
});
