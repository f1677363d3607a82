/**
 * ONNX Runtime Web, loaded lazily, and one warm session per (model, backend).
 *
 * ORT is imported with a dynamic import() on purpose: a static import puts it in
 * a chunk with Vite's preload helper, which ORT's pthread workers re-import and
 * which touches `document` inside a worker, so InferenceSession.create hangs
 * forever (see ../shared/docs/PLATFORM.md). initTimeout turns any such hang into
 * an error instead.
 */
import type { InferenceSession } from 'onnxruntime-web';
import type { Backend } from '../core/record';
import type { ModelEntry } from '../core/catalog';
import type { RunnableSession } from '../core/run-batch';
import { loadModelBytes } from './catalog-loader';
import { probeWebGpu } from './webgpu';

type OrtModule = typeof import('onnxruntime-web');

export interface WarmSession extends RunnableSession {
  session: InferenceSession;
  ort: OrtModule;
  backend: Backend;
  threads: number;
  /** Time InferenceSession.create took (ms). */
  createMs: number;
  /** Not yet used for a request: the next request reports coldStart. */
  fresh: boolean;
  /** WebGPU adapter description ("(software, not GPU speed)" for fallback adapters). */
  adapter?: string;
}

let wasmModule: Promise<OrtModule> | undefined;
let gpuModule: Promise<OrtModule> | undefined;
let wasmThreads = 0;

/** Threads actually used: the setting, else available cores up to 4; 1 without isolation (no SharedArrayBuffer). */
export function effectiveThreads(requested: number): number {
  if (!globalThis.crossOriginIsolated) return 1;
  const cores = navigator.hardwareConcurrency || 1;
  return requested > 0 ? Math.min(requested, 16) : Math.min(cores, 4);
}

function configure(ort: OrtModule, threads: number, proxy = false): OrtModule {
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.initTimeout = 30_000;
  ort.env.wasm.proxy = proxy;
  ort.env.logLevel = 'error';
  return ort;
}

function loadWasm(threads: number, proxy = false): Promise<OrtModule> {
  // numThreads is read once when the WASM runtime starts; a change needs a fresh
  // document (the worker closes this one when the setting changes).
  wasmModule ??= import('onnxruntime-web/wasm').then((m) => {
    wasmThreads = threads;
    return configure(m as unknown as OrtModule, threads, proxy);
  });
  return wasmModule;
}

function loadWebGpu(threads: number): Promise<OrtModule> {
  gpuModule ??= import('onnxruntime-web/webgpu').then((m) => configure(m as unknown as OrtModule, threads));
  return gpuModule;
}

const sessions = new Map<string, Promise<WarmSession>>();


/** The WebGPU adapter's description, checked before any model is fetched; undefined for WASM. */
async function requireAdapter(backend: Backend): Promise<string | undefined> {
  if (backend !== 'webgpu') return undefined;
  const probe = await probeWebGpu();
  if (!probe.ok) throw new Error(`WebGPU: ${probe.reason}`);
  return probe.adapter;
}

async function create(model: ModelEntry, backend: Backend, threads: number, adapter: string | undefined): Promise<WarmSession> {
  return createFromBytes(await loadModelBytes(model), backend, threads, backend === 'webgpu' ? (adapter ?? (await requireAdapter(backend))) : undefined);
}

/**
 * A new, uncached session from model bytes the caller has already verified
 * (the benchmark page: zoo models served by the CLI, files the user picked).
 * Same runtime loading and session options as the product's sessions; the
 * caller owns it and should `session.release()` it.
 */
export async function createSessionFromBytes(bytes: Uint8Array, backend: Backend, threads: number, tuning: SessionTuning = {}): Promise<WarmSession> {
  return createFromBytes(bytes, backend, threads, await requireAdapter(backend), tuning);
}

/**
 * Session options the benchmark's levers (`npm run bench:levers`) vary; the
 * product's sessions always use the defaults.
 */
export interface SessionTuning {
  /** Default 'all', the product's setting. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Symbolic dimensions fixed to a size (a static graph), e.g. { N: 1 }. */
  freeDimensionOverrides?: Record<string, number>;
  /** Run ORT's WASM in its own proxy worker (read when this document first loads ORT). */
  proxy?: boolean;
  /** WebGPU: the layout its kernels prefer; and outputs left in GPU buffers (the caller reads them back). */
  preferredLayout?: 'NCHW' | 'NHWC';
  outputOnGpu?: boolean;
}

async function createFromBytes(bytes: Uint8Array, backend: Backend, threads: number, adapter: string | undefined, tuning: SessionTuning = {}): Promise<WarmSession> {
  const ort = backend === 'webgpu' ? await loadWebGpu(threads) : await loadWasm(threads, tuning.proxy === true);
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [backend === 'webgpu' && tuning.preferredLayout ? { name: 'webgpu', preferredLayout: tuning.preferredLayout } : backend],
    graphOptimizationLevel: tuning.graphOptimizationLevel ?? 'all',
    ...(backend === 'webgpu' && tuning.outputOnGpu ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
    ...(tuning.freeDimensionOverrides ? { freeDimensionOverrides: tuning.freeDimensionOverrides } : {}),
  });
  const createMs = performance.now() - t0;
  const used = backend === 'wasm' ? wasmThreads : threads;
  return {
    session, ort, backend, threads: used, createMs, fresh: true, ...(adapter ? { adapter } : {}),
    async runFloat(inputName, data, dims, outputName) {
      const out = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) });
      const t = out[outputName];
      if (!t) throw new Error(`the model has no output named ${outputName} (it has ${Object.keys(out).join(', ') || 'none'})`);
      if (t.type !== 'float32') throw new Error(`output ${outputName} is ${t.type}, not float32`);
      return { data: (await t.getData()) as Float32Array, dims: t.dims };
    },
  };
}

/**
 * Release the cached sessions (every backend) of the models `drop` picks, by
 * id and sha256: a model that failed its self-check or was removed must not
 * keep its weights in this document's memory until it closes.
 */
export function releaseSessions(drop: (id: string, sha256: string) => boolean): number {
  let n = 0;
  for (const [key, p] of sessions) {
    const [id = '', sha256 = ''] = key.split('|');
    if (!drop(id, sha256)) continue;
    sessions.delete(key);
    n++;
    void p.then((ws) => ws.session.release(), () => undefined).catch(() => undefined);
  }
  return n;
}

/** The cached sessions, as `id|sha256|backend`: what this document holds in memory (for the console and tests). */
export const sessionKeys = (): string[] => [...sessions.keys()];

/**
 * The warm session for (model, backend), created on first use and shared by
 * concurrent callers. `adapter`: the WebGPU adapter the caller already probed
 * (one probe per request), else it is probed here.
 */
export function getSession(model: ModelEntry, backend: Backend, threads: number, adapter?: string): Promise<WarmSession> {
  const key = `${model.id}|${model.sha256}|${backend}`;
  let p = sessions.get(key);
  if (!p) {
    p = create(model, backend, threads, adapter);
    sessions.set(key, p);
    p.catch(() => sessions.delete(key)); // a failed creation is retried by the next request
  }
  return p;
}
