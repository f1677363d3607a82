import { describe, expect, it } from 'vitest';
import { centerSquare, resizeArea, type RgbaImage } from '../../src/core/resize';

function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 4);
  }
  return { width, height, data };
}

const plane = (out: Float32Array, c: number): number[] => {
  const n = out.length / 3;
  return Array.from(out.subarray(c * n, (c + 1) * n));
};
const mean = (xs: ArrayLike<number>): number => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

describe('centerSquare', () => {
  it('crops the middle of landscape and portrait images', () => {
    expect(centerSquare(1000, 700)).toEqual({ x: 150, y: 0, width: 700, height: 700 });
    expect(centerSquare(5, 8)).toEqual({ x: 0, y: 1, width: 5, height: 5 });
    expect(centerSquare(32, 32)).toEqual({ x: 0, y: 0, width: 32, height: 32 });
  });
});

describe('resizeArea', () => {
  it('keeps a uniform colour exactly, downscaling and upscaling, in planar RGB order', () => {
    for (const [w, h] of [[1000, 700], [7, 5]] as const) {
      const out = resizeArea(image(w, h, () => [200, 17, 3, 255]), 32, 32);
      expect(out.length).toBe(3 * 32 * 32);
      expect(new Set(plane(out, 0))).toEqual(new Set([200]));
      expect(new Set(plane(out, 1))).toEqual(new Set([17]));
      expect(new Set(plane(out, 2))).toEqual(new Set([3]));
    }
  });

  it('averages a pixel checkerboard to mid grey', () => {
    const board = image(64, 64, (x, y) => ((x + y) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    for (const v of resizeArea(board, 32, 32)) expect(v).toBeCloseTo(127.5, 2);
  });

  it('averages 1-px stripes at a 31.25:1 ratio instead of aliasing to black or white', () => {
    const stripes = image(1000, 1000, (x) => (x % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    const out = resizeArea(stripes, 32, 32);
    // Any 31.25-px span holds 15.625 ± 0.5 px of white, so each output is within 255*0.5/31.25 of 127.5.
    for (const v of out) expect(Math.abs(v - 127.5)).toBeLessThanOrEqual(255 * 0.5 / 31.25 + 1e-6);
  });

  it('computes exact fractional coverage for known values', () => {
    const row = image(4, 1, (x) => { const v = [0, 100, 200, 255][x] ?? 0; return [v, v, v, 255]; });
    expect(plane(resizeArea(row, 2, 1), 0)).toEqual([50, 227.5]);
    // Spans of 4/3 px: 0·¾+100·¼, 100·½+200·½, 200·¼+255·¾.
    const thirds = plane(resizeArea(row, 3, 1), 0);
    for (const [i, want] of [25, 150, 241.25].entries()) expect(thirds[i]).toBeCloseTo(want, 4);
    // Upscaling 2 -> 3: the middle output straddles both pixels equally.
    const two = image(2, 1, (x) => (x ? [90, 90, 90, 255] : [10, 10, 10, 255]));
    expect(plane(resizeArea(two, 3, 1), 0).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([10, 50, 90]);
  });

  it('conserves the mean at non-integer ratios in both directions', () => {
    let seed = 1;
    const rnd = (): number => (seed = (seed * 16807) % 2147483647) % 256;
    for (const [w, h, ow, oh] of [[37, 23, 10, 7], [7, 5, 32, 32], [101, 33, 32, 32]] as const) {
      const src = image(w, h, () => [rnd(), rnd(), rnd(), 255]);
      const out = resizeArea(src, ow, oh);
      for (let c = 0; c < 3; c++) {
        const srcMean = mean(Array.from({ length: w * h }, (_, i) => src.data[i * 4 + c] ?? 0));
        expect(mean(plane(out, c))).toBeCloseTo(srcMean, 3);
      }
    }
  });

  it('reads only the crop rectangle', () => {
    // Left 150 px red, middle 700 px green, right 150 px blue: the centre square is all green.
    const src = image(1000, 700, (x) => (x < 150 ? [255, 0, 0, 255] : x >= 850 ? [0, 0, 255, 255] : [0, 255, 0, 255]));
    const out = resizeArea(src, 32, 32, centerSquare(1000, 700));
    expect(new Set(plane(out, 0))).toEqual(new Set([0]));
    expect(new Set(plane(out, 1))).toEqual(new Set([255]));
    expect(new Set(plane(out, 2))).toEqual(new Set([0]));
    // Without the crop the red and blue borders bleed into the edge columns.
    expect(plane(resizeArea(src, 32, 32), 0)[0]).toBeGreaterThan(200);
  });

  it('composites transparent pixels over white', () => {
    const transparentBlack = resizeArea(image(2, 2, () => [0, 0, 0, 0]), 1, 1);
    expect(Array.from(transparentBlack)).toEqual([255, 255, 255]);
    const halfRed = resizeArea(image(1, 1, () => [255, 0, 0, 51]), 1, 1); // 20 % opaque red
    expect(Array.from(halfRed).map((v) => Math.round(v * 100) / 100)).toEqual([255, 204, 204]);
  });

  it('handles a 4096x4096 source in one pass per axis', () => {
    const side = 4096;
    const data = new Uint8ClampedArray(side * side * 4);
    // Vertical gradient: each row's value is its index / 16, so output row oy averages rows [128·oy, 128·oy+128).
    for (let y = 0; y < side; y++) data.fill(Math.floor(y / 16), y * side * 4, (y + 1) * side * 4);
    for (let i = 3; i < data.length; i += 4) data[i] = 255;
    const out = resizeArea({ width: side, height: side, data }, 32, 32);
    const g = plane(out, 0);
    for (let oy = 0; oy < 32; oy++) expect(g[oy * 32 + 5]).toBeCloseTo(8 * oy + 3.5, 6);
  }, 20_000);

  it('rejects inconsistent input instead of reading garbage', () => {
    expect(() => resizeArea({ width: 2, height: 2, data: new Uint8Array(15) }, 1, 1)).toThrow(/RGBA bytes/);
    expect(() => resizeArea(image(4, 4, () => [0, 0, 0, 255]), 2, 2, { x: 1, y: 1, width: 4, height: 2 })).toThrow(/crop/);
    expect(() => resizeArea(image(4, 4, () => [0, 0, 0, 255]), 0, 2)).toThrow(/output size/);
  });
});
