/**
 * The one image pipeline of the offscreen document, used by clicks (a batch
 * of 1), page tagging (batches of up to 16) and raw tensors (fidelity test,
 * eval), in this order:
 *   1. the model choice (core resolveModel),
 *   2. the backend choice (WebGPU probed once per request, WASM otherwise),
 *   3. image loading (fetch → decode at the size needed → normalise),
 *   4. runBatch (core/run-batch.ts): session.run, output check, softmax/top-k,
 *      the cold-start flag and the WebGPU → WASM fallback.
 */
import { labelsOf, resolveModel, type Catalog, type ModelEntry } from '../core/catalog';
import { mirrorX, normalize } from '../core/normalize';
import type { Backend, InferenceRecord } from '../core/record';
import { runBatch, type BatchModel, type BatchOutcome, type RunnableSession } from '../core/run-batch';
import { StageError } from '../core/stage-error';
import { loadCatalog } from '../lib/catalog-loader';
import { errorMessage, type ImageRef } from '../lib/messages';
import { effectiveThreads, getSession } from '../lib/ort-runtime';
import { probeWebGpu } from '../lib/webgpu';
import { decodeToInput } from './image-decode';
import { fetchImage } from './image-fetch';
import { inference, loading } from './queues';

/** Everything decided before any image is touched. */
export interface Plan {
  catalog: Catalog;
  model: ModelEntry;
  batchModel: BatchModel;
  /** Backend after the WebGPU probe (WASM when no adapter). */
  backend: Backend;
  requested: Backend;
  /** Why `backend` differs from `requested`, when it does. */
  fallbackReason?: string;
  adapter?: string;
  threads: number;
  /** For the user: stale model id, untrained model, software adapter, fallback. */
  notes: string[];
}

async function chooseBackend(want: Backend, notes: string[]): Promise<{ backend: Backend; adapter?: string; reason?: string }> {
  if (want !== 'webgpu') return { backend: 'wasm' };
  const probe = await probeWebGpu();
  if (!probe.ok) {
    const reason = `WebGPU unavailable (${probe.reason}): used WASM instead`;
    notes.push(reason);
    return { backend: 'wasm', reason };
  }
  if (probe.software) notes.push(`WebGPU runs on a software adapter (${probe.adapter}): slower than WASM`);
  return { backend: 'webgpu', adapter: probe.adapter };
}

/** Steps 1 and 2. Throws StageError('model') when nothing can run. */
export async function makePlan(modelId: string, backend: Backend, threads: number): Promise<Plan> {
  const catalog = await loadCatalog().catch((e: unknown) => {
    throw new StageError('model', `model catalog unreadable: ${errorMessage(e)}`);
  });
  let chosen: ReturnType<typeof resolveModel>;
  try {
    chosen = resolveModel(catalog, modelId);
  } catch (e) {
    throw new StageError('model', errorMessage(e));
  }
  const { model } = chosen;
  const notes = [...chosen.notes];
  const [, c, h, w] = model.input.shape;
  if (h !== w) throw new StageError('model', `non-square model input ${w}x${h} is not supported`);
  const b = await chooseBackend(backend, notes);
  return {
    catalog, model, notes, requested: backend, backend: b.backend, threads: effectiveThreads(threads),
    batchModel: { id: model.id, inputName: model.input.name, outputName: model.output.name, chw: [c, h, w], labels: labelsOf(catalog, model).fine,
      probabilities: model.output.kind === 'probabilities', batchOne: model.input.shape[0] === 1,
      ...(model.calibration ? { temperature: model.calibration.temperature } : {}),
      ...(model.views && model.views.length > 1 ? { views: model.views.length } : {}) },
    ...(b.adapter ? { adapter: b.adapter } : {}), ...(b.reason ? { fallbackReason: b.reason } : {}),
  };
}

/**
 * Start loading the plan's session without waiting for it: a cold request
 * then loads ORT and the model while its image is fetched and decoded, and a
 * right-click warms up before the menu item is chosen (offscreen:warm-up).
 */
export function warmUp(plan: Plan): Promise<void> {
  return getSession(plan.model, plan.backend, plan.threads, plan.adapter).then(() => undefined, () => undefined);
}

/** Thrown when a queued load is no longer wanted (its tagging job was cancelled). */
export class Cancelled extends Error {}

export interface LoadedInput {
  /** Normalised C x H x W: the centred square. */
  data: Float32Array;
  /** What the model is fed for this image: the catalog's `views` in order (`data` alone when it has none). */
  views: Float32Array[];
  /** The decoded square, for the thumbnail made after the result. */
  pixels: ImageData;
}

/** Step 3, timed into `record.timings` (fetch, decodeResize, preprocess). */
export function loadInput(plan: Plan, image: ImageRef, record: InferenceRecord, cancelled?: () => boolean): Promise<LoadedInput> {
  return loading.run(async () => {
    if (cancelled?.()) throw new Cancelled('cancelled');
    const t = record.timings;
    const t0 = performance.now();
    if (image.readError) throw new StageError('fetch', image.readError);
    const bytes = await fetchImage(image.dataUrl ?? image.srcUrl, image.pageUrl);
    const t1 = performance.now();
    t.fetch = t1 - t0;
    const wanted = plan.model.views ?? ['centre'];
    const d = await decodeToInput(bytes, plan.batchModel.chw[1], 'auto', { frame: wanted.includes('frame') });
    const t2 = performance.now();
    t.decodeResize = t2 - t1;
    const data = normalize(d.chw, plan.model.mean, plan.model.std);
    const w = plan.batchModel.chw[2];
    const views = wanted.map((v) => (v === 'mirror' ? mirrorX(data, w) : v === 'frame' ? normalize(d.frameChw ?? d.chw, plan.model.mean, plan.model.std) : data));
    t.preprocess = performance.now() - t2;
    return { data, views, pixels: d.pixels };
  });
}

/**
 * Step 4 in the inference queue (one session.run at a time); `queueMs` is the wait for it. `inputs` are every
 * image's views in order (LoadedInput.views, flattened): the outcome has one row per image.
 */
export async function infer(plan: Plan, inputs: readonly Float32Array[]): Promise<BatchOutcome & { queueMs: number }> {
  const tq = performance.now();
  return inference.run(async () => {
    const queueMs = performance.now() - tq;
    const open = (b: Backend) => getSession(plan.model, b, plan.threads, b === 'webgpu' ? plan.adapter : undefined);
    const out = await runBatch(open, plan.batchModel, plan.backend, inputs);
    if (out.fallback) plan.notes.push(out.fallback);
    return { ...out, queueMs };
  });
}

/**
 * Step 4 on one of page tagging's worker lanes (worker-lanes.ts): each lane is
 * its own session, run by one batch at a time by its caller, so it bypasses the
 * document's inference queue.
 */
export async function inferOn(plan: Plan, lane: RunnableSession, inputs: readonly Float32Array[]): Promise<BatchOutcome & { queueMs: number }> {
  const out = await runBatch(async () => lane, plan.batchModel, 'wasm', inputs);
  return { ...out, queueMs: 0 };
}
