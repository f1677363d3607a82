/**
 * Headless Chromium cannot open the native context menu. These helpers fire the
 * real registered chrome.contextMenus.onClicked listeners in the service worker
 * (`dispatch` is undocumented but present in Chromium 156), exactly as a click
 * on "Classify image" would, and stop the worker through CDP.
 */
import type { Page, Worker } from 'playwright-core';
import type { ExtensionHandle } from '../../tools/lib/extension';

export async function clickClassify(sw: Worker, pageUrl: string, srcUrls: string[]): Promise<void> {
  await sw.evaluate(async ({ pageUrl, srcUrls }) => {
    const [tab] = await chrome.tabs.query({ url: pageUrl });
    if (!tab) throw new Error(`no tab with ${pageUrl}`);
    const ev = chrome.contextMenus.onClicked as unknown as { dispatch(info: object, tab: object): void };
    for (const srcUrl of srcUrls) {
      ev.dispatch({ menuItemId: 'pit-classify-image', srcUrl, pageUrl, frameId: 0, editable: false, mediaType: 'image' }, tab);
    }
  }, { pageUrl, srcUrls });
}

/** Stop every service worker (what Chrome does to an idle extension worker). */
export async function stopServiceWorkers(ext: ExtensionHandle, anyExtensionPage: Page): Promise<void> {
  const cdp = await ext.context.newCDPSession(anyExtensionPage);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

/** All records, read through a raw IndexedDB cursor from an extension page (test-side only). */
export async function readRecords(page: Page): Promise<Record<string, unknown>[]> {
  return page.evaluate(() => new Promise<Record<string, unknown>[]>((resolve, reject) => {
    const open = indexedDB.open('private-image-tagger');
    let missing = false;
    // Never create the database from the test: the extension's own upgrade must do that.
    open.onupgradeneeded = () => {
      missing = true;
      open.transaction?.abort();
    };
    open.onerror = () => (missing ? resolve([]) : reject(open.error));
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('inferences')) {
        db.close();
        resolve([]);
        return;
      }
      const req = db.transaction('inferences').objectStore('inferences').getAll();
      req.onsuccess = () => {
        db.close();
        resolve(req.result as Record<string, unknown>[]);
      };
      req.onerror = () => reject(req.error);
    };
  }));
}

export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await fn();
  }
  return last;
}
