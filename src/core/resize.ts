/**
 * Area-averaging resize from an RGBA bitmap to the model's planar RGB input.
 *
 * Why area averaging: CIFAR models see 32x32 images, and web images are often
 * 100x larger. Sampling (nearest/bilinear) at that ratio aliases badly — fine
 * textures turn into noise — whereas averaging every source pixel that falls
 * under an output pixel is what a camera would have recorded at that size.
 * The filter is separable, so we resample rows first, then columns, each with
 * precomputed weights: the cost is O(source pixels + output pixels), never
 * O(output pixels x source pixels).
 */

/** RGBA, row-major, 4 bytes per pixel, not premultiplied (as `ImageData`). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** A rectangle in source pixel coordinates; may be fractional. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Largest centred square inside a width x height image. CIFAR images are
 * square; cropping keeps object proportions, where squashing would not.
 */
export function centerSquare(width: number, height: number): Rect {
  if (!(width > 0 && height > 0)) throw new Error(`centerSquare: bad size ${width}x${height}`);
  const side = Math.min(width, height);
  return { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), width: side, height: side };
}

/** For each output index: the first source index it reads and one weight per source index read. */
interface AxisWeights {
  first: Int32Array;
  /** offsets[o]..offsets[o+1] index into `weights` for output o. */
  offsets: Int32Array;
  weights: Float64Array;
}

/**
 * Exact fractional coverage of source pixels [i, i+1) by the output pixel's
 * span [start + o*len/out, start + (o+1)*len/out), normalised to sum to 1.
 * The same formula handles upscaling: a span then lies inside one or two pixels.
 */
function axisWeights(srcSize: number, start: number, len: number, out: number): AxisWeights {
  const first = new Int32Array(out);
  const offsets = new Int32Array(out + 1);
  const taps: number[] = [];
  for (let o = 0; o < out; o++) {
    // Computed as (o*len)/out rather than o*(len/out) so integer ratios give exact boundaries.
    const lo = start + (o * len) / out;
    const hi = start + ((o + 1) * len) / out;
    const i0 = Math.max(0, Math.floor(lo));
    const i1 = Math.min(srcSize - 1, Math.ceil(hi) - 1);
    first[o] = i0;
    let sum = 0;
    const begin = taps.length;
    for (let i = i0; i <= i1; i++) {
      const w = Math.max(0, Math.min(hi, i + 1) - Math.max(lo, i));
      taps.push(w);
      sum += w;
    }
    for (let t = begin; t < taps.length; t++) taps[t] = (taps[t] ?? 0) / sum;
    offsets[o + 1] = taps.length;
  }
  return { first, offsets, weights: Float64Array.from(taps) };
}

function checkArgs(src: RgbaImage, outW: number, outH: number, crop: Rect): void {
  const { width, height, data } = src;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`resizeArea: bad source size ${width}x${height}`);
  }
  if (data.length !== width * height * 4) {
    throw new Error(`resizeArea: expected ${width * height * 4} RGBA bytes for ${width}x${height}, got ${data.length}`);
  }
  if (!Number.isInteger(outW) || !Number.isInteger(outH) || outW <= 0 || outH <= 0) {
    throw new Error(`resizeArea: bad output size ${outW}x${outH}`);
  }
  const { x, y, width: cw, height: ch } = crop;
  if (![x, y, cw, ch].every(Number.isFinite) || x < 0 || y < 0 || cw <= 0 || ch <= 0 || x + cw > width || y + ch > height) {
    throw new Error(`resizeArea: crop ${JSON.stringify(crop)} is not inside the ${width}x${height} image`);
  }
}

/**
 * Area-average `crop` (default: the whole image) of `src` to outW x outH.
 * Returns planar RGB (CHW), length 3*outW*outH, values 0..255.
 *
 * Transparent pixels are composited over white first: transparent PNG icons
 * and logos are designed to be seen on a (usually white) page, and their
 * transparent pixels often hold black RGB, which would otherwise turn the
 * whole image into a dark blob.
 */
export function resizeArea(src: RgbaImage, outW: number, outH: number, crop?: Rect): Float32Array {
  const rect = crop ?? { x: 0, y: 0, width: src.width, height: src.height };
  checkArgs(src, outW, outH, rect);
  const { width, data } = src;
  const wx = axisWeights(width, rect.x, rect.width, outW);
  const wy = axisWeights(src.height, rect.y, rect.height, outH);
  const row0 = wy.first[0] ?? 0;
  const lastTap = wy.offsets[outH] ?? 0;
  const rowEnd = (wy.first[outH - 1] ?? 0) + lastTap - (wy.offsets[outH - 1] ?? 0); // exclusive
  const rows = rowEnd - row0;

  // Horizontal pass: every source row the crop touches -> outW interleaved RGB values.
  const tmp = new Float64Array(rows * outW * 3);
  for (let r = 0; r < rows; r++) {
    const rowBase = (row0 + r) * width * 4;
    for (let ox = 0; ox < outW; ox++) {
      let accR = 0, accG = 0, accB = 0;
      let p = rowBase + (wx.first[ox] ?? 0) * 4;
      const end = wx.offsets[ox + 1] ?? 0;
      for (let t = wx.offsets[ox] ?? 0; t < end; t++, p += 4) {
        const w = wx.weights[t] ?? 0;
        let cr = data[p] ?? 0, cg = data[p + 1] ?? 0, cb = data[p + 2] ?? 0;
        const a = data[p + 3] ?? 255;
        if (a !== 255) {
          // Over white: c*a + 255*(1-a) written so that a = 255 is exact.
          const k = (255 - a) / 255;
          cr += (255 - cr) * k; cg += (255 - cg) * k; cb += (255 - cb) * k;
        }
        accR += w * cr; accG += w * cg; accB += w * cb;
      }
      const q = (r * outW + ox) * 3;
      tmp[q] = accR; tmp[q + 1] = accG; tmp[q + 2] = accB;
    }
  }

  // Vertical pass: combine the horizontally resampled rows, writing planar output.
  const plane = outW * outH;
  const out = new Float32Array(3 * plane);
  const acc = new Float64Array(outW * 3);
  for (let oy = 0; oy < outH; oy++) {
    acc.fill(0);
    const end = wy.offsets[oy + 1] ?? 0;
    let r = (wy.first[oy] ?? 0) - row0;
    for (let t = wy.offsets[oy] ?? 0; t < end; t++, r++) {
      const w = wy.weights[t] ?? 0;
      const base = r * outW * 3;
      for (let i = 0; i < outW * 3; i++) acc[i] = (acc[i] ?? 0) + w * (tmp[base + i] ?? 0);
    }
    for (let ox = 0; ox < outW; ox++) {
      const o = oy * outW + ox;
      out[o] = acc[ox * 3] ?? 0;
      out[plane + o] = acc[ox * 3 + 1] ?? 0;
      out[2 * plane + o] = acc[ox * 3 + 2] ?? 0;
    }
  }
  return out;
}
