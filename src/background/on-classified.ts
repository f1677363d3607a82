/** Offscreen → worker: a queued classification finished; deliver it to the page's overlay first, then housekeeping. */
import { enforceRetention } from '../lib/db';
import type { Payload } from '../lib/messages';
import { sendToTab } from '../lib/messaging';
import { loadSettings } from '../lib/settings';
import { markShown } from './pending';

export async function onClassified(res: Payload<'background:classified'>): Promise<void> {
  if (res.replyTo) {
    const { replyTo, ...result } = res;
    // The tab may have navigated or closed meanwhile: the record is stored either way, and
    // there is nothing left to show. A worker that dies here never marks it: the request is sent again.
    await sendToTab(replyTo.tabId, replyTo.frameId, 'content:result', result, 5_000).catch(() => undefined);
    await markShown(res.requestId);
  }
  // Retention after the label: the user is not kept waiting for the history's housekeeping.
  const s = await loadSettings();
  await enforceRetention(s.retentionMaxCount, s.retentionMaxDays).catch(() => undefined);
}
