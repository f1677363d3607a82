/**
 * Page tagging on worker lanes (src/offscreen/worker-lanes.ts): a page of 40
 * images (three batches) is tagged at 2 threads, where two single-thread
 * sessions in two workers run the batches, and again at 1 thread, where the
 * document's own single-thread session runs them. Same ORT, same kernels:
 * every image must get the same labels and probabilities, and nothing may be
 * lost. Then the lane workers crash on the next batch they are sent: those
 * batches, and every later one, run on the document's session instead, and
 * the next job starts a fresh pair of lanes.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceRecord } from '../../src/core/record';
import type { TagProgress } from '../../src/lib/messages';
import { launchExtension, type ExtensionHandle } from '../../tools/lib/extension';
import { startServer, type Route, type TestServer } from '../../tools/lib/http-server';
import { encodeJpeg, synthetic } from '../../tools/lib/images';
import { offscreenDocument, offscreenWorkers, type OffscreenWorker } from '../support/cdp-targets';
import { layerCount } from '../support/overlay';
import { clickClassify, readRecords, waitFor } from '../support/context-menu';

const N = 40;
const SLOW = 12;
let ext: ExtensionHandle;
let server: TestServer;
/** The image clicked during the long job, on another origin: the browser's 6 connections per host are busy with the slow ones. */
let other: TestServer;

beforeAll(async () => {
  const routes: Record<string, Route> = {};
  const tags: string[] = [];
  for (let i = 0; i < N; i++) {
    routes[`/img/${i}.jpg`] = { type: 'image/jpeg', body: encodeJpeg(96, 64, synthetic(96, 64, i + 1)) };
    tags.push(`<img src="/img/${i}.jpg" width="96" height="64" alt="">`);
  }
  routes['/page.html'] = { type: 'text/html', body: `<!doctype html><html><body>${tags.join('')}</body></html>` };
  // A page whose images take 3 s each to arrive (a long tagging job), and one fast image to click.
  other = await startServer({ '/fast.jpg': { type: 'image/jpeg', body: encodeJpeg(96, 64, synthetic(96, 64, 7)) } });
  const slow: string[] = [`<img id="fast" src="${other.origin}/fast.jpg" width="96" height="64" alt="">`];
  for (let i = 0; i < SLOW; i++) {
    routes[`/slow/${i}.jpg`] = { type: 'image/jpeg', body: encodeJpeg(96, 64, synthetic(96, 64, 100 + i)), delayMs: 3_000 };
    slow.push(`<img src="/slow/${i}.jpg" width="96" height="64" alt="">`);
  }
  routes['/slow.html'] = { type: 'text/html', body: `<!doctype html><html><body>${slow.join('')}</body></html>` };
  server = await startServer(routes);
  ext = await launchExtension();
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
  await other?.close();
});

async function setThreads(n: number): Promise<void> {
  const options = await ext.page('src/options/options.html');
  await options.waitForFunction(() => document.documentElement.dataset.ready === '1');
  await options.selectOption('#threads', String(n));
  await options.waitForFunction(() => (document.getElementById('saved')?.textContent ?? '') !== '');
  await options.close();
}

/** Tags the page from its popup and returns that job's records, keyed by image URL. */
async function tag(url: string): Promise<{ progress: TagProgress; records: Map<string, InferenceRecord>; count: number }> {
  const sw = await ext.worker();
  const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, url);
  const popup = await ext.page(`src/popup/popup.html?tab=${tabId}`);
  const before = new Set(((await readRecords(popup)) as unknown as InferenceRecord[]).map((r) => r.requestId));
  const progress = await popup.evaluate(async (tab) => {
    const done = new Promise<TagProgress>((resolve) => {
      chrome.runtime.onMessage.addListener((m: { name?: string; payload?: TagProgress }) => {
        if (m?.name === 'background:tag-progress' && m.payload?.tabId === tab && m.payload.finished) resolve(m.payload);
      });
    });
    await chrome.runtime.sendMessage({ target: 'background', name: 'background:tag-page', payload: { tabId: tab } });
    return done;
  }, tabId);
  const mine = ((await readRecords(popup)) as unknown as InferenceRecord[]).filter((r) => !before.has(r.requestId));
  await popup.close();
  return { progress, records: new Map(mine.map((r) => [r.imageUrl, r])), count: mine.length };
}

/** A tab on one of the test pages, its images loaded. */
async function openPage(path: string): Promise<{ page: Page; url: string }> {
  const page = await ext.context.newPage();
  const url = `${server.origin}${path}`;
  await page.goto(url);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete));
  return { page, url };
}

/** The offscreen document's lane workers now (its other workers, e.g. ORT's threads, are left out). */
async function laneWorkers(page: Page): Promise<{ lanes: OffscreenWorker[]; close(): Promise<void> }> {
  const { workers, close } = await offscreenWorkers(page);
  return { lanes: workers.filter((w) => w.url.includes('infer-worker')), close };
}

describe('page tagging on worker lanes', () => {
  it('labels every image as the document session does, at 1 thread per lane on 2 threads', async () => {
    const { page, url } = await openPage('/page.html');

    await setThreads(2);
    const lanes = await tag(url);
    expect(lanes.progress).toMatchObject({ total: N, done: N, failed: 0, finished: true });
    expect(lanes.records.size).toBe(N);
    const onLanes = [...lanes.records.values()];
    expect(onLanes.every((r) => !r.error && r.top5.length === 5 && r.backend === 'wasm')).toBe(true);
    expect(new Set(onLanes.map((r) => r.threads))).toEqual(new Set([1])); // each lane's single thread, not the setting's 2

    await setThreads(1);
    const doc = await tag(url);
    expect(doc.records.size).toBe(N);
    const left = await laneWorkers(page);
    await left.close();
    expect(left.lanes).toHaveLength(0); // a job at another setting closed the idle lanes (each holds a copy of the model)
    for (const [src, r] of lanes.records) {
      const d = doc.records.get(src);
      expect(d, src).toBeDefined();
      expect(r.top5.map((p) => p.label)).toEqual(d!.top5.map((p) => p.label));
      for (let k = 0; k < 5; k++) expect(Math.abs(r.top5[k]!.prob - d!.top5[k]!.prob)).toBeLessThan(1e-5);
    }
    await page.close();
  });

  it('retries the batches of a lane whose worker crashes on the document session, losing none, and starts fresh lanes after', async () => {
    const { page, url } = await openPage('/page.html');
    await setThreads(2);
    const first = await tag(url);
    expect(new Set([...first.records.values()].map((r) => r.threads))).toEqual(new Set([1]));

    // Both lane workers throw outside their message handler on the next batch they get: an uncaught error, which is
    // what the document sees of a worker that crashed (the batch never answers). The first crash drops the pair.
    const armedLanes = await laneWorkers(page);
    try {
      expect(armedLanes.lanes).toHaveLength(2);
      for (const lane of armedLanes.lanes) {
        expect(await lane.evaluate(`(() => {
          const handle = self.onmessage;
          self.onmessage = (e) => {
            if (e.data && e.data.kind === 'run') { setTimeout(() => { throw new Error('lane crashed by the test'); }); return; }
            return handle(e);
          };
          self.crashArmed = true;
          return 'armed';
        })()`)).toBe('armed');
      }
    } finally {
      await armedLanes.close();
    }

    const hit = await tag(url);
    expect(hit.progress).toMatchObject({ total: N, done: N, failed: 0, finished: true });
    expect(hit.count).toBe(N); // one record per image, none lost
    const retried = [...hit.records.values()];
    expect(retried.every((r) => !r.error && r.top5.length === 5)).toBe(true);
    // No lane answered: every batch, the crashed ones included, ran on the document's 2-thread session.
    expect(new Set(retried.map((r) => r.threads))).toEqual(new Set([2]));
    for (const [src, r] of first.records) {
      expect(hit.records.get(src)?.top5.map((p) => p.label), src).toEqual(r.top5.map((p) => p.label));
    }

    const after = await tag(url);
    expect(after.progress).toMatchObject({ total: N, done: N, failed: 0 });
    expect(new Set([...after.records.values()].map((r) => r.threads))).toEqual(new Set([1])); // a fresh pair of lanes
    const fresh = await laneWorkers(page);
    try {
      expect(fresh.lanes).toHaveLength(2); // the crashed pair is gone, a new pair runs
      for (const lane of fresh.lanes) expect(await lane.evaluate('self.crashArmed === true')).toBe(false);
    } finally {
      await fresh.close();
    }
    await page.close();
  });

  it('a full history keeps no batch from the page: every image gets its chip, and the popup says how many were not saved', async () => {
    const warm = await openPage('/page.html');
    await setThreads(2); // lanes: every batch is stored while others still infer
    const room = await tag(warm.url); // with room in the history (this also opens the document at this setting)
    expect(room.count).toBe(N);
    await warm.page.close();
    const { page, url } = await openPage('/page.html'); // a fresh tab: no chips yet
    expect(await layerCount(page, '.tag-chip')).toBe(0);
    // Then the history refuses every record, as IndexedDB does when the disk or the origin's quota is full.
    const doc = await offscreenDocument(page);
    const reader = await ext.page('src/options/options.html');
    const stored = async () => ((await readRecords(reader)) as unknown as InferenceRecord[]).length;
    const n0 = await stored();
    try {
      expect(await doc.evaluate(`(() => {
        const add = IDBObjectStore.prototype.add;
        self.restoreAdd = () => { IDBObjectStore.prototype.add = add; };
        IDBObjectStore.prototype.add = function (...args) {
          if (this.name === 'inferences') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          return add.apply(this, args);
        };
        return 'full';
      })()`)).toBe('full');
      const sw = await ext.worker();
      const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, url);
      const popup = await ext.page(`src/popup/popup.html?tab=${tabId}`);
      await popup.locator('#tag-page').click();
      const status = await waitFor(() => popup.locator('#tag-status').innerText(), (t) => t.startsWith('Done'), 60_000, 'the job done');
      // Tagged to the end (it used to stop at the first refused batch and fail the rest unlabelled).
      expect(status).toMatch(new RegExp(`^Done: ${N} of ${N} · .* · ${N} not saved to the history: .*quota`));
      expect(status).not.toMatch(/failed/);
      await expect.poll(() => layerCount(page, '.tag-chip')).toBe(N);
      await popup.screenshot({ path: 'test-results/popup-history-full.png' });
      await popup.close();
      expect(await stored()).toBe(n0);
    } finally {
      await doc.evaluate('self.restoreAdd?.()').catch(() => undefined);
      await doc.close();
    }
    await reader.close();
    await page.close();
  });

  it('a thread change during a long tagging job holds back no click; the new count applies once the job is done', async () => {
    const { page, url } = await openPage('/slow.html');
    const reader = await ext.page('src/options/options.html');
    const clicks = async (src: string) => ((await readRecords(reader)) as unknown as InferenceRecord[]).filter((r) => r.source === 'click' && r.imageUrl === src);
    const fast = `${other.origin}/fast.jpg`;
    await setThreads(2);
    let jobDone = false;
    const job = tag(url).then((r) => {
      jobDone = true;
      return r;
    });
    job.catch(() => undefined); // awaited below; a failure before that must not surface as an unhandled rejection
    // The job is running in the document once it fetches the slow images (the page's own load was the first request of each).
    await waitFor(async () => [...server.hits].filter(([k, n]) => k.startsWith('/slow/') && n >= 2).length, (n) => n > 0, 30_000, 'the job fetching');
    await setThreads(1);
    const t0 = Date.now();
    await clickClassify(await ext.worker(), url, [fast]);
    const during = await waitFor(() => clicks(fast), (r) => r.length === 1, 30_000, 'the click during the job');
    const waited = Date.now() - t0;
    expect(jobDone).toBe(false); // answered while the job still runs, not after it
    expect(during[0]!.error).toBeUndefined();
    expect(during[0]!.top5).toHaveLength(5);
    const done = await job;
    expect(done.progress).toMatchObject({ total: SLOW + 1, done: SLOW + 1, failed: 0 });
    // The document asks to be closed once idle; the next click runs on a fresh one with the new count.
    await waitFor(async () => (await ext.worker()).evaluate(async () => (await chrome.runtime.getContexts({ contextTypes: [chrome.runtime.ContextType.OFFSCREEN_DOCUMENT] })).length),
      (n) => n === 0, 15_000, 'the old document closed');
    await clickClassify(await ext.worker(), url, [fast]);
    const after = await waitFor(() => clicks(fast), (r) => r.length === 2, 60_000, 'the click after the job');
    expect(after.sort((a, b) => a.time - b.time)[1]).toMatchObject({ threads: 1, backend: 'wasm' }); // the fresh runtime's count
    console.log(`click during a long tagging job after a thread change: answered in ${waited} ms`);
    await reader.close();
    await page.close();
  });

  it('a second "Tag this page" while one runs follows it, and leaving the page stops the job', async () => {
    const { page, url } = await openPage('/slow.html');
    const hitsBefore = [...server.hits].filter(([k]) => k.startsWith('/slow/')).reduce((n, [, v]) => n + v, 0);
    const job = tag(url);
    job.catch(() => undefined);
    await waitFor(async () => [...server.hits].filter(([k]) => k.startsWith('/slow/')).reduce((n, [, v]) => n + v, 0) - hitsBefore, (n) => n > 0, 30_000, 'the job fetching');
    // Asked again (another popup, a double click): the running job, not a second one.
    const sw = await ext.worker();
    const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, url);
    const reader = await ext.page('src/options/options.html');
    const again = await reader.evaluate((tab) => chrome.runtime.sendMessage({ target: 'background', name: 'background:tag-page', payload: { tabId: tab } }), tabId) as { jobId: string; total: number };
    expect(again.total).toBe(SLOW + 1);
    // The user goes elsewhere: the job ends, cancelled, short of its images.
    await page.goto(`${server.origin}/page.html`);
    const { progress, records } = await job;
    expect(progress.jobId).toBe(again.jobId);
    expect(progress).toMatchObject({ finished: true, cancelled: true });
    expect(progress.done).toBeLessThan(SLOW + 1);
    const all = (await readRecords(reader)) as unknown as InferenceRecord[];
    const slowRecords = all.filter((r) => r.requestId.startsWith(`${progress.jobId}:`));
    expect(slowRecords.length).toBe(records.size); // one job's records only, none twice
    expect(slowRecords.length).toBeLessThan(SLOW + 1);
    await reader.close();
    await page.close();
  });
});
