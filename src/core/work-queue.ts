/**
 * A FIFO that runs at most `concurrency` jobs at a time and never drops one:
 * a burst of clicks is queued, not lost. Reports when it has been idle.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly concurrency: number, private readonly onIdle?: () => void, private readonly idleMs = 0) {}

  get size(): number {
    return this.running + this.waiting.length;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    clearTimeout(this.idleTimer);
    // A finishing job hands its slot straight to the oldest waiter, so a newcomer
    // can never overtake the queue between the two.
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else {
        this.running--;
        if (this.running === 0 && this.onIdle) this.idleTimer = setTimeout(this.onIdle, this.idleMs);
      }
    }
  }
}
