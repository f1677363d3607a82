/**
 * Performance levers (`npm run bench:levers`): the settings each measured
 * configuration varies, how one timed call is built for each way of handling
 * input and output tensors, and how measured rows become "effect vs baseline"
 * rows and a Markdown table. No browser or Node API: the page
 * (measure-web.ts) and onnxruntime-node (tools/bench/levers-native.ts) share it.
 */
import { fmtMs } from '../format';
import type { RunOnce } from './protocol';
import type { BenchModel, BenchRow, Machine } from './types';

export type GraphOptLevel = 'disabled' | 'basic' | 'extended' | 'all';
export const GRAPH_OPT_LEVELS: readonly GraphOptLevel[] = ['disabled', 'basic', 'extended', 'all'];

/**
 * - `fresh-tensor`: a new input array and Tensor per call, as the product does
 *   (preprocessing allocates, tag-jobs stacks a batch into a new array);
 * - `reused-tensor`: one input Tensor built once and fed to every call;
 * - `preallocated-output`: the reused input plus an output Tensor passed as
 *   `fetches`, so the runtime may write into it instead of allocating.
 */
export type IoMode = 'fresh-tensor' | 'reused-tensor' | 'preallocated-output';

/** What a lever configuration changes against the benchmark's defaults (level 'all', reused input). */
export interface LeverSettings {
  graphOptimizationLevel?: GraphOptLevel;
  io?: IoMode;
  /** Session creations to time (median reported); 1 when absent. */
  createRuns?: number;
  /** Threads of the document (web) or session (native) measuring this configuration; absent: the runtime's default. */
  threads?: number;
  /** Fix the free batch dimension to this size (freeDimensionOverrides): a static graph. */
  staticBatch?: number;
  /** WebGPU only: the layout ORT's WebGPU kernels prefer (ORT's default is NHWC). */
  preferredLayout?: 'NCHW' | 'NHWC';
  /** WebGPU only: leave the output in a GPU buffer (no read-back inside the timed call). */
  outputOnGpu?: boolean;
}

/** The WebGPU configurations, measured only where the browser has a real adapter (or --webgpu-swiftshader, labelled software). */
export function gpuLeverConfigs(createRuns: number): LeverConfig[] {
  const c = (key: string, settings: LeverSettings): LeverConfig => ({ key, file: 'fp32', settings: { createRuns, graphOptimizationLevel: 'all', io: 'fresh-tensor', ...settings }, batches: [1, 32] });
  return [c('gpu-nhwc', { preferredLayout: 'NHWC' }), c('gpu-nchw', { preferredLayout: 'NCHW' }), c('gpu-outputs', { preferredLayout: 'NHWC', outputOnGpu: true })];
}

/** The two calls a timed run needs, bound to one session of either runtime. */
export interface IoPorts<T> {
  tensor(data: Float32Array, dims: number[]): T;
  run(feeds: Record<string, T>, fetches?: Record<string, T>): Promise<Record<string, T>>;
  data(t: T): Float32Array;
  dims(t: T): readonly number[];
}

/**
 * The timed call for `mode` at `batch`. One untimed plain run gives the
 * reference output (and the output's shape for preallocation); one untimed run
 * in `mode` must reproduce it, so a mode whose output is silently wrong fails
 * here instead of looking fast.
 */
export async function prepareIo<T>(ports: IoPorts<T>, input: string, output: string, mode: IoMode, source: Float32Array, dims: number[]): Promise<RunOnce> {
  const feeds = { [input]: ports.tensor(source, dims) };
  const refOut = (await ports.run(feeds))[output];
  if (refOut === undefined) throw new Error(`the model has no output "${output}"`);
  const ref = Float32Array.from(ports.data(refOut));
  const outDims = [...ports.dims(refOut)];
  let call: () => Promise<T | undefined>;
  if (mode === 'fresh-tensor') {
    call = async () => (await ports.run({ [input]: ports.tensor(new Float32Array(source), dims) }))[output];
  } else if (mode === 'reused-tensor') {
    call = async () => (await ports.run(feeds))[output];
  } else {
    const out = ports.tensor(new Float32Array(ref.length), outDims);
    call = async () => {
      await ports.run(feeds, { [output]: out });
      return out;
    };
  }
  const got = await call();
  const values = got === undefined ? undefined : ports.data(got);
  const diff = values === undefined ? Number.POSITIVE_INFINITY : maxAbsDiff(ref, values);
  if (!(diff <= 1e-5 * Math.max(1, maxAbs(ref)))) {
    const what = mode === 'preallocated-output' ? 'the output tensor passed in fetches did not receive the result' : 'the result differs from a plain run';
    throw new Error(`${mode}: ${what} (max |diff| ${diff.toPrecision(3)}), so this runtime cannot be used this way`);
  }
  return async () => {
    const t0 = performance.now();
    await call();
    return { ms: performance.now() - t0 };
  };
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

export type LeverId = 'graph-optimization' | 'pre-optimized' | 'batching' | 'io' | 'int8' | 'static-shape' | 'threads' | 'workers' | 'webgpu-layout' | 'webgpu-outputs';
export const LEVERS: readonly LeverId[] = ['graph-optimization', 'pre-optimized', 'batching', 'io', 'int8', 'static-shape', 'threads', 'workers', 'webgpu-layout', 'webgpu-outputs'];

/** Thread counts the `threads` lever measures (each in its own document in the page). */
export const LEVER_THREADS = [1, 2, 4] as const;
/** The page-tagging batch (offscreen/tag-jobs.ts BATCH) and how many such batches one throughput sample runs per worker. */
export const TAG_BATCH = 16;
export const WORKER_BATCHES = 8;
/** `web`: ORT Web WASM in the extension's bench page; `native`: onnxruntime-node. Both on all cores. */
export type LeverRuntime = 'web' | 'native';

/** Which file a configuration loads: the float model, its int8 variant, or a pre-optimized copy of the float model. */
export type LeverFile = 'fp32' | 'int8' | 'preopt-onnx' | 'preopt-ort';

export interface LeverConfig {
  key: string;
  file: LeverFile;
  settings: LeverSettings;
  batches: number[];
}

/** Every configuration a levers run measures, per runtime, in order. `base` is the product's own settings. */
export function leverConfigs(createRuns: number, files: ReadonlySet<LeverFile>): LeverConfig[] {
  const c = (key: string, file: LeverFile, settings: LeverSettings, batches: number[]): LeverConfig => ({ key, file, settings: { createRuns, ...settings }, batches });
  return [
    c('base', 'fp32', { graphOptimizationLevel: 'all', io: 'fresh-tensor' }, [1, 8, 32]),
    ...GRAPH_OPT_LEVELS.filter((l) => l !== 'all').map((l) => c(`opt-${l}`, 'fp32', { graphOptimizationLevel: l, io: 'fresh-tensor' }, [1])),
    c('preopt-onnx', 'preopt-onnx', { graphOptimizationLevel: 'disabled', io: 'fresh-tensor' }, [1]),
    c('preopt-ort', 'preopt-ort', { graphOptimizationLevel: 'disabled', io: 'fresh-tensor' }, [1]),
    c('io-reused', 'fp32', { graphOptimizationLevel: 'all', io: 'reused-tensor' }, [1, 32]),
    c('io-preallocated', 'fp32', { graphOptimizationLevel: 'all', io: 'preallocated-output' }, [1, 32]),
    c('int8', 'int8', { graphOptimizationLevel: 'all', io: 'fresh-tensor' }, [1, 32]),
    c('static-b1', 'fp32', { graphOptimizationLevel: 'all', io: 'fresh-tensor', staticBatch: 1 }, [1]),
    ...LEVER_THREADS.map((n) => c(`threads-${n}`, 'fp32', { graphOptimizationLevel: 'all', io: 'fresh-tensor', threads: n }, [1, TAG_BATCH])),
  ].filter((x) => files.has(x.file));
}

/** One variant of one lever at one batch size, against that lever's baseline in the same run. */
export interface LeverRow {
  lever: LeverId;
  runtime: LeverRuntime;
  variant: string;
  baseline: string;
  model: string;
  batch: number;
  threads: number | null;
  /** Median of the timed session creations (runtime already loaded). */
  sessionCreateMs: number | null;
  medianMs: number | null;
  p90Ms: number | null;
  minMs: number | null;
  runs: number;
  throughput: number | null;
  /** Baseline time per image / this variant's (medians): above 1 = faster. */
  speedup: number | null;
  /** Baseline session creation / this variant's: above 1 = faster to create. */
  createSpeedup: number | null;
  error?: string;
}

type Measured = ReadonlyMap<string, readonly BenchRow[]>;

const perImage = (r: BenchRow | undefined) => (r?.medianMs ? r.medianMs / r.batch : null);

function row(lever: LeverId, runtime: LeverRuntime, variant: string, baseline: string, r: BenchRow | undefined, base: BenchRow | undefined, batch: number, createToo: boolean): LeverRow {
  const v = perImage(r);
  const b = perImage(base);
  const missing = r ? r.error : 'not measured';
  return {
    lever, runtime, variant, baseline, model: r?.model ?? base?.model ?? '', batch, threads: r?.threads ?? null,
    sessionCreateMs: r?.sessionCreateMs ?? null, medianMs: r?.medianMs ?? null, p90Ms: r?.p90Ms ?? null, minMs: r?.minMs ?? null,
    runs: r?.runs ?? 0, throughput: r?.throughput ?? null,
    speedup: v && b ? b / v : null,
    createSpeedup: createToo && r?.sessionCreateMs && base?.sessionCreateMs ? base.sessionCreateMs / r.sessionCreateMs : null,
    ...(missing ? { error: missing } : base?.error ? { error: `baseline: ${base.error}` } : {}),
  };
}

/**
 * The effect rows of one runtime from its measured configurations (keys of
 * `leverConfigs`). Baselines: graph optimization vs 'disabled'; pre-optimized
 * files (loaded with 'disabled') vs the original at 'all'; batching vs batch 1;
 * tensor handling vs a fresh tensor per call; int8 vs fp32 at the same batch.
 */
export function leverRows(runtime: LeverRuntime, m: Measured, productThreads = 2): LeverRow[] {
  const at = (key: string, batch: number) => m.get(key)?.find((r) => r.batch === batch);
  const out: LeverRow[] = [];
  const levels = GRAPH_OPT_LEVELS.map((l) => [l, l === 'all' ? 'base' : `opt-${l}`] as const);
  for (const [level, key] of levels) out.push(row('graph-optimization', runtime, level, 'disabled', at(key, 1), at('opt-disabled', 1), 1, true));
  out.push(row('pre-optimized', runtime, 'original, level all', 'original, level all', at('base', 1), at('base', 1), 1, true));
  if (m.has('preopt-onnx')) out.push(row('pre-optimized', runtime, 'pre-optimized .onnx, level disabled', 'original, level all', at('preopt-onnx', 1), at('base', 1), 1, true));
  if (m.has('preopt-ort')) out.push(row('pre-optimized', runtime, 'ORT format .ort, level disabled', 'original, level all', at('preopt-ort', 1), at('base', 1), 1, true));
  for (const b of [1, 8, 32]) out.push(row('batching', runtime, `batch ${b}`, 'batch 1', at('base', b), at('base', 1), b, false));
  for (const b of [1, 32]) {
    out.push(row('io', runtime, 'fresh tensor per call', 'fresh tensor per call', at('base', b), at('base', b), b, false));
    out.push(row('io', runtime, 'reused input tensor', 'fresh tensor per call', at('io-reused', b), at('base', b), b, false));
    out.push(row('io', runtime, 'reused input + preallocated output', 'fresh tensor per call', at('io-preallocated', b), at('base', b), b, false));
  }
  for (const b of [1, 32]) {
    out.push(row('int8', runtime, 'fp32', 'fp32', at('base', b), at('base', b), b, true));
    if (m.has('int8')) out.push(row('int8', runtime, 'int8 QDQ', 'fp32', at('int8', b), at('base', b), b, true));
  }
  if (m.has('static-b1')) {
    out.push(row('static-shape', runtime, 'free batch dimension', 'free batch dimension', at('base', 1), at('base', 1), 1, true));
    out.push(row('static-shape', runtime, 'batch fixed to 1 (freeDimensionOverrides)', 'free batch dimension', at('static-b1', 1), at('base', 1), 1, true));
  }
  // Against the product's own thread count (min(cores, 4)) when it is one of those measured, else 2.
  if (!m.has(`threads-${productThreads}`)) productThreads = 2;
  const own = `threads-${productThreads}`;
  for (const b of [1, TAG_BATCH]) {
    for (const n of LEVER_THREADS) {
      const label = (k: number) => `${k} thread${k === 1 ? '' : 's'}${k === productThreads ? ' (product)' : ''}`;
      if (m.has(`threads-${n}`)) out.push(row('threads', runtime, label(n), label(productThreads), at(`threads-${n}`, b), at(own, b), b, false));
    }
  }
  // WebGPU: ORT's default layout (NHWC) against NCHW; outputs read back (the product's way) against left on the GPU.
  if (m.has('gpu-nhwc')) {
    for (const b of [1, 32].filter((x) => at('gpu-nhwc', x))) {
      out.push(row('webgpu-layout', runtime, 'preferredLayout NHWC (default)', 'preferredLayout NHWC (default)', at('gpu-nhwc', b), at('gpu-nhwc', b), b, true));
      if (m.has('gpu-nchw')) out.push(row('webgpu-layout', runtime, 'preferredLayout NCHW', 'preferredLayout NHWC (default)', at('gpu-nchw', b), at('gpu-nhwc', b), b, true));
      out.push(row('webgpu-outputs', runtime, 'output read back to the CPU', 'output read back to the CPU', at('gpu-nhwc', b), at('gpu-nhwc', b), b, false));
      if (m.has('gpu-outputs')) out.push(row('webgpu-outputs', runtime, 'output kept in a GPU buffer', 'output read back to the CPU', at('gpu-outputs', b), at('gpu-nhwc', b), b, false));
    }
  }
  // Throughput of a page-tagging workload: one all-threads session against two single-thread ones in parallel.
  const one = m.get('workers-1x')?.[0];
  const two = m.get('workers-2x1')?.[0];
  if (one || two) {
    const images = one?.batch ?? two?.batch ?? 0;
    out.push(row('workers', runtime, 'one session, all threads', 'one session, all threads', one, one, images, false));
    out.push(row('workers', runtime, 'two 1-thread sessions in two workers', 'one session, all threads', two, one, images, false));
  }
  return out;
}

export interface LeverReport {
  schema: 'pit-levers/1';
  createdAt: string;
  machine: Machine;
  config: { model: string; int8: string | null; runtimes: LeverRuntime[]; runs: number; warmup: number; maxSecondsPerCell: number; createRuns: number; seed: number; threads: { web: number | null; native: number } };
  models: BenchModel[];
  /** Catalog top-1 of the float and int8 models on the CIFAR-100 test set, when `npm run eval` measured both. */
  accuracy: { fp32Top1: number | null; int8Top1: number | null; deltaPoints: number | null };
  /** What could not be measured here, and why. */
  notes: string[];
  /** The raw measurements per runtime and configuration key. */
  measured: Partial<Record<LeverRuntime, Record<string, BenchRow[]>>>;
  rows: LeverRow[];
}

const x = (v: number | null) => (v === null || !Number.isFinite(v) ? '–' : `${v.toFixed(2)}×`);

export function leversMarkdown(r: LeverReport): string {
  const lines = [
    `Levers for ${r.config.model} (${r.machine.cpuModel}, ${r.machine.cores} cores; web: ORT Web ${r.machine.ortWeb ?? '?'} WASM in ${r.machine.browser ?? 'Chromium'}, ${r.config.threads.web ?? '?'} threads; native: onnxruntime-node ${r.machine.ortNode ?? '?'}, ${r.config.threads.native} threads). Speed-up = baseline time per image / variant's (medians, same run): above 1 is faster.`,
    '',
    '| lever | runtime | variant | baseline | batch | create ms | median ms | img/s | speed-up | create speed-up | note |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const w of r.rows) {
    lines.push(`| ${w.lever} | ${w.runtime} | ${w.variant} | ${w.baseline} | ${w.batch} | ${fmtMs(w.sessionCreateMs)} | ${fmtMs(w.medianMs)} | ${w.throughput === null ? '–' : w.throughput.toFixed(0)} | ${x(w.speedup)} | ${x(w.createSpeedup)} | ${(w.error ?? '').replaceAll('|', '\\|')} |`);
  }
  const a = r.accuracy;
  lines.push('', a.deltaPoints === null
    ? `int8 accuracy: not measured for both models yet (run \`npm run eval -- ${r.config.model}\` and \`npm run eval -- ${r.config.int8 ?? `${r.config.model}-int8`}\`).`
    : `int8 accuracy (CIFAR-100 test, catalog): fp32 ${a.fp32Top1?.toFixed(2)} %, int8 ${a.int8Top1?.toFixed(2)} %, Δ ${a.deltaPoints >= 0 ? '+' : ''}${a.deltaPoints.toFixed(2)} points.`);
  if (r.notes.length) lines.push('', ...r.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}
