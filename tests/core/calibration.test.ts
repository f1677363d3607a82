import { describe, expect, it } from 'vitest';
import { atThreshold, aurc, brier, calibratedSoftmax, ece, fitTemperature, nll, reliability, riskCoverage, thresholdFor, type Scored } from '../../src/core/calibration';

const s = (conf: number, correct: boolean): Scored => ({ conf, correct });

describe('ECE', () => {
  it('is zero when every bin is right as often as it says', () => {
    // Bin (0.4667, 0.5]: two at 0.5, one right → accuracy 0.5 = confidence.
    expect(ece([s(0.5, true), s(0.5, false)], 15)).toBeCloseTo(0, 12);
  });

  it('matches a hand-computed case over two bins', () => {
    // 10 bins. Bin (0.8, 0.9]: 0.9, 0.9, 0.9, 0.9 with 3 right → |0.75 − 0.9| = 0.15, weight 4/6.
    // Bin (0.2, 0.3]: 0.3, 0.3 with 0 right → |0 − 0.3| = 0.3, weight 2/6.  ECE = 0.1 + 0.1 = 0.2.
    const items = [s(0.9, true), s(0.9, true), s(0.9, true), s(0.9, false), s(0.3, false), s(0.3, false)];
    expect(ece(items, 10)).toBeCloseTo(0.2, 12);
  });

  it('puts a confidence on a bin edge into the bin that ends there, and 0 into the first', () => {
    const bins = reliability([s(2 / 15, true), s(0, false), s(1, true)], 15);
    expect(bins[1]?.count).toBe(1);
    expect(bins[0]?.count).toBe(1);
    expect(bins[14]?.count).toBe(1);
    expect(bins.reduce((a, b) => a + b.count, 0)).toBe(3);
  });

  it('is NaN for no predictions rather than a reassuring 0', () => {
    expect(ece([])).toBeNaN();
  });
});

describe('risk–coverage and AURC', () => {
  it('AURC of a perfect ranking: the errors answered last', () => {
    // conf order: right, right, wrong, wrong. risk at k=1..4: 0, 0, 1/3, 2/4 → mean = (1/3 + 1/2) / 4.
    const items = [s(0.9, true), s(0.8, true), s(0.7, false), s(0.6, false)];
    expect(aurc(items)).toBeCloseTo((1 / 3 + 1 / 2) / 4, 12);
  });

  it('AURC of the worst ranking is higher', () => {
    // risk at k: 1, 1, 2/3, 2/4 → mean = (1 + 1 + 2/3 + 1/2) / 4.
    const items = [s(0.9, false), s(0.8, false), s(0.7, true), s(0.6, true)];
    expect(aurc(items)).toBeCloseTo((1 + 1 + 2 / 3 + 1 / 2) / 4, 12);
  });

  it('a tie favours no order inside it', () => {
    // All equal: expected errors among the first m of 2 with 1 error = m/2 → risk 1/2 at k=1 and k=2.
    expect(aurc([s(0.5, true), s(0.5, false)])).toBeCloseTo(0.5, 12);
    expect(aurc([s(0.5, false), s(0.5, true)])).toBeCloseTo(0.5, 12);
  });

  it('the curve has one point per distinct confidence, ending at full coverage', () => {
    const pts = riskCoverage([s(0.9, true), s(0.5, false), s(0.5, true), s(0.2, false)]);
    expect(pts).toEqual([
      { coverage: 0.25, risk: 0, threshold: 0.9 },
      { coverage: 0.75, risk: 1 / 3, threshold: 0.5 },
      { coverage: 1, risk: 0.5, threshold: 0.2 },
    ]);
  });
});

describe('sure labels', () => {
  const items = [s(0.95, true), s(0.9, true), s(0.8, true), s(0.7, false), s(0.6, true), s(0.4, false), s(0.3, false), s(0.2, false)];

  it('accuracy and coverage at a threshold', () => {
    expect(atThreshold(items, 0.6)).toEqual({ count: 5, coverage: 5 / 8, accuracy: 4 / 5 });
    expect(atThreshold(items, 0.99)).toMatchObject({ count: 0, coverage: 0 });
  });

  it('the lowest threshold that keeps the promise', () => {
    expect(thresholdFor(items, 0.75, 1)).toBe(0.6); // 4 of 5 right at ≥ 0.6; at ≥ 0.4, 4 of 6
    expect(thresholdFor(items, 1, 1)).toBe(0.8);
    expect(thresholdFor(items, 0.75, 6)).toBe(1); // never 6 sure labels at 75 %: everything unsure
  });
});

describe('NLL and Brier', () => {
  it('hand-computed values', () => {
    const rows = [[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]];
    expect(nll(rows, [0, 1])).toBeCloseTo(-(Math.log(0.5) + Math.log(0.8)) / 2, 12);
    // (0.25 + 0.0625 + 0.0625) and (0.01 + 0.04 + 0.01): mean 0.2175.
    expect(brier(rows, [0, 1])).toBeCloseTo((0.375 + 0.06) / 2, 12);
  });
});

describe('temperature', () => {
  it('T = 1 is the plain softmax, T > 1 lowers the top probability and keeps the order', () => {
    const z = [2, 1, 0];
    const p1 = calibratedSoftmax(z, 1);
    const e = z.map(Math.exp);
    const sum = e.reduce((a, b) => a + b);
    for (const [i, p] of p1.entries()) expect(p).toBeCloseTo((e[i] as number) / sum, 6);
    const p2 = calibratedSoftmax(z, 2);
    expect(p2[0]).toBeLessThan(p1[0] as number);
    expect(p2[0]).toBeGreaterThan(p2[1] as number);
  });

  it('scales a probability output like its log-probabilities', () => {
    const p = calibratedSoftmax([0.7, 0.2, 0.1], 2, true);
    const r = [0.7, 0.2, 0.1].map(Math.sqrt);
    const sum = r.reduce((a, b) => a + b);
    for (const [i, v] of p.entries()) expect(v).toBeCloseTo((r[i] as number) / sum, 6);
  });

  it('refuses a temperature that is not a positive number', () => {
    expect(() => calibratedSoftmax([1, 2], 0)).toThrow(/positive/);
    expect(() => calibratedSoftmax([1, 2], Number.NaN)).toThrow(/positive/);
  });

  it('fits the temperature that generated the labels', () => {
    // Labels drawn from softmax(z / 2.5) with a seeded generator: the fit must find ~2.5.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const z = Array.from({ length: 10 }, () => (rnd() - 0.5) * 12);
      const p = calibratedSoftmax(z, 2.5);
      let u = rnd();
      let y = 0;
      while (y < 9 && (u -= p[y] as number) > 0) y++;
      rows.push(z);
      labels.push(y);
    }
    expect(fitTemperature(rows, labels)).toBeGreaterThan(2.3);
    expect(fitTemperature(rows, labels)).toBeLessThan(2.7);
  });
});
