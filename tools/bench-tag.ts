/**
 * `npm run bench:tag`: tag a local page of N images (default 200) with the
 * built extension in headless Chromium, end to end (collect → fetch → decode →
 * infer → store), several times, and print images/s end to end and the
 * inference-only rate at the batch size used. Medians over the runs.
 *
 *   npm run bench:tag -- [--images 200] [--runs 3] [--size 320x240]
 */
import { parseArgs } from 'node:util';
import { summarize } from '../src/core/stats';
import type { TagProgress } from '../src/lib/messages';
import { launchExtension } from './lib/extension';
import { startServer, type Route } from './lib/http-server';
import { encodeJpeg, synthetic } from './lib/images';

const { values: o } = parseArgs({ options: { images: { type: 'string', default: '200' }, runs: { type: 'string', default: '3' }, size: { type: 'string', default: '320x240' } } });
const n = Number(o.images);
const [w, h] = o.size.split('x').map(Number) as [number, number];
const routes: Record<string, Route> = {};
const tags: string[] = [];
for (let i = 0; i < n; i++) {
  routes[`/img/${i}.jpg`] = { type: 'image/jpeg', body: encodeJpeg(w, h, synthetic(w, h, i + 1)) };
  tags.push(`<img src="/img/${i}.jpg" width="160" height="120" alt="">`);
}
routes['/page.html'] = { type: 'text/html', body: `<!doctype html><html><body>${tags.join('')}</body></html>` };
const server = await startServer(routes);
const ext = await launchExtension();
try {
  const page = await ext.context.newPage();
  await page.goto(`${server.origin}/page.html`);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete));
  const sw = await ext.worker();
  const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, `${server.origin}/page.html`);
  const popup = await ext.page(`src/popup/popup.html?tab=${tabId}`);
  const runs: { e2e: number; infer: number; seconds: number; batch: number; failed: number }[] = [];
  for (let r = 0; r < Number(o.runs); r++) {
    const res = await popup.evaluate(async (tab) => {
      const t0 = performance.now();
      const done = new Promise<TagProgress>((resolve) => {
        chrome.runtime.onMessage.addListener((m: { name?: string; payload?: TagProgress }) => {
          if (m?.name === 'background:tag-progress' && m.payload?.tabId === tab && m.payload.finished) resolve(m.payload);
        });
      });
      await chrome.runtime.sendMessage({ target: 'background', name: 'background:tag-page', payload: { tabId: tab } });
      const p = await done;
      return { p, seconds: (performance.now() - t0) / 1000 };
    }, tabId);
    const row = { e2e: res.p.done / res.seconds, infer: res.p.inferenceImagesPerSecond, seconds: res.seconds, batch: res.p.batchSize, failed: res.p.failed };
    runs.push(row);
    console.log(`run ${r + 1}${r === 0 ? ' (includes session creation)' : ''}: ${res.p.done} images in ${row.seconds.toFixed(2)} s = ${row.e2e.toFixed(0)} images/s end to end; inference alone ${row.infer.toFixed(0)} images/s at batch ≤${row.batch}; ${row.failed} failed`);
  }
  const warm = runs.length > 1 ? runs.slice(1) : runs;
  const e2e = summarize(warm.map((r) => r.e2e));
  const infer = summarize(warm.map((r) => r.infer));
  console.log(`\n${n} images of ${w}x${h} JPEG, warm runs: median ${e2e?.median.toFixed(0)} images/s end to end (min ${e2e?.min.toFixed(0)}, max ${e2e?.max.toFixed(0)}); inference-only median ${infer?.median.toFixed(0)} images/s; target ≥ 100 images/s end to end: ${(e2e?.median ?? 0) >= 100 ? 'met' : 'NOT met'}`);
} finally {
  await ext.close();
  await server.close();
}
