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
    const on = { cloudEnabled: true, cloudEndpoint: 'https://models.example.com/v2', cloudConsentOrigin: 'https://models.example.com', cloudModelMap: { a: 'b' } };
    expect(coerceSettings(on)).toMatchObject({ cloudEnabled: true, cloudModelMap: { a: 'b' } });
  });

  it('reads the cloud comparison as off without consent to the endpoint\'s exact origin (as the worker, which then sends nothing)', () => {
    const base = { cloudEnabled: true, cloudEndpoint: 'https://models.example.com/v2' };
    expect(coerceSettings(base).cloudEnabled).toBe(false); // turned on before consent was bound to an origin
    expect(coerceSettings({ ...base, cloudConsentOrigin: 'https://other.example.com' }).cloudEnabled).toBe(false);
    expect(coerceSettings({ ...base, cloudEndpoint: 'not a url', cloudConsentOrigin: 'https://models.example.com' }).cloudEnabled).toBe(false);
  });

  it('never throws on garbage', () => {
    for (const raw of [null, 42, 'x', [], { modelId: { evil: 1 } }]) expect(() => coerceSettings(raw)).not.toThrow();
  });
});
