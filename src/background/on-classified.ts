/** Offscreen → worker: a queued classification finished; deliver it to the page's overlay. */
import { enforceRetention } from '../lib/db';
import type { Payload } from '../lib/messages';
import { sendToTab } from '../lib/messaging';
import { loadSettings } from '../lib/settings';

export async function onClassified(res: Payload<'background:classified'>): Promise<void> {
  const s = await loadSettings();
  await enforceRetention(s.retentionMaxCount, s.retentionMaxDays).catch(() => undefined);
  if (!res.replyTo) return;
  const { replyTo, ...result } = res;
  // The tab may have navigated or closed meanwhile: the record is stored either way.
  await sendToTab(replyTo.tabId, replyTo.frameId, 'content:result', result, 5_000).catch(() => undefined);
}
