/**
 * Page tagging's inference lanes: on two cores, two single-threaded ORT Web
 * sessions, each in its own worker (infer-worker.ts), run two batches at the
 * same time instead of one two-thread session running them in turn
 * (`npm run bench:levers`, workers lever: 277 vs 228 images/s, 1.22x).
 * Only where that was measured: the WASM backend at exactly 2 threads; every
 * other setting keeps the document's session. Lanes are made on the first
 * tagging job of a model and kept while the offscreen document lives, like
 * its sessions. A lane that fails to start leaves tagging on the document's
 * session (never a lost batch).
 */
import type { ModelEntry } from '../core/catalog';
import type { RunnableSession } from '../core/run-batch';
import { loadModelBytes } from '../lib/catalog-loader';

export const LANE_THREADS = 2;

interface Pending {
  resolve: (v: { data: Float32Array; dims: readonly number[] }) => void;
  reject: (e: Error) => void;
}

function startLane(bytes: Uint8Array): Promise<RunnableSession & { close(): void }> {
  const worker = new Worker(new URL('./infer-worker.ts', import.meta.url), { type: 'module' });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let broken: Error | null = null;
  const fail = (e: Error) => {
    broken = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.terminate();
      reject(new Error('an inference worker did not start within 30 s'));
    }, 30_000);
    worker.onerror = (e) => {
      const err = new Error(`inference worker: ${e.message || 'failed'}`);
      fail(err);
      clearTimeout(timer);
      reject(err);
    };
    worker.onmessage = (e: MessageEvent<{ kind: string; id?: number; message?: string; createMs?: number; data?: Float32Array; dims?: number[] }>) => {
      const m = e.data;
      if (m.kind === 'loaded') {
        clearTimeout(timer);
        const lane: RunnableSession & { close(): void } = {
          backend: 'wasm', threads: 1, createMs: m.createMs ?? 0, fresh: true,
          runFloat(input, data, dims, output) {
            if (broken) return Promise.reject(broken);
            const id = nextId++;
            return new Promise((res, rej) => {
              pending.set(id, { resolve: res, reject: rej });
              // A copy goes over: the caller's batch stays usable (it is reused on a WebGPU fallback and in tests).
              const copy = new Float32Array(data);
              worker.postMessage({ kind: 'run', id, input, output, data: copy, dims: [...dims] }, [copy.buffer]);
            });
          },
          close: () => {
            fail(new Error('the inference worker was closed'));
            worker.terminate();
          },
        };
        resolve(lane);
      } else if (m.kind === 'result' && m.id !== undefined) {
        pending.get(m.id)?.resolve({ data: m.data!, dims: m.dims! });
        pending.delete(m.id);
      } else if (m.kind === 'error') {
        const err = new Error(m.message ?? 'inference worker error');
        if (m.id === undefined) {
          clearTimeout(timer);
          worker.terminate();
          reject(err);
        } else {
          pending.get(m.id)?.reject(err);
          pending.delete(m.id);
        }
      }
    };
    const copy = bytes.slice();
    worker.postMessage({ kind: 'load', bytes: copy.buffer }, [copy.buffer]);
  });
}

const lanes = new Map<string, Promise<RunnableSession[]>>();

/**
 * The lanes for tagging with `model` at `threads` threads on `backend`, or []
 * when this setting tags on the document's session.
 */
export function tagLanes(model: ModelEntry, backend: string, threads: number): Promise<RunnableSession[]> {
  if (backend !== 'wasm' || threads !== LANE_THREADS || typeof Worker === 'undefined') return Promise.resolve([]);
  const key = `${model.id}|${model.sha256}`;
  let p = lanes.get(key);
  if (!p) {
    p = (async () => {
      const bytes = await loadModelBytes(model);
      return Promise.all(Array.from({ length: LANE_THREADS }, () => startLane(bytes)));
    })();
    p.catch(() => lanes.delete(key));
    lanes.set(key, p);
  }
  return p.catch(() => []);
}
