/** Offscreen → worker: a queued classification finished; deliver it to the page's overlay first, then housekeeping. */
import { enforceRetention } from '../lib/db';
import type { Payload } from '../lib/messages';
import { sendToTab } from '../lib/messaging';
import { loadSettings } from '../lib/settings';
import browser from 'webextension-polyfill';
import { epochNow } from '../core/clock';
import { markShown, scheduleSweep } from './pending';

/** How long after the click an undeliverable result is offered to its tab again. */
const RETRY_SHOW_MS = 15_000;

export async function onClassified(res: Payload<'background:classified'>): Promise<void> {
  if (res.replyTo) {
    const { replyTo, ...result } = res;
    // The tab may have navigated or closed meanwhile: the record is stored either way, and
    // there is nothing left to show. A worker that dies here never marks it: the request is sent again.
    const shown = await sendToTab(replyTo.tabId, replyTo.frameId, 'content:result', result, 5_000).then(() => true, () => false);
    // Not delivered to a tab that still exists (its content script was still being injected):
    // leave it pending for a while, the sweep delivers it again. A closed tab has nothing to show,
    // and a page where no content script ever runs (a PDF viewer, the Web Store) stops being retried.
    const fresh = res.clickedAt !== undefined && epochNow() - res.clickedAt < RETRY_SHOW_MS;
    if (shown || !fresh || !(await browser.tabs.get(replyTo.tabId).then(() => true, () => false))) await markShown(res.requestId);
    else scheduleSweep();
  }
  // Retention after the label: the user is not kept waiting for the history's housekeeping.
  const s = await loadSettings();
  await enforceRetention(s.retentionMaxCount, s.retentionMaxDays).catch(() => undefined);
}
