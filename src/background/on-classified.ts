/** Offscreen → worker: a queued classification finished; deliver it to the page's overlay. */
import type { Payload } from '../lib/messages';
import { sendToTab } from '../lib/messaging';

export async function onClassified(res: Payload<'background:classified'>): Promise<void> {
  if (!res.replyTo) return;
  const { replyTo, ...result } = res;
  // The tab may have navigated or closed meanwhile: the record is stored either way.
  await sendToTab(replyTo.tabId, replyTo.frameId, 'content:result', result, 5_000).catch(() => undefined);
}
