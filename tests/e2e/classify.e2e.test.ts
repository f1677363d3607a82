/**
 * The whole right-click path in real headless Chromium against the built
 * extension: context-menu listener → worker → offscreen (ORT Web) → IndexedDB →
 * overlay → popup. Then a worker restart and a burst of 50 clicks.
 */
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickClassify, readRecords, stopServiceWorkers, waitFor } from '../support/context-menu';
import { storedUrl } from '../../src/core/record';
import { launchExtension, type ExtensionHandle } from '../../tools/lib/extension';
import { startFixture, type Fixture } from './fixtures';
import { inLayer, layerAttr, layerBox, layerClick, layerCount, layerText, layerVisible } from '../support/overlay';

let ext: ExtensionHandle;
let fx: Fixture;
let page: Page;
let extPage: Page;
let sw: Worker;
let blobUrl: string;

interface Rec {
  requestId: string; imageUrl: string; modelId: string; backend: string; threads: number; batchSize: number; pageUrl: string;
  top5: { label: string; prob: number }[]; timings: Record<string, number>; error?: string; errorStage?: string;
  coldStart: boolean; sessionCreateMs?: number; time: number;
}
const records = async () => (await readRecords(extPage)) as unknown as Rec[];

/** Selector of the overlay of one classification, inside the closed layer (each overlay carries its requestId). */
const ov = (id: string, inner = '') => `[data-pit-overlay="${id}"]${inner ? ` ${inner}` : ''}`;

beforeAll(async () => {
  fx = await startFixture();
  ext = await launchExtension();
  sw = await ext.worker();
  page = await ext.context.newPage();
  await page.goto(fx.pageUrl);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.src));
  blobUrl = await page.evaluate(() => (document.getElementById('blob') as HTMLImageElement).src);
  extPage = await ext.page('src/options/options.html');
});

afterAll(async () => {
  await ext?.close();
  await fx?.close();
});

describe('right-click → classify', () => {
  const good = ['png', 'jpeg', 'cross', 'data', 'large'] as const;
  const bad = ['broken', 'corrupt'] as const;

  it('shows an overlay and stores one timed record per click, errors included', async () => {
    const before = await page.evaluate(() => {
      const r = document.getElementById('png')!.getBoundingClientRect();
      return { x: r.x, y: r.y, w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight };
    });
    const urls = [...good.map((k) => fx.images[k]), blobUrl, ...bad.map((k) => fx.images[k])];
    await clickClassify(sw, fx.pageUrl, urls);
    const recs = await waitFor(records, (r) => r.length >= urls.length, 90_000, 'one record per click');
    expect(recs).toHaveLength(urls.length);

    // Overlays: every image got one, and none is still pending.
    await expect.poll(() => layerCount(page, '[data-pit-overlay] .chip.pending'), { timeout: 30_000 }).toBe(0);
    expect(await layerCount(page, '[data-pit-overlay]')).toBe(urls.length);

    const sources: Record<string, string> = { ...Object.fromEntries(good.map((k) => [k, fx.images[k]])), blob: blobUrl };
    for (const [k, url] of Object.entries(sources)) {
      const rec = recs.find((r) => r.imageUrl === storedUrl(url));
      expect(rec, k).toBeDefined();
      expect(rec!.error, `${k}: ${rec!.error}`).toBeUndefined();
      expect(rec!.top5).toHaveLength(5);
      const probs = rec!.top5.map((p) => p.prob);
      expect([...probs].sort((a, b) => b - a)).toEqual(probs);
      expect(probs.reduce((a, b) => a + b)).toBeLessThanOrEqual(1.0001);
      for (const step of ['fetch', 'decodeResize', 'preprocess', 'inference', 'postprocess', 'total']) {
        expect(rec!.timings[step], `${k} ${step}`).toBeGreaterThan(0);
      }
      expect(rec!.timings.total).toBeGreaterThanOrEqual(rec!.timings.inference ?? Number.POSITIVE_INFINITY);
      expect(rec!.backend).toBe('wasm');
      expect(rec!.threads).toBeGreaterThanOrEqual(1);
      expect(rec!.batchSize).toBe(1);
      expect(rec!.pageUrl).toBe(fx.pageUrl);
      const text = (await layerText(page, ov(rec!.requestId, '.chip'))) ?? '';
      expect(text).toContain(rec!.top5[0]!.label.replaceAll('_', ' '));
      expect(text).toMatch(/\d+(\.\d)?%/);
      expect(text).toMatch(/\d+(\.\d+)? ms/);
    }
    // At most one request waited for the session (the install warm-up may have made it first), and it says how long that took.
    const cold = recs.filter((r) => r.coldStart);
    expect(cold.length).toBeLessThanOrEqual(1);
    for (const c of cold) expect(c.sessionCreateMs).toBeGreaterThan(0);

    const broken = recs.find((r) => r.imageUrl === fx.images.broken)!;
    expect(broken.error).toMatch(/HTTP 404/);
    expect(broken.errorStage).toBe('fetch');
    expect(await layerText(page, ov(broken.requestId, '.chip'))).toMatch(/Couldn't classify: could not fetch the image: HTTP 404/);
    const corrupt = recs.find((r) => r.imageUrl === fx.images.corrupt)!;
    expect(corrupt.errorStage).toBe('decode');
    expect(await layerText(page, ov(corrupt.requestId, '.chip'))).toMatch(/could not decode the image/);

    const after = await page.evaluate(() => {
      const r = document.getElementById('png')!.getBoundingClientRect();
      return { x: r.x, y: r.y, w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight };
    });
    expect(after).toEqual(before); // overlays never shift the page's layout
    await page.screenshot({ path: 'test-results/overlays.png' });
  });

  it('times a click from the click itself: every phase in the record, the whole wait on the overlay', async () => {
    const n0 = (await records()).length;
    await clickClassify(sw, fx.pageUrl, [fx.images.jpeg]);
    const rec = (await waitFor(records, (r) => r.length === n0 + 1, 60_000, 'record')).at(-1)!;
    const t = rec.timings;
    for (const step of ['dispatch', 'fetch', 'decodeResize', 'preprocess', 'inference', 'postprocess', 'total', 'thumbnail']) {
      expect(t[step], step).toBeGreaterThan(0);
    }
    for (const step of ['queue', 'session']) expect(t[step], step).toBeGreaterThanOrEqual(0);
    // The phases are the parts of the wait: they add up to no more than it, and the wait is far more than session.run.
    const parts = ['dispatch', 'fetch', 'decodeResize', 'preprocess', 'queue', 'session', 'inference', 'postprocess'].reduce((a, k) => a + (t[k] ?? 0), 0);
    expect(parts).toBeLessThanOrEqual(t.total! + 0.5);
    expect(parts).toBeGreaterThan(0.8 * t.total!);
    expect(t.total).toBeGreaterThan(t.inference! + t.dispatch!);
    await expect.poll(() => layerCount(page, ov(rec.requestId, '.chip .ms'))).toBe(1);
    const shown = Number(((await layerText(page, ov(rec.requestId, '.chip .ms'))) ?? '').replace(' ms', ''));
    // The overlay shows click → label as the page saw it: at least the record's total (rounded), never session.run alone.
    expect(shown).toBeGreaterThanOrEqual(Math.floor(t.total! * 0.99));
    expect(shown).toBeGreaterThan(t.inference!);
    expect(await layerAttr(page, ov(rec.requestId, '.chip .ms'), 'title')).toMatch(/from your click to this label \(session\.run [\d.]+ ms\)/);
    await layerClick(page, ov(rec.requestId, 'button.chip'));
    const timing = await layerText(page, ov(rec.requestId, '.panel .timing'));
    expect(timing).toMatch(/^Label in [\d.]+ ms: start [\d.]+ ms · fetch [\d.]+ ms · decode [\d.]+ ms .*session\.run [\d.]+ ms/);
    await layerClick(page, ov(rec.requestId, 'button.chip')); // collapse again (Esc would close every overlay the next test needs)
  });

  it('expands to the top-5 on click and closes with Esc', async () => {
    const rec = (await records()).find((r) => r.imageUrl === fx.images.png)!;
    const o = (inner: string) => ov(rec.requestId, inner);
    const hostileFontSize = await inLayer(page, (r, sel) => getComputedStyle(r!.querySelector(sel)!).fontSize, o('.chip'));
    expect(hostileFontSize).toBe('12px'); // the page's `* { font-size: 40px !important }` did not reach it
    await layerClick(page, o('button.chip'));
    await expect.poll(() => layerCount(page, o('.panel li'))).toBe(5);
    expect(await layerVisible(page, o('.panel'))).toBe(true);
    expect(await layerAttr(page, o('button.chip'), 'aria-expanded')).toBe('true');
    await page.screenshot({ path: 'test-results/overlay-expanded.png' });
    await page.keyboard.press('Escape');
    await expect.poll(() => layerCount(page, '[data-pit-overlay]')).toBe(0);
  });

  it('follows its image when the page scrolls, closes with ×, and an expanded panel never grows the page', async () => {
    await page.setViewportSize({ width: 900, height: 500 });
    const size = () => page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
    const before = await size();
    const n0 = (await records()).length;
    await clickClassify(sw, fx.pageUrl, [fx.images.large]);
    const rec = (await waitFor(records, (r) => r.length === n0 + 1, 60_000, 'record')).at(-1)!;
    const o = (inner: string) => ov(rec.requestId, inner);
    const gap = async () => {
      const img = await page.locator('#large').boundingBox();
      const chip = await layerBox(page, o('.chip'));
      return [Math.round(chip!.x - img!.x), Math.round(chip!.y - img!.y)];
    };
    await page.evaluate(() => document.getElementById('large')!.scrollIntoView({ block: 'end' }));
    await expect.poll(gap).toEqual([4, 4]);
    await page.mouse.wheel(0, 60);
    await expect.poll(gap).toEqual([4, 4]);
    // Expanded near the bottom edge: the panel moves up to stay visible, the page does not grow.
    await layerClick(page, o('button.chip'));
    await expect.poll(() => layerVisible(page, o('.panel'))).toBe(true);
    const box = await layerBox(page, ov(rec.requestId));
    expect(box!.y + box!.height).toBeLessThanOrEqual(500);
    expect(await size()).toEqual(before);
    await page.screenshot({ path: 'test-results/overlay-bottom.png' });
    await layerClick(page, o('.panel button.close'));
    await expect.poll(() => layerCount(page, ov(rec.requestId))).toBe(0);
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('lists recent classifications and latency statistics in the popup', async () => {
    const popup = await ext.page('src/popup/popup.html');
    const all = await records();
    const n = all.length;
    const colds = all.filter((r) => r.coldStart && !r.error).length;
    await expect.poll(() => popup.locator('#recent li').count()).toBe(n);
    const rows = popup.locator('#stats tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    const cells = await rows.first().locator('td').allInnerTexts();
    expect(cells[0]).toMatch(/^resnet20-/);
    // Every click ran at the default thread count; the batch cell says they were right-clicks (timed from the click).
    expect(new Set(all.filter((r) => !r.error).map((r) => r.threads)).size).toBe(1);
    expect(cells[1]).toBe(`wasm ×${all.find((r) => !r.error)!.threads}`);
    expect(cells[2]).toBe('1\nclick');
    // The two failed requests and a cold start (if a click waited for the session) are not warm latency samples.
    expect(Number(cells[3])).toBe(n - 2 - colds);
    // Whole request first (median, p95, min, mean), then session.run: the wait is longer than the model.
    for (const c of cells.slice(4, 12)) expect(Number(c)).toBeGreaterThan(0);
    expect(Number(cells[4])).toBeGreaterThan(Number(cells[8]));
    expect(await popup.locator('#stats thead').innerText()).toMatch(/whole request[\s\S]*session\.run/);
    expect(cells[12]).toMatch(colds ? new RegExp(`^\\d+(\\.\\d+)? \\(${colds}\\)$`) : /^–$/);
    expect(await popup.locator('#stats-note').innerText()).toMatch(colds ? /1 cold-start request.*2 failed request/ : /2 failed request/);
    expect(await popup.locator('#recent li .err').count()).toBe(2);
    expect(await popup.locator('#recent li img').count()).toBeGreaterThanOrEqual(n - 2);
    await popup.setViewportSize({ width: 600, height: 700 });
    await popup.screenshot({ path: 'test-results/popup.png' });
    await popup.close();
  });
});

describe('service-worker restart', () => {
  it('finishes a classification when the worker is stopped mid-request, and works after restart', async () => {
    const n0 = (await records()).length;
    await sw.evaluate(() => Object.assign(globalThis, { __pitTestMarker: 1 }));
    // The image server answers /slow.jpg after 1.5 s, so the worker is stopped while
    // the request is in flight; the offscreen result message then has to wake a new worker.
    await clickClassify(sw, fx.pageUrl, [fx.images.slow]);
    await waitFor(async () => fx.site.hits.get('/slow.jpg') ?? 0, (n) => n >= 2, 20_000, 'slow image requested by the extension');
    await stopServiceWorkers(ext, extPage);
    await waitFor(records, (r) => r.length === n0 + 1, 60_000, 'record after stop');
    await expect.poll(() => layerCount(page, '[data-pit-overlay] .chip:not(.pending)'), { timeout: 30_000 }).toBe(1);

    await stopServiceWorkers(ext, extPage);
    // Wake the worker the way Chrome would on a click; its listeners must be registered at start.
    await extPage.evaluate(() => chrome.runtime.sendMessage({ target: 'background', name: 'background:wake-probe', payload: null }).catch(() => null));
    sw = await ext.worker();
    // A fresh worker: nothing survived from the previous one but what is in storage.
    expect(await sw.evaluate(() => (globalThis as { __pitTestMarker?: number }).__pitTestMarker ?? 'fresh')).toBe('fresh');
    await clickClassify(sw, fx.pageUrl, [fx.images.cross]);
    const recs = await waitFor(records, (r) => r.length === n0 + 2, 60_000, 'record after restart');
    expect(recs.at(-1)!.error).toBeUndefined();
  });
});

describe('burst', () => {
  it('50 quick clicks give exactly 50 records', async () => {
    const n0 = (await records()).length;
    const urls = Array.from({ length: 50 }, (_, i) => [fx.images.png, fx.images.jpeg, fx.images.cross, fx.images.data][i % 4]!);
    await clickClassify(sw, fx.pageUrl, urls);
    const recs = await waitFor(records, (r) => r.length >= n0 + 50, 120_000, '50 records');
    await new Promise((r) => setTimeout(r, 1000)); // and no duplicates trickle in afterwards
    const all = await records();
    expect(all.length).toBe(n0 + 50);
    expect(new Set(all.map((r) => r.requestId)).size).toBe(all.length);
    expect(recs.slice(n0).every((r) => !r.error)).toBe(true);
  });
});

describe('settings', () => {
  it('WebGPU without an adapter falls back to WASM, says so, and records what was used', async () => {
    const options = await ext.page('src/options/options.html');
    await options.waitForFunction(() => document.documentElement.dataset.ready === '1');
    await expect.poll(() => options.locator('#gpu-info').innerText()).toMatch(/No WebGPU adapter|no WebGPU/);
    await options.locator('input[name=backend][value=webgpu]').check();
    await expect.poll(() => options.locator('#saved').innerText()).toMatch(/Saved/);
    await options.screenshot({ path: 'test-results/options.png', fullPage: true });
    await options.close();

    const n0 = (await records()).length;
    sw = await ext.worker();
    await clickClassify(sw, fx.pageUrl, [fx.images.png]);
    const recs = await waitFor(records, (r) => r.length === n0 + 1, 60_000, 'webgpu-fallback record');
    const rec = recs.at(-1) as Rec & { requestedBackend?: string; fallbackReason?: string };
    expect(rec.error).toBeUndefined();
    expect(rec.backend).toBe('wasm');
    expect(rec.requestedBackend).toBe('webgpu');
    expect(rec.fallbackReason).toMatch(/WebGPU unavailable/);
    await layerClick(page, ov(rec.requestId, 'button.chip'));
    expect(await inLayer(page, (r, sel) => [...r!.querySelectorAll(sel)].map((e) => (e as HTMLElement).innerText), ov(rec.requestId, '.note'))).toContainEqual(expect.stringMatching(/used WASM instead/));

    const popup = await ext.page('src/popup/popup.html');
    await expect.poll(() => popup.locator('#status').innerText()).toMatch(/WEBGPU/);
    await popup.close();
  });
});

describe('hostile input and lifecycle', () => {
  const offscreenCount = () => sw.evaluate(async () => (await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT' as chrome.runtime.ContextType] })).length);
  const pit = <T>(fn: string, ...args: unknown[]) => sw.evaluate(async ({ fn, args }) => {
    const api = (globalThis as unknown as { pit: Record<string, (...a: unknown[]) => Promise<unknown>> }).pit;
    try {
      return { ok: true, value: await api[fn]!(...args) };
    } catch (e) {
      return { ok: false, error: String(e) };
    }
  }, { fn, args }) as Promise<{ ok: boolean; value?: T; error?: string }>;

  it('refuses a malformed request with a clear error and keeps working', async () => {
    sw = await ext.worker();
    const bad = await pit('sendOffscreen', 'offscreen:classify', { requestId: 'x', image: { pageUrl: 'p' }, modelId: '', backend: 'cuda', threads: 0 });
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/malformed classify request: (image\.srcUrl|backend)/);
    const n0 = (await records()).length;
    await clickClassify(sw, fx.pageUrl, [fx.images.png]);
    await waitFor(records, (r) => r.length === n0 + 1, 60_000, 'record after malformed message');
  });

  it('classifies SVG (with a charset in its type) and refuses a decompression bomb before decoding it', async () => {
    const svg = (w: number, h: number) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="100%" height="100%" fill="#2a7"/><circle cx="50%" cy="50%" r="30%" fill="#fd0"/></svg>`)}`;
    const n0 = (await records()).length;
    await clickClassify(sw, fx.pageUrl, [svg(120, 90), svg(20000, 20000)]);
    const recs = (await waitFor(records, (r) => r.length === n0 + 2, 60_000, 'svg records')).slice(n0);
    const ok = recs.find((r) => r.imageUrl.includes('width%3D%22120'))!;
    expect(ok.error).toBeUndefined();
    expect(ok.top5).toHaveLength(5);
    const bomb = recs.find((r) => r.imageUrl.includes('width%3D%2220000'))!;
    expect(bomb.errorStage).toBe('decode');
    expect(bomb.error).toMatch(/too large \(20000x20000 px/);
  });

  it('the offscreen document refuses to close while working, closes when idle, and comes back on demand', async () => {
    const n0 = (await records()).length;
    expect(await offscreenCount()).toBe(1);
    await clickClassify(sw, fx.pageUrl, [fx.images.slow]);
    await new Promise((r) => setTimeout(r, 300)); // the request is now downloading the slow image
    expect((await pit('closeOffscreen', false)).ok).toBe(true);
    expect(await offscreenCount()).toBe(1); // busy: it said no
    await waitFor(records, (r) => r.length === n0 + 1, 60_000, 'slow record');
    expect((await pit('closeOffscreen', false)).ok).toBe(true);
    expect(await offscreenCount()).toBe(0); // idle: closed
    await clickClassify(sw, fx.pageUrl, [fx.images.jpeg]);
    const recs = await waitFor(records, (r) => r.length === n0 + 2, 60_000, 'record on a fresh offscreen document');
    expect(recs.at(-1)!.error).toBeUndefined();
    expect(recs.at(-1)!.coldStart).toBe(true);
    expect(await offscreenCount()).toBe(1);
  });

  /** Send one content message to the page's content script from the worker, as the extension does. */
  async function toPage(name: string, payload: unknown): Promise<unknown> {
    const w = await ext.worker();
    return w.evaluate(async ({ url, name, payload }) => {
      const [tab] = await chrome.tabs.query({ url });
      return chrome.tabs.sendMessage(tab!.id!, { target: 'content', name, payload }, { frameId: 0 });
    }, { url: fx.pageUrl, name, payload });
  }
  const fakeRecord = (requestId: string, label: string) => ({
    requestId, imageUrl: fx.images.png, pageUrl: fx.pageUrl, modelId: 'resnet20-pit', backend: 'wasm', threads: 2, batchSize: 1,
    top5: [{ index: 0, label, prob: 0.9 }], coldStart: false, time: Date.now(),
    timings: { dispatch: 1, fetch: 1, decodeResize: 1, preprocess: 0, queue: 0, inference: 1, postprocess: 0, total: 5 },
  });

  it("never lets an older click's late result replace a newer click's overlay, and finds a replayed result whose URL was cut", async () => {
    await page.bringToFront();
    await page.keyboard.press('Escape'); // no overlay left from the tests above
    const src = fx.images.png;
    const t0 = Date.now();
    await toPage('content:pending', { requestId: 'click-older', srcUrl: src, clickedAt: t0 });
    await toPage('content:pending', { requestId: 'click-newer', srcUrl: src, clickedAt: t0 + 1_000 });
    await toPage('content:result', { requestId: 'click-newer', srcUrl: src, clickedAt: t0 + 1_000, record: fakeRecord('click-newer', 'apple'), notes: [] });
    // The older click's cloud comparison completes late: it must not take the image's overlay back.
    await toPage('content:result', { requestId: 'click-older', srcUrl: src, clickedAt: t0, record: fakeRecord('click-older', 'bear'), notes: ['sent to the cloud'] });
    expect(await layerCount(page, ov('click-older'))).toBe(0);
    expect(await layerText(page, ov('click-newer', '.chip .label'))).toBe('apple');

    // A replayed request of a huge data: image carries its URL cut to 256 characters: same overlay, no second one.
    const jpeg = fx.images.jpeg;
    await toPage('content:pending', { requestId: 'click-cut', srcUrl: jpeg, clickedAt: t0 + 2_000 });
    await toPage('content:result', { requestId: 'click-cut', srcUrl: jpeg.slice(0, 20), clickedAt: t0 + 2_000, record: fakeRecord('click-cut', 'bear'), notes: [] });
    expect(await layerCount(page, ov('click-cut'))).toBe(1);
    expect(await layerCount(page, ov('click-cut', '.chip.pending'))).toBe(0);
    expect(await layerText(page, ov('click-cut', '.chip .label'))).toBe('bear');
    await page.keyboard.press('Escape');
  });

  it('a request unanswered 120 s after the click ends as an error record and an error on the page, not a spinner', async () => {
    await page.bringToFront();
    await page.keyboard.press('Escape');
    const requestId = 'given-up-1';
    const clickedAt = Date.now() - 121_000;
    await toPage('content:pending', { requestId, srcUrl: fx.images.png, clickedAt });
    // What a request left behind looks like to a freshly started worker: persisted, unanswered, 121 s old.
    const w = await ext.worker();
    await w.evaluate(async ({ url, requestId, src, clickedAt }) => {
      const [tab] = await chrome.tabs.query({ url });
      const req = { requestId, image: { srcUrl: src, pageUrl: url }, modelId: '', backend: 'wasm', threads: 2, clickedAt, replyTo: { tabId: tab!.id!, frameId: 0 } };
      await chrome.storage.session.set({ [`pending:${requestId}`]: { req, first: clickedAt, at: 0 } });
    }, { url: fx.pageUrl, requestId, src: fx.images.png, clickedAt });
    await stopServiceWorkers(ext, extPage);
    await extPage.evaluate(() => chrome.runtime.sendMessage({ target: 'background', name: 'background:wake-probe', payload: null }).catch(() => null));
    const recs = await waitFor(records, (r) => r.some((x) => x.requestId === requestId), 30_000, 'give-up record');
    const rec = recs.find((x) => x.requestId === requestId)!;
    expect(rec).toMatchObject({ errorStage: 'offscreen' });
    expect(rec.error).toMatch(/no answer from the classifier within 120 s/);
    await expect.poll(() => layerText(page, ov(requestId, '.chip')), { timeout: 15_000 }).toMatch(/Couldn't classify: no answer from the classifier within 120 s/);
    expect(await layerCount(page, ov(requestId, '.chip.pending'))).toBe(0);
    expect(await (await ext.worker()).evaluate(async (id) => Object.keys(await chrome.storage.session.get(null)).filter((k) => k.includes(id)), requestId)).toEqual([]);
    await page.keyboard.press('Escape');
  });
});
