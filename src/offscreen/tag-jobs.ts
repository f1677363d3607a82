/**
 * Page tagging: many images, classified in batches for throughput. Images are
 * fetched and decoded 4 at a time while the previous batch runs; each batch is
 * one session.run of up to BATCH images; records are written per batch in one
 * transaction; progress (with chips for the page) goes to the worker after
 * every batch. Cancelling stops before the next image; finished ones are kept.
 */
import { labelsOf, type Catalog, type ModelEntry } from '../core/catalog';
import { normalize, stackBatch } from '../core/normalize';
import { newRecord, type InferenceRecord } from '../core/record';
import { softmax, splitRows, topK } from '../core/softmax';
import { loadCatalog } from '../lib/catalog-loader';
import { addRecords } from '../lib/db';
import { errorMessage, type ChipData, type TagJobRequest, type TagProgress } from '../lib/messages';
import { send } from '../lib/messaging';
import { Cancelled, chooseModel, load, resolveBackend, session } from './classify';
import { StageError } from './image-loader';
import { makeTensor, type WarmSession } from './ort-runtime';
import { inference } from './queues';
import { track } from './lifecycle';

export const BATCH = 16;

interface Job {
  req: TagJobRequest;
  started: number;
  done: number;
  failed: number;
  inferMs: number;
  inferred: number;
  cancelled: boolean;
  finished: boolean;
}

const jobs = new Map<string, Job>();

function progress(job: Job, chips: ChipData[]): TagProgress {
  const elapsed = (performance.now() - job.started) / 1000;
  return {
    jobId: job.req.jobId, tabId: job.req.tabId, total: job.req.images.length, done: job.done, failed: job.failed,
    imagesPerSecond: elapsed > 0 ? job.done / elapsed : 0,
    inferenceImagesPerSecond: job.inferMs > 0 ? job.inferred / (job.inferMs / 1000) : 0,
    batchSize: BATCH, finished: job.finished, cancelled: job.cancelled, chips,
  };
}

export function startTagJob(req: TagJobRequest): { accepted: number } {
  const job: Job = { req, started: performance.now(), done: 0, failed: 0, inferMs: 0, inferred: 0, cancelled: false, finished: false };
  jobs.set(req.jobId, job);
  void track(() => runJob(job).catch((e: unknown) => failRemaining(job, e))).finally(() => {
    job.finished = true;
    void send('background:tag-progress', progress(job, [])).catch(() => undefined);
    jobs.delete(req.jobId);
  });
  return { accepted: req.images.length };
}

export function cancelTagJobs(tabId: number): { cancelled: number } {
  let n = 0;
  for (const j of jobs.values()) {
    if (j.req.tabId === tabId && !j.cancelled) {
      j.cancelled = true;
      n++;
    }
  }
  return { cancelled: n };
}

export function tagStatus(tabId: number): TagProgress | null {
  const j = [...jobs.values()].find((x) => x.req.tabId === tabId);
  return j ? progress(j, []) : null;
}

interface Loaded {
  record: InferenceRecord;
  data?: Float32Array;
  startedAt: number;
  loadedAt: number;
}

async function loadChunk(job: Job, model: ModelEntry, start: number): Promise<Loaded[]> {
  const size = model.input.shape[2];
  const slice = job.req.images.slice(start, start + BATCH);
  const loaded = await Promise.all(slice.map(async (img, i): Promise<Loaded | undefined> => {
    if (job.cancelled) return undefined;
    const record = newRecord({
      requestId: `${job.req.jobId}:${start + i}`, image: { srcUrl: img.srcUrl, pageUrl: job.req.pageUrl },
      modelId: model.id, backend: job.req.backend, source: job.req.source,
    }, 1);
    const t0 = performance.now();
    try {
      const d = await load({ image: { ...img, pageUrl: job.req.pageUrl } }, record, size, () => job.cancelled);
      if (job.cancelled) return undefined; // cancelled while downloading: drop it, keep the rest
      record.thumbnail = d.thumbnail;
      const tn = performance.now();
      const data = normalize(d.chw, model.mean, model.std);
      record.timings.preprocess = performance.now() - tn;
      return { record, data, startedAt: t0, loadedAt: performance.now() };
    } catch (e) {
      if (e instanceof Cancelled) return undefined; // never started: not a result
      record.error = errorMessage(e);
      record.errorStage = e instanceof StageError ? e.stage : 'internal';
      record.timings.total = performance.now() - t0;
      return { record, startedAt: t0, loadedAt: performance.now() };
    }
  }));
  return loaded.filter((x): x is Loaded => x !== undefined);
}

async function inferChunk(job: Job, items: Loaded[], catalog: Catalog, model: ModelEntry, ws: WarmSession): Promise<ChipData[]> {
  const ok = items.filter((x) => x.data);
  const chips: ChipData[] = [];
  if (ok.length > 0) {
    const [, c, h, w] = model.input.shape;
    await inference.run(async () => {
      const t0 = performance.now();
      const input = makeTensor(ws.ort, stackBatch(ok.map((x) => x.data as Float32Array)), [ok.length, c, h, w]);
      const out = await ws.session.run({ [model.input.name]: input });
      const t1 = performance.now();
      const tensor = out[model.output.name];
      if (!tensor) throw new StageError('inference', `model has no output named ${model.output.name}`);
      const classes = model.output.shape[1];
      const rows = splitRows((await tensor.getData()) as Float32Array, ok.length, classes);
      const labels = labelsOf(catalog, model).fine;
      job.inferMs += t1 - t0;
      job.inferred += ok.length;
      ok.forEach((x, i) => {
        const r = x.record;
        r.top5 = topK(softmax(rows[i] ?? new Float32Array(classes)), 5, labels);
        r.backend = ws.backend;
        r.threads = ws.threads;
        r.batchSize = ok.length;
        r.timings.queue = t0 - x.loadedAt;
        r.timings.inference = t1 - t0; // the batch's session.run, shared by its images
        r.timings.postprocess = performance.now() - t1;
        r.timings.total = performance.now() - x.startedAt;
        const top = r.top5[0];
        if (top) chips.push({ srcUrl: r.imageUrl, label: top.label, prob: top.prob });
      });
    });
  }
  await addRecords(items.map((x) => x.record));
  job.done += items.length;
  job.failed += items.length - ok.length;
  return chips;
}

/** The job itself failed (no model, no session): every image not yet done gets an error record. */
async function failRemaining(job: Job, e: unknown): Promise<void> {
  const message = errorMessage(e);
  const stage = e instanceof StageError ? e.stage : 'model';
  const rest = job.req.images.slice(job.done).map((img, i) => ({
    ...newRecord({ requestId: `${job.req.jobId}:${job.done + i}`, image: { srcUrl: img.srcUrl, pageUrl: job.req.pageUrl },
      modelId: job.req.modelId || 'default', backend: job.req.backend, source: job.req.source }, 1),
    error: message, errorStage: stage,
  }));
  await addRecords(rest).catch(() => undefined);
  job.failed += rest.length;
  job.done += rest.length;
}

async function runJob(job: Job): Promise<void> {
  const notes: string[] = [];
  const catalog = await loadCatalog();
  const model = chooseModel(catalog, job.req.modelId, notes);
  const backend = await resolveBackend(job.req.backend, notes);
  const ws = await session(model, backend, job.req.threads);
  let cold = ws.fresh ? ws.createMs : undefined;
  ws.fresh = false;
  let next = loadChunk(job, model, 0);
  for (let start = 0; start < job.req.images.length; start += BATCH) {
    const items = await next;
    // Overlap: the next batch downloads and decodes while this one runs.
    const more = start + BATCH < job.req.images.length && !job.cancelled;
    next = more ? loadChunk(job, model, start + BATCH) : Promise.resolve([]);
    const first = items.find((x) => x.data);
    if (cold !== undefined && first) {
      first.record.coldStart = true;
      first.record.sessionCreateMs = cold;
      cold = undefined;
    }
    const chips = await inferChunk(job, items, catalog, model, ws);
    void send('background:tag-progress', progress(job, chips)).catch(() => undefined);
    if (!more) break;
  }
}
