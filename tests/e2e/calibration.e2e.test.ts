/**
 * The probability a user reads is the calibrated one. For the same images, the
 * raw logits are taken from the extension's own decode path and session
 * (offscreen:preprocess + offscreen:infer-tensor) and calibrated here with the
 * catalog's temperature; a real right-click must then show exactly those
 * probabilities on the page (the overlay's chip and its top-5 panel) and store
 * them in IndexedDB, with the uncalibrated top-5 kept beside them. Below the
 * model's "unsure" threshold the overlay says unsure and offers the top 3.
 */
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibratedSoftmax } from '../../src/core/calibration';
import { findModel } from '../../src/core/catalog';
import { base64ToFloats, floatsToBase64 } from '../../src/core/float-codec';
import { normalize } from '../../src/core/normalize';
import { storedUrl } from '../../src/core/record';
import type { PreprocessResult, TensorResult } from '../../src/lib/messages';
import { readCatalog } from '../../tools/lib/catalog-file';
import { launchExtension, type ExtensionHandle } from '../../tools/lib/extension';
import { clickClassify, readRecords, waitFor } from '../support/context-menu';
import { layerClick, layerCount, layerText } from '../support/overlay';
import { startFixture, type Fixture } from './fixtures';

const catalog = readCatalog();
const model = findModel(catalog, catalog.default);

let ext: ExtensionHandle;
let fx: Fixture;
let page: Page;
let extPage: Page;
let sw: Worker;

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

type Pit = { pit: { sendOffscreen(n: string, p: unknown, t?: number): Promise<unknown> } };

/** The raw logits of the default model for an image's bytes, through the extension's own decoder and session. */
async function rawLogits(url: string): Promise<Float32Array> {
  const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
  const type = url.endsWith('.png') ? 'image/png' : 'image/jpeg';
  const pre = (await sw.evaluate(async (srcUrl) => (globalThis as unknown as Pit).pit.sendOffscreen('offscreen:preprocess', { srcUrl, size: 32, prefer: 'auto' }, 60_000),
    `data:${type};base64,${bytes.toString('base64')}`)) as PreprocessResult;
  const input = normalize(base64ToFloats(pre.chw), model.mean, model.std);
  const r = (await sw.evaluate(async (req) => (globalThis as unknown as Pit).pit.sendOffscreen('offscreen:infer-tensor', req, 60_000),
    { modelId: model.id, backend: 'wasm', threads: 0, dims: [1, 3, 32, 32], data: floatsToBase64(input) })) as TensorResult;
  return base64ToFloats(r.logits);
}

const pct = (p: number) => `${(p * 100).toFixed(p >= 0.995 ? 0 : 1)}%`;

describe('calibrated confidence', () => {
  it('the shipped default carries a fitted calibration that changes what is shown', () => {
    expect(model.calibration, 'npm run calibrate -- <default> has not been run').toBeTruthy();
    expect(Math.abs((model.calibration?.temperature ?? 1) - 1)).toBeGreaterThan(0.05);
  });

  it('overlay, top-5 panel and IndexedDB show softmax(logits / T) for the same input; the raw top-5 is kept', async () => {
    const T = model.calibration?.temperature ?? 1;
    const threshold = model.calibration?.unsureBelow ?? 0.5;
    const urls = [fx.images.png, fx.images.jpeg];
    await clickClassify(sw, fx.pageUrl, urls);
    type Rec = { requestId: string; imageUrl: string; error?: string; top5: { index: number; prob: number; label: string }[]; rawTop5?: { index: number; prob: number }[] };
    const recs = (await waitFor(async () => (await readRecords(extPage)) as unknown as Rec[], (r) => r.length >= urls.length, 90_000, 'two records')) as Rec[];
    for (const url of urls) {
      const rec = recs.find((r) => r.imageUrl === storedUrl(url));
      expect(rec?.error).toBeUndefined();
      const logits = await rawLogits(url);
      const want = calibratedSoftmax(logits, T);
      const raw = calibratedSoftmax(logits, 1);
      const order = [...want.keys()].sort((a, b) => (want[b] as number) - (want[a] as number)).slice(0, 5);
      expect(rec!.top5.map((p) => p.index)).toEqual(order);
      for (const p of rec!.top5) expect(p.prob).toBeCloseTo(want[p.index] as number, 5);
      expect(rec!.rawTop5?.map((p) => p.index)).toEqual(order); // a temperature never reorders
      for (const p of rec!.rawTop5 ?? []) expect(p.prob).toBeCloseTo(raw[p.index] as number, 5);
      expect(rec!.top5[0]!.prob).toBeLessThan(rec!.rawTop5![0]!.prob); // T > 1: softer than the raw softmax

      // What the page shows: the same numbers.
      const ov = (inner: string) => `[data-pit-overlay="${rec!.requestId}"] ${inner}`;
      await expect.poll(() => layerCount(page, ov('button.chip'))).toBe(1);
      const top = want[order[0] as number] as number;
      const chip = (await layerText(page, ov('button.chip'))) ?? '';
      if (top < threshold) {
        expect(chip).toMatch(/^Unsure:/);
        const guesses = ((await layerText(page, ov('.chip .guesses'))) ?? '').split(' · ');
        expect(guesses).toHaveLength(3);
        for (const [k, g] of guesses.entries()) expect(g.endsWith(` ${Math.round(100 * (want[order[k] as number] as number))}%`), g).toBe(true);
      } else {
        expect(await layerText(page, ov('.chip .prob'))).toBe(pct(top));
      }
      await layerClick(page, ov('button.chip'));
      const shown = await layerText(page, ov('.panel ol'));
      for (const i of order) expect(shown).toContain(pct(want[i] as number));
      await layerClick(page, ov('button.chip'));
    }
  }, 180_000);
});
