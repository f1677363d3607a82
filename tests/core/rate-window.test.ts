import { describe, expect, it } from 'vitest';
import { admit } from '../../src/core/rate-window';

describe('admit (per-site auto-tag quota)', () => {
  it('admits up to the limit in a window, then nothing until the next window', () => {
    let r = admit(undefined, 1000, 60, 60_000, 50);
    expect(r.admitted).toBe(50);
    r = admit(r.state, 2000, 60, 60_000, 50);
    expect(r.admitted).toBe(10);
    r = admit(r.state, 30_000, 60, 60_000, 5);
    expect(r.admitted).toBe(0);
    r = admit(r.state, 61_000, 60, 60_000, 5);
    expect(r).toEqual({ state: { start: 61_000, used: 5 }, admitted: 5 });
  });

  it('starts afresh when the clock went backwards', () => {
    expect(admit({ start: 10_000, used: 60 }, 5_000, 60, 60_000, 3).admitted).toBe(3);
  });
});
