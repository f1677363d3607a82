/**
 * The cloud client against the real reference server and against broken
 * endpoints (all on 127.0.0.1): every failure is a clear CloudError, retries
 * happen only where they can help.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/app';
import { checkEndpoint, CloudError, inferRemote, MAX_RESPONSE_BYTES, serverComputeMs } from '../../src/core/cloud-client';
import { encodeInferResponse } from '../../src/core/kserve/response';
import { catalog, expectClose, images, model, reference } from '../server/support';

let real: RunningServer;
let fake: { url: string; close(): Promise<void>; calls: number };
let behaviour: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

beforeAll(async () => {
  real = await startServer({ port: 0, host: '127.0.0.1' });
  const server = createServer((req, res) => {
    fake.calls++;
    req.resume();
    req.on('end', () => behaviour(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: 0,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
});
afterAll(async () => {
  await real?.close();
  await fake?.close();
});

const classes = model.output.shape[1];
const dims = [1, 3, 32, 32];
const input = images(1, 5);
const target = (base: string, timeoutMs = 3000) => ({ base, model: model.id, timeoutMs });
const logitsBody = (data: Float32Array, shape: number[]) =>
  encodeInferResponse({ modelName: model.id, outputs: [{ name: 'logits', shape, data }] }, { binary: true });

describe('inferRemote', () => {
  it('gets the same logits as onnxruntime-node from the reference server, with its compute time', async () => {
    const r = await inferRemote(target(real.url), model.input.name, input, dims, classes);
    expectClose(r.logits, await reference(input, 1));
    expect(r.attempts).toBe(1);
    expect(r.computeMs).toBeGreaterThan(0);
    expect(r.roundTripMs).toBeGreaterThanOrEqual(r.computeMs!);
    expect(r.requestBytes).toBeGreaterThan(3 * 32 * 32 * 4); // binary tensor + JSON header
    expect(r.responseBytes).toBeGreaterThan(classes * 4);
  });

  it('says when the endpoint is down', async () => {
    const closed = await startServer({ port: 0, host: '127.0.0.1' }, { load: false });
    const url = closed.url;
    await closed.close();
    const err = await inferRemote(target(url), 'input', input, dims, classes).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/cloud endpoint is unreachable/);
    expect((err as CloudError).attempts).toBe(2);
  });

  it('times out a slow endpoint without retrying', async () => {
    behaviour = () => undefined; // never answers
    fake.calls = 0;
    await expect(inferRemote(target(fake.url, 300), 'input', input, dims, classes)).rejects.toThrow(/did not answer within 0.3 s/);
    expect(fake.calls).toBe(1);
  });

  it('retries a 5xx once and reports the attempts', async () => {
    let n = 0;
    behaviour = (_req, res) => {
      if (n++ === 0) return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"warming up"}');
      const { body, headers } = logitsBody(new Float32Array(classes).fill(1), [1, classes]);
      res.writeHead(200, headers).end(body);
    };
    const r = await inferRemote(target(fake.url), 'input', input, dims, classes);
    expect(r.attempts).toBe(2);
    expect(r.computeMs).toBeUndefined(); // this server reports none: no invented split
  });

  it('does not retry a 4xx and passes on the server’s own message', async () => {
    behaviour = (_req, res) => void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"unknown model \'x\'"}');
    fake.calls = 0;
    await expect(inferRemote(target(fake.url), 'input', input, dims, classes)).rejects.toThrow(/HTTP 404: unknown model 'x'/);
    expect(fake.calls).toBe(1);
  });

  it('refuses a redirect instead of re-sending the tensor where it points, and does not retry it', async () => {
    let elsewhere = 0;
    const other = createServer((req, res) => {
      elsewhere++;
      req.resume();
      res.end('{}');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    behaviour = (_req, res) => res.writeHead(307, { location: `http://127.0.0.1:${(other.address() as AddressInfo).port}/v2/models/x/infer` }).end();
    const before = fake.calls;
    await expect(inferRemote(target(fake.url), model.input.name, input, dims, classes)).rejects.toThrow(/answered with a redirect \(HTTP 307\): refused/);
    expect(fake.calls - before).toBe(1);
    expect(elsewhere).toBe(0);
    const report = await checkEndpoint(fake.url, undefined, [model.id], 2000);
    expect(report.ok).toBe(false);
    expect(report.checks[0]?.detail).toMatch(/redirect/);
    expect(elsewhere).toBe(0);
    other.close();
  });

  it('refuses malformed answers: wrong shape, NaN, garbage, a huge body', async () => {
    const cases: [() => void, RegExp][] = [
      [() => { behaviour = (_q, res) => { const b = logitsBody(new Float32Array(10), [1, 10]); res.writeHead(200, b.headers).end(b.body); }; }, /shape \[1, 10\], expected \[1, 100\]/],
      [() => {
        behaviour = (_q, res) => {
          // Our encoder refuses NaN, so poison the binary tensor after encoding.
          const b = logitsBody(new Float32Array(classes).fill(1), [1, classes]);
          new DataView(b.body.buffer, b.body.byteOffset + b.body.byteLength - 4).setFloat32(0, Number.NaN, true);
          res.writeHead(200, b.headers).end(b.body);
        };
      }, /NaN|finite/],
      [() => { behaviour = (_q, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"outputs": "nope"'); }, /malformed response/],
      [() => { behaviour = (_q, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(Buffer.alloc(MAX_RESPONSE_BYTES + 10, 32)); }; }, /sent \d+ bytes or more \(limit \d+\)/],
    ];
    for (const [arrange, message] of cases) {
      arrange();
      const err = await inferRemote(target(fake.url), 'input', input, dims, classes).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CloudError);
      expect((err as Error).message).toMatch(message);
    }
  });
});

describe('checkEndpoint and Server-Timing', () => {
  it('reports live, ready, server and model metadata of the reference server', async () => {
    const report = await checkEndpoint(real.url, undefined, [catalog.default, 'no-such-model']);
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['live', true], ['ready', true], ['server', true], [`model ${catalog.default}`, true], ['model no-such-model', false],
    ]);
    expect(report.checks[2]?.detail).toMatch(/binary tensors/);
    expect(report.checks[3]?.detail).toMatch(/input input FP32 \[-1, 3, 32, 32\]/);
    expect(report.ok).toBe(false);
  });

  it('reads compute time from Server-Timing first, then from parameters', () => {
    expect(serverComputeMs('queue;dur=1.5, compute;dur=4.25, total;dur=9', { compute_ms: 99 })).toBe(4.25);
    expect(serverComputeMs(null, { compute_ms: 3 })).toBe(3);
    expect(serverComputeMs('total;dur=3', {})).toBeUndefined();
  });
});
