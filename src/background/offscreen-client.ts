/**
 * Creates the offscreen document on demand (it owns inference: ORT cannot run
 * in a service worker) and talks to it. Only one offscreen document may exist,
 * so creation is guarded by runtime.getContexts plus one shared in-flight
 * promise (Chrome sample cookbook.offscreen-*); concurrent clicks share it.
 * Closing goes through the document's consent (offscreen:prepare-close), and
 * creation waits for a close in progress, so no accepted request is lost.
 */
import { send } from '../lib/messaging';
import type { MessageName, Payload, Reply } from '../lib/messages';

export const OFFSCREEN_PATH = 'src/offscreen/offscreen.html';

// Module variables hold only in-flight promises (the worker may die at any time).
let creating: Promise<void> | undefined;
let closing: Promise<void> | undefined;

export async function offscreenExists(): Promise<boolean> {
  const contexts = await chrome.runtime.getContexts({
    contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [chrome.runtime.getURL(OFFSCREEN_PATH)],
  });
  return contexts.length > 0;
}

export async function ensureOffscreen(): Promise<void> {
  if (closing) await closing.catch(() => undefined);
  if (creating) return creating;
  if (await offscreenExists()) return;
  creating ??= chrome.offscreen
    .createDocument({
      url: OFFSCREEN_PATH,
      reasons: [chrome.offscreen.Reason.WORKERS],
      justification: 'Runs the image classifier (ONNX Runtime Web, WebAssembly threads) locally.',
    })
    .catch(async (e: unknown) => {
      // Lost a race with another creator in a previous worker life: fine if it exists now.
      if (!(await offscreenExists())) throw e;
    })
    .finally(() => {
      creating = undefined;
    });
  return creating;
}

/**
 * Close the document if it agrees: when idle (`wait` false), or once the work
 * it accepted is done (`wait` true, for settings that need a fresh runtime).
 */
export function closeOffscreen(wait: boolean): Promise<void> {
  closing ??= (async () => {
    if (creating) await creating.catch(() => undefined);
    if (!(await offscreenExists())) return;
    const { closed } = await send('offscreen:prepare-close', { wait }, 120_000);
    if (closed) await chrome.offscreen.closeDocument().catch(() => undefined);
  })().finally(() => {
    closing = undefined;
  });
  return closing;
}

/** The document vanished or is closing: worth one retry on a fresh document. */
const GONE = /Receiving end does not exist|message port closed|offscreen document is closing|no offscreen document answered/i;

/**
 * Every offscreen handler answers with a value (null at least). `undefined`
 * means nobody answered: with another extension page open, Chrome resolves a
 * message no listener responded to instead of rejecting it.
 */
function answered<T>(reply: T): T {
  if (reply === undefined) throw new Error('no offscreen document answered');
  return reply;
}

/**
 * Send to the offscreen document, creating it when it is missing. Retries once
 * when the document vanished between the check and the send; classification
 * is idempotent on requestId, so a retry never duplicates a record.
 */
export async function sendOffscreen<N extends Extract<MessageName, `offscreen:${string}`>>(
  name: N, payload: Payload<N>, timeoutMs = 60_000,
): Promise<Reply<N>> {
  // A warm click must not pay for a runtime.getContexts round trip: send at
  // once when no creation or close is in progress in this worker life; a
  // missing document answers "Receiving end does not exist" and is created below.
  if (creating || closing) await ensureOffscreen();
  try {
    return answered(await send(name, payload, timeoutMs));
  } catch (e) {
    if (!(e instanceof Error) || !GONE.test(e.message)) throw e;
    await ensureOffscreen();
    return answered(await send(name, payload, timeoutMs));
  }
}
