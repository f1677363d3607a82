/** Offscreen → worker: a queued classification finished; deliver it to the page's overlay first, then housekeeping. */
import { enforceRetention } from '../lib/db';
import type { Payload } from '../lib/messages';
import { sendToTab } from '../lib/messaging';
import { loadSettings } from '../lib/settings';
import browser from 'webextension-polyfill';
import { markShown, scheduleSweep } from './pending';

export async function onClassified(res: Payload<'background:classified'>): Promise<void> {
  if (res.replyTo) {
    const { replyTo, ...result } = res;
    // The tab may have navigated or closed meanwhile: the record is stored either way, and
    // there is nothing left to show. A worker that dies here never marks it: the request is sent again.
    const shown = await sendToTab(replyTo.tabId, replyTo.frameId, 'content:result', result, 5_000).then(() => true, () => false);
    // Not delivered to a tab that still exists (its content script was still being injected):
    // leave it pending, the sweep delivers it again. A closed tab has nothing to show.
    if (shown || !(await browser.tabs.get(replyTo.tabId).then(() => true, () => false))) await markShown(res.requestId);
    else scheduleSweep();
  }
  // Retention after the label: the user is not kept waiting for the history's housekeeping.
  const s = await loadSettings();
  await enforceRetention(s.retentionMaxCount, s.retentionMaxDays).catch(() => undefined);
}
