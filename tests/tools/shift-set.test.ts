import { describe, expect, it } from 'vitest';
import { corrupt, CORRUPTIONS, rng } from '../../tools/lib/corruptions';
import { balanced, flip, type ShiftItem } from '../../tools/lib/shift-set';

describe('balanced shifted total', () => {
  // Parts stored grouped by variant, as buildShiftSet stores them: 10 web, 30 corruptions (3 groups of 10), 12 geometry.
  const items: Pick<ShiftItem, 'part' | 'variant'>[] = [
    ...Array.from({ length: 10 }, () => ({ part: 'web' as const, variant: 'web' })),
    ...Array.from({ length: 30 }, (_, i) => ({ part: 'corruptions' as const, variant: `c${Math.floor(i / 10)}` })),
    ...Array.from({ length: 12 }, () => ({ part: 'geometry' as const, variant: 'g' })),
    { part: 'clean' as const, variant: 'clean' },
  ];

  it('takes as many images of each shifted part as the smallest has, never clean ones, the same for the same seed', () => {
    const ks = balanced(items, 1);
    const parts = ks.map((k) => items[k]!.part);
    expect(parts.filter((p) => p === 'web')).toHaveLength(10);
    expect(parts.filter((p) => p === 'corruptions')).toHaveLength(10);
    expect(parts.filter((p) => p === 'geometry')).toHaveLength(10);
    expect(parts).not.toContain('clean');
    expect(balanced(items, 1)).toEqual(ks);
  });

  it('samples across a part, not its first variants', () => {
    const groups = new Set(balanced(items, 3).filter((k) => items[k]!.part === 'corruptions').map((k) => items[k]!.variant));
    expect(groups.size).toBeGreaterThan(1);
  });
});

describe('corruptions', () => {
  const img = Uint8Array.from({ length: 3072 }, (_, i) => (i * 37) % 256);

  it('are seeded, keep the size, and get stronger with severity', () => {
    for (const kind of CORRUPTIONS) {
      const a = corrupt(img, kind, 3, 5);
      expect(a).toHaveLength(3072);
      expect(corrupt(img, kind, 3, 5)).toEqual(a);
    }
    const diff = (x: Uint8Array) => x.reduce((s, v, i) => s + Math.abs(v - img[i]!), 0);
    for (const kind of ['gaussian_noise', 'contrast', 'gaussian_blur'] as const) expect(diff(corrupt(img, kind, 5, 1))).toBeGreaterThan(diff(corrupt(img, kind, 1, 1)));
    expect(() => corrupt(img, 'contrast', 6, 1)).toThrow(/severity/);
  });

  it('contrast pulls every channel towards its mean by the published factor', () => {
    const flat = Uint8Array.from({ length: 3072 }, (_, i) => (i < 1024 ? (i % 2 ? 190 : 110) : 50));
    const out = corrupt(flat, 'contrast', 5, 0); // factor 0.15 around the red mean 150
    expect(out[0]).toBe(144); // (110 − 150) · 0.15 + 150
    expect(out[1]).toBe(156);
    expect(out[2000]).toBe(50); // a flat channel stays as it is
  });

  it('a seeded generator repeats and differs by seed', () => {
    const a = rng(1), b = rng(1), c = rng(2);
    const xs = [a.u(), a.u()];
    expect([b.u(), b.u()]).toEqual(xs);
    expect(c.u()).not.toBe(xs[0]);
  });

  it('flip mirrors each row', () => {
    const x = Float32Array.from({ length: 3 * 4 }, (_, i) => i); // 3 channels of 2x2
    expect(Array.from(flip(x, 2))).toEqual([1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10]);
  });
});
