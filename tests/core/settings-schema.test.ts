import { describe, expect, it } from 'vitest';
import { coerceSettings, DEFAULT_SETTINGS } from '../../src/core/settings-schema';

describe('settings', () => {
  it('defaults to the catalog default model on WASM with automatic threads', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({ modelId: '', backend: 'wasm', threads: 0 });
    expect(coerceSettings(undefined)).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps valid fields and resets only the invalid ones', () => {
    expect(coerceSettings({ modelId: 'resnet56-x', backend: 'cuda', threads: 2 })).toMatchObject({ modelId: 'resnet56-x', backend: 'wasm', threads: 2 });
    const s = coerceSettings({ backend: 'webgpu', threads: -3, junk: true, cloudTimeoutMs: 10 });
    expect(s).toMatchObject({ modelId: '', backend: 'webgpu', threads: 0, cloudTimeoutMs: 5000 });
    expect(s).not.toHaveProperty('junk');
    expect(coerceSettings({ threads: 2.5 }).threads).toBe(0);
  });

  it('keeps the cloud comparison off unless the user turned it on', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({ cloudEnabled: false, cloudEndpoint: '', cloudToken: '', cloudModelMap: {} });
    expect(coerceSettings({ cloudEnabled: 'yes' }).cloudEnabled).toBe(false);
    expect(coerceSettings({ cloudEnabled: true, cloudModelMap: { a: 'b' } })).toMatchObject({ cloudEnabled: true, cloudModelMap: { a: 'b' } });
  });

  it('never throws on garbage', () => {
    for (const raw of [null, 42, 'x', [], { modelId: { evil: 1 } }]) expect(() => coerceSettings(raw)).not.toThrow();
  });
});
