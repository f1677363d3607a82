/** The v2 server against the shipped catalog: every endpoint, both encodings, every error path. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessageOf, parseHeaderLength } from '../../src/core/kserve/body';
import { encodeInferRequest } from '../../src/core/kserve/request';
import { decodeInferResponse } from '../../src/core/kserve/response';
import { type RunningServer, startServer } from '../../server/app';
import { CATALOG_PATH, CLASSES, catalog, expectClose, images, json, model, raw, reference, ROW } from './support';

let srv: RunningServer;
let base: string;
const infer = () => `${base}/v2/models/${model.id}/infer`;
const input = (data: Float32Array, n: number) => ({ name: model.input.name, shape: [n, ...model.input.shape.slice(1)], data });

async function post(url: string, body: Uint8Array<ArrayBuffer> | string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

beforeAll(async () => {
  srv = await startServer({ port: 0, catalogPath: CATALOG_PATH, threads: 1 });
  base = srv.url;
}, 60_000);
afterAll(() => srv?.close());

describe('health and metadata', () => {
  it('is live and ready, and says it speaks the binary extension', async () => {
    expect((await fetch(`${base}/v2/health/live`)).status).toBe(200);
    expect(await (await fetch(`${base}/v2/health/ready`)).json()).toEqual({ ready: true });
    const meta = await (await fetch(`${base}/v2`)).json();
    expect(meta).toMatchObject({ name: 'private-image-tagger', version: expect.any(String) });
    expect(meta.extensions).toContain('binary_tensor_data');
  });

  it('describes every catalog model, with and without a version', async () => {
    for (const m of catalog.models) {
      for (const path of [`/v2/models/${m.id}`, `/v2/models/${m.id}/versions/1`]) {
        const meta = await (await fetch(base + path)).json();
        expect(meta).toEqual({
          name: m.id,
          versions: ['1'],
          platform: 'onnxruntime_onnx',
          inputs: [{ name: m.input.name, datatype: 'FP32', shape: [-1, ...m.input.shape.slice(1)] }],
          outputs: [{ name: m.output.name, datatype: 'FP32', shape: [-1, m.output.shape[1]] }],
        });
      }
      expect((await fetch(`${base}/v2/models/${m.id}/ready`)).status).toBe(200);
      expect((await fetch(`${base}/v2/models/${m.id}/versions/1/ready`)).status).toBe(200);
    }
  });

  it('answers 404 for unknown models, versions and routes, 405 for wrong methods', async () => {
    for (const path of ['/v2/models/no-such-model', '/v2/models/no-such-model/ready', `/v2/models/${model.id}/versions/2`, `/v2/models/${model.id}/versions/2/ready`, '/v1/models', '/v2/repository/index']) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(404);
      expect(errorMessageOf(await res.text()), path).toBeTruthy();
    }
    const wrong = await fetch(infer());
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, OPTIONS');
    const { body } = encodeInferRequest(input(images(1, 1), 1));
    expect((await post(`${base}/v2/models/no-such-model/infer`, body)).res.status).toBe(404);
    expect((await post(`${base}/v2/models/${model.id}/versions/7/infer`, body)).res.status).toBe(404);
  });
});

describe('inference', () => {
  it('JSON: logits agree with onnxruntime-node run directly; id echoed; timings in parameters and Server-Timing', async () => {
    const data = images(3, 2);
    const { body, headers } = encodeInferRequest(input(data, 3), { id: 'req-1' });
    const { res, bytes } = await post(infer(), body, headers);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const out = decodeInferResponse(bytes);
    expect(out).toMatchObject({ modelName: model.id, modelVersion: '1', id: 'req-1' });
    expect(out.outputs[0]!.shape).toEqual([3, CLASSES]);
    expectClose(out.outputs[0]!.data, await reference(data, 3));
    expect(out.parameters?.compute_ms).toBeGreaterThan(0);
    expect(out.parameters?.queue_ms).toBeGreaterThanOrEqual(0);
    const timing = res.headers.get('server-timing') ?? '';
    expect(Number(/compute;dur=([\d.]+)/.exec(timing)?.[1])).toBeGreaterThan(0);
    expect(timing).toMatch(/queue;dur=[\d.]+/);
  });

  it('binary in, binary out (and binary in, JSON out) agree with onnxruntime-node', async () => {
    const data = images(2, 3);
    const expected = await reference(data, 2);
    const { body, headers } = encodeInferRequest(input(data, 2), { binary: true });
    const { res, bytes } = await post(`${base}/v2/models/${model.id}/versions/1/infer`, body, headers);
    expect(res.status).toBe(200);
    const len = parseHeaderLength(res.headers.get('inference-header-content-length'));
    expect(bytes.byteLength - len!).toBe(2 * CLASSES * 4);
    expectClose(decodeInferResponse(bytes, len).outputs[0]!.data, expected);

    const mixed = encodeInferRequest(input(data, 2), { binary: true, binaryOutput: false, outputs: [model.output.name] });
    const second = await post(infer(), mixed.body, mixed.headers);
    expect(second.res.headers.get('inference-header-content-length')).toBeNull();
    expectClose(decodeInferResponse(second.bytes).outputs[0]!.data, expected);
  });

  it('takes nested JSON data', async () => {
    const data = images(1, 4);
    const nested = [[0, 1, 2].map((ch) => Array.from({ length: 32 }, (_, y) => Array.from(data.subarray(ch * 1024 + y * 32, ch * 1024 + y * 32 + 32))))];
    const body = JSON.stringify({ inputs: [{ name: model.input.name, shape: [1, 3, 32, 32], datatype: 'FP32', data: nested }] });
    const { res, bytes } = await post(infer(), body);
    expect(res.status).toBe(200);
    expectClose(decodeInferResponse(bytes).outputs[0]!.data, await reference(data, 1));
  });
});

describe('bad requests get protocol-shaped errors and the server keeps serving', () => {
  const one = () => JSON.parse(new TextDecoder().decode(encodeInferRequest(input(images(1, 5), 1)).body));
  const cases: [string, () => string, RegExp][] = [
    ['bad JSON', () => '{"inputs": [', /invalid JSON/],
    ['wrong datatype', () => JSON.stringify({ inputs: [{ ...one().inputs[0], datatype: 'INT32' }] }), /unsupported datatype "INT32"/],
    ['shape/data mismatch', () => JSON.stringify({ inputs: [{ ...one().inputs[0], shape: [2, 3, 32, 32] }] }), /data has 3072 values but its shape holds 6144/],
    ['non-finite value', () => JSON.stringify(one()).replace(/"data":\[[^,]+,/, '"data":[1e999,'), /not a finite FP32/],
    ['NaN (null)', () => JSON.stringify(one()).replace(/"data":\[[^,]+,/, '"data":[null,'), /data\[0\] is null/],
    ['wrong input name', () => JSON.stringify({ inputs: [{ ...one().inputs[0], name: 'pixels' }] }), /unexpected input "pixels"/],
    ['wrong image size', () => JSON.stringify({ inputs: [{ ...one().inputs[0], shape: [1, 3, 64, 16] }] }), /does not match the model's/],
    ['unknown output', () => JSON.stringify({ ...one(), outputs: [{ name: 'probs' }] }), /unknown output "probs"/],
    ['batch over the maximum', () => JSON.stringify({ inputs: [{ name: model.input.name, shape: [33, 3, 32, 32], datatype: 'FP32', data: new Array(33 * ROW).fill(0) }] }), /batch size 33 exceeds the maximum 32/],
  ];
  for (const [what, body, message] of cases) {
    it(`400: ${what}`, async () => {
      const { res, bytes } = await post(infer(), body());
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(errorMessageOf(bytes)).toMatch(message);
    });
  }

  it('400: malformed, oversized and lying Inference-Header-Content-Length', async () => {
    const { body, headers } = encodeInferRequest(input(images(1, 6), 1), { binary: true });
    for (const value of ['abc', '-5', String(body.byteLength + 1)]) {
      const { res, bytes } = await post(infer(), body, { ...headers, 'Inference-Header-Content-Length': value });
      expect(res.status, value).toBe(400);
      expect(errorMessageOf(bytes), value).toMatch(/Inference-Header-Content-Length/);
    }
    const short = await post(infer(), body.subarray(0, body.byteLength - 100), headers);
    expect(short.res.status).toBe(400);
    expect(errorMessageOf(short.bytes)).toMatch(/the body ends early/);
    const none = await post(infer(), body, { 'Content-Type': 'application/octet-stream' });
    expect(errorMessageOf(none.bytes)).toMatch(/needs the Inference-Header-Content-Length header/);
  });

  it('413 from Content-Length before the body is sent, and from counting a chunked body', async () => {
    const small = await startServer({ port: 0, catalogPath: CATALOG_PATH, threads: 1, maxBodyBytes: 1000 });
    try {
      const url = `${small.url}/v2/models/${model.id}/infer`;
      // Headers only, body never sent: the answer cannot have waited for it.
      const declared = await raw(url, 'POST', { 'Content-Length': '5000000' }, [], false);
      expect(declared.status).toBe(413);
      expect(json(declared).error).toMatch(/exceeds the limit of 1000 bytes/);
      expect(declared.headers.connection).toBe('close');
      const chunked = await raw(url, 'POST', { 'Transfer-Encoding': 'chunked' }, ['x'.repeat(4000)], false);
      expect(chunked.status).toBe(413);
      expect((await fetch(`${small.url}/v2/health/live`)).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('CORS and the bearer token', () => {
  it('without a token grants web pages no CORS and no Private Network Access', async () => {
    const res = await fetch(infer(), {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Private-Network': 'true' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-private-network')).toBeNull();
    expect((await fetch(`${base}/v2`)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('with a token answers preflights with the headers the extension and browsers need', async () => {
    const locked = await startServer({ port: 0, catalogPath: CATALOG_PATH, threads: 1, token: 's3cret' });
    try {
      await corsChecks(`${locked.url}/v2/models/${model.id}/infer`, locked.url);
    } finally {
      await locked.close();
    }
  });

  async function corsChecks(inferUrl: string, root: string): Promise<void> {
    const res = await fetch(inferUrl, {
      method: 'OPTIONS',
      headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,inference-header-content-length', 'Access-Control-Request-Private-Network': 'true' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('inference-header-content-length');
    expect(res.headers.get('access-control-allow-private-network')).toBe('true');
    expect((await fetch(`${root}/v2`, { headers: { Authorization: 'Bearer s3cret' } })).headers.get('access-control-expose-headers')).toContain('Server-Timing');
  }

  it('with --token: 401 without or with a wrong token, 200 with it; health and preflight stay open', async () => {
    const locked = await startServer({ port: 0, catalogPath: CATALOG_PATH, threads: 1, token: 's3cret' });
    try {
      const { body, headers } = encodeInferRequest(input(images(1, 7), 1));
      const url = `${locked.url}/v2/models/${model.id}/infer`;
      const missing = await post(url, body, headers);
      expect(missing.res.status).toBe(401);
      expect(missing.res.headers.get('www-authenticate')).toBe('Bearer');
      expect(errorMessageOf(missing.bytes)).toMatch(/missing bearer token/);
      expect((await post(url, body, { ...headers, Authorization: 'Bearer nope' })).res.status).toBe(401);
      expect((await fetch(`${locked.url}/v2`)).status).toBe(401);
      expect((await post(url, body, { ...headers, Authorization: 'Bearer s3cret' })).res.status).toBe(200);
      expect((await fetch(`${locked.url}/v2/health/ready`)).status).toBe(200);
      expect((await fetch(url, { method: 'OPTIONS' })).status).toBe(204);
    } finally {
      await locked.close();
    }
  });
});
