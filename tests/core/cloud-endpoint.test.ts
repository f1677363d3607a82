import { describe, expect, it } from 'vitest';
import { remoteModelName, v2, validateEndpoint } from '../../src/core/cloud-endpoint';

describe('validateEndpoint', () => {
  it('accepts https anywhere and plain http only on this machine', () => {
    expect(validateEndpoint('https://models.example.com')).toEqual({ ok: true, base: 'https://models.example.com', origin: 'https://models.example.com' });
    expect(validateEndpoint('http://127.0.0.1:8000/')).toMatchObject({ ok: true, base: 'http://127.0.0.1:8000' });
    expect(validateEndpoint('http://localhost:8000/v2')).toMatchObject({ ok: true, base: 'http://localhost:8000' });
    expect(validateEndpoint('http://models.example.com')).toMatchObject({ ok: false, reason: expect.stringMatching(/https/) });
    expect(validateEndpoint('http://192.168.1.5:8000')).toMatchObject({ ok: false });
  });

  it('keeps an ingress path prefix and drops a trailing /v2', () => {
    expect(validateEndpoint('https://h.example/serving/v2/')).toMatchObject({ ok: true, base: 'https://h.example/serving' });
  });

  it('explains what is wrong with unusable input', () => {
    expect(validateEndpoint('')).toMatchObject({ ok: false, reason: expect.stringMatching(/enter the server URL/) });
    expect(validateEndpoint('not a url')).toMatchObject({ ok: false, reason: expect.stringMatching(/not a URL/) });
    expect(validateEndpoint('https://u:p@h.example')).toMatchObject({ ok: false, reason: expect.stringMatching(/token field/) });
    expect(validateEndpoint('ftp://h.example')).toMatchObject({ ok: false });
    expect(validateEndpoint('https://h.example/?x=1')).toMatchObject({ ok: false, reason: expect.stringMatching(/query/) });
  });
});

describe('model names and URLs', () => {
  it('maps a local id to the server name only when a mapping is set', () => {
    expect(remoteModelName({ 'resnet20-pit': 'cifar_resnet20' }, 'resnet20-pit')).toBe('cifar_resnet20');
    expect(remoteModelName({ 'resnet20-pit': '  ' }, 'resnet20-pit')).toBe('resnet20-pit');
    expect(remoteModelName({}, 'x')).toBe('x');
  });

  it('builds the v2 paths, escaping model names', () => {
    expect(v2.infer('https://h', 'a b')).toBe('https://h/v2/models/a%20b/infer');
    expect(v2.ready('https://h')).toBe('https://h/v2/health/ready');
  });
});
