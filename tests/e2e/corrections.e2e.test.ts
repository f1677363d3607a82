/**
 * Corrections through the real UI: "Wrong label?" on a right-click overlay's
 * details (inside the closed shadow root), "Right" and Undo in the library;
 * then the corrected label is what the library searches and files by, both
 * labels are exported, and the popup counts it in the model's personal accuracy.
 * A content script may not label another site's record.
 */
import { readFileSync } from 'node:fs';
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type ExtensionHandle } from '../../tools/lib/extension';
import { clickClassify, readRecords, waitFor } from '../support/context-menu';
import { inLayer, layerClick, layerCount } from '../support/overlay';
import { startFixture, type Fixture } from './fixtures';

interface Rec { requestId: string; imageUrl: string; modelId: string; top5: { label: string; index: number }[]; userLabel?: { label: string; index: number; at: number }; error?: string }

let ext: ExtensionHandle;
let fx: Fixture;
let sw: Worker;
let page: Page;
let extPage: Page;
const records = async () => (await readRecords(extPage)) as unknown as Rec[];

beforeAll(async () => {
  fx = await startFixture();
  ext = await launchExtension();
  sw = await ext.worker();
  page = await ext.context.newPage();
  await page.goto(fx.pageUrl);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete));
  extPage = await ext.page('src/options/options.html');
});

afterAll(async () => {
  await ext?.close();
  await fx?.close();
});

describe('a wrong label, corrected by the user', () => {
  let rec: Rec;
  let truth: string;

  it('"Wrong label?" on the overlay stores the chosen label on the record', async () => {
    await clickClassify(sw, fx.pageUrl, [fx.images.png, fx.images.jpeg]);
    const recs = await waitFor(records, (r) => r.length >= 2, 60_000, 'two records');
    rec = recs.find((r) => r.imageUrl === fx.images.png)!;
    expect(rec.error).toBeUndefined();
    // A label the model did not say first: the user's truth.
    truth = rec.top5[0]!.label === 'aquarium_fish' ? 'sweet_pepper' : 'aquarium_fish';
    await expect.poll(() => layerCount(page, `[data-pit-overlay="${rec.requestId}"] .chip:not(.pending)`), { timeout: 20_000 }).toBe(1);
    await page.bringToFront(); // the user is on this tab (other tests' pages were opened after it)
    await layerClick(page, `[data-pit-overlay="${rec.requestId}"] .chip`);
    await inLayer(page, (root, id) => {
      const b = [...root!.querySelectorAll(`[data-pit-overlay="${id}"] .check button`)].find((x) => x.textContent === 'Wrong label?') as HTMLButtonElement;
      b.click();
    }, rec.requestId);
    // The type-ahead is an extension page in a frame inside the closed root: find it as Playwright sees frames.
    await expect.poll(() => page.frames().some((f) => f.url().includes('/src/content/label-frame.html')), { timeout: 10_000 }).toBe(true);
    const frame = page.frames().find((f) => f.url().includes('/src/content/label-frame.html'))!;
    // It offers the model's 100 labels, shown with spaces.
    await expect.poll(() => frame.locator('#labels option').count()).toBe(100);
    // The page listens to every key, in the capture phase, as a hostile page would.
    await page.evaluate(() => {
      const g = globalThis as unknown as { __seen: string[] };
      g.__seen = [];
      for (const type of ['keydown', 'keyup', 'keypress', 'beforeinput', 'input']) {
        addEventListener(type, (e) => g.__seen.push(`${e.type}:${(e as KeyboardEvent).key ?? (e as InputEvent).data ?? ''}`), true);
      }
    });
    // The user types right away, without clicking into the box: the keys land in the frame's input.
    // A label that is not one of the 100 is refused in place.
    await expect.poll(() => frame.evaluate(() => document.hasFocus() && document.activeElement?.id)).toBe('label');
    await page.keyboard.type('spaceship');
    await page.keyboard.press('Enter');
    expect(await frame.locator('#label').inputValue()).toBe('spaceship');
    await expect.poll(() => frame.locator('#err').textContent()).toMatch(/Pick one of the 100 labels/);
    await page.keyboard.press('Control+A');
    await page.keyboard.type(truth.replaceAll('_', ' ').toUpperCase());
    await page.keyboard.press('Enter');
    const stored = await waitFor(records, (r) => r.some((x) => x.requestId === rec.requestId && x.userLabel), 10_000, 'the user label');
    expect(stored.find((x) => x.requestId === rec.requestId)!.userLabel).toMatchObject({ label: truth });
    await expect.poll(() => inLayer(page, (root, id) => root!.querySelector(`[data-pit-overlay="${id}"] .check .said`)?.textContent ?? '', rec.requestId))
      .toBe(`You said: ${truth.replaceAll('_', ' ')}`);
    // Nothing of it is page-readable: the page sees only the empty host, and not one of the keys typed.
    expect(await page.evaluate((t) => document.documentElement.outerHTML.includes(t), truth.replaceAll('_', ' '))).toBe(false);
    expect(await page.evaluate(() => (globalThis as unknown as { __seen: string[] }).__seen)).toEqual([]);
    // The frame is gone once the choice is made.
    expect(page.frames().some((f) => f.url().includes('/src/content/label-frame.html'))).toBe(false);
  });

  it('the library files and searches it under the corrected label, and marks the other one right', async () => {
    const lib = await ext.page('src/library/library.html');
    await lib.fill('#q', truth.replaceAll('_', ' '));
    await expect.poll(() => lib.locator('.card').count()).toBe(1);
    expect(await lib.locator('.card .label').innerText()).toBe(`${truth.replaceAll('_', ' ')} (yours)`);
    expect(await lib.locator('.card .check').innerText()).toContain(`corrected (model said ${rec.top5[0]!.label.replaceAll('_', ' ')})`);
    await lib.fill('#q', rec.top5[0]!.label.replaceAll('_', ' '));
    // Searching for what the model said no longer finds the corrected image (the jpeg may still match).
    await expect.poll(() => lib.locator('.card').evaluateAll((cards, url) => cards.filter((c) => c.querySelector('.meta.when')?.getAttribute('title') === url).length, fx.images.png)).toBe(0);
    // The other image: confirmed right.
    await lib.fill('#q', '');
    const jpeg = lib.locator('.card', { has: lib.locator(`.meta.when[title="${fx.images.jpeg}"]`) });
    await jpeg.locator('button', { hasText: 'Right' }).click();
    await expect.poll(() => jpeg.locator('.check').innerText()).toContain('checked: right');

    const [json] = await Promise.all([lib.waitForEvent('download'), lib.locator('#export-json').click()]);
    const rows = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { image: string; label: string; user_label: string }[];
    expect(rows.find((r) => r.image === fx.images.png)).toMatchObject({ label: rec.top5[0]!.label, user_label: truth });
    const [csv] = await Promise.all([lib.waitForEvent('download'), lib.locator('#export-csv').click()]);
    expect(readFileSync((await csv.path())!, 'utf8').split(/\r?\n/)[0]).toContain('label,probability,user_label,user_labelled_at');
    await lib.close();
  });

  it('the popup counts both in the model\'s accuracy on your images, next to the test set', async () => {
    // The default model's name and test-set accuracy, as the catalog says (a new default changes both).
    const cat = JSON.parse(readFileSync(new URL('../../models/catalog.json', import.meta.url), 'utf8')) as { default: string; models: { id: string; name: string; accuracy: { top1: number } | null }[] };
    const m = cat.models.find((x) => x.id === cat.default)!;
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const popup = await ext.page('src/popup/popup.html');
    await expect.poll(() => popup.locator('#personal').innerText(), { timeout: 10_000 })
      .toMatch(new RegExp(`${esc(m.name)}: right on 1 of 2 images you checked \\(50 %\\), top-5 [12] \\(\\d+ %\\) · CIFAR-100 test set ${esc(m.accuracy!.top1.toFixed(1))} %`));
    await popup.close();
  });

  it('Undo in the library removes the correction everywhere', async () => {
    const lib = await ext.page('src/library/library.html');
    const png = lib.locator('.card', { has: lib.locator(`.meta.when[title="${fx.images.png}"]`) });
    await png.locator('button', { hasText: 'Undo' }).click();
    await expect.poll(async () => (await records()).find((r) => r.requestId === rec.requestId)?.userLabel).toBeUndefined();
    // The model's own label again, as a sure one or (below its threshold) as "unsure: label? NN%".
    await expect.poll(() => png.locator('.label').innerText()).toMatch(new RegExp(`^(unsure: ${rec.top5[0]!.label.replaceAll('_', ' ')}\\?|${rec.top5[0]!.label.replaceAll('_', ' ')}) \\d`));
    await lib.close();
  });

  it('a content script cannot label another site\'s record', async () => {
    const cross = (await records()).find((r) => r.imageUrl === fx.images.jpeg)!;
    // From a page of another origin (the fixture's CDN), the record of the first site is not its own.
    fx.cdn.routes.set('/other.html', { type: 'text/html', body: '<!doctype html><title>another site</title><p>hello</p>' });
    const other = await ext.context.newPage();
    await other.goto(`${fx.cdn.origin}/other.html`);
    const ocdp = await other.context().newCDPSession(other);
    const octx: { id: number; name: string; auxData?: { type?: string } }[] = [];
    ocdp.on('Runtime.executionContextCreated', (e: { context: { id: number; name: string; auxData?: { type?: string } } }) => octx.push(e.context));
    await ocdp.send('Runtime.enable');
    await expect.poll(() => octx.some((c) => c.auxData?.type === 'isolated' && c.name === 'Private Image Tagger'), { timeout: 10_000 }).toBe(true);
    const ow = octx.find((c) => c.auxData?.type === 'isolated' && c.name === 'Private Image Tagger')!;
    const r = await ocdp.send('Runtime.evaluate', {
      contextId: ow.id, awaitPromise: true, returnByValue: true,
      expression: `chrome.runtime.sendMessage({ target: 'background', name: 'background:correct', payload: { requestId: ${JSON.stringify(cross.requestId)}, label: 'apple' } }).then((r) => 'ok:' + JSON.stringify(r), (e) => 'err:' + e.message)`,
    }) as { result: { value: string } };
    expect(r.result.value).toMatch(/^err:.*a page may only label its own images/);
    expect((await records()).find((x) => x.requestId === cross.requestId)?.userLabel?.label).not.toBe('apple');
    await ocdp.detach();
    await other.close();
  });
});
