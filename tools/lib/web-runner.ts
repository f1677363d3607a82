/**
 * Runs tensors through the built extension's own offscreen inference path in
 * headless Chromium (the same warm sessions that classify page images).
 */
import type { Worker } from 'playwright-core';
import { base64ToFloats, floatsToBase64 } from '../../src/core/float-codec';
import type { TensorResult } from '../../src/lib/messages';
import { launchExtension, type ExtensionHandle } from './extension';

export interface WebRunner {
  ext: ExtensionHandle;
  run(modelId: string, data: Float32Array, dims: number[], opts?: { backend?: 'wasm' | 'webgpu'; threads?: number }): Promise<TensorResult & { values: Float32Array }>;
  close(): Promise<void>;
}

export async function startWebRunner(opts: { headless?: boolean; args?: string[] } = {}): Promise<WebRunner> {
  const ext = await launchExtension(opts);
  let sw: Worker = await ext.worker();
  return {
    ext,
    async run(modelId, data, dims, o = {}) {
      const req = { modelId, backend: o.backend ?? 'wasm', threads: o.threads ?? 0, dims, data: floatsToBase64(data) };
      sw = await ext.worker();
      const res = await sw.evaluate(async (r) => {
        const pit = (globalThis as unknown as { pit: { sendOffscreen(n: string, p: unknown, t?: number): Promise<unknown> } }).pit;
        return pit.sendOffscreen('offscreen:infer-tensor', r, 300_000);
      }, req) as TensorResult;
      return { ...res, values: base64ToFloats(res.logits) };
    },
    close: () => ext.close(),
  };
}
