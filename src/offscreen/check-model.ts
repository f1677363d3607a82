/**
 * The self-check of a model the user added (Options → Models): load it the
 * way every classification will (the same session cache, from IndexedDB, its
 * sha256 checked), run two images through it, and refuse NaN, infinite or
 * wrongly sized outputs. A model that passes learns whether it outputs
 * probabilities and is offered everywhere from then on.
 */
import type { ModelEntry } from '../core/catalog';
import { judgeOutputs, OnnxError } from '../core/onnx-inspect';
import { normalize } from '../core/normalize';
import { getUserModel, markUserModelChecked } from '../lib/db';
import { userModelsChanged } from '../lib/catalog-loader';
import { getSession, releaseSessions } from '../lib/ort-runtime';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Two 32×32 test images (mid-grey, and a fixed pseudo-random pattern), as 0..255 planar RGB. */
function testImages(): Float32Array[] {
  const grey = new Float32Array(3 * 32 * 32).fill(128);
  let seed = 12345;
  const noise = new Float32Array(3 * 32 * 32).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) % 256);
  return [grey, noise];
}

export async function checkUserModel(id: string, threads: number): Promise<{ kind: 'logits' | 'probabilities'; ms: number }> {
  const m = await getUserModel(id);
  if (!m) throw new Error(`no model "${id}" is being added`);
  try {
    return await check(id, m.entry, threads);
  } catch (e) {
    // Refused: its session (up to 100 MB of weights) goes now, not when the document closes.
    releaseSessions((sid, sha) => sid === id && sha === m.entry.sha256);
    throw e;
  }
}

async function check(id: string, entry: ModelEntry, threads: number): Promise<{ kind: 'logits' | 'probabilities'; ms: number }> {
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
  const out = new Float32Array(inputs.length * 100);
  try {
    if (entry.input.shape[0] === 1) {
      for (let i = 0; i < inputs.length; i++) {
        const r = await session.runFloat(entry.input.name, inputs[i]!, [1, 3, 32, 32], entry.output.name);
        if (r.data.length !== 100) throw new OnnxError(`the self-check gave ${r.data.length} values for one image; expected 100`);
        out.set(r.data, i * 100);
      }
    } else {
      const data = new Float32Array(inputs.length * inputs[0]!.length);
      for (const [i, x] of inputs.entries()) data.set(x, i * x.length);
      const r = await session.runFloat(entry.input.name, data, [inputs.length, 3, 32, 32], entry.output.name);
      if (r.data.length !== out.length) throw new OnnxError(`the self-check gave ${r.data.length} values for ${inputs.length} images; expected ${out.length}`);
      out.set(r.data);
    }
  } catch (e) {
    throw e instanceof OnnxError ? e : new OnnxError(`the self-check inference failed: ${message(e)}`);
  }
  const kind = judgeOutputs(out, inputs.length);
  // Written only if it is still being added: the Options page may have given up (and deleted it) meanwhile.
  if (!(await markUserModelChecked(id, { ...entry, output: { ...entry.output, kind } }))) throw new Error('the model was removed while it was being checked');
  userModelsChanged();
  return { kind, ms: performance.now() - t0 };
}
