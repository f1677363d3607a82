/**
 * A ready-made tensor through the same warm sessions and queue as page images:
 * the fidelity test and the accuracy eval measure the extension's own path.
 */
import { findModel } from '../core/catalog';
import { base64ToFloats, floatsToBase64 } from '../core/float-codec';
import { loadCatalog } from '../lib/catalog-loader';
import type { TensorRequest, TensorResult } from '../lib/messages';
import { effectiveThreads, getSession, makeTensor } from './ort-runtime';
import { inference } from './queues';

export async function inferTensor(req: TensorRequest): Promise<TensorResult> {
  const model = findModel(await loadCatalog(), req.modelId);
  const data = base64ToFloats(req.data);
  const expected = req.dims.reduce((a, b) => a * b, 1);
  if (req.dims.length !== 4 || data.length !== expected) {
    throw new Error(`tensor has ${data.length} values; dims ${JSON.stringify(req.dims)} need ${expected}`);
  }
  return inference.run(async () => {
    const ws = await getSession(model, req.backend, effectiveThreads(req.threads));
    const created = ws.fresh ? ws.createMs : undefined;
    ws.fresh = false;
    const t0 = performance.now();
    const out = await ws.session.run({ [model.input.name]: makeTensor(ws.ort, data, req.dims) });
    const inferenceMs = performance.now() - t0;
    const t = out[model.output.name];
    if (!t) throw new Error(`model has no output named ${model.output.name}`);
    const logits = (await t.getData()) as Float32Array;
    return {
      logits: floatsToBase64(logits), dims: [...t.dims], inferenceMs, backend: ws.backend, threads: ws.threads,
      ...(ws.adapter ? { adapter: ws.adapter } : {}),
      ...(created !== undefined ? { sessionCreateMs: created } : {}),
    };
  });
}
