/**
 * TensorFlow.js on its WebAssembly backend (XNNPACK kernels), the study's
 * second browser runtime, running the same .onnx files as ORT Web through the
 * project's own translator (core/tfjs). Loaded with dynamic import() on first
 * use only, so nothing of it is fetched, parsed or compiled unless a benchmark
 * backend (tfjs-1, tfjs-all) asks for it; the product never does.
 *
 * Threads: TensorFlow.js reads the thread count once, when its backend starts,
 * so each document serves one setting (as for ORT). One thread selects the
 * single-threaded SIMD build; more need cross-origin isolation.
 */
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { compileOnnx, type TfModel, type TfModule } from '../core/tfjs/exec';

export interface TfjsRuntime {
  tf: TfModule;
  /** Threads the backend actually runs with (1 without SharedArrayBuffer). */
  threads: number;
  simd: boolean;
  version: string;
  /** Import + WebAssembly compile + backend start, ms. */
  initMs: number;
}

let runtime: Promise<TfjsRuntime> | undefined;
let runtimeThreads = 0;

/** The backend, started once per document with `threads` (a later call with another count is refused). */
export function loadTfjs(threads: number): Promise<TfjsRuntime> {
  if (runtime && threads !== runtimeThreads) return Promise.reject(new Error(`TensorFlow.js already runs with ${runtimeThreads} thread(s) in this document`));
  runtimeThreads = threads;
  runtime ??= (async () => {
    const t0 = performance.now();
    const [tf, wasm] = await Promise.all([import('@tensorflow/tfjs-core'), import('@tensorflow/tfjs-backend-wasm')]);
    wasm.setWasmPaths({ 'tfjs-backend-wasm.wasm': plainWasm, 'tfjs-backend-wasm-simd.wasm': simdWasm, 'tfjs-backend-wasm-threaded-simd.wasm': threadedWasm });
    const isolated = globalThis.crossOriginIsolated === true;
    if (threads <= 1 || !isolated) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    else wasm.setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js: the WebAssembly backend did not start');
    await tf.ready();
    return {
      tf, threads: threads <= 1 || !isolated ? 1 : wasm.getThreadsCount(), simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true,
      version: tf.version_core, initMs: performance.now() - t0,
    };
  })();
  runtime.catch(() => {
    runtime = undefined;
  });
  return runtime;
}

export interface TfjsSession {
  model: TfModel;
  rt: TfjsRuntime;
  /** Decode + translate + weights to tensors, ms (the runtime already loaded). */
  createMs: number;
}

/** Translate `bytes` for `dims` (plans for other batch sizes are made on their first run). */
export async function createTfjsSession(bytes: Uint8Array, threads: number, dims: number[]): Promise<TfjsSession> {
  const rt = await loadTfjs(threads);
  const t0 = performance.now();
  const model = compileOnnx(rt.tf, bytes);
  try {
    model.plan(dims);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, rt, createMs: performance.now() - t0 };
}
