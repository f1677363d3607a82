/** The main thread's handle on an ort-worker.mjs thread: run() returns a promise per batch; a dead worker fails every call. */
import { Worker } from 'node:worker_threads';

interface Reply {
  id?: number;
  ready?: boolean;
  output?: Float32Array;
  error?: string;
}

export class SessionWorker {
  private readonly pending = new Map<number, { resolve(out: Float32Array): void; reject(e: Error): void }>();
  private nextId = 0;
  private dead: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: Reply) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.output) p?.resolve(m.output);
      else p?.reject(new Error(m.error ?? 'worker sent no output'));
    });
    const die = (e: Error) => {
      this.dead ??= e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`inference worker exited (code ${code})`)));
  }

  /** Starts a worker with a session made from `bytes`; rejects if the model does not load. */
  static start(bytes: Uint8Array, options: { threads: number; inputName: string; outputName: string }): Promise<SessionWorker> {
    const worker = new Worker(new URL('./ort-worker.mjs', import.meta.url), { workerData: { bytes, ...options } });
    return new Promise((resolve, reject) => {
      const fail = (e: Error) => reject(new Error(`could not start the inference worker: ${e.message}`));
      worker.once('error', fail);
      worker.once('message', (m: Reply) => {
        worker.off('error', fail);
        if (m.ready) resolve(new SessionWorker(worker));
        else fail(new Error(m.error ?? 'unexpected first message'));
      });
    });
  }

  /** Runs one batch; `input` is transferred to the worker (unusable here afterwards). */
  run(input: Float32Array, dims: number[]): Promise<Float32Array> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, input, dims }, [input.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
