/**
 * Page tagging: many images, classified in batches for throughput, through
 * the same pipeline as a click (pipeline.ts). A whole batch is fetched and
 * decoded while the previous one runs; each batch is one runBatch of up to
 * BATCH images; progress (with chips for the page) goes to the worker as soon
 * as a batch has labels, then its thumbnails are drawn and its records written
 * in one transaction. Cancelling stops before the next image; finished ones
 * are kept.
 */
import { unsureBelowFor } from '../core/calibration';
import { newRecord, type InferenceRecord } from '../core/record';
import { StageError, stageOf } from '../core/stage-error';
import { addRecords } from '../lib/db';
import { errorMessage, type ChipData, type TagImage, type TagJobRequest, type TagProgress } from '../lib/messages';
import { send } from '../lib/messaging';
import { track } from './lifecycle';
import { applyOutcome, type RunnableSession } from '../core/run-batch';
import { Cancelled, infer, inferOn, loadInput, makePlan, warmUp, type LoadedInput, type Plan } from './pipeline';
import { isLaneFailure } from '../core/lane-error';
import { NO_LANES, tagLanes } from './worker-lanes';
import { thumbnailDataUrl } from './thumbnail';

export const BATCH = 16;

interface Job {
  req: TagJobRequest;
  started: number;
  done: number;
  failed: number;
  inferMs: number;
  inferred: number;
  /** Records the history would not take (storage full): their labels reached the page all the same. */
  unsaved: number;
  saveError?: string;
  cancelled: boolean;
  finished: boolean;
  /** The chain of deferred images, each read and decoded before the next is read (loadDeferred). */
  reads: Promise<unknown>;
  /** Images per session.run: BATCH, or 1 for a model that runs one image per run (known once the plan is made). */
  perRun: number;
  /** Worker lanes: how many batches infer now, and since when one has (inferMs counts that wall time once). */
  lanesBusy: number;
  busySince: number;
}

const jobs = new Map<string, Job>();

function progress(job: Job, chips: ChipData[]): TagProgress {
  const elapsed = (performance.now() - job.started) / 1000;
  return {
    jobId: job.req.jobId, tabId: job.req.tabId, total: job.req.images.length, done: job.done, failed: job.failed,
    imagesPerSecond: elapsed > 0 ? job.done / elapsed : 0,
    inferenceImagesPerSecond: job.inferMs > 0 ? job.inferred / (job.inferMs / 1000) : 0,
    batchSize: job.perRun, finished: job.finished, cancelled: job.cancelled, unsaved: job.unsaved,
    ...(job.saveError !== undefined ? { saveError: job.saveError } : {}), chips,
  };
}

export function startTagJob(req: TagJobRequest): { accepted: number } {
  const job: Job = {
    req, started: performance.now(), done: 0, failed: 0, inferMs: 0, inferred: 0, unsaved: 0, cancelled: false, finished: false, reads: Promise.resolve(),
    lanesBusy: 0, busySince: 0, perRun: BATCH,
  };
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

/**
 * A deferred inline image: its bytes are asked of the page (through the
 * worker) when the job reaches it, then decoded at once. One at a time per
 * job: the next read is sent only after this image's loadInput finished
 * (result or error), so at most one such image's bytes are in memory beside
 * the batch being decoded. A cancelled job sends no more reads.
 */
function loadDeferred(job: Job, plan: Plan, img: TagImage, record: InferenceRecord): Promise<LoadedInput> {
  const load = job.reads.then(async () => {
    if (job.cancelled) throw new Cancelled('cancelled');
    const t0 = performance.now();
    let dataUrl: string;
    try {
      ({ dataUrl } = await send('background:read-deferred', { tabId: job.req.tabId, srcUrl: img.srcUrl }, 60_000));
    } catch (e) {
      throw new StageError('fetch', `could not read the page's inline image: ${errorMessage(e)}`);
    }
    const readMs = performance.now() - t0;
    const input = await loadInput(plan, { ...img, dataUrl, pageUrl: job.req.pageUrl }, record, () => job.cancelled);
    record.timings.fetch += readMs;
    return input;
  });
  job.reads = load.catch(() => undefined);
  return load;
}

interface Loaded {
  record: InferenceRecord;
  input?: LoadedInput;
  startedAt: number;
}

async function loadChunk(job: Job, plan: Plan, start: number): Promise<Loaded[]> {
  const slice = job.req.images.slice(start, start + BATCH);
  const loaded = await Promise.all(slice.map(async (img, i): Promise<Loaded | undefined> => {
    if (job.cancelled) return undefined;
    const record = newRecord({
      requestId: `${job.req.jobId}:${start + i}`, image: { srcUrl: img.srcUrl, pageUrl: job.req.pageUrl },
      modelId: plan.model.id, backend: job.req.backend, source: job.req.source,
    }, plan.threads);
    const t0 = performance.now();
    try {
      const input = img.deferred
        ? await loadDeferred(job, plan, img, record)
        : await loadInput(plan, { ...img, pageUrl: job.req.pageUrl }, record, () => job.cancelled);
      if (job.cancelled) return undefined; // cancelled while downloading: drop it, keep the rest
      return { record, input, startedAt: t0 };
    } catch (e) {
      if (e instanceof Cancelled) return undefined; // never started: not a result
      record.error = errorMessage(e);
      record.errorStage = stageOf(e, 'internal');
      record.timings.total = performance.now() - t0;
      return { record, startedAt: t0 };
    }
  }));
  return loaded.filter((x): x is Loaded => x !== undefined);
}

/**
 * One batch: a single runBatch (on `lane` when tagging runs on worker lanes),
 * chips to the page, then (after the result) thumbnails and one write.
 */
async function finishChunk(job: Job, items: Loaded[], plan: Plan, lane?: RunnableSession): Promise<void> {
  const ok = items.filter((x): x is Loaded & { input: LoadedInput } => x.input !== undefined);
  const chips: ChipData[] = [];
  if (ok.length > 0) {
    try {
      const inputs = ok.flatMap((x) => x.input.views);
      const out = lane ? await inferOnLane(job, plan, lane, inputs) : await infer(plan, inputs);
      if (!lane) job.inferMs += out.inferenceMs;
      job.inferred += ok.length;
      const end = performance.now();
      const threshold = unsureBelowFor(job.req.unsureThreshold, plan.model);
      ok.forEach((x, i) => {
        applyOutcome(x.record, plan, out, i, ok.length);
        x.record.timings.total = end - x.startedAt;
        const top = x.record.top5[0];
        if (top) chips.push({ srcUrl: x.record.imageUrl, label: top.label, prob: top.prob, unsure: top.prob < threshold });
      });
    } catch (e) {
      for (const x of ok) {
        x.record.error = errorMessage(e);
        x.record.errorStage = stageOf(e, 'inference');
      }
    }
  }
  job.done += items.length;
  job.failed += items.filter((x) => x.record.error).length;
  void send('background:tag-progress', progress(job, chips)).catch(() => undefined);
  const th = performance.now();
  for (const x of ok) if (!x.record.error) x.record.thumbnail = thumbnailDataUrl(x.input.pixels);
  const each = (performance.now() - th) / Math.max(1, ok.length);
  for (const x of ok) x.record.timings.thumbnail = each;
  try {
    await addRecords(items.map((x) => x.record));
  } catch (e) {
    // As for a click (classify.ts): the labels are on the page; the user is told they are not kept, and
    // the job goes on (its later batches may be stored: retention or the user may free space meanwhile).
    job.unsaved += items.length;
    job.saveError ??= errorMessage(e);
    void send('background:tag-progress', progress(job, [])).catch(() => undefined);
  }
}

/**
 * One batch on a worker lane. Lanes overlap, so the job's inference time is
 * the wall time during which any lane computes (not the sum of their runs).
 * A lane that fails itself (LaneError: worker died or stalled) costs a retry
 * on the document's session, not the batch; the model's own errors are not
 * retried (they would repeat).
 */
async function inferOnLane(job: Job, plan: Plan, lane: RunnableSession, inputs: Float32Array[]) {
  if (job.lanesBusy++ === 0) job.busySince = performance.now();
  try {
    return await inferOn(plan, lane, inputs);
  } catch (e) {
    if (!isLaneFailure(e)) throw e;
    return await infer(plan, inputs);
  } finally {
    if (--job.lanesBusy === 0) job.inferMs += performance.now() - job.busySince;
  }
}

/** The job itself failed (no model, no session): every image not yet done gets an error record. */
async function failRemaining(job: Job, e: unknown): Promise<void> {
  const message = errorMessage(e);
  const stage = stageOf(e, 'model');
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
  const plan = await makePlan(job.req.modelId, job.req.backend, job.req.threads);
  if (plan.batchModel.batchOne) job.perRun = 1;
  // Lanes pay off from two batches on (two can then infer at once); one batch runs on the document's warm session
  // (measured: the demo's 6-image page went from 48 to 7 images/s when it waited for lanes to start).
  const leased = job.req.images.length > BATCH ? tagLanes(plan.model, plan.backend, plan.threads) : Promise.resolve(NO_LANES);
  let next = loadChunk(job, plan, 0);
  const lease = await leased; // starts while the first batch downloads
  if (lease.lanes.length > 1) {
    try {
      return await runOnLanes(job, plan, lease.lanes, next);
    } finally {
      lease.release();
    }
  }
  lease.release();
  void warmUp(plan); // a cold session loads while the first batch downloads
  for (let start = 0; start < job.req.images.length; start += BATCH) {
    const items = await next;
    // Overlap: the next batch downloads and decodes while this one runs.
    const more = start + BATCH < job.req.images.length && !job.cancelled;
    next = more ? loadChunk(job, plan, start + BATCH) : Promise.resolve([]);
    await finishChunk(job, items, plan);
    if (!more) break;
  }
}

/**
 * Tagging on worker lanes: each loaded batch goes to a free lane, so as many
 * batches infer at once as there are lanes, while the next batch loads. A
 * batch whose lane fails is retried once on the document's session.
 */
async function runOnLanes(job: Job, plan: Plan, lanes: RunnableSession[], first: Promise<Loaded[]>): Promise<void> {
  const free = [...lanes];
  const running = new Set<Promise<void>>();
  // A batch that fails outside inference (a bug; storing its records does not fail it) stops the job like the
  // one-session path does, but only after every batch already handed out has finished, so `done` is a prefix for failRemaining.
  let failure: { error: unknown } | undefined;
  let next = first;
  for (let start = 0; start < job.req.images.length && !failure; start += BATCH) {
    const items = await next;
    const more = start + BATCH < job.req.images.length && !job.cancelled;
    next = more ? loadChunk(job, plan, start + BATCH) : Promise.resolve([]);
    while (free.length === 0) await Promise.race(running);
    if (failure) break;
    const lane = free.pop()!;
    const p: Promise<void> = finishChunk(job, items, plan, lane)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => {
        running.delete(p);
        free.push(lane);
      });
    running.add(p);
    if (!more) break;
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}
