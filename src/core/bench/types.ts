/**
 * The benchmark's result schema (`pit-bench/1`), shared by the CLI
 * (tools/bench) and the extension's bench page. Plain data: it is written as
 * JSON, flattened to CSV and Markdown, and read back by tests.
 */

/**
 * Where a configuration runs: onnxruntime-node, ORT Web in the bench page
 * (`wasm-*`, `webgpu`), TensorFlow.js's WebAssembly backend in the bench page
 * running the same .onnx file through the project's translator (`tfjs-*`), or a
 * KServe v2 server.
 */
export type BackendId = 'native-1' | 'native-all' | 'wasm-1' | 'wasm-all' | 'tfjs-1' | 'tfjs-all' | 'webgpu' | 'cloud';
export const BACKENDS: readonly BackendId[] = ['native-1', 'native-all', 'wasm-1', 'wasm-all', 'tfjs-1', 'tfjs-all', 'webgpu', 'cloud'];
/** Backends that run in the browser page (one document per thread setting: both runtimes fix their thread count per document). */
export const BROWSER_BACKENDS: readonly BackendId[] = ['wasm-1', 'wasm-all', 'tfjs-1', 'tfjs-all', 'webgpu'];

/**
 * The native configuration a browser or cloud figure is compared with: the same
 * thread count for WASM; all cores for WebGPU and the cloud (the best the CPU does).
 */
export const NATIVE_REF: Partial<Record<BackendId, BackendId>> = {
  'wasm-1': 'native-1', 'wasm-all': 'native-all', 'tfjs-1': 'native-1', 'tfjs-all': 'native-all', webgpu: 'native-all', cloud: 'native-all',
};

/** The thread setting a browser backend's document runs with (both runtimes fix it per document). */
export function backendThreads(backend: BackendId): 1 | 'all' {
  return backend === 'wasm-1' || backend === 'tfjs-1' ? 1 : 'all';
}

export type ModelSource = 'catalog' | 'zoo' | 'file';

export interface BenchModel {
  /** Catalog id, `zoo:<arch>` for the random-weight zoo, `file:<name>` for a file the user picked. */
  key: string;
  source: ModelSource;
  arch: string | null;
  params: number | null;
  /** Multiply-adds per image; null when unknown (GFLOP/s is then null). */
  madds: number | null;
  bytes: number;
  sha256: string | null;
}

export interface WebGpuInfo {
  available: boolean;
  vendor?: string;
  architecture?: string;
  /** A fallback adapter (SwiftShader, a CPU Vulkan): its figures are never GPU speed. */
  software?: boolean;
  /** Why there is no adapter. */
  reason?: string;
}

/** One (model, backend, batch) cell. Every time is in milliseconds; numbers are null when the cell failed. */
export interface BenchRow {
  model: string;
  source: ModelSource;
  backend: BackendId;
  /** Intra-op threads (WASM numThreads, ORT intraOpNumThreads); null for the cloud. */
  threads: number | null;
  batch: number;
  /** InferenceSession.create with the runtime already loaded, per (model, backend); null for the cloud. */
  sessionCreateMs: number | null;
  /** The first run at this batch size (allocations, kernel selection). */
  firstRunMs: number | null;
  /** Warm runs measured (after the first run and the untimed warm-ups). */
  runs: number;
  medianMs: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  minMs: number | null;
  meanMs: number | null;
  maxMs: number | null;
  /** Images per second at the median: batch x 1000 / medianMs. */
  throughput: number | null;
  /** Achieved GFLOP/s at the median: 2 x madds x batch / medianMs. */
  gflops: number | null;
  /** medianMs / the native reference's medianMs (same model and batch); null without one. */
  vsNative: { ref: BackendId; ratio: number } | null;
  /** Cloud only: median of the server's own `compute` time; the rest of the round trip is network, queue and codec. */
  serverComputeMs?: number | null;
  /**
   * TensorFlow.js only: its logits against ORT Web's for the same model and the
   * same seeded input of `batch` images, in the same document: the largest
   * |difference| over the largest |ORT logit|, and the share of images whose
   * top-1 class agrees.
   */
  parity?: { batch: number; maxRelDiff: number; top1Agree: number };
  /** WebGPU only: the adapter (software adapters are marked as such). */
  adapter?: string;
  error?: string;
}

export interface ColdStart {
  model: string;
  runs: number;
  /** InferenceSession.create in a fresh offscreen document, as the product reports it. */
  sessionCreateMs: { median: number; min: number; max: number; values: number[] };
  /** The worker's whole first request: create the document, load ORT, fetch and verify the model, create, run. */
  firstRequestMs: { median: number; values: number[] };
}

export interface Machine {
  host: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  arch: string;
  node: string | null;
  /** Browser product and version, e.g. "Chromium 156.0.7500.0" (from the page's user agent). */
  browser: string | null;
  userAgent: string | null;
  /** navigator.hardwareConcurrency in the bench page. */
  browserCores: number | null;
  crossOriginIsolated: boolean | null;
  ortWeb: string | null;
  ortNode: string | null;
  /** TensorFlow.js core version the page ran (and "(SIMD)" when its SIMD build ran); absent when no tfjs backend ran. */
  tfjs?: string | null;
  gitCommit: string | null;
}

export interface BenchConfig {
  models: string[];
  backends: BackendId[];
  batches: number[];
  runs: number;
  warmup: number;
  /** Stop a cell's warm runs early after this long (at least 3 runs are always taken). */
  maxSecondsPerCell: number;
  seed: number;
  coldRuns: number;
  cloud: string | null;
  headed: boolean;
}

export interface BenchReport {
  schema: 'pit-bench/1';
  createdAt: string;
  machine: Machine;
  config: BenchConfig;
  models: BenchModel[];
  webgpu: WebGpuInfo | null;
  coldStart: ColdStart | null;
  /**
   * Per backend, the first session creation of the document or process, which
   * also loads the runtime (compiles ORT's WebAssembly in the page); kept out of
   * the rows' sessionCreateMs.
   */
  runtimeInitMs: Partial<Record<BackendId, number>>;
  /** Backends that could not run at all, and why (e.g. WebGPU without an adapter). */
  unavailable: { backend: BackendId; reason: string }[];
  rows: BenchRow[];
}

/** What one (model, backend) measurement asks of a runner. */
export interface CellPlan {
  batches: number[];
  runs: number;
  warmup: number;
  maxMs: number;
  seed: number;
}
