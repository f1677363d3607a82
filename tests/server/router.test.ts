import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, parseServerArgs } from '../../server/options';
import { route } from '../../server/router';

describe('route', () => {
  it('maps every v2 endpoint, with and without a version', () => {
    expect(route('GET', '/v2/health/live')).toEqual({ kind: 'live' });
    expect(route('GET', '/v2/health/ready')).toEqual({ kind: 'ready' });
    expect(route('GET', '/v2')).toEqual({ kind: 'server-metadata' });
    expect(route('GET', '/v2/')).toEqual({ kind: 'server-metadata' });
    expect(route('GET', '/v2/models/m')).toEqual({ kind: 'model-metadata', model: 'm' });
    expect(route('GET', '/v2/models/m/versions/1')).toEqual({ kind: 'model-metadata', model: 'm', version: '1' });
    expect(route('GET', '/v2/models/m/ready')).toEqual({ kind: 'model-ready', model: 'm' });
    expect(route('GET', '/v2/models/m/versions/2/ready')).toEqual({ kind: 'model-ready', model: 'm', version: '2' });
    expect(route('POST', '/v2/models/m/infer')).toEqual({ kind: 'infer', model: 'm' });
    expect(route('POST', '/v2/models/a%20b/versions/1/infer')).toEqual({ kind: 'infer', model: 'a b', version: '1' });
    expect(route('OPTIONS', '/anything')).toEqual({ kind: 'preflight' });
  });

  it('refuses other paths and methods', () => {
    for (const p of ['/', '/v1/models/m', '/v2/models', '/v2/models/m/explain', '/v2/models/m/versions', '/v2/models/%E0%A4%A/infer']) {
      expect(route('GET', p), p).toEqual({ kind: 'not-found' });
    }
    expect(route('GET', '/v2/models/m/infer')).toEqual({ kind: 'bad-method', allow: 'POST, OPTIONS' });
    expect(route('DELETE', '/v2')).toEqual({ kind: 'bad-method', allow: 'GET, OPTIONS' });
  });
});

describe('parseServerArgs', () => {
  it('takes flags over environment over defaults', () => {
    const o = parseServerArgs(['--port', '9000', '--token', 's3cret'], { PIT_SERVER_PORT: '7000', PIT_SERVER_MAX_QUEUE: '3', PIT_SERVER_HOST: '0.0.0.0' });
    expect(o).toMatchObject({ port: 9000, token: 's3cret', maxQueue: 3, host: '0.0.0.0', maxBatch: DEFAULT_OPTIONS.maxBatch });
    expect(parseServerArgs([])).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS).toMatchObject({ host: '127.0.0.1', port: 8000, maxBatch: 32, maxDelayMs: 2 });
  });

  it('rejects unknown flags and bad numbers', () => {
    expect(() => parseServerArgs(['--prot', '1'])).toThrow(/prot/);
    expect(() => parseServerArgs(['--port', '80x'])).toThrow(/--port .* must be an integer/);
    expect(() => parseServerArgs(['--max-queue', '0'])).toThrow(/>= 1/);
    expect(() => parseServerArgs(['--port', '70000'])).toThrow(/65535/);
  });
});
