/**
 * Post-processing of model output: logits -> probabilities -> top-k labels.
 */
import type { Prediction } from './record';

/**
 * Numerically stable softmax: subtracting the max logit first keeps every
 * exponent <= 0, so logits like 1000 cannot overflow to Infinity/NaN.
 * Throws on NaN logits: they mean a broken model or input, and silently
 * turning them into probabilities would hide that.
 */
export function softmax(logits: ArrayLike<number>): Float32Array {
  const n = logits.length;
  const out = new Float32Array(n);
  if (n === 0) return out;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = logits[i] ?? NaN;
    if (Number.isNaN(v)) throw new Error(`softmax: logit ${i} is NaN`);
    if (v > max) max = v;
  }
  if (!Number.isFinite(max)) {
    // All -Infinity: nothing to prefer, so uniform. Some +Infinity: they share all the mass.
    const winners = Array.from(logits).filter((v) => v === max).length;
    for (let i = 0; i < n; i++) out[i] = logits[i] === max ? 1 / winners : 0;
    return out;
  }
  let sum = 0;
  const exps = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = Math.exp((logits[i] ?? 0) - max);
    exps[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) out[i] = (exps[i] ?? 0) / sum;
  return out;
}

/**
 * The k most probable classes, highest first; equal probabilities keep the
 * lower class index first so results are deterministic. k is clamped to
 * 0..probs.length. Throws if `labels` is shorter than `probs` (a catalog/model mismatch).
 */
export function topK(probs: ArrayLike<number>, k: number, labels: readonly string[]): Prediction[] {
  const n = probs.length;
  if (labels.length < n) throw new Error(`topK: ${n} classes but only ${labels.length} labels`);
  const count = Math.max(0, Math.min(Math.floor(k), n));
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => (probs[b] ?? 0) - (probs[a] ?? 0) || a - b);
  return order.slice(0, count).map((index) => ({ index, label: labels[index] ?? String(index), prob: probs[index] ?? 0 }));
}

/** Splits a flat rows x cols output (e.g. a batch of logits) into one copy per row. */
export function splitRows(flat: ArrayLike<number>, rows: number, cols: number): Float32Array[] {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0 || flat.length !== rows * cols) {
    throw new Error(`splitRows: ${flat.length} values do not form ${rows} x ${cols}`);
  }
  const all = Float32Array.from(flat);
  return Array.from({ length: rows }, (_, r) => all.slice(r * cols, (r + 1) * cols));
}
