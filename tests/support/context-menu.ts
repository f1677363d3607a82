/**
 * Headless Chromium cannot open the native context menu. These helpers fire the
 * real registered chrome.contextMenus.onClicked listeners in the service worker
 * (`dispatch` is undocumented but present in Chromium 156), exactly as a click
 * on "Classify image" would, and stop the worker through CDP.
 */
import type { Page } from 'playwright-core';
import type { ExtensionHandle } from '../../tools/lib/extension';

/** Stop every service worker (what Chrome does to an idle extension worker). */
export async function stopServiceWorkers(ext: ExtensionHandle, anyExtensionPage: Page): Promise<void> {
  const cdp = await ext.context.newCDPSession(anyExtensionPage);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

export { clickClassify, readRecords, waitFor } from '../../tools/lib/clicks';
