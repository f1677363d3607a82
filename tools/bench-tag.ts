/**
 * `npm run bench:tag`: tag local pages with the built extension in headless
 * Chromium, end to end (collect → fetch → decode → infer → store), several
 * times each, and print images/s end to end next to the inference-only rate
 * (session.run time alone at the batch size used) of the same runs, and their
 * ratio: how much of the model's speed the user gets. Medians, mins and maxes
 * over the warm runs.
 *
 *   npm run bench:tag -- [--images 200] [--large 50] [--runs 4] [--size 320x240]
 *
 * Pages: --images JPEGs of --size, and --large JPEGs of 1920×1080 (0 skips it).
 */
import { parseArgs } from 'node:util';
import { summarize } from '../src/core/stats';
import type { TagProgress } from '../src/lib/messages';
import { readRecords } from './lib/clicks';
import { launchExtension } from './lib/extension';
import { startServer, type Route } from './lib/http-server';
import { encodeJpeg, synthetic } from './lib/images';

const { values: o } = parseArgs({ options: {
  images: { type: 'string', default: '200' }, large: { type: 'string', default: '50' }, runs: { type: 'string', default: '4' },
  size: { type: 'string', default: '320x240' },
} });
const [w, h] = o.size.split('x').map(Number) as [number, number];
const pages: { name: string; path: string; n: number; w: number; h: number }[] = [
  { name: `${o.images} JPEGs ${w}×${h}`, path: '/small.html', n: Number(o.images), w, h },
  { name: `${o.large} JPEGs 1920×1080`, path: '/large.html', n: Number(o.large), w: 1920, h: 1080 },
].filter((p) => p.n > 0);

console.log('encoding the test images…');
const routes: Record<string, Route> = {};
for (const p of pages) {
  const tags: string[] = [];
  // One picture per size, served under many URLs: every URL is a separate fetch and decode.
  const body = encodeJpeg(p.w, p.h, synthetic(p.w, p.h, p.w));
  for (let i = 0; i < p.n; i++) {
    const at = `/img${p.path.replace('.html', '')}/${i}.jpg`;
    routes[at] = { type: 'image/jpeg', body: i === 0 ? body : encodeJpeg(p.w, p.h, synthetic(p.w, p.h, i + 1)) };
    if (p.w > 1000 && i > 0) routes[at] = { type: 'image/jpeg', body }; // big encodes are slow in JS: reuse one
    tags.push(`<img src="${at}" width="160" height="${Math.round((160 * p.h) / p.w)}" alt="">`);
  }
  routes[p.path] = { type: 'text/html', body: `<!doctype html><html><body>${tags.join('')}</body></html>` };
}
const server = await startServer(routes);
const ext = await launchExtension();
try {
  const sw = await ext.worker();
  for (const p of pages) {
    const page = await ext.context.newPage();
    const url = `${server.origin}${p.path}`;
    await page.goto(url);
    await page.waitForFunction(() => [...document.images].every((i) => i.complete));
    const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, url);
    const popup = await ext.page(`src/popup/popup.html?tab=${tabId}`);
    const runs: { e2e: number; infer: number; seconds: number; batch: number; failed: number }[] = [];
    console.log(`\n${p.name}:`);
    for (let r = 0; r < Number(o.runs); r++) {
      const res = await popup.evaluate(async (tab) => {
        const t0 = performance.now();
        const done = new Promise<TagProgress>((resolve) => {
          chrome.runtime.onMessage.addListener((m: { name?: string; payload?: TagProgress }) => {
            if (m?.name === 'background:tag-progress' && m.payload?.tabId === tab && m.payload.finished) resolve(m.payload);
          });
        });
        await chrome.runtime.sendMessage({ target: 'background', name: 'background:tag-page', payload: { tabId: tab } });
        const pr = await done;
        return { p: pr, seconds: (performance.now() - t0) / 1000 };
      }, tabId);
      const row = { e2e: res.p.done / res.seconds, infer: res.p.inferenceImagesPerSecond, seconds: res.seconds, batch: res.p.batchSize, failed: res.p.failed };
      runs.push(row);
      console.log(`  run ${r + 1}${r === 0 ? ' (warm-up)' : ''}: ${res.p.done} images in ${row.seconds.toFixed(2)} s = ${row.e2e.toFixed(0)} images/s end to end; inference alone ${row.infer.toFixed(0)} images/s at batch ≤${row.batch}; ratio ${(row.e2e / row.infer).toFixed(2)}; ${row.failed} failed`);
    }
    const warm = runs.length > 1 ? runs.slice(1) : runs;
    const e2e = summarize(warm.map((r) => r.e2e));
    const infer = summarize(warm.map((r) => r.infer));
    const ratio = summarize(warm.map((r) => r.e2e / r.infer));
    console.log(`  warm runs: end to end median ${e2e?.median.toFixed(0)} images/s (min ${e2e?.min.toFixed(0)}, max ${e2e?.max.toFixed(0)}); ` +
      `inference-only median ${infer?.median.toFixed(0)} images/s (min ${infer?.min.toFixed(0)}, max ${infer?.max.toFixed(0)}); ` +
      `end to end / inference-only median ${ratio?.median.toFixed(2)} (min ${ratio?.min.toFixed(2)}, max ${ratio?.max.toFixed(2)}); target ≥ 0.6: ${(ratio?.median ?? 0) >= 0.6 ? 'met' : 'NOT met'}`);
    // Where an image's time went, from the stored records of the last run (per image; session.run is per batch).
    const recs = (await readRecords(popup)) as unknown as { pageUrl: string; requestId: string; timings: Record<string, number> }[];
    const last = recs.filter((r) => r.pageUrl === url);
    const lastJob = last.at(-1)?.requestId.split(':')[0];
    const mine = last.filter((r) => r.requestId.startsWith(`${lastJob}:`));
    const med = (k: string) => summarize(mine.map((r) => r.timings[k] ?? NaN))?.median;
    console.log(`  last run, median per image (ms): ${['fetch', 'decodeResize', 'preprocess', 'queue', 'inference', 'thumbnail', 'total'].map((k) => `${k} ${med(k)?.toFixed(2) ?? '–'}`).join(', ')}`);
    await popup.close();
    await page.close();
  }
} finally {
  await ext.close();
  await server.close();
}
