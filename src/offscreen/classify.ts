/**
 * One classification, start to finish, timed step by step. Never throws: a
 * failure becomes a record with `error` and `errorStage`, so the user always
 * sees an answer and the history keeps every attempt.
 */
import { findModel, labelsOf, modelDisplayName, type ModelEntry } from '../core/catalog';
import { normalize } from '../core/normalize';
import type { Backend, InferenceRecord, Timings } from '../core/record';
import { softmax, topK } from '../core/softmax';
import { addRecord, recordByRequestId } from '../lib/db';
import { loadCatalog } from '../lib/catalog-loader';
import { errorMessage, type ClassifyRequest, type ClassifyResult } from '../lib/messages';
import { decodeAndResize, fetchImage, StageError, type Decoded } from './image-loader';
import { effectiveThreads, getSession, makeTensor, probeWebGpu } from './ort-runtime';
import { inference, loading } from './queues';

const inFlight = new Map<string, Promise<ClassifyResult>>();

/** Classify once per requestId: a retried message joins the running job or gets the stored record. */
export function classifyOnce(req: ClassifyRequest): Promise<ClassifyResult> {
  let p = inFlight.get(req.requestId);
  if (!p) {
    p = (async () => {
      const stored = await recordByRequestId(req.requestId);
      return stored ? { requestId: req.requestId, srcUrl: req.image.srcUrl, record: stored, notes: [] } : classify(req);
    })().finally(() => inFlight.delete(req.requestId));
    inFlight.set(req.requestId, p);
  }
  return p;
}

async function resolveBackend(want: Backend): Promise<{ backend: Backend; note?: string }> {
  if (want !== 'webgpu') return { backend: 'wasm' };
  const probe = await probeWebGpu();
  if (!probe.ok) return { backend: 'wasm', note: `WebGPU unavailable (${probe.reason}): used WASM instead` };
  return { backend: 'webgpu', ...(probe.software ? { note: `WebGPU runs on a software adapter (${probe.adapter})` } : {}) };
}

async function classify(req: ClassifyRequest): Promise<ClassifyResult> {
  const t0 = performance.now();
  const timings: Timings = { fetch: 0, decodeResize: 0, preprocess: 0, inference: 0, postprocess: 0, total: 0, queue: 0 };
  const notes: string[] = [];
  const record: InferenceRecord = {
    requestId: req.requestId, time: Date.now(), pageUrl: req.image.pageUrl,
    imageUrl: req.image.srcUrl.length > 512 ? `${req.image.srcUrl.slice(0, 509)}...` : req.image.srcUrl,
    modelId: req.modelId || 'default', backend: 'wasm', threads: effectiveThreads(req.threads), batchSize: 1,
    top5: [], timings, coldStart: false,
  };
  try {
    const catalog = await loadCatalog().catch((e: unknown) => {
      throw new StageError('model', `model catalog unreadable: ${errorMessage(e)}`);
    });
    const model: ModelEntry = findModel(catalog, req.modelId || catalog.default);
    record.modelId = model.id;
    if (!model.trained) notes.push(`${modelDisplayName(model)}: labels are meaningless`);
    const { backend, note } = await resolveBackend(req.backend);
    record.backend = backend;
    if (backend !== req.backend) record.requestedBackend = req.backend;
    if (note) {
      notes.push(note);
      if (backend !== req.backend) record.fallbackReason = note;
    }
    const [, , h, w] = model.input.shape;
    const decoded: Decoded = await loading.run(async () => {
      const tf = performance.now();
      if (req.image.readError) throw new StageError('fetch', req.image.readError);
      const blob = await fetchImage(req.image.dataUrl ?? req.image.srcUrl);
      const td = performance.now();
      timings.fetch = td - tf;
      const d = await decodeAndResize(blob, h ?? 32);
      timings.decodeResize = performance.now() - td;
      if ((w ?? 32) !== (h ?? 32)) throw new StageError('model', `non-square model input ${w}x${h} is not supported`);
      return d;
    });
    record.thumbnail = decoded.thumbnail;
    const tq = performance.now();
    await inference.run(async () => {
      timings.queue = performance.now() - tq;
      const ws = await getSession(model, backend, effectiveThreads(req.threads)).catch((e: unknown) => {
        throw new StageError('model', `could not load model ${model.id}: ${errorMessage(e)}`);
      });
      record.threads = ws.threads;
      if (ws.fresh) {
        ws.fresh = false;
        record.coldStart = true;
        record.sessionCreateMs = ws.createMs;
      }
      const tp = performance.now();
      const input = makeTensor(ws.ort, normalize(decoded.chw, model.mean, model.std), [1, 3, h ?? 32, w ?? 32]);
      const ti = performance.now();
      timings.preprocess = ti - tp;
      let logits: Float32Array;
      try {
        const out = await ws.session.run({ [model.input.name]: input });
        const t = out[model.output.name];
        if (!t) throw new Error(`model has no output named ${model.output.name}`);
        logits = (await t.getData()) as Float32Array;
      } catch (e) {
        throw new StageError('inference', `inference failed: ${errorMessage(e)}`);
      }
      const tpost = performance.now();
      timings.inference = tpost - ti;
      record.top5 = topK(softmax(logits), 5, labelsOf(catalog, model).fine);
      timings.postprocess = performance.now() - tpost;
    });
  } catch (e) {
    record.error = errorMessage(e);
    record.errorStage = e instanceof StageError ? e.stage : 'internal';
  }
  timings.total = performance.now() - t0;
  try {
    record.id = await addRecord(record);
  } catch (e) {
    notes.push(`not saved to history: ${errorMessage(e)}`);
  }
  return { requestId: req.requestId, srcUrl: req.image.srcUrl, record, notes };
}
