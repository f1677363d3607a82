/**
 * When may this document go away? It counts the jobs it accepted (not just
 * the ones that reached the inference queue, so an image still downloading
 * counts), asks the worker to close it after IDLE_MS without any, and once a
 * close is agreed refuses new work so the worker creates a fresh document.
 * A close wanted for a new setting (the thread count) while work runs does not
 * stop the document taking clicks: it asks to be closed as soon as it is idle.
 */
const IDLE_MS = 5 * 60_000;
const REOPEN_MS = 10_000;

let active = 0;
let closing = false;
/** A setting changed while work ran: ask to be closed the moment the document is idle, not after IDLE_MS. */
let closeWhenIdle = false;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
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
      if (closeWhenIdle && !closing) onIdle();
      armIdleTimer();
    }
  }
}

/**
 * Agree to close, only when idle. With `wait` (a setting that needs a fresh
 * runtime changed) a busy document says no but asks to be closed as soon as
 * its last job ends, and keeps taking work meanwhile: a click during a long
 * tagging job is answered at once (on the old setting), never held behind it.
 */
export async function prepareClose(wait: boolean): Promise<{ closed: boolean }> {
  if (active > 0) {
    if (wait) closeWhenIdle = true;
    return { closed: false };
  }
  closing = true;
  closeWhenIdle = false;
  // The worker closes us right after this answer. If that never comes (it gave up
  // waiting, or died), take work again instead of refusing it forever.
  setTimeout(() => {
    closing = false;
    armIdleTimer();
  }, REOPEN_MS);
  return { closed: true };
}
