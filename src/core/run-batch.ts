/**
 * The one place a batch meets a session: session.run, the output check,
 * softmax/top-k, the cold-start flag and the WebGPU → WASM fallback. A click
 * is a batch of 1, a tagging job a batch of up to 16, the fidelity test and
 * the eval any N. Pure: the session is reached through `SessionSource`, so
 * this logic is unit-tested in Node with a fake and used in the browser with
 * ONNX Runtime Web (src/lib/ort-runtime.ts).
 */
import type { Backend, InferenceRecord, Prediction } from './record';
import { stackBatch } from './normalize';
import { calibratedSoftmax } from './calibration';
import { softmax, splitRows, topK } from './softmax';
import { StageError } from './stage-error';

/** What runBatch needs of a session; ort-runtime's WarmSession is one. */
export interface RunnableSession {
  backend: Backend;
  threads: number;
  /** InferenceSession.create time, ms. */
  createMs: number;
  /** Not yet used by any request: the first batch through it reports the cold start. */
  fresh: boolean;
  adapter?: string;
  /** One session.run of float32 `data` shaped `dims`; returns the named output. */
  runFloat(inputName: string, data: Float32Array, dims: readonly number[], outputName: string): Promise<{ data: Float32Array; dims: readonly number[] }>;
}

/** Opens (or returns the warm) session of the batch's model on a backend. */
export type SessionSource = (backend: Backend) => Promise<RunnableSession>;

export interface BatchModel {
  id: string;
  inputName: string;
  outputName: string;
  /** C, H, W of one input. */
  chw: readonly [number, number, number];
  /** Labels in output order; their count is the number of classes. */
  labels: readonly string[];
  /** The model already outputs probabilities (a user's export ending in Softmax): no softmax on top. */
  probabilities?: boolean;
  /** A graph exported for batch 1 only: a batch runs image by image. */
  batchOne?: boolean;
  /**
   * The model's calibration (catalog `calibration.temperature`): every shown and stored probability is
   * softmax(logits / T). Absent or 1: the model's own probabilities.
   */
  temperature?: number;
  /**
   * Consecutive inputs that are views of one image (a model with catalog `views`): their logits are averaged
   * into one row before calibration and ranking, so an outcome has one row per image. Absent: 1.
   */
  views?: number;
}

export interface BatchOutcome {
  /** Top-5 per input, in input order, calibrated (what the user is shown). */
  top5: Prediction[][];
  /** The same top-5 before calibration (softmax of the raw logits), when a temperature applied: kept for studies. */
  rawTop5?: Prediction[][];
  /** The raw output, N x classes. */
  logits: Float32Array;
  dims: readonly number[];
  backend: Backend;
  threads: number;
  adapter?: string;
  /** session.run alone (of the attempt that answered), ms; for a batch-1 model, its runs together. */
  inferenceMs: number;
  /** A batch-1 model (`BatchModel.batchOne`) ran each image alone: each one's session.run, ms, in input order. */
  runMs?: number[];
  /** Waiting for the session (loading ORT and the model when cold; a failed WebGPU attempt included), ms. */
  sessionMs: number;
  /** Softmax and top-k of the whole batch, ms. */
  postprocessMs: number;
  /** Session creation this batch waited for (every session it opened fresh), ms; absent when warm. */
  coldStartMs?: number;
  /** Set when WebGPU failed and WASM answered: the user-facing reason. */
  fallback?: string;
}

/** Waiting less than this for a fresh session means it was already made (a warm-up). */
const PREWARMED_MS = 1;

/** The batch as one N x C x H x W buffer (core/normalize's stackBatch), refusing inputs of the wrong size first. */
function stack(inputs: readonly Float32Array[], size: number): Float32Array {
  inputs.forEach((x, i) => {
    if (x.length !== size) throw new StageError('inference', `input ${i} has ${x.length} values; the model takes ${size}`);
  });
  return inputs.length === 1 ? (inputs[0] as Float32Array) : stackBatch([...inputs]);
}

/** A probability row as the model gave it, refusing what softmax would also refuse. */
function probabilities(row: Float32Array): Float32Array {
  for (const x of row) if (!Number.isFinite(x)) throw new Error('non-finite output');
  return row;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function attempt(open: SessionSource, backend: Backend, model: BatchModel, data: Float32Array, n: number, now: () => number) {
  let ws: RunnableSession;
  const to = now();
  try {
    ws = await open(backend);
  } catch (e) {
    throw new StageError('model', `could not load model ${model.id} (${backend}): ${message(e)}`);
  }
  const openMs = now() - to;
  let coldStartMs: number | undefined;
  if (ws.fresh) {
    // Consumed here, once, whoever the caller: the next batch through this session is warm.
    // A session a warm-up made before this batch asked for it cost this batch nothing: not a cold start.
    ws.fresh = false;
    if (openMs >= PREWARMED_MS) coldStartMs = ws.createMs;
  }
  const classes = model.labels.length;
  const t0 = now();
  let out: { data: Float32Array; dims: readonly number[] };
  let runMs: number[] | undefined;
  try {
    if (model.batchOne && n > 1) {
      const size = model.chw[0] * model.chw[1] * model.chw[2];
      const rows = new Float32Array(n * classes);
      runMs = [];
      for (let i = 0; i < n; i++) {
        const ti = now();
        const one = await ws.runFloat(model.inputName, data.subarray(i * size, (i + 1) * size), [1, ...model.chw], model.outputName);
        runMs.push(now() - ti);
        if (one.data.length !== classes) throw new Error(`the model returned ${one.data.length} values for one image; expected ${classes}`);
        rows.set(one.data, i * classes);
      }
      out = { data: rows, dims: [n, classes] };
    } else out = await ws.runFloat(model.inputName, data, [n, ...model.chw], model.outputName);
  } catch (e) {
    // `cause` keeps the session's own error reachable (a worker lane's LaneError means: retry elsewhere).
    throw Object.assign(new StageError('inference', `inference failed: ${message(e)}`, { cause: e }), { coldStartMs });
  }
  const inferenceMs = now() - t0;
  if (out.data.length !== n * classes) {
    throw Object.assign(new StageError('inference', `the model returned ${out.data.length} values for ${n} image(s); expected ${n} x ${classes} classes`), { coldStartMs });
  }
  return { ws, out, inferenceMs, runMs, coldStartMs, openMs };
}

/**
 * Top-5 per row, calibrated, and the uncalibrated top-5 when a temperature applies; throws StageError when the
 * output cannot be labels (NaN, infinities, not probabilities).
 */
function rank(out: Float32Array, n: number, model: BatchModel): { top5: Prediction[][]; rawTop5?: Prediction[][] } {
  try {
    const rows = splitRows(out, n, model.labels.length);
    const raw = rows.map((row) => (model.probabilities ? probabilities(row) : softmax(row)));
    const t = model.temperature ?? 1;
    if (t === 1) return { top5: raw.map((p) => topK(p, 5, model.labels)) };
    return {
      top5: rows.map((row) => topK(calibratedSoftmax(row, t, model.probabilities), 5, model.labels)),
      rawTop5: raw.map((p) => topK(p, 5, model.labels)),
    };
  } catch (e) {
    throw new StageError('inference', `the model's output is unusable: ${message(e)}`);
  }
}

/** N·V rows → N rows, each the mean of its V views' logits (log-probabilities for a probability output). */
function meanOfViews(rows: Float32Array, n: number, views: number, model: BatchModel): Float32Array {
  const classes = model.labels.length;
  const out = new Float32Array((n / views) * classes);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < classes; c++) {
      const v = rows[i * classes + c] as number;
      const k = Math.floor(i / views) * classes + c;
      out[k] = (out[k] as number) + (model.probabilities ? Math.log(Math.max(v, 1e-30)) : v) / views;
    }
  }
  if (!model.probabilities) return out;
  // Back to probabilities (the geometric mean, renormalised): rank() expects the model's own kind of output.
  for (let i = 0; i < n / views; i++) {
    const row = out.subarray(i * classes, (i + 1) * classes);
    const p = softmax(row);
    row.set(p);
  }
  return out;
}

/**
 * Run `inputs` (each C x H x W, normalised) as one batch. On WebGPU, any
 * failure (no adapter, unsupported operator, device lost, a bad output such
 * as NaN logits) is retried once on WASM with `fallback` set; WASM failures
 * throw StageError. NaN logits on WASM throw: they mean a broken model, never a label.
 */
export async function runBatch(open: SessionSource, model: BatchModel, backend: Backend, inputs: readonly Float32Array[], now: () => number = () => performance.now()): Promise<BatchOutcome> {
  const n = inputs.length;
  if (n === 0) throw new StageError('inference', 'runBatch: no inputs');
  if (n % (model.views ?? 1) !== 0) throw new StageError('inference', `runBatch: ${n} inputs are not whole images of ${model.views} views`);
  const data = stack(inputs, model.chw[0] * model.chw[1] * model.chw[2]);
  let fallback: string | undefined;
  let cold = 0;
  let failedMs = 0;
  const t0 = now();
  let r: Awaited<ReturnType<typeof attempt>>;
  let ranked: ReturnType<typeof rank>;
  let tp: number;
  try {
    r = await attempt(open, backend, model, data, n, now);
    tp = now();
    const first = r;
    try {
      ranked = rank(first.out.data, n, model);
    } catch (e) {
      throw Object.assign(e as Error, { coldStartMs: first.coldStartMs }); // the session did load: its cold start counts
    }
  } catch (e) {
    if (backend !== 'webgpu') throw e;
    cold += (e as { coldStartMs?: number }).coldStartMs ?? 0;
    failedMs = now() - t0;
    fallback = `WebGPU failed (${message(e)}): used WASM instead`;
    r = await attempt(open, 'wasm', model, data, n, now);
    tp = now();
    ranked = rank(r.out.data, n, model);
  }
  if (r.coldStartMs !== undefined) cold += r.coldStartMs;
  const views = model.views ?? 1;
  if (views > 1) {
    const runMs = r.runMs?.reduce<number[]>((acc, ms, i) => {
      acc[Math.floor(i / views)] = (acc[Math.floor(i / views)] ?? 0) + ms; // an image's runs: all its views
      return acc;
    }, []);
    r = { ...r, out: { data: meanOfViews(r.out.data, n, views, model), dims: [n / views, model.labels.length] }, ...(runMs ? { runMs } : {}) };
    ranked = rank(r.out.data, n / views, model);
  }
  return {
    top5: ranked.top5, ...(ranked.rawTop5 ? { rawTop5: ranked.rawTop5 } : {}), logits: r.out.data, dims: r.out.dims, backend: r.ws.backend, threads: r.ws.threads, inferenceMs: r.inferenceMs, postprocessMs: now() - tp,
    sessionMs: failedMs + r.openMs,
    ...(r.runMs ? { runMs: r.runMs } : {}),
    ...(r.ws.adapter ? { adapter: r.ws.adapter } : {}),
    ...(cold > 0 || r.coldStartMs !== undefined ? { coldStartMs: cold } : {}),
    ...(fallback ? { fallback } : {}),
  };
}

/**
 * Writes row `i` of a batch's outcome (of `n` images) into its record; `plan` is what the request asked for
 * (offscreen/pipeline's Plan) and why another backend was chosen before the run, if it was.
 */
export function applyOutcome(
  record: InferenceRecord,
  plan: { requested: Backend; fallbackReason?: string },
  out: BatchOutcome & { queueMs: number },
  i: number,
  n: number,
): void {
  record.top5 = out.top5[i] ?? [];
  const raw = out.rawTop5?.[i];
  if (raw) record.rawTop5 = raw;
  record.backend = out.backend;
  record.threads = out.threads;
  // A batch-1 model ran each image alone: its record says so, with that image's own session.run.
  const own = out.runMs?.[i];
  record.batchSize = own === undefined ? n : 1;
  record.timings.queue = out.queueMs;
  record.timings.inference = own ?? out.inferenceMs; // else the batch's session.run, shared by its images
  record.timings.postprocess = out.postprocessMs;
  record.timings.session = out.sessionMs;
  // Every image of a batch that waited for its session waited for it: none is a warm figure. The creation
  // itself is one, so its time goes on the batch's first record only (the popup counts it once).
  if (out.coldStartMs !== undefined) {
    record.coldStart = true;
    if (i === 0) record.sessionCreateMs = out.coldStartMs;
  }
  if (out.backend !== plan.requested) {
    record.requestedBackend = plan.requested;
    const reason = out.fallback ?? plan.fallbackReason;
    if (reason) record.fallbackReason = reason;
  }
}
