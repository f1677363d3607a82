/**
 * One classification, start to finish, timed step by step. Never rejects: a
 * failure becomes a record with `error` and `errorStage`, so the user always
 * sees an answer and the history keeps every attempt.
 */
import { labelsOf, modelDisplayName, type Catalog, type ModelEntry } from '../core/catalog';
import { normalize } from '../core/normalize';
import { newRecord, type Backend, type InferenceRecord } from '../core/record';
import { softmax, topK } from '../core/softmax';
import { loadCatalog } from '../lib/catalog-loader';
import { addRecord, recordByRequestId, updateRecord } from '../lib/db';
import { errorMessage, type ClassifyRequest, type ClassifyResult } from '../lib/messages';
import { decodeAndResize, fetchImage, StageError, type Decoded } from './image-loader';
import { probeWebGpu } from '../lib/webgpu';
import { effectiveThreads, getSession, makeTensor, type WarmSession } from './ort-runtime';
import { inference, loading } from './queues';
import { compareInCloud } from './cloud-compare';

const inFlight = new Map<string, Promise<ClassifyResult>>();

/**
 * Classify once per requestId: a retried message joins the running job or gets
 * the stored record. `deliver` receives the local result as soon as it is
 * stored and, with the cloud comparison on, the completed result once more.
 */
export function classifyOnce(req: ClassifyRequest, deliver: (res: ClassifyResult) => void = () => undefined): Promise<ClassifyResult> {
  let p = inFlight.get(req.requestId);
  if (!p) {
    p = (async () => {
      const stored = await recordByRequestId(req.requestId).catch(() => undefined);
      if (!stored) return classify(req, deliver);
      const res = { requestId: req.requestId, srcUrl: req.image.srcUrl, record: stored, notes: [] };
      deliver(res);
      return res;
    })().finally(() => inFlight.delete(req.requestId));
    inFlight.set(req.requestId, p);
  }
  return p;
}

/** The model the user chose, or the catalog default (with a note) when that id no longer ships. */
export function chooseModel(catalog: Catalog, wanted: string, notes: string[]): ModelEntry {
  const id = wanted || catalog.default;
  const model = catalog.models.find((m) => m.id === id) ?? catalog.models.find((m) => m.id === catalog.default);
  if (!model) throw new StageError('model', 'the model catalog names no usable model');
  if (model.id !== id) notes.push(`model "${id}" is not installed: used ${model.id} instead`);
  if (!model.trained) notes.push(`${modelDisplayName(model)}: labels are meaningless`);
  return model;
}

export async function resolveBackend(want: Backend, notes: string[]): Promise<Backend> {
  if (want !== 'webgpu') return 'wasm';
  const probe = await probeWebGpu();
  if (!probe.ok) {
    notes.push(`WebGPU unavailable (${probe.reason}): used WASM instead`);
    return 'wasm';
  }
  if (probe.software) notes.push(`WebGPU runs on a software adapter (${probe.adapter}): slower than WASM`);
  return 'webgpu';
}

/** Thrown when a queued load is no longer wanted (its tagging job was cancelled). */
export class Cancelled extends Error {}

export async function load(req: Pick<ClassifyRequest, 'image'>, record: InferenceRecord, size: number, cancelled?: () => boolean): Promise<Decoded> {
  return loading.run(async () => {
    if (cancelled?.()) throw new Cancelled('cancelled');
    const t0 = performance.now();
    if (req.image.readError) throw new StageError('fetch', req.image.readError);
    const blob = await fetchImage(req.image.dataUrl ?? req.image.srcUrl, req.image.pageUrl);
    const t1 = performance.now();
    record.timings.fetch = t1 - t0;
    const d = await decodeAndResize(blob, size);
    record.timings.decodeResize = performance.now() - t1;
    return d;
  });
}

export async function session(model: ModelEntry, backend: Backend, threads: number): Promise<WarmSession> {
  return getSession(model, backend, effectiveThreads(threads)).catch((e: unknown) => {
    throw new StageError('model', `could not load model ${model.id} (${backend}): ${errorMessage(e)}`);
  });
}

/** session.run + softmax + top-5, timed, for one normalised input. */
async function infer(ws: WarmSession, model: ModelEntry, catalog: Catalog, data: Float32Array, record: InferenceRecord): Promise<void> {
  const [, , h, w] = model.input.shape;
  const t = record.timings;
  const tp = performance.now();
  const input = makeTensor(ws.ort, data, [1, 3, h, w]);
  const ti = performance.now();
  t.preprocess += ti - tp;
  let logits: Float32Array;
  try {
    const out = await ws.session.run({ [model.input.name]: input });
    const tensor = out[model.output.name];
    if (!tensor) throw new Error(`model has no output named ${model.output.name}`);
    logits = (await tensor.getData()) as Float32Array;
  } catch (e) {
    throw new StageError('inference', `inference failed: ${errorMessage(e)}`);
  }
  const tpost = performance.now();
  t.inference = tpost - ti;
  record.top5 = topK(softmax(logits), 5, labelsOf(catalog, model).fine);
  t.postprocess = performance.now() - tpost;
}

async function classify(req: ClassifyRequest, deliver: (res: ClassifyResult) => void): Promise<ClassifyResult> {
  const t0 = performance.now();
  const notes: string[] = [];
  const record = newRecord(req, effectiveThreads(req.threads));
  let input: Float32Array | undefined;
  let catalogRef: { catalog: Catalog; model: ModelEntry } | undefined;
  try {
    const catalog = await loadCatalog().catch((e: unknown) => {
      throw new StageError('model', `model catalog unreadable: ${errorMessage(e)}`);
    });
    const model = chooseModel(catalog, req.modelId, notes);
    record.modelId = model.id;
    catalogRef = { catalog, model };
    const [, , h, w] = model.input.shape;
    if (h !== w) throw new StageError('model', `non-square model input ${w}x${h} is not supported`);
    let backend = await resolveBackend(req.backend, notes);
    const decoded = await load(req, record, h);
    record.thumbnail = decoded.thumbnail;
    const tn = performance.now();
    input = normalize(decoded.chw, model.mean, model.std);
    record.timings.preprocess = performance.now() - tn;
    const data = input;
    const tq = performance.now();
    await inference.run(async () => {
      record.timings.queue = performance.now() - tq;
      let ws: WarmSession;
      try {
        ws = await session(model, backend, req.threads);
        if (ws.fresh) {
          ws.fresh = false;
          record.coldStart = true;
          record.sessionCreateMs = ws.createMs;
        }
        await infer(ws, model, catalog, data, record);
      } catch (e) {
        // A WebGPU adapter can exist and still fail (unsupported op, device lost): WASM always works.
        if (backend !== 'webgpu') throw e;
        notes.push(`WebGPU failed (${errorMessage(e)}): used WASM instead`);
        backend = 'wasm';
        ws = await session(model, backend, req.threads);
        await infer(ws, model, catalog, data, record);
      }
      record.backend = ws.backend;
      record.threads = ws.threads;
    });
    if (record.backend !== req.backend) {
      record.requestedBackend = req.backend;
      record.fallbackReason = notes.find((n) => n.includes('used WASM instead'));
    }
  } catch (e) {
    record.error = errorMessage(e);
    record.errorStage = e instanceof StageError ? e.stage : 'internal';
  }
  record.timings.total = performance.now() - t0;
  const comparing = req.cloud !== undefined && input !== undefined && catalogRef !== undefined;
  try {
    record.id = await addRecord(record);
  } catch (e) {
    notes.push(`not saved to history: ${errorMessage(e)}`);
  }
  // The local answer goes out at once; a slow or dead endpoint never holds it back.
  deliver({ requestId: req.requestId, srcUrl: req.image.srcUrl, record: { ...record }, notes: comparing ? [...notes, 'cloud comparison running…'] : [...notes] });
  if (req.cloud && input && catalogRef) {
    // Outside the inference queue, with its own timings: it never changes the local figures.
    record.cloud = await compareInCloud(req.cloud, catalogRef.catalog, catalogRef.model, input);
    notes.push(record.cloud.error ? `cloud comparison failed: ${record.cloud.error}` : `sent to ${record.cloud.endpoint} for comparison`);
    if (record.id !== undefined) await updateRecord(record).catch((e: unknown) => notes.push(`cloud result not saved: ${errorMessage(e)}`));
    deliver({ requestId: req.requestId, srcUrl: req.image.srcUrl, record, notes });
  }
  return { requestId: req.requestId, srcUrl: req.image.srcUrl, record, notes };
}
