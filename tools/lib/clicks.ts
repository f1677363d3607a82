/**
 * Reaching the built extension's real right-click path and its history from
 * Node (tests and benchmarks). Headless Chromium cannot open the native
 * context menu: `chrome.contextMenus.onClicked.dispatch` (undocumented,
 * present in Chromium 156) fires the registered listeners in the service
 * worker exactly as a click on "Classify image" would.
 */
import type { Page, Worker } from 'playwright-core';

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

/** All records, read through a raw IndexedDB cursor from an extension page or the worker (test-side only). */
export async function readRecords(from: Page | Worker): Promise<Record<string, unknown>[]> {
  return (from as Page).evaluate(() => new Promise<Record<string, unknown>[]>((resolve, reject) => {
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
