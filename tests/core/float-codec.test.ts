import { describe, expect, it } from 'vitest';
import { base64ToFloats, floatsToBase64 } from '../../src/core/float-codec';

describe('float codec', () => {
  it('round-trips every float32 bit pattern it is given, including extremes', () => {
    const data = new Float32Array([0, -0, 1.5, -3.25e-38, 3.4e38, Math.PI, Number.EPSILON, -1e-45]);
    const back = base64ToFloats(floatsToBase64(data));
    expect(Array.from(back)).toEqual(Array.from(data));
  });

  it('handles tensors larger than one encoding chunk (a 32-image CIFAR batch)', () => {
    const data = new Float32Array(32 * 3 * 32 * 32).map((_, i) => Math.sin(i));
    expect(base64ToFloats(floatsToBase64(data))).toEqual(data);
  });

  it('rejects data that is not whole floats', () => {
    expect(() => base64ToFloats(btoa('abc'))).toThrow(/not a multiple of 4/);
  });
});
