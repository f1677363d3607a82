/**
 * Turns 0..255 planar RGB (from `resizeArea`) into the model's input tensor data.
 */

/**
 * Per-channel `(v/255 - mean[c]) / std[c]` on planar CHW data; the channel count
 * is `mean.length`, so the catalog's mean/std (RGB, applied to pixel/255) plug in directly.
 */
export function normalize(chw: Float32Array, mean: readonly number[], std: readonly number[]): Float32Array {
  const channels = mean.length;
  if (channels === 0 || std.length !== channels) {
    throw new Error(`normalize: mean has ${mean.length} values and std ${std.length}; need the same non-zero count`);
  }
  if (chw.length % channels !== 0) {
    throw new Error(`normalize: ${chw.length} values do not split into ${channels} channel planes`);
  }
  const plane = chw.length / channels;
  const out = new Float32Array(chw.length);
  for (let c = 0; c < channels; c++) {
    const m = mean[c] ?? 0;
    const s = std[c] ?? 1;
    if (!(s > 0)) throw new Error(`normalize: std[${c}] must be > 0, got ${s}`);
    // Fold the three operations into one multiply-add per value.
    const scale = 1 / (255 * s);
    const offset = -m / s;
    const base = c * plane;
    for (let i = base; i < base + plane; i++) out[i] = (chw[i] ?? 0) * scale + offset;
  }
  return out;
}

/**
 * Concatenates equally sized C x H x W items into one N x C x H x W buffer, the
 * layout ONNX Runtime expects for a batched NCHW input.
 */
export function stackBatch(items: Float32Array[]): Float32Array {
  const first = items[0];
  if (first === undefined) return new Float32Array(0);
  const size = first.length;
  const out = new Float32Array(size * items.length);
  items.forEach((item, n) => {
    if (item.length !== size) {
      throw new Error(`stackBatch: item ${n} has ${item.length} values, item 0 has ${size}`);
    }
    out.set(item, n * size);
  });
  return out;
}

/** A planar C x H x W image mirrored left to right (a model's "mirror" view). */
export function mirrorX(chw: Float32Array, w: number): Float32Array {
  const out = new Float32Array(chw.length);
  for (let row = 0; row < chw.length / w; row++) {
    const o = row * w;
    for (let x = 0; x < w; x++) out[o + x] = chw[o + w - 1 - x] as number;
  }
  return out;
}
