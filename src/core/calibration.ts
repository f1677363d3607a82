/**
 * How far a shown probability can be trusted: temperature scaling (the
 * calibration every catalog model carries) and the metrics the shift benchmark
 * reports (`npm run eval:shift`): top-1/top-5, NLL, Brier, expected
 * calibration error, the risk–coverage curve and its area (AURC), and the
 * accuracy and coverage of the labels shown as sure. Pure, unit-tested against
 * hand-computed cases (tests/core/calibration.test.ts).
 */

/** What the product applies to a model's output before it shows a probability. */
export interface Calibration {
  /** Logits are divided by this (> 1 softens, < 1 sharpens); 1 leaves them as they are. */
  temperature: number;
}

/**
 * Softmax of logits / T, numerically stable. For a model that outputs
 * probabilities, pass `fromProbabilities`: p^(1/T) renormalised, the same
 * scaling applied to its log-probabilities.
 */
export function calibratedSoftmax(row: ArrayLike<number>, temperature: number, fromProbabilities = false): Float32Array {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`temperature must be a positive number, got ${temperature}`);
  const n = row.length;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = row[i] ?? Number.NaN;
    if (Number.isNaN(v)) throw new Error(`logit ${i} is NaN`);
    z[i] = (fromProbabilities ? Math.log(Math.max(v, 1e-30)) : v) / temperature;
  }
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  const out = new Float32Array(n);
  if (!Number.isFinite(max)) {
    const winners = z.filter((v) => v === max).length;
    for (let i = 0; i < n; i++) out[i] = z[i] === max ? 1 / winners : 0;
    return out;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (z[i] = Math.exp((z[i] as number) - max));
  for (let i = 0; i < n; i++) out[i] = (z[i] as number) / sum;
  return out;
}

/** "Unsure" below this when a model has no calibration (a user's model before `npm run calibrate`). */
export const DEFAULT_UNSURE_BELOW = 0.5;

/**
 * The threshold below which a label is shown as "unsure": the user's own
 * (Settings), else the one chosen for the model on the shift benchmark
 * (catalog `calibration.unsureBelow`), else DEFAULT_UNSURE_BELOW.
 */
export function unsureBelowFor(userThreshold: number | undefined, model: { calibration?: { unsureBelow: number } | null | undefined }): number {
  return userThreshold ?? model.calibration?.unsureBelow ?? DEFAULT_UNSURE_BELOW;
}

/** One prediction as the metrics see it: the shown (top-1) probability and whether top-1 was right. */
export interface Scored {
  conf: number;
  correct: boolean;
}

export interface ReliabilityBin {
  /** Bin edges (lo, hi]; the first bin also holds 0. */
  lo: number;
  hi: number;
  count: number;
  /** Mean shown probability and accuracy of the bin (NaN when empty). */
  conf: number;
  acc: number;
}

/** Equal-width reliability bins over [0, 1]. */
export function reliability(items: readonly Scored[], bins = 15): ReliabilityBin[] {
  const out: ReliabilityBin[] = Array.from({ length: bins }, (_, b) => ({ lo: b / bins, hi: (b + 1) / bins, count: 0, conf: 0, acc: 0 }));
  for (const it of items) {
    // (lo, hi]: a confidence of exactly 2/15 belongs to the bin that ends there.
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(it.conf * bins) - 1));
    const bin = out[b] as ReliabilityBin;
    bin.count++;
    bin.conf += it.conf;
    bin.acc += it.correct ? 1 : 0;
  }
  for (const bin of out) {
    bin.conf = bin.count ? bin.conf / bin.count : Number.NaN;
    bin.acc = bin.count ? bin.acc / bin.count : Number.NaN;
  }
  return out;
}

/** Expected calibration error: Σ |B|/n · |accuracy(B) − mean confidence(B)| over equal-width bins. */
export function ece(items: readonly Scored[], bins = 15): number {
  if (items.length === 0) return Number.NaN;
  let e = 0;
  for (const b of reliability(items, bins)) if (b.count) e += (b.count / items.length) * Math.abs(b.acc - b.conf);
  return e;
}

/**
 * Risk–coverage curve of selective prediction: answer only the k most
 * confident predictions; risk(k) = their error rate, coverage = k / n. Ties in
 * confidence are answered together (no order inside a tie is favoured), so the
 * curve has one point per distinct confidence.
 */
export function riskCoverage(items: readonly Scored[]): { coverage: number; risk: number; threshold: number }[] {
  const sorted = [...items].sort((a, b) => b.conf - a.conf);
  const pts: { coverage: number; risk: number; threshold: number }[] = [];
  let errors = 0;
  for (let i = 0; i < sorted.length; i++) {
    const it = sorted[i] as Scored;
    if (!it.correct) errors++;
    const next = sorted[i + 1];
    if (next === undefined || next.conf !== it.conf) pts.push({ coverage: (i + 1) / sorted.length, risk: errors / (i + 1), threshold: it.conf });
  }
  return pts;
}

/**
 * Area under the risk–coverage curve: the mean over k = 1..n of the risk of
 * the k most confident answers (ties share the risk of their whole group).
 * Lower is better; a perfect ranking gives the minimum for its accuracy.
 */
export function aurc(items: readonly Scored[]): number {
  if (items.length === 0) return Number.NaN;
  const sorted = [...items].sort((a, b) => b.conf - a.conf);
  let sum = 0;
  let errorsBefore = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    let groupErrors = 0;
    while (j < sorted.length && (sorted[j] as Scored).conf === (sorted[i] as Scored).conf) {
      if (!(sorted[j] as Scored).correct) groupErrors++;
      j++;
    }
    // Inside a tie every order is equally likely: the expected errors among the first m of the group is m·e/g.
    const g = j - i;
    for (let m = 1; m <= g; m++) sum += (errorsBefore + (m * groupErrors) / g) / (i + m);
    errorsBefore += groupErrors;
    i = j;
  }
  return sum / sorted.length;
}

/** Accuracy and coverage of the predictions shown as sure (conf ≥ threshold). */
export function atThreshold(items: readonly Scored[], threshold: number): { coverage: number; accuracy: number; count: number } {
  const sure = items.filter((it) => it.conf >= threshold);
  const right = sure.filter((it) => it.correct).length;
  return { count: sure.length, coverage: items.length ? sure.length / items.length : Number.NaN, accuracy: sure.length ? right / sure.length : Number.NaN };
}

/**
 * The lowest threshold at which the labels shown as sure are right at least
 * `precision` of the time (the most coverage for that promise), or 1 when no
 * threshold keeps it. Requires `minCount` sure predictions, so a handful of
 * lucky answers at the top cannot set it.
 */
export function thresholdFor(items: readonly Scored[], precision: number, minCount = 50): number {
  let best = 1;
  let answered = 0;
  for (const p of riskCoverage(items)) {
    answered = Math.round(p.coverage * items.length);
    if (answered >= minCount && 1 - p.risk >= precision) best = p.threshold;
  }
  return best;
}

/** Mean negative log-likelihood of the true class (probabilities clamped at 1e-12). */
export function nll(probRows: readonly ArrayLike<number>[], labels: readonly number[]): number {
  let s = 0;
  probRows.forEach((p, i) => {
    s -= Math.log(Math.max(p[labels[i] as number] ?? 0, 1e-12));
  });
  return s / probRows.length;
}

/** Multi-class Brier score: mean over images of Σ_c (p_c − [c = y])². */
export function brier(probRows: readonly ArrayLike<number>[], labels: readonly number[]): number {
  let s = 0;
  probRows.forEach((p, i) => {
    for (let c = 0; c < p.length; c++) s += ((p[c] ?? 0) - (c === labels[i] ? 1 : 0)) ** 2;
  });
  return s / probRows.length;
}

/** Mean NLL of logits at temperature T, without materialising the probabilities. */
function nllAt(rows: readonly ArrayLike<number>[], labels: readonly number[], t: number): number {
  let s = 0;
  rows.forEach((row, i) => {
    let max = -Infinity;
    for (let c = 0; c < row.length; c++) max = Math.max(max, (row[c] as number) / t);
    let sum = 0;
    for (let c = 0; c < row.length; c++) sum += Math.exp((row[c] as number) / t - max);
    s += max + Math.log(sum) - (row[labels[i] as number] as number) / t;
  });
  return s / rows.length;
}

/**
 * The temperature that minimises the NLL of `labels` under softmax(logits / T)
 * (Guo et al. 2017): golden-section search on log T over [0.05, 20]; NLL in log T
 * is unimodal for temperature scaling.
 */
export function fitTemperature(logitRows: readonly ArrayLike<number>[], labels: readonly number[]): number {
  if (logitRows.length === 0 || logitRows.length !== labels.length) throw new Error('fitTemperature: needs as many labels as rows (and at least one)');
  const f = (u: number) => nllAt(logitRows, labels, Math.exp(u));
  let a = Math.log(0.05);
  let b = Math.log(20);
  const r = (Math.sqrt(5) - 1) / 2;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > 1e-5) {
    if (fc < fd) {
      b = d; d = c; fd = fc; c = b - r * (b - a); fc = f(c);
    } else {
      a = c; c = d; fc = fd; d = a + r * (b - a); fd = f(d);
    }
  }
  return Math.exp((a + b) / 2);
}
