/**
 * The extension's ONNX Runtime Web path and onnxruntime-node must compute the
 * same function: same input tensor, logits equal within 1e-5 of the largest |logit|.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelPath, readCatalog, readCatalogRaw } from '../../tools/lib/catalog-file';
import { nodeSession, runNode } from '../../tools/lib/ort-node';
import { startWebRunner, type WebRunner } from '../../tools/lib/web-runner';

let runner: WebRunner;
beforeAll(async () => {
  runner = await startWebRunner();
});
afterAll(async () => {
  await runner?.close();
});

function seededTensor(n: number, seed: number): Float32Array {
  let s = seed;
  // Roughly the range of normalised pixels, (0..1 - mean) / std.
  return new Float32Array(n * 3 * 32 * 32).map(() => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 4 - 2);
}

/** int8 models requantize at every layer, and WASM and x86 integer kernels round differently. */
const quantized = new Set(readCatalogRaw().models.filter((m) => (m.provenance as { quantizedFrom?: string } | undefined)?.quantizedFrom).map((m) => m.id));

describe('ORT Web (extension) vs onnxruntime-node', () => {
  for (const model of readCatalog().models) {
    const tolerance = quantized.has(model.id) ? 2e-2 : 1e-5;
    it(`${model.id}: same logits for the same tensor, batch 1 and 5 (within ${tolerance} of the largest |logit|)`, async () => {
      const node = await nodeSession(modelPath(model.file));
      for (const n of [1, 5]) {
        const input = seededTensor(n, 1234 + n);
        const dims = [n, 3, 32, 32];
        const expected = await runNode(node, model.input.name, model.output.name, input, dims);
        const web = await runner.run(model.id, input, dims);
        expect(web.dims).toEqual([n, 100]);
        expect(web.values.length).toBe(expected.length);
        let maxAbs = 0, maxDiff = 0;
        for (let i = 0; i < expected.length; i++) {
          maxAbs = Math.max(maxAbs, Math.abs(expected[i]!));
          maxDiff = Math.max(maxDiff, Math.abs(expected[i]! - web.values[i]!));
        }
        expect(maxAbs).toBeGreaterThan(0);
        expect(maxDiff).toBeLessThan(tolerance * maxAbs);
        // And the same answer for every image.
        for (let r = 0; r < n; r++) {
          const row = (v: ArrayLike<number>) => Array.from({ length: 100 }, (_, c) => v[r * 100 + c]!);
          const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
          expect(argmax(row(web.values))).toBe(argmax(row(expected)));
        }
      }
    });
  }
});
