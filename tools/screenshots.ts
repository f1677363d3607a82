/**
 * Screenshots of every page of the built extension in both colour schemes, for
 * people to look at (appearance checks: dark mode, overlays on light and dark
 * pages, library cards at common widths). Run after `npx vite build`:
 *
 *   npx tsx tools/screenshots.ts [--out .cache/screenshots] [--no-bench]
 *
 * Writes PNGs: options, options-states (hidden states revealed: consent box,
 * test report, messages), bench (after a tiny 1-thread run, so table and chart
 * show), popup, library at 800/1100/1400 px, and a web page with result
 * overlays (one expanded), an error chip, a pending chip and tag chips, on a
 * light and on a dark page (and 2× crops of the overlays); each in `light` and `dark`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page, Worker } from 'playwright-core';
import { inLayer, layerClick, layerCount } from '../tests/support/overlay';
import { demoRoutes } from './demo-page';
import { clickClassify, readRecords, waitFor } from './lib/clicks';
import { DIST, launchExtension } from './lib/extension';
import { startServer, type Route } from './lib/http-server';
import { encodePng, synthetic, uniform } from './lib/images';

const { values: o } = parseArgs({ options: {
  out: { type: 'string', default: '.cache/screenshots' },
  'no-bench': { type: 'boolean', default: false },
} });
const OUT = o.out;
mkdirSync(OUT, { recursive: true });

const SCHEMES = ['light', 'dark'] as const;
type Scheme = (typeof SCHEMES)[number];

// A web page of our own: the demo's generated pictures plus a white, a black and a busy one, on a white or a black page.
const routes: Record<string, Route> = demoRoutes();
routes['/img/white.png'] = { type: 'image/png', body: encodePng(480, 360, uniform(480, 360, [255, 255, 255])) };
routes['/img/black.png'] = { type: 'image/png', body: encodePng(480, 360, uniform(480, 360, [0, 0, 0])) };
routes['/img/busy.png'] = { type: 'image/png', body: encodePng(480, 360, synthetic(480, 360, 77)) };
routes['/img/slow.png'] = { type: 'image/png', body: encodePng(64, 64, synthetic(64, 64, 5)), delayMs: 8000 };
const IMAGES = ['/img/white.png', '/img/black.png', '/img/busy.png', '/img/sample-1.png', '/img/sample-2.jpg', '/img/sample-3.png'];
function webPage(dark: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>appearance ${dark ? 'dark' : 'light'} page</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:16px;${dark ? 'background:#000;color:#ddd' : 'background:#fff;color:#222'}}
.grid{display:flex;flex-wrap:wrap;gap:14px}figure{margin:0}img{display:block;border:1px solid ${dark ? '#333' : '#ddd'}}</style></head>
<body><h1>A ${dark ? 'dark' : 'light'} web page</h1><div class="grid">
${IMAGES.map((p, i) => `<figure><img id="i${i}" src="${p}" width="300" alt=""><figcaption>${p.slice(5)}</figcaption></figure>`).join('')}
</div></body></html>`;
}
routes['/light.html'] = { type: 'text/html; charset=utf-8', body: webPage(false) };
routes['/dark.html'] = { type: 'text/html; charset=utf-8', body: webPage(true) };

const server = await startServer(routes);
const ext = await launchExtension();
const shots: string[] = [];
async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, fullPage });
  shots.push(path);
  console.log(`wrote ${path}`);
}
/** A region at twice the pixels (CDP's clip scale re-rasters it), to judge edges and small text. */
async function zoomed(page: Page, name: string, clip: { x: number; y: number; width: number; height: number }): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const { data } = await cdp.send('Page.captureScreenshot', { format: 'png', clip: { ...clip, scale: 2 } }) as { data: string };
  await cdp.detach();
  const path = join(OUT, `${name}.png`);
  writeFileSync(path, Buffer.from(data, 'base64'));
  shots.push(path);
  console.log(`wrote ${path}`);
}
async function open(path: string, scheme: Scheme, width = 1100, height = 900): Promise<Page> {
  const p = await ext.context.newPage();
  await p.setViewportSize({ width, height });
  await p.emulateMedia({ colorScheme: scheme });
  await p.goto(path.startsWith('http') ? path : `chrome-extension://${ext.extensionId}/${path}`);
  return p;
}

try {
  const sw: Worker = await ext.worker();
  const extPage = await ext.page('src/options/options.html');
  const records = () => readRecords(extPage);

  // 1. Web pages with overlays and chips: light and dark page, each in both schemes.
  for (const bg of ['light', 'dark'] as const) {
    for (const scheme of SCHEMES) {
      const url = `${server.origin}/${bg}.html?scheme=${scheme}`;
      const tab = await open(url, scheme);
      await tab.waitForFunction(() => [...document.images].every((i) => i.complete));
      const srcs = IMAGES.slice(0, 3).map((p) => `${server.origin}${p}`);
      await clickClassify(sw, url, [...srcs, `${server.origin}/img/missing.png`]);
      await waitFor(() => layerCount(tab, '[data-pit-overlay]'), (n) => n >= 4, 60_000, 'four overlays');
      await waitFor(() => layerCount(tab, '[data-pit-overlay] .chip.pending'), (n) => n === 0, 60_000, 'no pending overlay');
      const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, url);
      await extPage.evaluate((t) => chrome.runtime.sendMessage({ target: 'background', name: 'background:tag-page', payload: { tabId: t } }), tabId);
      await waitFor(() => layerCount(tab, '.tag-chip'), (n) => n >= IMAGES.length, 90_000, 'a chip per image');
      await layerClick(tab, '[data-pit-overlay] button.chip'); // expand the first result: top-5 panel
      await tab.waitForTimeout(200);
      await shot(tab, `web-${bg}-page-${scheme}`, false);
      await zoomed(tab, `web-${bg}-page-${scheme}-zoom`, { x: 0, y: 80, width: 660, height: 520 });
      await zoomed(tab, `web-${bg}-page-${scheme}-error-zoom`, { x: 700, y: 0, width: 400, height: 60 });
      // A pending chip where the error chip was (top right: no image on the page has that URL).
      await inLayer(tab, (r) => (r?.querySelector('.chip.error .close') as HTMLElement | null)?.click(), null);
      await clickClassify(sw, url, [`${server.origin}/img/slow.png?${bg}-${scheme}`]);
      await waitFor(() => layerCount(tab, '.chip.pending'), (n) => n >= 1, 10_000, 'a pending chip');
      await tab.waitForTimeout(300);
      await shot(tab, `web-${bg}-page-${scheme}-pending`, false);
      await tab.close();
    }
  }

  // 2. Library: the real records, plus a few with the longest labels and superclasses, so their cards show them.
  const catalog = JSON.parse(readFileSync(join(DIST, 'models/catalog.json'), 'utf8')) as {
    default: string; labelSets: Record<string, { fine: string[]; coarse: string[] }>; models: { id: string; labelSet: string }[];
  };
  const set = catalog.labelSets[catalog.models.find((m) => m.id === catalog.default)!.labelSet]!;
  const longest = ['large_man-made_outdoor_things', 'sweet_pepper', 'aquarium_fish', 'skyscraper', 'kangaroo', 'mushroom', 'lawn_mower', 'chimpanzee', 'willow_tree', 'pickup_truck'];
  const thumb = await extPage.evaluate(() => {
    const c = Object.assign(document.createElement('canvas'), { width: 64, height: 64 });
    const g = c.getContext('2d')!;
    g.fillStyle = '#7a9'; g.fillRect(0, 0, 64, 64); g.fillStyle = '#345'; g.fillRect(16, 16, 32, 32);
    return c.toDataURL('image/jpeg');
  });
  const real = (await records()).find((r) => !r.error) as Record<string, unknown> | undefined;
  if (!real) throw new Error('no successful record to copy');
  const fake = longest.filter((l) => set.fine.includes(l)).map((label, i) => ({
    ...real, id: undefined, requestId: `appearance-${i}-${Date.now()}`, imageUrl: `https://images.very-long-host-name.example.org/photos/${label}.jpg`,
    pageUrl: `https://www.very-long-host-name-for-a-site.example.org/gallery/${i}`, site: i % 2 ? 'www.very-long-host-name-for-a-site.example.org' : 'example.com',
    time: Date.now() - i * 3_600_000, thumbnail: thumb, error: undefined, errorStage: undefined,
    top5: [{ index: set.fine.indexOf(label), label, prob: 0.999 - i * 0.07 }],
    // Two the user checked: one confirmed right, one corrected (the library's "said" line; the popup's accuracy).
    userLabel: i === 1 ? { index: set.fine.indexOf(label), label, at: Date.now() }
      : i === 2 ? { index: set.fine.indexOf('lobster'), label: 'lobster', at: Date.now() } : undefined,
  }));
  await extPage.evaluate((recs) => new Promise<void>((resolve, reject) => {
    const req = indexedDB.open('private-image-tagger');
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const tx = req.result.transaction('inferences', 'readwrite');
      for (const r of recs) {
        const { id: _drop, ...rest } = r as Record<string, unknown>;
        tx.objectStore('inferences').add(rest);
      }
      tx.oncomplete = () => {
        req.result.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  }), fake);
  for (const scheme of SCHEMES) {
    for (const width of [800, 1100, 1400]) {
      const p = await open('src/library/library.html', scheme, width, 900);
      await p.waitForSelector('.card');
      await p.waitForTimeout(200);
      await shot(p, `library-${width}-${scheme}`);
      await p.close();
    }
  }

  // 3. Popup (as a tab the popup's width), options (as is, and with its hidden states shown), bench.
  for (const scheme of SCHEMES) {
    const popup = await open('src/popup/popup.html', scheme, 600, 900);
    await popup.waitForSelector('#recent li');
    await popup.waitForTimeout(300);
    await shot(popup, `popup-${scheme}`);
    await popup.close();

    const opt = await open('src/options/options.html', scheme, 900, 900);
    await opt.waitForSelector('#model option', { state: 'attached' });
    await opt.waitForTimeout(300);
    await shot(opt, `options-${scheme}`);
    // No named inner functions in evaluate: tsx would wrap them in a helper the page does not have.
    await opt.evaluate(() => {
      const get = document.getElementById.bind(document);
      get('add-model')!.hidden = false;
      get('add-model-form')!.hidden = false;
      Object.assign(get('add-model-found')!, { textContent: 'Found: input "input" 1×3×32×32 → output "logits" 100 (a hint line)' });
      Object.assign(get('add-model-msg')!, { className: 'hint fail', textContent: 'Not added: the model answered with 10 values, not 100 (fail)' });
      Object.assign(get('cloud-endpoint-msg')!, { className: 'hint warn', textContent: 'A warning hint (hint warn)' });
      get('cloud-report')!.replaceChildren(...[['ok', 'Server live: yes (ok)'], ['ok', 'Model ready: resnet20 (ok)'], ['fail', 'Inference: HTTP 500 (fail)']]
        .map(([c, t]) => Object.assign(document.createElement('li'), { className: c!, textContent: t! })));
      get('cloud-consent')!.hidden = false;
      get('cloud-consent-text')!.textContent = 'Every image you classify will also be sent, as a 32×32 tensor, to https://models.example.com. (consent box)';
      Object.assign(get('cloud-state')!, { className: 'hint on', textContent: 'ON: every classified image is also sent (hint on)' });
      get('saved')!.textContent = 'Saved. (saved)';
    });
    await shot(opt, `options-states-${scheme}`);
    // And the same with a green message, for the ok colour on a hint.
    await opt.evaluate(() => Object.assign(document.getElementById('add-model-msg')!, { className: 'hint ok', textContent: 'Added "my model" (ok)' }));
    await opt.locator('#add-model-msg').screenshot({ path: join(OUT, `options-ok-${scheme}.png`) });
    shots.push(join(OUT, `options-ok-${scheme}.png`));
    await opt.close();
  }

  const bench = await open('src/bench/bench.html', 'light', 1100, 900);
  await bench.waitForSelector('#ui:not([hidden]) input[name="model"]');
  if (!o['no-bench']) {
    // The smallest run that fills the table and draws the chart: one model, WASM 1 thread, batch 1, 3 runs.
    await bench.locator(`input[name="model"][value="${catalog.default}"]`).check();
    for (const v of ['wasm-all', 'webgpu']) await bench.locator(`input[name="backend"][value="${v}"]`).uncheck();
    for (const v of ['8', '32']) await bench.locator(`input[name="batch"][value="${v}"]`).uncheck();
    await bench.fill('#runs', '3');
    await bench.fill('#max-seconds', '2');
    await bench.click('#run');
    await bench.waitForFunction(() => /^(done|failed)/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 120_000 });
    await bench.waitForSelector('#chart svg', { timeout: 30_000 }).catch(() => undefined);
    await bench.waitForTimeout(500);
  }
  for (const scheme of SCHEMES) {
    await bench.emulateMedia({ colorScheme: scheme });
    await bench.waitForTimeout(300);
    await shot(bench, `bench-${scheme}`);
  }
  console.log(`\n${shots.length} screenshots in ${OUT}`);
} finally {
  await ext.close();
  await server.close();
}
