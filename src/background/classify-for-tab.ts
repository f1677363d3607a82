/**
 * One right-click classification, from the worker's side: show a pending
 * overlay, read page-only bytes (blob:) through the content script, queue the
 * request in the offscreen document. The result comes back later as a
 * `background:classified` message (see on-classified.ts), so nothing here has
 * to survive a worker restart.
 */
import { epochNow } from '../core/clock';
import { addRecord } from '../lib/db';
import { errorMessage, type ClassifyRequest, type ClassifyResult, type ImageRef } from '../lib/messages';
import { sendToTab } from '../lib/messaging';
import { loadSettings } from '../lib/settings';
import { cloudRequest } from './cloud-request';
import { ensureContentScript } from './content-injector';
import { sendOffscreen } from './offscreen-client';
import { errorRecord } from './error-record';
import { forget, remember, scheduleSweep } from './pending';

export interface TabImage {
  /** When the user clicked (core/clock.ts epochNow). */
  clickedAt: number;
  srcUrl: string;
  pageUrl: string;
  tabId: number;
  frameId: number;
}

const RETRYABLE = /Receiving end does not exist|message port closed|offscreen document is closing|no offscreen document answered|no answer within/i;

export async function classifyForTab(t: TabImage): Promise<void> {
  const requestId = crypto.randomUUID();
  const image: ImageRef = { srcUrl: t.srcUrl, pageUrl: t.pageUrl };
  // Nothing the page shows waits for anything else: the settings, the content
  // script check and the pending overlay run alongside the request itself.
  const settingsP = loadSettings();
  const contentP = ensureContentScript(t.tabId, t.frameId);
  void contentP.then((has) => (has ? sendToTab(t.tabId, t.frameId, 'content:pending', { requestId, srcUrl: t.srcUrl, clickedAt: t.clickedAt }, 5_000) : undefined)).catch(() => undefined);
  if (t.srcUrl.startsWith('blob:')) {
    // blob: URLs belong to the page's origin: only the page's content script can read them.
    try {
      if (!(await contentP)) throw new Error('the page does not allow the extension to run here');
      image.dataUrl = (await sendToTab(t.tabId, t.frameId, 'content:read-image', { srcUrl: t.srcUrl }, 20_000)).dataUrl;
    } catch (e) {
      image.readError = `could not read the page's blob: image: ${errorMessage(e)}`;
    }
  }
  const settings = await settingsP;
  const req: ClassifyRequest = {
    requestId, image, modelId: settings.modelId, backend: settings.backend, threads: settings.threads, clickedAt: t.clickedAt,
    ...(settings.unsureThreshold !== undefined ? { unsureThreshold: settings.unsureThreshold } : {}),
    replyTo: { tabId: t.tabId, frameId: t.frameId },
    ...cloudRequest(settings),
  };
  // Accepted once persisted: from here a dead worker or document only delays the answer (pending.ts).
  await remember(req);
  scheduleSweep();
  try {
    await sendOffscreen('offscreen:classify', req);
  } catch (e) {
    // The document vanished, is closing or did not answer in time: it may still have the
    // request, and the sweep sends it again (idempotent). Only a definite refusal ends here.
    if (RETRYABLE.test(errorMessage(e))) return;
    await forget(requestId);
    // The offscreen document itself failed: still leave a record and tell the user.
    const record = errorRecord(req, 'offscreen', `the classifier could not start: ${errorMessage(e)}`);
    record.timings.total = epochNow() - t.clickedAt;
    await addRecord(record);
    const result: ClassifyResult = { requestId, srcUrl: t.srcUrl, clickedAt: t.clickedAt, record, notes: [] };
    if (await contentP) await sendToTab(t.tabId, t.frameId, 'content:result', result).catch(() => undefined);
  }
}
