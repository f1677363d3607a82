/** Shared by the server tests: the catalog's default model, inputs, a direct onnxruntime-node reference and a raw HTTP client. */
import { request } from 'node:http';
import type * as Ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { findModel } from '../../src/core/catalog';
import { CATALOG_PATH, modelPath, readCatalog } from '../../tools/lib/catalog-file';
import { nodeSession, runNode } from '../../tools/lib/ort-node';

export const catalog = readCatalog();
export const model = findModel(catalog, catalog.default);
export { CATALOG_PATH };
const [, c, h, w] = model.input.shape;
export const ROW = c * h * w;
export const CLASSES = model.output.shape[1];

/** n normalised-looking images, different for every seed. */
export function images(n: number, seed: number): Float32Array {
  let s = seed * 7919 + 1;
  return Float32Array.from({ length: n * ROW }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * 4 - 2;
  });
}

let session: Promise<Ort.InferenceSession> | undefined;
/** Logits from onnxruntime-node run directly, one session.run of exactly these rows. */
export async function reference(input: Float32Array, n: number): Promise<Float32Array> {
  session ??= nodeSession(modelPath(model.file), 1);
  return runNode(await session, model.input.name, model.output.name, input, [n, c, h, w]);
}

/** max |a - b| < 1e-5 of max |b|. */
export function expectClose(actual: ArrayLike<number>, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] ?? Number.NaN) - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  expect(scale).toBeGreaterThan(0);
  expect(diff).toBeLessThan(1e-5 * scale);
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * One request over node:http with full control of what is sent: `chunks` are
 * written in order and `end: false` leaves the body unfinished (a stalled or
 * lying client). Resolves with the answer, or rejects if the connection drops.
 */
export function raw(url: string, method: string, headers: Record<string, string>, chunks: (string | Uint8Array)[] = [], end = true): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) });
        req.destroy();
      });
    });
    req.on('error', reject);
    // Node holds the headers back until the first write; a headers-only client must push them out.
    req.flushHeaders();
    for (const c of chunks) req.write(c);
    if (end) req.end();
  });
}

export const json = (r: RawResponse) => JSON.parse(r.body.toString('utf8'));
