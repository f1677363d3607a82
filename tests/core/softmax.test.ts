import { describe, expect, it } from 'vitest';
import { softmax, splitRows, topK } from '../../src/core/softmax';

describe('softmax', () => {
  it('gives known probabilities that sum to 1', () => {
    const p = softmax([0, Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25, 6);
    expect(p[1]).toBeCloseTo(0.75, 6);
    expect(Array.from(softmax([1, 2, 3, 4])).reduce((a, b) => a + b)).toBeCloseTo(1, 6);
  });

  it('stays finite for huge logits', () => {
    const p = softmax([1000, 1000, -1000]);
    expect(Array.from(p)).toEqual([0.5, 0.5, 0]);
    expect(softmax([1e30, 0])[0]).toBe(1);
  });

  it('handles infinities and rejects NaN', () => {
    expect(Array.from(softmax([-Infinity, -Infinity]))).toEqual([0.5, 0.5]);
    expect(Array.from(softmax([Infinity, 3, Infinity]))).toEqual([0.5, 0, 0.5]);
    expect(() => softmax([1, NaN])).toThrow(/NaN/);
    expect(softmax([]).length).toBe(0);
  });
});

describe('topK', () => {
  const labels = ['apple', 'bear', 'cat', 'dog'];

  it('returns the k most probable labels, highest first', () => {
    expect(topK([0.1, 0.6, 0.05, 0.25], 2, labels)).toEqual([
      { index: 1, label: 'bear', prob: 0.6 },
      { index: 3, label: 'dog', prob: 0.25 },
    ]);
  });

  it('breaks ties by lower index and clamps k', () => {
    expect(topK([0.25, 0.25, 0.25, 0.25], 10, labels).map((p) => p.index)).toEqual([0, 1, 2, 3]);
    expect(topK([0.1, 0.3, 0.3, 0.3], 2, labels).map((p) => p.label)).toEqual(['bear', 'cat']);
    expect(topK([0.5, 0.5], 0, labels)).toEqual([]);
    expect(topK([0.5, 0.5], -3, labels)).toEqual([]);
  });

  it('refuses when there are fewer labels than classes', () => {
    expect(() => topK([0.2, 0.2, 0.2, 0.2, 0.2], 1, labels)).toThrow(/5 classes but only 4 labels/);
  });
});

describe('splitRows', () => {
  it('splits a batch of logits into independent rows', () => {
    const rows = splitRows([1, 2, 3, 4, 5, 6], 2, 3);
    expect(rows.map((r) => Array.from(r))).toEqual([[1, 2, 3], [4, 5, 6]]);
    rows[0]?.fill(0);
    expect(Array.from(rows[1] ?? [])).toEqual([4, 5, 6]);
  });

  it('rejects a length that does not match rows x cols', () => {
    expect(() => splitRows([1, 2, 3], 2, 2)).toThrow(/2 x 2/);
  });
});
