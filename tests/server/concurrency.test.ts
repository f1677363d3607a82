/** Dynamic batching, the bounded queue, readiness, and clients that misbehave at the socket level. */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessageOf, parseHeaderLength } from '../../src/core/kserve/body';
import { encodeInferRequest } from '../../src/core/kserve/request';
import { decodeInferResponse } from '../../src/core/kserve/response';
import { type RunningServer, startServer } from '../../server/app';
import { modelPath } from '../../tools/lib/catalog-file';
import { CATALOG_PATH, expectClose, images, model, reference } from './support';

const input = (data: Float32Array, n: number) => ({ name: model.input.name, shape: [n, ...model.input.shape.slice(1)], data });

async function inferOnce(base: string, data: Float32Array, n: number, binary: boolean) {
  const { body, headers } = encodeInferRequest(input(data, n), { binary });
  const res = await fetch(`${base}/v2/models/${model.id}/infer`, { method: 'POST', body, headers });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, bytes, headerLength: parseHeaderLength(res.headers.get('inference-header-content-length')) };
}

describe('a loaded server under concurrent load', () => {
  let srv: RunningServer;
  beforeAll(async () => {
    srv = await startServer({ port: 0, catalogPath: CATALOG_PATH, threads: 1 });
  }, 60_000);
  afterAll(() => srv?.close());

  it('batches concurrent requests and gives each exactly its own logits', async () => {
    const sizes = [1, 2, 3, 1, 2, 1, 3, 1, 2, 1, 1, 2];
    const inputs = sizes.map((n, i) => images(n, 100 + i));
    const answers = await Promise.all(sizes.map((n, i) => inferOnce(srv.url, inputs[i]!, n, i % 2 === 0)));
    for (const [i, a] of answers.entries()) {
      expect(a.status, errorMessageOf(a.bytes)).toBe(200);
      const out = decodeInferResponse(a.bytes, a.headerLength);
      expect(out.outputs[0]!.shape[0]).toBe(sizes[i]);
      expectClose(out.outputs[0]!.data, await reference(inputs[i]!, sizes[i]!));
    }
    // At least one run served more rows than its own request: the requests were batched.
    const merged = answers.filter((a, i) => Number(decodeInferResponse(a.bytes, a.headerLength).parameters?.batch_size) > sizes[i]!);
    expect(merged.length).toBeGreaterThan(0);
  });

  it('survives clients that disconnect mid-body, mid-inference, or speak broken HTTP', async () => {
    const url = `${srv.url}/v2/models/${model.id}/infer`;
    const { body, headers } = encodeInferRequest(input(images(32, 7), 32), { binary: true });
    // Half a body, then gone; and a whole request, gone before its batch has run.
    await Promise.all([
      abandon(url, { ...headers, 'Content-Length': String(body.byteLength) }, body.subarray(0, body.byteLength >> 1), false),
      abandon(url, headers, body, true),
    ]);
    const garbage = await new Promise<string>((resolve) => {
      const sock = connect(Number(new URL(srv.url).port), '127.0.0.1', () => sock.write('NOT HTTP AT ALL\r\n\r\n'));
      let got = '';
      sock.on('data', (d) => (got += d));
      sock.on('close', () => resolve(got));
    });
    expect(garbage).toMatch(/^HTTP\/1.1 400/);
    const data = images(1, 8);
    const ok = await inferOnce(srv.url, data, 1, false);
    expect(ok.status).toBe(200);
    expectClose(decodeInferResponse(ok.bytes).outputs[0]!.data, await reference(data, 1));
  });
});

/** Sends `chunk` (ending the request or not), then drops the connection 5 ms later, as a crashing client would. */
function abandon(url: string, headers: Record<string, string>, chunk: Uint8Array, end: boolean): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers, agent: false });
    req.on('error', () => {}); // the destroy below is the point
    req.on('close', () => resolve());
    req.write(chunk);
    if (end) req.end();
    setTimeout(() => req.destroy(), 5);
  });
}

describe('the bounded queue', () => {
  it('answers 503 when full, while admitted requests still get correct logits', async () => {
    const small = await startServer({ port: 0, catalogPath: CATALOG_PATH, threads: 1, maxQueue: 1 });
    try {
      const inputs = Array.from({ length: 6 }, (_, i) => images(32, 200 + i));
      const answers = await Promise.all(inputs.map((data) => inferOnce(small.url, data, 32, true)));
      const busy = answers.filter((a) => a.status === 503);
      const ok = answers.filter((a) => a.status === 200);
      expect(busy.length).toBeGreaterThan(0);
      expect(ok.length).toBeGreaterThan(0);
      expect(errorMessageOf(busy[0]!.bytes)).toMatch(/server busy: .*max 1/);
      for (const [i, a] of answers.entries()) {
        if (a.status === 200) expectClose(decodeInferResponse(a.bytes, a.headerLength).outputs[0]!.data, await reference(inputs[i]!, 32));
      }
    } finally {
      await small.close();
    }
  });
});

describe('readiness and model verification', () => {
  it('holds at most 8 of the largest bodies at once: a crowd of stalled uploads gets 503, not the memory', async () => {
    const small = await startServer({ port: 0, catalogPath: CATALOG_PATH, threads: 1, maxBodyBytes: 1000 });
    const url = new URL(`${small.url}/v2/models/${model.id}/infer`);
    const stalled = Array.from({ length: 8 }, () => {
      const r = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '1000' } });
      r.on('error', () => undefined);
      r.write('{'); // and then nothing: each holds its reservation
      return r;
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const { body, headers } = encodeInferRequest(input(images(1, 3), 1));
      const res = await fetch(url, { method: 'POST', body, headers });
      expect(res.status).toBe(503);
      expect(errorMessageOf(new Uint8Array(await res.arrayBuffer()))).toMatch(/server busy: 8000 bytes of request bodies already held \(max 8000\)/);
      for (const r of stalled) r.destroy();
      await new Promise((r) => setTimeout(r, 300));
      // Released when those clients went away: the same request is judged on its own size again (too big for 1000).
      const again = await fetch(url, { method: 'POST', body, headers });
      expect(again.status).toBe(413);
    } finally {
      for (const r of stalled) r.destroy();
      await small.close();
    }
  });

  it('is live but not ready (503) until the models are loaded', async () => {
    const early = await startServer({ port: 0, catalogPath: CATALOG_PATH, threads: 1 }, { load: false });
    try {
      expect((await fetch(`${early.url}/v2/health/live`)).status).toBe(200);
      expect((await fetch(`${early.url}/v2/health/ready`)).status).toBe(503);
      expect((await fetch(`${early.url}/v2/models/${model.id}/ready`)).status).toBe(503);
      expect((await fetch(`${early.url}/v2/models/${model.id}`)).status).toBe(200);
      const before = await inferOnce(early.url, images(1, 9), 1, false);
      expect(before.status).toBe(503);
      expect(errorMessageOf(before.bytes)).toMatch(/not ready/);
      await early.registry.load();
      expect((await fetch(`${early.url}/v2/health/ready`)).status).toBe(200);
      expect((await inferOnce(early.url, images(1, 9), 1, false)).status).toBe(200);
    } finally {
      await early.close();
    }
  });

  it('refuses to start when a model file does not match its sha256', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pit-server-'));
    try {
      const bytes = readFileSync(modelPath(model.file));
      bytes[bytes.length - 1]! ^= 1;
      writeFileSync(join(dir, model.file), bytes);
      copyFileSync(CATALOG_PATH, join(dir, 'catalog.json'));
      await expect(startServer({ port: 0, catalogPath: join(dir, 'catalog.json'), threads: 1 })).rejects.toThrow(/sha256 mismatch/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
