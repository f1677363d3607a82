/**
 * The WebGPU path with a real (software) adapter: Chromium's SwiftShader behind
 * --enable-unsafe-webgpu. It is ~80x slower than WASM here, so this checks
 * function only (same logits, honest labelling), never speed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelPath, readCatalog } from '../../tools/lib/catalog-file';
import { nodeSession, runNode } from '../../tools/lib/ort-node';
import { startWebRunner, type WebRunner } from '../../tools/lib/web-runner';

let runner: WebRunner;
beforeAll(async () => {
  runner = await startWebRunner({ args: ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader'] });
});
afterAll(async () => {
  await runner?.close();
});

describe('WebGPU backend on a software adapter', () => {
  it('gives the same logits as onnxruntime-node', async () => {
    const catalog = readCatalog();
    const model = catalog.models.find((m) => m.id === catalog.default)!;
    const input = new Float32Array(2 * 3 * 32 * 32).map((_, i) => Math.sin(i * 0.37));
    const dims = [2, 3, 32, 32];
    const web = await runner.run(model.id, input, dims, { backend: 'webgpu' });
    expect(web.backend).toBe('webgpu');
    expect(web.adapter).toMatch(/swiftshader.*\(software, not GPU speed\)/i);
    const expected = await runNode(await nodeSession(modelPath(model.file)), model.input.name, model.output.name, input, dims);
    let maxAbs = 0, maxDiff = 0;
    for (let i = 0; i < expected.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(expected[i]!));
      maxDiff = Math.max(maxDiff, Math.abs(expected[i]! - web.values[i]!));
    }
    expect(web.values.length).toBe(expected.length);
    expect(maxAbs).toBeGreaterThan(0);
    // GPU kernels sum in a different order than MLAS: allow 1e-4 relative.
    expect(maxDiff).toBeLessThan(1e-4 * maxAbs);
  });
});
