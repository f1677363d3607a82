/**
 * No accepted click is lost: 200 right-clicks on 200 images while the service
 * worker is stopped 5 times and the offscreen document is closed once under
 * load (as a crash would) give exactly 200 records, 200 overlays and no
 * duplicates. A click counts as accepted once the worker has persisted it.
 */
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type ExtensionHandle } from '../../tools/lib/extension';
import { clickClassify, readRecords, stopServiceWorkers, waitFor } from '../support/context-menu';
import { layerCount } from '../support/overlay';
import { startTagFixture, type TagFixture } from './tag-fixtures';

let ext: ExtensionHandle;
let fx: TagFixture;
let page: Page;
let extPage: Page;

beforeAll(async () => {
  fx = await startTagFixture(200);
  ext = await launchExtension();
  page = await ext.context.newPage();
  await page.goto(fx.manyUrl);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete));
  extPage = await ext.page('src/options/options.html');
});
afterAll(async () => {
  await ext?.close();
  await fx?.close();
});

/** Image URLs the worker has accepted: persisted as pending, or already stored as records. */
async function accepted(sw: Worker): Promise<Set<string>> {
  const pending = await sw.evaluate(async () => Object.entries(await chrome.storage.session.get(null))
    .filter(([k]) => k.startsWith('pending:')).map(([, v]) => (v as { req: { image: { srcUrl: string } } }).req.image.srcUrl));
  const stored = (await readRecords(extPage)).map((r) => r.imageUrl as string);
  return new Set([...pending, ...stored]);
}

/** Stop the worker and return its successor, woken the way any extension page wakes it. */
async function restartWorker(sw: Worker): Promise<Worker> {
  const closed = new Promise<void>((resolve) => sw.once('close', () => resolve()));
  await stopServiceWorkers(ext, extPage);
  await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
  await extPage.evaluate(() => chrome.runtime.sendMessage({ target: 'background', name: 'background:tag-status', payload: { tabId: -1 } }).catch(() => undefined));
  const next = ext.context.serviceWorkers().find((w) => w !== sw && w.url().includes(ext.extensionId));
  return next ?? ext.worker();
}

describe('no click is lost', () => {
  it('200 clicks, the worker stopped 5 times and the offscreen document closed once: exactly 200 records and overlays', async () => {
    const urls = Array.from({ length: 200 }, (_, i) => `${fx.server.origin}/many/${i}.png`);
    let sw = await ext.worker();
    for (let b = 0; b < 5; b++) {
      const batch = urls.slice(b * 40, (b + 1) * 40);
      await clickClassify(sw, fx.manyUrl, batch);
      await waitFor(() => accepted(sw), (set) => batch.every((u) => set.has(u)), 30_000, `batch ${b} accepted`);
      if (b === 2) await sw.evaluate(() => chrome.offscreen.closeDocument().catch(() => undefined)); // a crash, not a polite close
      sw = await restartWorker(sw);
    }
    const recs = await waitFor(async () => {
      const r = await readRecords(extPage);
      return r.length >= 200 ? r : r.length;
    }, (r) => typeof r !== 'number', 120_000, '200 records') as Record<string, unknown>[];
    await new Promise((r) => setTimeout(r, 2_000)); // late duplicates would land now
    const final = await readRecords(extPage);
    expect(final).toHaveLength(200);
    expect(new Set(final.map((r) => r.requestId)).size).toBe(200);
    expect(new Set(final.map((r) => r.imageUrl)).size).toBe(200);
    expect(recs.filter((r) => r.error)).toEqual([]);
    await expect.poll(() => layerCount(page, '[data-pit-overlay] .chip:not(.pending)'), { timeout: 30_000 }).toBe(200);
    sw = await ext.worker();
    await expect.poll(() => sw.evaluate(async () => Object.keys(await chrome.storage.session.get(null)).filter((k) => k.startsWith('pending:')).length), { timeout: 20_000 }).toBe(0);
  }, 240_000);
});
