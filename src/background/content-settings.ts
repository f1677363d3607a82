/**
 * Content scripts run inside web pages' processes, so they get a narrow view
 * of the settings from the worker instead of reading storage: no cloud
 * endpoint or token, no other sites of the auto-tag list. Storage itself is
 * restricted to the extension's own contexts at start (see index.ts).
 */
import browser, { type Runtime } from 'webextension-polyfill';
import type { Settings } from '../core/settings-schema';
import type { ContentSettings } from '../lib/messages';
import { sendToTab } from '../lib/messaging';
import { loadSettings } from '../lib/settings';

export function viewFor(s: Settings, pageUrl: string | undefined): ContentSettings {
  let host = '';
  try {
    host = new URL(pageUrl ?? '').hostname;
  } catch {
    // not a page URL: no auto-tag
  }
  return { showChips: s.showChips, minImageSize: s.minImageSize, autoTagHere: s.autoTag && host !== '' && s.autoTagSites.includes(host) };
}

export async function contentSettings(_p: unknown, sender: Runtime.MessageSender): Promise<ContentSettings> {
  return viewFor(await loadSettings(), sender.tab?.url);
}

/** Push each open page its new view after a settings change (pages without our script just don't answer). */
export async function pushContentSettings(): Promise<void> {
  const s = await loadSettings();
  const tabs = await browser.tabs.query({ url: ['http://*/*', 'https://*/*'] });
  await Promise.all(tabs.map((t) => (t.id === undefined ? undefined
    : sendToTab(t.id, 0, 'content:settings', viewFor(s, t.url), 2_000).catch(() => undefined))));
}
