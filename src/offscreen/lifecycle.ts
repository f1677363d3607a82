/**
 * When may this document go away? It counts the jobs it accepted (not just
 * the ones that reached the inference queue, so an image still downloading
 * counts), asks the worker to close it after IDLE_MS without any, and once a
 * close is agreed refuses new work so the worker creates a fresh document.
 */
const IDLE_MS = 5 * 60_000;
const REOPEN_MS = 10_000;

let active = 0;
let closing = false;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
let drained: (() => void) | undefined;
let onIdle: () => void = () => undefined;

export function setOnIdle(fn: () => void): void {
  onIdle = fn;
  armIdleTimer();
}

function armIdleTimer(): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (active === 0 && !closing) onIdle();
  }, IDLE_MS);
}

export function isClosing(): boolean {
  return closing;
}

/** Wrap every accepted job; throws the "closing" error the worker retries on. */
export async function track<T>(job: () => Promise<T>): Promise<T> {
  if (closing) throw new Error('offscreen document is closing');
  active++;
  clearTimeout(idleTimer);
  try {
    return await job();
  } finally {
    active--;
    if (active === 0) {
      drained?.();
      armIdleTimer();
    }
  }
}

/**
 * Agree to close. Without `wait`, only when idle; with it, stop taking work
 * and answer once the accepted jobs are done (used when a setting that needs a
 * fresh runtime changed).
 */
export async function prepareClose(wait: boolean): Promise<{ closed: boolean }> {
  if (active > 0 && !wait) return { closed: false };
  closing = true;
  if (active > 0) await new Promise<void>((resolve) => (drained = resolve));
  // The worker closes us right after this answer. If that never comes (it gave up
  // waiting, or died), take work again instead of refusing it forever.
  setTimeout(() => {
    closing = false;
    armIdleTimer();
  }, REOPEN_MS);
  return { closed: true };
}
