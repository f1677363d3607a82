/**
 * A ready-made tensor through the same pipeline, warm sessions and queue as
 * page images (steps 1, 2 and 4 of pipeline.ts): the fidelity test and the
 * accuracy eval measure the extension's own path.
 */
import { findModel } from '../core/catalog';
import { base64ToFloats, floatsToBase64 } from '../core/float-codec';
import { loadCatalog } from '../lib/catalog-loader';
import type { TensorRequest, TensorResult } from '../lib/messages';
import { infer, makePlan } from './pipeline';

export async function inferTensor(req: TensorRequest): Promise<TensorResult> {
  // An unknown id is an error here (a tool asked for it by name), never a silent substitute.
  findModel(await loadCatalog(), req.modelId);
  const plan = await makePlan(req.modelId, req.backend, req.threads);
  const data = base64ToFloats(req.data);
  const [n, c, h, w] = req.dims as [number, number, number, number];
  const [mc, mh, mw] = plan.batchModel.chw;
  if (data.length !== n * c * h * w) throw new Error(`tensor has ${data.length} values; dims ${JSON.stringify(req.dims)} need ${n * c * h * w}`);
  if (c !== mc || h !== mh || w !== mw) throw new Error(`dims ${JSON.stringify(req.dims)} do not fit model ${plan.model.id} (N x ${mc} x ${mh} x ${mw})`);
  const size = c * h * w;
  const inputs = Array.from({ length: n }, (_, i) => data.subarray(i * size, (i + 1) * size));
  // Each row of a tensor is one input as it stands (tools feed views themselves): no averaging of rows here.
  const out = await infer({ ...plan, batchModel: { ...plan.batchModel, views: 1 } }, inputs);
  return {
    logits: floatsToBase64(out.logits), dims: [...out.dims], inferenceMs: out.inferenceMs, backend: out.backend, threads: out.threads,
    ...(out.adapter ? { adapter: out.adapter } : {}),
    ...(out.coldStartMs !== undefined ? { sessionCreateMs: out.coldStartMs } : {}),
  };
}
