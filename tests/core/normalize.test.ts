import { describe, expect, it } from 'vitest';
import { mirrorX, normalize, stackBatch } from '../../src/core/normalize';

describe('normalize', () => {
  it('applies (v/255 - mean[c]) / std[c] per channel plane', () => {
    // Two pixels per plane: R = [0, 255], G = [51, 102], B = [127.5, 255].
    const chw = new Float32Array([0, 255, 51, 102, 127.5, 255]);
    const out = normalize(chw, [0.5, 0.2, 0], [0.5, 0.1, 0.25]);
    const want = [-1, 1, 0, 2, 2, 4];
    for (const [i, w] of want.entries()) expect(out[i]).toBeCloseTo(w, 5);
    expect(chw[0]).toBe(0); // input untouched
  });

  it('matches the CIFAR-100 constants for a white pixel', () => {
    const out = normalize(new Float32Array([255, 255, 255]), [0.507, 0.4865, 0.4409], [0.2673, 0.2564, 0.2762]);
    expect(out[0]).toBeCloseTo((1 - 0.507) / 0.2673, 5);
    expect(out[2]).toBeCloseTo((1 - 0.4409) / 0.2762, 5);
  });

  it('rejects data that is not whole channel planes and bad std', () => {
    expect(() => normalize(new Float32Array(4), [0, 0, 0], [1, 1, 1])).toThrow(/channel planes/);
    expect(() => normalize(new Float32Array(3), [0, 0, 0], [1, 0, 1])).toThrow(/std\[1\]/);
    expect(() => normalize(new Float32Array(3), [0, 0, 0], [1, 1])).toThrow(/same/);
  });
});

describe('stackBatch', () => {
  it('concatenates items in order into N x C x H x W', () => {
    const out = stackBatch([new Float32Array([1, 2, 3]), new Float32Array([4, 5, 6])]);
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('returns an empty buffer for no items and rejects mismatched sizes', () => {
    expect(stackBatch([]).length).toBe(0);
    expect(() => stackBatch([new Float32Array(3), new Float32Array(2)])).toThrow(/item 1/);
  });
});

describe('mirrorX', () => {
  it('mirrors every row of every channel, left to right', () => {
    const x = Float32Array.from({ length: 2 * 2 * 3 }, (_, i) => i); // 2 channels of 2 rows x 3
    expect(Array.from(mirrorX(x, 3))).toEqual([2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9]);
    expect(Array.from(mirrorX(mirrorX(x, 3), 3))).toEqual(Array.from(x));
  });
});
