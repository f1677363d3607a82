import { describe, expect, it } from 'vitest';
import { parseLeverArgs } from '../../tools/bench/levers-args';

describe('levers options', () => {
  it('defaults to both runtimes and the catalog default, and refuses bad values', () => {
    const o = parseLeverArgs([]);
    expect(o).toMatchObject({ model: null, int8: null, runtimes: ['web', 'native'], runs: 50, createRuns: 5 });
    expect(o.out).toMatch(/bench\/results$/);
    expect(parseLeverArgs(['--runtimes', 'native', '--int8', 'none']).int8).toBe('none');
    expect(() => parseLeverArgs(['--runtimes', 'gpu'])).toThrow(/--runtimes/);
    expect(() => parseLeverArgs(['--create-runs', '0'])).toThrow(/--create-runs/);
  });
});
