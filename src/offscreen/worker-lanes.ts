/**
 * Page tagging's inference lanes: on two cores, two single-threaded ORT Web
 * sessions, each in its own worker (infer-worker.ts), run two batches at the
 * same time instead of one two-thread session running them in turn
 * (`npm run bench:levers`, workers lever: 1.13-1.22x; `npm run bench:tag`:
 * 1.3-1.8x end to end). Only where that was measured: the WASM backend at
 * exactly 2 threads; every other setting keeps the document's session.
 *
 * Lanes are made on the first tagging job of a model and kept while the
 * offscreen document lives, like its sessions, but only for the model the
 * newest job asked for: once no job uses them, the lanes of any other model or
 * setting are closed (each lane holds its own copy of the model; VGG-19's is
 * 80 MB). A job holds its lanes by a lease until it ends, so a job in another
 * tab never closes them under it. Each lane runs one batch at a
 * time, whoever asks (two jobs share them). A lane whose worker dies, stalls
 * or is closed fails with LaneError, is dropped, and its batch is retried on
 * the document's session by the caller; if lanes cannot start, this document
 * stops trying and tags on its session (never a lost batch).
 */
import type { ModelEntry } from '../core/catalog';
import { LaneError } from '../core/lane-error';
import type { RunnableSession } from '../core/run-batch';
import { loadModelBytes } from '../lib/catalog-loader';

export const LANE_THREADS = 2;
/** Longer than any batch of 16 takes on one thread (about 0.3 s for ResNet-20; VGG-19 a few seconds). */
const RUN_DEADLINE_MS = 120_000;
const START_DEADLINE_MS = 30_000;


type Lane = RunnableSession & { close(): void; readonly broken: boolean };

interface Pending {
  resolve: (v: { data: Float32Array; dims: readonly number[] }) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

type FromWorker = { kind: string; id?: number; message?: string; createMs?: number; data?: Float32Array; dims?: number[] };

function startLane(bytes: Uint8Array, onBroken: () => void): Promise<Lane> {
  const worker = new Worker(new URL('./infer-worker.ts', import.meta.url), { type: 'module' });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let broken: LaneError | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  const fail = (e: LaneError) => {
    if (broken) return;
    broken = e;
    worker.terminate();
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    pending.clear();
    onBroken();
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(new LaneError(`an inference worker did not start within ${START_DEADLINE_MS / 1000} s`));
      reject(broken);
    }, START_DEADLINE_MS);
    worker.onerror = (e) => {
      fail(new LaneError(`inference worker: ${e.message || 'failed'}`));
      clearTimeout(timer);
      reject(broken);
    };
    worker.onmessageerror = () => fail(new LaneError('inference worker: a message could not be read'));
    const send = (input: string, data: Float32Array, dims: readonly number[], output: string) =>
      new Promise<{ data: Float32Array; dims: readonly number[] }>((res, rej) => {
        if (broken) {
          rej(broken);
          return;
        }
        const id = nextId++;
        const deadline = setTimeout(() => fail(new LaneError(`an inference worker did not answer within ${RUN_DEADLINE_MS / 1000} s`)), RUN_DEADLINE_MS);
        pending.set(id, { resolve: res, reject: rej, timer: deadline });
        // A copy goes over: the caller's batch stays usable (a retry on the document's session needs it).
        const copy = new Float32Array(data);
        worker.postMessage({ kind: 'run', id, input, output, data: copy, dims: [...dims] }, [copy.buffer]);
      });
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.kind === 'loaded') {
        clearTimeout(timer);
        resolve({
          backend: 'wasm', threads: 1, createMs: m.createMs ?? 0, fresh: true,
          get broken() {
            return broken !== null;
          },
          // One batch at a time per lane, whichever job sends it (an ORT session cannot run concurrently with itself).
          runFloat(input, data, dims, output) {
            const run = queue.then(() => send(input, data, dims, output));
            queue = run.catch(() => undefined);
            return run;
          },
          close: () => fail(new LaneError('the inference worker was closed')),
        });
        return;
      }
      const p = m.id === undefined ? undefined : pending.get(m.id);
      if (m.kind === 'result' && p && m.id !== undefined) {
        clearTimeout(p.timer);
        pending.delete(m.id);
        p.resolve({ data: m.data!, dims: m.dims! });
      } else if (m.kind === 'error') {
        if (m.id === undefined) {
          // The model did not load in the worker: no lanes for it.
          clearTimeout(timer);
          fail(new LaneError(m.message ?? 'inference worker error'));
          reject(broken);
        } else if (p) {
          // session.run failed: the model's own error, which a retry elsewhere would repeat.
          clearTimeout(p.timer);
          pending.delete(m.id);
          p.reject(new Error(m.message ?? 'inference failed'));
        }
      }
    };
    const copy = bytes.slice();
    worker.postMessage({ kind: 'load', bytes: copy.buffer }, [copy.buffer]);
  });
}

interface Pair {
  lanes: Promise<Lane[]>;
  /** Jobs holding a lease on this pair now. */
  users: number;
}

const pairs = new Map<string, Pair>();
/** The model (id|sha256) the newest tagging job asked lanes for; undefined when it tags without lanes. */
let current: string | undefined;
let unavailable = false;

/** Close every pair that no job holds, except the newest job's. A pair in use closes when its last lease ends. */
function closeIdle(): void {
  for (const [key, pair] of pairs) {
    if (key === current || pair.users > 0) continue;
    pairs.delete(key);
    void pair.lanes.then((ls) => {
      for (const l of ls) l.close();
    }, () => undefined);
  }
}

/**
 * Close the lanes of the models `drop` picks (by id and sha256): a model the user removed must not keep two
 * copies of its weights in workers. A pair a job still holds closes when that job ends.
 */
export function releaseLanes(drop: (id: string, sha256: string) => boolean): void {
  for (const key of pairs.keys()) {
    const [id = '', sha256 = ''] = key.split('|');
    if (drop(id, sha256) && key === current) current = undefined;
  }
  closeIdle();
}

/** A job's hold on its lanes: `release()` when the job ends (lanes are closed only once no job holds them). */
export interface LaneLease {
  lanes: RunnableSession[];
  release(): void;
}

export const NO_LANES: LaneLease = { lanes: [], release: () => undefined };

/**
 * The lanes for tagging with `model` at `threads` threads on `backend`, or
 * none when this setting tags on the document's session.
 */
export async function tagLanes(model: ModelEntry, backend: string, threads: number): Promise<LaneLease> {
  if (unavailable || backend !== 'wasm' || threads !== LANE_THREADS || typeof Worker === 'undefined') {
    current = undefined;
    closeIdle();
    return NO_LANES;
  }
  const key = `${model.id}|${model.sha256}`;
  current = key;
  let pair = pairs.get(key);
  if (!pair) {
    const group: Lane[] = [];
    let dropped = false;
    // One lane broken: the pair is dropped together (the next job makes a fresh pair), none left running unseen.
    const drop = () => {
      if (dropped) return;
      dropped = true;
      if (pairs.get(key) === made) pairs.delete(key);
      for (const l of group) l.close();
    };
    let bytesRead = false;
    const lanes: Promise<Lane[]> = (async () => {
      const bytes = await loadModelBytes(model);
      bytesRead = true;
      const started = await Promise.allSettled(Array.from({ length: LANE_THREADS }, () => startLane(bytes, drop)));
      const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      group.push(...ok);
      if (ok.length < started.length) {
        for (const l of ok) l.close(); // all or none: one lane is just a slower session
        const why = started.find((s) => s.status === 'rejected') as PromiseRejectedResult;
        throw why.reason;
      }
      return ok;
    })();
    const made: Pair = { lanes, users: 0 };
    lanes.catch(() => {
      if (pairs.get(key) !== made) return;
      pairs.delete(key);
      // Workers that cannot start (the pair still wanted): this document tags on its session from now on.
      // A model file that cannot be read (removed meanwhile) says nothing about workers.
      if (bytesRead) unavailable = true;
    });
    pairs.set(key, made);
    pair = made;
  }
  closeIdle();
  const held = pair;
  held.users++;
  const ready = await held.lanes.catch(() => []);
  let released = false;
  return {
    lanes: ready.filter((l) => !l.broken),
    release() {
      if (released) return;
      released = true;
      held.users--;
      closeIdle();
    },
  };
}
