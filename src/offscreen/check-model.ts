/**
 * The self-check of a model the user added (Options → Models): load it the
 * way every classification will (the same session cache, from IndexedDB, its
 * sha256 checked), run two images through it, and refuse NaN, infinite or
 * wrongly sized outputs. A model that passes learns whether it outputs
 * probabilities and is offered everywhere from then on. A model that takes
 * any batch size is also run on each image alone: if the pair's outputs are
 * not each image's own (a graph that mixes the batch, e.g. BatchNorm left in
 * training mode), it is kept as a batch-1 model, so page tagging gives the
 * labels a click gives; one whose batch of two fails outright is kept as batch-1 too.
 */
import type { ModelEntry } from '../core/catalog';
import { judgeOutputs, OnnxError, sameOutputs } from '../core/onnx-inspect';
import { normalize } from '../core/normalize';
import { getUserModel, markUserModelChecked } from '../lib/db';
import { userModelsChanged } from '../lib/catalog-loader';
import { getSession, releaseSessions } from '../lib/ort-runtime';
import { inference } from './queues';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Two 32×32 test images (mid-grey, and a fixed pseudo-random pattern), as 0..255 planar RGB. */
function testImages(): Float32Array[] {
  const grey = new Float32Array(3 * 32 * 32).fill(128);
  let seed = 12345;
  const noise = new Float32Array(3 * 32 * 32).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) % 256);
  return [grey, noise];
}

export interface CheckResult {
  kind: 'logits' | 'probabilities';
  ms: number;
  /** Runs one image per session.run: it declares batch 1, or its batch outputs were not its single-image ones, or a batch failed. */
  batchOne: boolean;
  /** Why a batch of two could not run, when it could not (the model is then kept as batch-1). */
  batchError?: string;
}

export async function checkUserModel(id: string, threads: number): Promise<CheckResult> {
  const m = await getUserModel(id);
  if (!m) throw new Error(`no model "${id}" is stored`);
  try {
    return await check(id, m.entry, threads);
  } catch (e) {
    // Refused while being added: its session (up to 100 MB of weights) goes now, not when the document closes.
    // A model checked again is in use (a click or a tagging job may be running on its session): it keeps it.
    if (!m.checked) releaseSessions((sid, sha) => sid === id && sha === m.entry.sha256);
    throw e;
  }
}

async function check(id: string, entry: ModelEntry, threads: number): Promise<CheckResult> {
  const t0 = performance.now();
  let session: Awaited<ReturnType<typeof getSession>>;
  try {
    // The user's thread setting: the first session of a fresh document fixes the WASM runtime's threads for its life.
    session = await getSession(entry, 'wasm', threads);
  } catch (e) {
    // ORT's words for an operator it lacks are kept: they name the operator.
    throw new OnnxError(`ONNX Runtime Web cannot load this model: ${message(e)}`);
  }
  const inputs = testImages().map((x) => normalize(x, entry.mean, entry.std));
  const single = new Float32Array(inputs.length * 100);
  let batched: Float32Array | undefined;
  let batchError: string | undefined;
  // In the document's inference queue, like every session.run: one at a time on a session a click or a job may share.
  await inference.run(async () => {
    try {
      for (let i = 0; i < inputs.length; i++) {
        const r = await session.runFloat(entry.input.name, inputs[i]!, [1, 3, 32, 32], entry.output.name);
        if (r.data.length !== 100) throw new OnnxError(`the self-check gave ${r.data.length} values for one image; expected 100`);
        single.set(r.data, i * 100);
      }
    } catch (e) {
      throw e instanceof OnnxError ? e : new OnnxError(`the self-check inference failed: ${message(e)}`);
    }
    if (entry.input.shape[0] === 1) return;
    // A graph that declares any batch size but cannot run one (e.g. a Reshape to a fixed batch of 1) works one image
    // per run: it is kept that way, not refused.
    try {
      const data = new Float32Array(inputs.length * inputs[0]!.length);
      for (const [i, x] of inputs.entries()) data.set(x, i * x.length);
      const r = await session.runFloat(entry.input.name, data, [inputs.length, 3, 32, 32], entry.output.name);
      if (r.data.length !== single.length) throw new Error(`it gave ${r.data.length} values for ${inputs.length} images; expected ${single.length}`);
      batched = r.data;
    } catch (e) {
      batchError = message(e);
    }
  });
  const kind = judgeOutputs(single, inputs.length);
  const batchOne = batched === undefined || !sameOutputs(single, batched);
  const [, c, h, w] = entry.input.shape;
  const input = batchOne ? { ...entry.input, shape: [1, c, h, w] as typeof entry.input.shape } : entry.input;
  // Written only if it is still stored: the Options page may have given up on it (or the user removed it) meanwhile.
  if (!(await markUserModelChecked(id, { ...entry, input, output: { ...entry.output, kind } }))) throw new Error('the model was removed while it was being checked');
  userModelsChanged();
  return { kind, ms: performance.now() - t0, batchOne, ...(batchError !== undefined ? { batchError } : {}) };
}
