/**
 * Dynamic batching: requests that arrive within `maxDelayMs` of each other, or
 * while the previous batch runs, share one session.run of up to `maxBatch`
 * images; each gets its own rows of the output back. One run at a time per
 * model: on a few cores, concurrent runs only fight over them.
 */
import { ProtocolError } from '../src/core/kserve/protocol-error';

/** Runs `count` rows of input (concatenated) and returns `count` rows of output. */
export type RunBatch = (input: Float32Array, count: number) => Promise<Float32Array>;

export interface BatcherOptions {
  /** Floats per input row (e.g. 3*32*32) and per output row (e.g. 100 classes). */
  inputRow: number;
  outputRow: number;
  maxBatch: number;
  maxDelayMs: number;
  /** Requests admitted (waiting or running) before submit() answers 503. */
  maxQueue: number;
}

export interface BatchResult {
  output: Float32Array;
  /** From submit() until its batch started running. */
  queueMs: number;
  /** Duration of the session.run that served it (shared by the whole batch). */
  computeMs: number;
  /** Rows in that run, this request's included. */
  batchSize: number;
}

interface Pending {
  input: Float32Array;
  count: number;
  at: number;
  resolve(r: BatchResult): void;
  reject(e: unknown): void;
}

export class Batcher {
  private readonly waiting: Pending[] = [];
  private admitted = 0;
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly run: RunBatch,
    private readonly options: BatcherOptions,
  ) {}

  /** Requests waiting or running. */
  get size(): number {
    return this.admitted;
  }

  submit(input: Float32Array, count: number): Promise<BatchResult> {
    const { inputRow, maxBatch, maxQueue } = this.options;
    if (!Number.isInteger(count) || count < 1 || input.length !== count * inputRow) throw new Error(`Batcher: ${input.length} floats are not ${count} rows of ${inputRow}`);
    if (count > maxBatch) throw new ProtocolError(`batch size ${count} exceeds the maximum ${maxBatch}`);
    if (this.admitted >= maxQueue) throw new ProtocolError(`server busy: ${this.admitted} requests queued for this model (max ${maxQueue}); retry later`, 503);
    this.admitted++;
    return new Promise<BatchResult>((resolve, reject) => {
      this.waiting.push({ input, count, at: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running) return; // the running batch's end picks up the waiters
    const rows = this.waiting.reduce((n, p) => n + p.count, 0);
    if (rows >= this.options.maxBatch) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
    } else if (this.timer === undefined && rows > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.options.maxDelayMs);
    }
  }

  private async flush(): Promise<void> {
    const batch: Pending[] = [];
    let rows = 0;
    // FIFO, never reordered: a request that does not fit waits for the next run.
    while (this.waiting.length > 0 && rows + this.waiting[0]!.count <= this.options.maxBatch) {
      const p = this.waiting.shift()!;
      batch.push(p);
      rows += p.count;
    }
    if (batch.length === 0) return;
    this.running = true;
    const start = performance.now();
    try {
      const input = new Float32Array(rows * this.options.inputRow);
      let at = 0;
      for (const p of batch) {
        input.set(p.input, at);
        at += p.input.length;
      }
      const output = await this.run(input, rows);
      const computeMs = performance.now() - start;
      const { outputRow } = this.options;
      if (output.length !== rows * outputRow) throw new Error(`model returned ${output.length} values for ${rows} rows of ${outputRow}`);
      let row = 0;
      for (const p of batch) {
        const part = output.slice(row * outputRow, (row + p.count) * outputRow);
        row += p.count;
        p.resolve({ output: part, queueMs: start - p.at, computeMs, batchSize: rows });
      }
    } catch (e) {
      for (const p of batch) p.reject(e);
    } finally {
      this.admitted -= batch.length;
      this.running = false;
      // Whoever arrived during the run has waited long enough: run them now.
      if (this.waiting.length > 0) void this.flush();
    }
  }
}
