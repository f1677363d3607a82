import { describe, expect, it } from 'vitest';
import { cloudRequest } from '../../src/background/cloud-request';
import { coerceSettings } from '../../src/core/settings-schema';

describe('cloud consent is bound to the exact origin', () => {
  const on = { cloudEnabled: true, cloudEndpoint: 'https://models.example.com/v2', cloudConsentOrigin: 'https://models.example.com', cloudToken: 't' };

  it('sends to the origin the user agreed to', () => {
    expect(cloudRequest(coerceSettings(on)).cloud).toMatchObject({ origin: 'https://models.example.com', token: 't' });
  });

  it('sends nothing when the endpoint changed by any other means, or nobody agreed', () => {
    expect(cloudRequest(coerceSettings({ ...on, cloudEndpoint: 'https://evil.example/v2' }))).toEqual({});
    expect(cloudRequest(coerceSettings({ ...on, cloudEndpoint: 'https://models.example.com:8443/v2' }))).toEqual({});
    expect(cloudRequest(coerceSettings({ ...on, cloudConsentOrigin: '' }))).toEqual({});
    expect(cloudRequest(coerceSettings({ ...on, cloudEnabled: false }))).toEqual({});
  });
});
