import { describe, expect, it } from 'vitest';
import { coerceSettings, DEFAULT_SETTINGS } from '../../src/core/settings-schema';

describe('settings', () => {
  it('defaults to the catalog default model on WASM with automatic threads', () => {
    expect(DEFAULT_SETTINGS).toEqual({ modelId: '', backend: 'wasm', threads: 0 });
    expect(coerceSettings(undefined)).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps valid fields and resets only the invalid ones', () => {
    expect(coerceSettings({ modelId: 'resnet56-x', backend: 'cuda', threads: 2 })).toEqual({ modelId: 'resnet56-x', backend: 'wasm', threads: 2 });
    expect(coerceSettings({ backend: 'webgpu', threads: -3, junk: true })).toEqual({ modelId: '', backend: 'webgpu', threads: 0 });
    expect(coerceSettings({ threads: 2.5 }).threads).toBe(0);
  });

  it('never throws on garbage', () => {
    for (const raw of [null, 42, 'x', [], { modelId: { evil: 1 } }]) expect(() => coerceSettings(raw)).not.toThrow();
  });
});
