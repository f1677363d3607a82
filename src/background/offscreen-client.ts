/**
 * Creates the offscreen document on demand (it owns inference: ORT cannot run
 * in a service worker) and talks to it. Only one offscreen document may exist,
 * so creation is guarded by runtime.getContexts plus one shared in-flight
 * promise (Chrome sample cookbook.offscreen-*); concurrent clicks share it.
 */
import { send } from '../lib/messaging';
import type { MessageName, Payload, Reply } from '../lib/messages';

export const OFFSCREEN_PATH = 'src/offscreen/offscreen.html';

let creating: Promise<void> | undefined;

async function offscreenExists(): Promise<boolean> {
  const url = chrome.runtime.getURL(OFFSCREEN_PATH);
  const contexts = await chrome.runtime.getContexts({
    contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT],
    documentUrls: [url],
  });
  return contexts.length > 0;
}

export async function ensureOffscreen(): Promise<void> {
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

export async function closeOffscreen(): Promise<void> {
  if (creating) await creating.catch(() => undefined);
  if (await offscreenExists()) await chrome.offscreen.closeDocument();
}

const GONE = /Receiving end does not exist|message port closed|no answer within/i;

/**
 * Send to the offscreen document, creating it first. Retries once when the
 * document vanished between the check and the send (idle close, crash); the
 * offscreen side is idempotent on requestId, so a retry never duplicates work.
 */
export async function sendOffscreen<N extends Extract<MessageName, `offscreen:${string}`>>(
  name: N, payload: Payload<N>, timeoutMs = 60_000,
): Promise<Reply<N>> {
  await ensureOffscreen();
  try {
    return await send(name, payload, timeoutMs);
  } catch (e) {
    if (!(e instanceof Error) || !GONE.test(e.message)) throw e;
    await ensureOffscreen();
    return send(name, payload, timeoutMs);
  }
}
