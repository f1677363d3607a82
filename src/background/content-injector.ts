/**
 * The manifest injects the content script into pages loaded after install;
 * tabs that were already open when the extension was installed or updated
 * have none, so inject it on demand before the first message.
 */
import browser from 'webextension-polyfill';
import { sendToTab } from '../lib/messaging';

async function ping(tabId: number, frameId: number): Promise<boolean> {
  return sendToTab(tabId, frameId, 'content:ping', {}, 2_000).then(() => true, () => false);
}

export async function ensureContentScript(tabId: number, frameId: number): Promise<boolean> {
  if (await ping(tabId, frameId)) return true;
  const files = contentScriptFiles();
  if (files.length === 0) return false;
  try {
    await browser.scripting.executeScript({ target: { tabId, frameIds: [frameId] }, files });
  } catch {
    return false; // e.g. the Chrome Web Store or a PDF viewer: no overlay, the record still gets stored
  }
  // The built script is crxjs's loader, which import()s the real module: executeScript
  // resolves before the module has registered its listener, so poll for it.
  for (let i = 0; i < 20; i++) {
    if (await ping(tabId, frameId)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The built content-script file names, as crxjs rewrote them into the dist manifest. */
function contentScriptFiles(): string[] {
  return chrome.runtime.getManifest().content_scripts?.[0]?.js ?? [];
}
