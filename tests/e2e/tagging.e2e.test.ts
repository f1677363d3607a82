/**
 * "Tag this page", chips, cancel, the library and auto-tagging in real
 * Chromium against the built extension.
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedUrl, type InferenceRecord } from '../../src/core/record';
import { launchExtension, type ExtensionHandle } from '../../tools/lib/extension';
import { readRecords, waitFor } from '../support/context-menu';
import { inLayer, layerAttr, layerBox, layerCount, layerVisible } from '../support/overlay';
import { startTagFixture, type TagFixture } from './tag-fixtures';
import { encodePng, synthetic, uniform } from '../../tools/lib/images';

let ext: ExtensionHandle;
let fx: TagFixture;
let page: Page;
let extPage: Page;
let blobUrl: string;
const records = async () => (await readRecords(extPage)) as unknown as InferenceRecord[];

async function tabIdOf(url: string): Promise<number> {
  const sw = await ext.worker();
  return sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, url);
}

async function popupFor(url: string): Promise<Page> {
  return ext.page(`src/popup/popup.html?tab=${await tabIdOf(url)}`);
}

beforeAll(async () => {
  fx = await startTagFixture();
  ext = await launchExtension();
  page = await ext.context.newPage();
  await page.goto(fx.pageUrl);
  await page.waitForFunction(() => {
    const lazy = document.getElementById('lazy') as HTMLImageElement | null;
    const blob = document.getElementById('blob') as HTMLImageElement;
    return lazy?.complete && blob.src.startsWith('blob:') && blob.complete;
  });
  blobUrl = await page.evaluate(() => (document.getElementById('blob') as HTMLImageElement).src);
  extPage = await ext.page('src/options/options.html');
});
afterAll(async () => {
  await ext?.close();
  await fx?.close();
});

describe('Tag this page', () => {
  it('tags exactly the page’s real images and skips pixels, duplicates, broken and tiny ones', async () => {
    expect(await page.locator('#below').evaluate((i: HTMLImageElement) => i.complete)).toBe(false); // lazy, not loaded yet
    const popup = await popupFor(fx.pageUrl);
    await popup.locator('#tag-page').click();
    await expect.poll(() => popup.locator('#tag-status').innerText(), { timeout: 60_000 }).toMatch(/^Done: 10 of 10/);
    const recs = await records();
    expect(recs).toHaveLength(10);
    expect(recs.every((r) => r.source === 'page' && !r.error && r.top5.length === 5 && r.site === '127.0.0.1')).toBe(true);
    expect(new Set(recs.map((r) => r.imageUrl))).toEqual(new Set([...fx.expected.map(storedUrl), blobUrl]));
    // Batched: fewer session.runs than images.
    expect(Math.max(...recs.map((r) => r.batchSize))).toBeGreaterThan(1);
    // One batch (10 images) runs on the document's warm session, with the default threads; worker lanes start
    // only for pages of more than one batch (tag-lanes.e2e.test.ts).
    expect(new Set(recs.map((r) => [r.backend, r.threads].join(' ')))).toEqual(new Set([`wasm ${Math.min(os.availableParallelism(), 4)}`]));
    expect(await popup.locator('#tag-progress').evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([10, 10]);
    await popup.screenshot({ path: 'test-results/popup-tagging.png' });
    await popup.close();
  });

  const visibleChips = () => inLayer(page, (r) => [...(r?.querySelectorAll('.tag-chip') ?? [])].filter((e) => getComputedStyle(e).display !== 'none').length, null);

  it('puts an accessible chip on each tagged image, and the popup toggle hides them', async () => {
    await expect.poll(() => layerCount(page, '.tag-chip')).toBe(10);
    // #below and the script-added #lazy sit below the fold: their chips show when scrolled to.
    expect(await visibleChips()).toBe(8);
    expect(await layerAttr(page, '.tag-chip', 'role')).toBe('note');
    expect(await layerAttr(page, '.tag-chip', 'aria-label')).toMatch(/^Image label(led| unsure)/);
    expect(await inLayer(page, (r) => [...r!.querySelectorAll('.tag-chip')].map((e) => (e as HTMLElement).innerText), null))
      .toContainEqual(expect.stringMatching(/^(unsure · \d+%|[a-z ]+ \d+%)$/));
    // Chip sits on its image (bottom-left corner).
    const img = await page.locator('#plain').boundingBox();
    const chip = await layerBox(page, `.tag-chip[data-pit-chip="${fx.server.origin}/plain.png"]`);
    expect(chip!.x - img!.x).toBeCloseTo(4, 0);
    expect(img!.y + img!.height - (chip!.y + chip!.height)).toBeCloseTo(4, 0);
    await page.screenshot({ path: 'test-results/chips.png' });

    const popup = await popupFor(fx.pageUrl);
    await popup.locator('#show-chips').uncheck();
    await expect.poll(visibleChips).toBe(0);
    await popup.locator('#show-chips').check();
    await expect.poll(visibleChips).toBe(8);
    await page.locator('#below').scrollIntoViewIfNeeded();
    await expect.poll(() => layerVisible(page, `.tag-chip[data-pit-chip="${fx.server.origin}/below.png"]`)).toBe(true);
    await page.evaluate(() => scrollTo(0, 0));
    await popup.close();
  });

  it('a chip leaves an image the page gives another picture (carousels reuse <img> and <picture>), and stays through a class change', async () => {
    const plain = `.tag-chip[data-pit-chip="${fx.server.origin}/plain.png"]`;
    const srcset = `.tag-chip[data-pit-chip="${fx.server.origin}/small-1x.png"]`;
    expect(await layerCount(page, plain)).toBe(1);
    expect(await layerCount(page, srcset)).toBe(1);
    await page.evaluate(() => document.getElementById('srcset')!.classList.add('seen'));
    await page.evaluate(() => {
      (document.getElementById('plain') as HTMLImageElement).src = '/many/3.png';
    });
    await expect.poll(() => layerCount(page, plain)).toBe(0); // its label named the old picture
    expect(await layerCount(page, srcset)).toBe(1);
    expect(await layerCount(page, '.tag-chip')).toBe(9);
    // A <picture> whose <source> the page points at another image: its <img>'s chip goes too.
    const picture = `.tag-chip[data-pit-chip="${fx.server.origin}/pic.png"]`;
    expect(await layerCount(page, picture)).toBe(1);
    await page.evaluate(() => {
      (document.querySelector('#picture source') as HTMLSourceElement).srcset = '/many/4.png';
    });
    await expect.poll(() => layerCount(page, picture)).toBe(0);
    expect(await layerCount(page, '.tag-chip')).toBe(8);
    await page.evaluate(() => {
      (document.getElementById('plain') as HTMLImageElement).src = '/plain.png';
      (document.querySelector('#picture source') as HTMLSourceElement).srcset = '/pic.png';
    });
  });

  it('cancel stops promptly and keeps what was done', async () => {
    const many = await ext.context.newPage();
    await many.goto(fx.manyUrl);
    await many.waitForFunction(() => [...document.images].every((i) => i.complete));
    const n0 = (await records()).length;
    const popup = await popupFor(fx.manyUrl);
    await popup.locator('#tag-page').click();
    await expect.poll(() => popup.locator('#tag-status').innerText(), { timeout: 30_000 }).toMatch(/^Tagging: [1-9]\d* of 200/);
    await popup.locator('#tag-cancel').click();
    const status = await waitFor(() => popup.locator('#tag-status').innerText(), (t) => /^Cancelled/.test(t), 10_000, 'cancelled');
    const done = Number(/: (\d+) of 200/.exec(status)?.[1]);
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(200);
    await new Promise((r) => setTimeout(r, 1000));
    const added = (await records()).length - n0;
    expect(added).toBe(done); // every finished image kept, nothing after the cancel
    await many.close();
    await popup.close();
  });
});

describe('library', () => {
  let lib: Page;
  beforeAll(async () => {
    lib = await ext.page('src/library/library.html');
  });

  it('shows every tagged image with its thumbnail, searchable by label and superclass', async () => {
    const recs = (await records()).filter((r) => !r.error);
    const images = new Set(recs.map((r) => r.imageUrl)).size;
    await expect.poll(() => lib.locator('#count').innerText()).toBe(`${images} images`);
    expect(await lib.locator('.card img').count()).toBe(Math.min(images, 300));
    await lib.screenshot({ path: 'test-results/library.png' });

    const some = recs.find((r) => r.imageUrl.endsWith('/plain.png'))!;
    const label = some.top5[0]!.label;
    await lib.locator('#q').fill(label.replaceAll('_', ' '));
    const byLabel = recs.filter((r) => r.top5[0]!.label === label);
    await expect.poll(() => lib.locator('.card').count()).toBe(new Set(byLabel.map((r) => r.imageUrl)).size);
    for (const t of await lib.locator('.card .label').allInnerTexts()) expect(t).toContain(label.replaceAll('_', ' '));
    await lib.locator('#q').fill('');

    // Superclass: pick the one of that label; every card shown belongs to it.
    const superclassName = await lib.evaluate(async (fine) => {
      const cat = await (await fetch('/models/catalog.json')).json();
      const set = cat.labelSets.cifar100;
      return set.coarse[set.fineToCoarse[set.fine.indexOf(fine)]];
    }, label);
    await lib.locator('#superclass').selectOption({ label: superclassName.replaceAll('_', ' ') });
    await expect.poll(() => lib.locator('.card').count()).toBeGreaterThan(0);
    for (const t of await lib.locator('.card .meta.superclass').allInnerTexts()) expect(t.startsWith(superclassName.replaceAll('_', ' '))).toBe(true);
    await lib.locator('#superclass').selectOption('');
  });

  it('exports the rows as CSV and JSON', async () => {
    const n = Number((await lib.locator('#count').innerText()).split(' ')[0]);
    const [csv] = await Promise.all([lib.waitForEvent('download'), lib.locator('#export-csv').click()]);
    const text = readFileSync((await csv.path())!, 'utf8');
    const lines = text.trim().split(/\r?\n/);
    expect(lines[0]).toBe('time,label,probability,user_label,user_labelled_at,superclass,site,page,image,model,backend,source,top5');
    expect(lines).toHaveLength(n + 1);
    const [json] = await Promise.all([lib.waitForEvent('download'), lib.locator('#export-json').click()]);
    const rows = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { image: string }[];
    expect(rows).toHaveLength(n);
    expect(rows.map((r) => r.image)).toContain(`${fx.server.origin}/plain.png`);
  });

  it('deletes one image, applies retention, and deletes everything', async () => {
    const before = Number((await lib.locator('#count').innerText()).split(' ')[0]);
    await lib.locator('.card button', { hasText: 'Delete' }).first().click();
    await expect.poll(async () => Number((await lib.locator('#count').innerText()).split(' ')[0])).toBe(before - 1);

    await extPage.reload();
    await extPage.waitForFunction(() => document.documentElement.dataset.ready === '1'); // before that, a change could be overwritten by the stored value
    await extPage.locator('#keep-count').fill('5');
    await extPage.locator('#keep-count').dispatchEvent('change');
    await expect.poll(async () => (await records()).length).toBe(5);
    await lib.reload();
    await expect.poll(async () => Number((await lib.locator('#count').innerText()).split(' ')[0])).toBeLessThanOrEqual(5);

    lib.once('dialog', (d) => void d.accept());
    await lib.locator('#delete-all').click();
    await expect.poll(() => lib.locator('#count').innerText()).toBe('0 images');
    expect(await records()).toHaveLength(0);
    await extPage.locator('#keep-count').fill('5000');
    await extPage.locator('#keep-count').dispatchEvent('change');
  });
});

describe('auto-tag', () => {
  it('tags new images on an allowed site as they appear, and only there', async () => {
    await page.close(); // an open tab of an allowed site would start auto-tagging too (correctly, but it would double the count)
    await extPage.reload();
    await extPage.waitForFunction(() => document.documentElement.dataset.ready === '1'); // before that, a change could be overwritten by the stored value
    await extPage.locator('#auto-sites').fill('127.0.0.1');
    await extPage.locator('#auto-sites').dispatchEvent('change');
    await extPage.locator('#auto-tag').check();
    const fresh = await ext.context.newPage();
    await fresh.goto(fx.pageUrl);
    const auto = async () => (await records()).filter((r) => r.source === 'auto');
    // Everything collectable except the blob: image (auto-tag leaves page-only bytes to "Tag this page").
    // (The below-the-fold lazy image counts too: it is collected before it loads.)
    const first = await waitFor(auto, (a) => a.length >= fx.expected.length, 60_000, 'auto-tagged records');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await auto()).toHaveLength(fx.expected.length);
    expect(new Set(first.map((r) => r.imageUrl)).size).toBe(fx.expected.length);
    expect(first.every((r) => !r.error)).toBe(true);
    // An image added later is tagged too.
    await fresh.evaluate((src) => document.body.append(Object.assign(document.createElement('img'), { src, width: 120, height: 90 })), `${fx.server.origin}/many/7.png`);
    await waitFor(auto, (a) => a.some((r) => r.imageUrl.endsWith('/many/7.png')), 30_000, 'auto-tag of an added image');
    // Same server, other host name: not on the allow-list, nothing happens.
    const other = await ext.context.newPage();
    await other.goto(fx.pageUrl.replace('127.0.0.1', 'localhost'));
    await new Promise((r) => setTimeout(r, 3000));
    expect((await records()).filter((r) => r.site === 'localhost')).toHaveLength(0);
    await other.close();
    await extPage.locator('#auto-tag').uncheck();
    await fresh.close();
  });

  it('tags a lazy srcset image once, by the picture it loads (not its placeholder src), and not again when it loads a larger candidate', async () => {
    fx.server.routes.set('/lz-placeholder.png', { type: 'image/png', body: encodePng(200, 150, uniform(200, 150, [220, 220, 220])) });
    fx.server.routes.set('/lz-400.png', { type: 'image/png', body: encodePng(400, 300, synthetic(400, 300, 31)) });
    fx.server.routes.set('/lz-800.png', { type: 'image/png', body: encodePng(800, 600, synthetic(800, 600, 31)) });
    fx.server.routes.set('/lazy-srcset.html', {
      type: 'text/html',
      body: '<!doctype html><html><body><div style="height: 3000px"></div>' +
        '<img id="lz" loading="lazy" src="/lz-placeholder.png" srcset="/lz-400.png 400w, /lz-800.png 800w" sizes="(max-width: 700px) 200px, 800px" width="200" height="150" alt="">' +
        '</body></html>',
    });
    await extPage.locator('#auto-tag').check();
    const tab = await ext.context.newPage();
    await tab.setViewportSize({ width: 600, height: 600 }); // a 200px slot: the 400w candidate
    const url = `${fx.server.origin}/lazy-srcset.html`;
    try {
      await tab.goto(url);
      const mine = async () => (await records()).filter((r) => r.pageUrl === url);
      await new Promise((r) => setTimeout(r, 2000));
      expect(await mine()).toHaveLength(0); // below the fold, not loaded: what it will show is not known yet
      await tab.locator('#lz').scrollIntoViewIfNeeded();
      const first = await waitFor(mine, (a) => a.length >= 1, 60_000, 'the lazy image auto-tagged once loaded');
      expect(first[0]!.imageUrl).toBe(`${fx.server.origin}/lz-400.png`); // the picture it shows, not the placeholder
      await expect.poll(() => layerCount(tab, `.tag-chip[data-pit-chip="${fx.server.origin}/lz-400.png"]`)).toBe(1);
      // Wider: an 800px slot, the 800w candidate loads. The same picture: not tagged again, its chip stays.
      await tab.setViewportSize({ width: 1280, height: 600 });
      await tab.waitForFunction(() => (document.getElementById('lz') as HTMLImageElement).currentSrc.endsWith('/lz-800.png'), undefined, { timeout: 10_000 });
      await new Promise((r) => setTimeout(r, 3000)); // the pass its load starts
      expect(await mine()).toHaveLength(1);
      expect(await layerCount(tab, '.tag-chip')).toBe(1);
    } finally {
      await extPage.locator('#auto-tag').uncheck();
      await tab.close();
    }
  });
});
