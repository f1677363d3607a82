/**
 * Appearance, measured: every extension page follows prefers-color-scheme with
 * readable text (WCAG AA 4.5:1), the overlay and chips carry their own opaque
 * colours and an edge that shows on white and on black pages in both schemes,
 * and library cards show their label, confidence, superclass and date whole
 * at 800, 1,100 and 1,400 px. `npx tsx tools/screenshots.ts` draws the same
 * pages for people to look at.
 */
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../tools/lib/catalog-file';
import { launchExtension, type ExtensionHandle } from '../../tools/lib/extension';
import { startServer, type TestServer } from '../../tools/lib/http-server';
import { encodePng, uniform } from '../../tools/lib/images';
import { clickClassify, waitFor } from '../support/context-menu';
import { inLayer, layerClick, layerCount } from '../support/overlay';

const SCHEMES = ['light', 'dark'] as const;

/** [r, g, b, a] of a computed CSS colour (`rgb(…)` / `rgba(…)`, what getComputedStyle returns). */
function rgba(css: string): [number, number, number, number] {
  const m = css.match(/rgba?\(([^)]+)\)/);
  if (!m) throw new Error(`not an rgb colour: ${css}`);
  const [r = 0, g = 0, b = 0, a = 1] = m[1]!.split(/[\s,/]+/).filter(Boolean).map(Number);
  return [r, g, b, a];
}
function luminance(css: string): number {
  const [r, g, b] = rgba(css).map((c) => c / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
const WHITE = 'rgb(255, 255, 255)';
const BLACK = 'rgb(0, 0, 0)';

let ext: ExtensionHandle;
let server: TestServer;
let sw: Worker;
let extPage: Page;

beforeAll(async () => {
  const page = (bg: string) => `<!doctype html><html><body style="margin:16px;background:${bg}">
<img id="w" src="/white.png" width="240" alt=""> <img id="b" src="/black.png" width="240" alt=""></body></html>`;
  server = await startServer({
    '/white.png': { type: 'image/png', body: encodePng(240, 180, uniform(240, 180, [255, 255, 255])) },
    '/black.png': { type: 'image/png', body: encodePng(240, 180, uniform(240, 180, [0, 0, 0])) },
    '/light.html': { type: 'text/html', body: page('#fff') },
    '/dark.html': { type: 'text/html', body: page('#000') },
  });
  ext = await launchExtension();
  sw = await ext.worker();
  extPage = await ext.page('src/options/options.html');
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

async function open(path: string, scheme: (typeof SCHEMES)[number], width = 1100): Promise<Page> {
  const p = await ext.context.newPage();
  await p.setViewportSize({ width, height: 800 });
  await p.emulateMedia({ colorScheme: scheme });
  await p.goto(path.startsWith('http') ? path : `chrome-extension://${ext.extensionId}/${path}`);
  return p;
}

describe('dark mode everywhere', () => {
  for (const path of ['src/options/options.html', 'src/bench/bench.html', 'src/popup/popup.html', 'src/library/library.html']) {
    it(`${path.split('/').pop()} follows prefers-color-scheme, its text readable in both`, async () => {
      for (const scheme of SCHEMES) {
        const p = await open(path, scheme);
        await p.waitForLoadState('load');
        // Status colours as the pages' scripts set them (classes only, no text of ours is judged by eye).
        const c = await p.evaluate(() => {
          const host = document.querySelector('main') ?? document.body;
          const probe = (tag: string, cls: string, parentCls?: string) => {
            const parent = parentCls ? host.appendChild(Object.assign(document.createElement('ul'), { className: parentCls })) : host;
            const e = parent.appendChild(Object.assign(document.createElement(tag), { className: cls, textContent: 'probe' }));
            return getComputedStyle(e).color;
          };
          const body = getComputedStyle(document.body);
          return {
            bg: body.backgroundColor, fg: body.color, hint: probe('p', 'hint'), warn: probe('p', document.getElementById('tag-page') ? 'status warn' : 'hint warn'),
            ok: probe('li', 'ok', 'report'), fail: probe('li', 'fail', 'report'), saved: probe('p', 'saved'),
          };
        });
        if (scheme === 'dark') expect(luminance(c.bg), `${path} ${scheme} background ${c.bg}`).toBeLessThan(0.2);
        else expect(luminance(c.bg), `${path} ${scheme} background ${c.bg}`).toBeGreaterThan(0.8);
        expect(contrast(c.fg, c.bg), `${path} ${scheme} text ${c.fg} on ${c.bg}`).toBeGreaterThanOrEqual(4.5);
        expect(contrast(c.hint, c.bg), `${path} ${scheme} hint ${c.hint}`).toBeGreaterThanOrEqual(4.5);
        if (!path.includes('library')) expect(contrast(c.warn, c.bg), `${path} ${scheme} warn ${c.warn}`).toBeGreaterThanOrEqual(4.5);
        if (path.includes('options')) {
          for (const k of ['ok', 'fail', 'saved'] as const) expect(contrast(c[k], c.bg), `${path} ${scheme} ${k} ${c[k]}`).toBeGreaterThanOrEqual(4.5);
        }
        await p.close();
      }
    });
  }
});

describe('overlay and chips read on any page', () => {
  it('own opaque colours, readable text and an edge that shows on white and on black, in both schemes', async () => {
    for (const bg of ['light', 'dark']) {
      const url = `${server.origin}/${bg}.html`;
      const tab = await open(url, 'light');
      await tab.waitForFunction(() => [...document.images].every((i) => i.complete));
      await clickClassify(sw, url, [`${server.origin}/white.png`, `${server.origin}/missing.png`]);
      await waitFor(() => layerCount(tab, '[data-pit-overlay] .chip:not(.pending)'), (n) => n >= 2, 60_000, 'a result and an error chip');
      const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, url);
      await extPage.evaluate((t) => chrome.runtime.sendMessage({ target: 'background', name: 'background:tag-page', payload: { tabId: t } }), tabId);
      await waitFor(() => layerCount(tab, '.tag-chip'), (n) => n >= 2, 60_000, 'a chip per image');
      await layerClick(tab, '[data-pit-overlay] button.chip');
      for (const scheme of SCHEMES) {
        await tab.emulateMedia({ colorScheme: scheme });
        const styles = await inLayer(tab, (root) => ['button.chip', 'button.chip .ms', '.chip.error', '.panel', '.panel .meta', '.tag-chip'].map((sel) => {
          const e = root!.querySelector(sel)!;
          const s = getComputedStyle(e);
          // A part without its own background sits on its box's (the chip's, the panel's).
          let box: Element | null = e;
          while (box && getComputedStyle(box).backgroundColor === 'rgba(0, 0, 0, 0)') box = box.parentElement;
          return { sel, color: s.color, bg: getComputedStyle(box ?? e).backgroundColor, own: s.backgroundColor, border: s.borderTopColor };
        }), null);
        for (const s of styles) {
          const what = `${bg} page, ${scheme} scheme, ${s.sel}`;
          expect(rgba(s.bg)[3], `${what}: opaque background ${s.bg}`).toBe(1);
          expect(contrast(s.color, s.bg), `${what}: ${s.color} on ${s.bg}`).toBeGreaterThanOrEqual(4.5);
          if (!s.sel.includes(' ')) {
            // Its edge is visible (3:1, WCAG's non-text contrast) whatever the page or picture under it.
            expect(contrast(s.border, WHITE), `${what}: edge ${s.border} on white`).toBeGreaterThanOrEqual(3);
            expect(contrast(s.border, BLACK), `${what}: edge ${s.border} on black`).toBeGreaterThanOrEqual(3);
          }
        }
        const chip = styles.find((s) => s.sel === 'button.chip')!;
        if (scheme === 'dark') expect(luminance(chip.bg), 'the result chip follows the dark scheme').toBeLessThan(0.2);
        else expect(luminance(chip.bg), 'the result chip is light in the light scheme').toBeGreaterThan(0.8);
      }
      // An expanded panel is drawn above the tag chips.
      expect(await inLayer(tab, (root) => {
        const panel = root!.querySelector('.panel')!.getBoundingClientRect();
        const chips = [...root!.querySelectorAll('.tag-chip')];
        return chips.every((c) => {
          const r = c.getBoundingClientRect();
          const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
          if (x < panel.left || x > panel.right || y < panel.top || y > panel.bottom) return true;
          const top = root!.elementFromPoint(x, y);
          return !!top && top !== c && !!top.closest('.wrap');
        });
      }, null)).toBe(true);
      await tab.close();
    }
  });
});

describe('library cards', () => {
  it('show the whole label, confidence, superclass and date at 800, 1,100 and 1,400 px', async () => {
    const catalog = readCatalog();
    const model = catalog.models.find((m) => m.id === catalog.default)!;
    const set = catalog.labelSets[model.labelSet]!;
    const labels = ['sweet_pepper', 'aquarium_fish', 'skyscraper', 'kangaroo', 'mushroom', 'chimpanzee', 'lawn_mower', 'willow_tree'];
    const now = Date.now();
    const recs = labels.map((label, i) => ({
      requestId: `appearance-${i}`, time: now - i * 3_600_000, imageUrl: `https://images.example.org/${label}.jpg`,
      pageUrl: 'https://www.a-rather-long-host-name-for-a-site.example.org/gallery', site: 'www.a-rather-long-host-name-for-a-site.example.org',
      source: 'click', modelId: model.id, backend: 'wasm', threads: 1, batchSize: 1, coldStart: false,
      top5: [{ index: set.fine.indexOf(label), label, prob: 0.987 - i * 0.05 }],
      timings: { fetch: 1, decodeResize: 1, preprocess: 1, inference: 1, postprocess: 1, total: 5, queue: 0 },
    }));
    const lib = await open('src/library/library.html', 'light');
    await lib.waitForFunction(() => /\d+ image/.test(document.getElementById('count')?.textContent ?? ''));
    // The page opened the database (the extension's own upgrade made it); add the records as the extension stores them.
    await lib.evaluate((rs) => new Promise<void>((resolve, reject) => {
      const req = indexedDB.open('private-image-tagger');
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const tx = req.result.transaction('inferences', 'readwrite');
        for (const r of rs) tx.objectStore('inferences').add(r);
        tx.oncomplete = () => {
          req.result.close();
          resolve();
        };
        tx.onerror = () => reject(tx.error);
      };
    }), recs);
    for (const width of [800, 1100, 1400]) {
      await lib.setViewportSize({ width, height: 900 });
      await lib.reload();
      await lib.waitForFunction((n) => document.querySelectorAll('.card').length >= n, labels.length);
      const cut = await lib.evaluate(() => [...document.querySelectorAll('.card .label, .card .meta')].flatMap((e) => {
        const el = e as HTMLElement;
        const s = getComputedStyle(el);
        const range = document.createRange();
        range.selectNodeContents(el);
        const text = range.getBoundingClientRect();
        const box = el.getBoundingClientRect();
        const card = el.closest('.card')!.getBoundingClientRect();
        const clipped = el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight || s.textOverflow === 'ellipsis' ||
          text.right > box.right + 0.5 || text.right > card.right + 0.5 || text.bottom > card.bottom + 0.5;
        return clipped ? [`${el.className}: ${el.textContent}`] : [];
      }));
      expect(cut, `${width} px`).toEqual([]);
      // The whole text is there (innerText never shows an ellipsis, the checks above do): label with its confidence, superclass with the site.
      const shown = (await lib.locator('.card .label').allInnerTexts()).join('\n');
      expect(shown, `${width} px`).toMatch(/sweet pepper 98[.,]7\s?%/);
      expect(shown, `${width} px`).toMatch(/aquarium fish 93[.,]7\s?%/);
      const meta = (await lib.locator('.card .meta.superclass').allInnerTexts()).join('\n');
      expect(meta, `${width} px`).toMatch(/large man-made outdoor things · www\.a-rather-long-host-name-for-a-site\.example\.org/);
    }
    await lib.close();
  });
});
