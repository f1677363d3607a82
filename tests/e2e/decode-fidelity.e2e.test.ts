/**
 * Decoding at the size needed must not change what the model sees. Real-looking
 * images — CIFAR-100 test images upscaled (by the browser's smooth resampler)
 * into frames of several sizes, encoded as PNG and JPEG — go through the
 * offscreen document's decoder twice: the product path (ImageDecoder at a
 * reduced scale for JPEG) and createImageBitmap at full size (the path before
 * it). Top-1 of the shipped model must agree on ≥ 99 % of them; the mean
 * absolute difference of the model inputs is reported. Needs the CIFAR files.
 */
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModel } from '../../src/core/catalog';
import { base64ToFloats, floatsToBase64 } from '../../src/core/float-codec';
import { normalize } from '../../src/core/normalize';
import type { PreprocessResult, TensorResult } from '../../src/lib/messages';
import { readCatalog } from '../../tools/lib/catalog-file';
import { cifarDir, hasCifar, readCifar } from '../../tools/lib/cifar';
import { launchExtension, type ExtensionHandle } from '../../tools/lib/extension';
import { jpegScale } from '../../src/offscreen/image-decode';

const catalog = readCatalog();
const model = findModel(catalog, catalog.default);
const reason = hasCifar('test') ? '' : `CIFAR-100 test.bin not found in ${cifarDir()} (set CIFAR100_DIR)`;
if (reason) console.warn(`[skipped] decode fidelity: ${reason}`);

/** [type, frame width, frame height, how many of the images]. */
const VARIANTS: [string, number, number, number][] = [
  ['image/png', 128, 128, 60], ['image/jpeg', 128, 128, 60], ['image/png', 640, 480, 60], ['image/jpeg', 640, 480, 80],
  ['image/jpeg', 1200, 900, 120], ['image/jpeg', 1920, 1080, 120], ['image/jpeg', 4000, 3000, 24],
];

let ext: ExtensionHandle;
let page: Page;
let sw: Worker;
beforeAll(async () => {
  if (reason) return;
  ext = await launchExtension();
  sw = await ext.worker();
  page = await ext.page('src/options/options.html');
});
afterAll(async () => {
  await ext?.close();
});

/** Encode in the extension page (its blob: URLs are readable by the offscreen document, same origin). */
async function encode(pixels: number[][], type: string, w: number, h: number): Promise<string[]> {
  return page.evaluate(async ({ pixels, type, w, h }) => {
    const small = new OffscreenCanvas(32, 32);
    const frame = new OffscreenCanvas(w, h);
    const fc = frame.getContext('2d')!;
    const urls: string[] = [];
    for (const planar of pixels) {
      const img = new ImageData(32, 32);
      for (let i = 0; i < 1024; i++) img.data.set([planar[i]!, planar[1024 + i]!, planar[2048 + i]!, 255], i * 4);
      small.getContext('2d')!.putImageData(img, 0, 0);
      // The picture fills the centred square (what the pipeline crops); grey bands beside it.
      fc.fillStyle = '#808080';
      fc.fillRect(0, 0, w, h);
      fc.imageSmoothingQuality = 'high';
      const side = Math.min(w, h);
      fc.drawImage(small, (w - side) / 2, (h - side) / 2, side, side);
      urls.push(URL.createObjectURL(await frame.convertToBlob({ type, quality: 0.9 })));
    }
    return urls;
  }, { pixels, type, w, h });
}

async function preprocess(urls: string[], prefer: 'auto' | 'bitmap'): Promise<PreprocessResult[]> {
  return sw.evaluate(async ({ urls, prefer }) => {
    const pit = (globalThis as unknown as { pit: { sendOffscreen(n: string, p: unknown, t?: number): Promise<PreprocessResult> } }).pit;
    const out: PreprocessResult[] = [];
    for (const srcUrl of urls) out.push(await pit.sendOffscreen('offscreen:preprocess', { srcUrl, size: 32, prefer }, 60_000));
    return out;
  }, { urls, prefer });
}

async function top1(inputs: Float32Array[]): Promise<number[]> {
  const data = new Float32Array(inputs.length * 3072);
  for (const [i, x] of inputs.entries()) data.set(normalize(x, model.mean, model.std), i * 3072);
  const r = await sw.evaluate(async (req) => (globalThis as unknown as { pit: { sendOffscreen(n: string, p: unknown, t?: number): Promise<TensorResult> } }).pit
    .sendOffscreen('offscreen:infer-tensor', req, 120_000), { modelId: model.id, backend: 'wasm', threads: 0, dims: [inputs.length, 3, 32, 32], data: floatsToBase64(data) });
  const logits = base64ToFloats(r.logits);
  const classes = logits.length / inputs.length;
  return inputs.map((_, i) => {
    const row = logits.subarray(i * classes, (i + 1) * classes);
    return row.indexOf(Math.max(...row));
  });
}

describe.skipIf(reason !== '')(`decode at the size needed vs full-size createImageBitmap${reason ? ` — skipped: ${reason}` : ''}`, () => {
  it('feeds the model the same picture: top-1 agrees on ≥ 99 % of upscaled CIFAR test images, PNG and JPEG, 128 px to 4000×3000', async () => {
    const set = readCifar('test', 160);
    let agree = 0, total = 0;
    const lines: string[] = [];
    for (const [type, w, h, n] of VARIANTS) {
      const pixels = Array.from({ length: n }, (_, i) => [...set.pixels(i)]);
      const urls = await encode(pixels, type, w, h);
      const [fast, full] = [await preprocess(urls, 'auto'), await preprocess(urls, 'bitmap')];
      // JPEGs big enough for a reduced-scale decode take the ImageDecoder path; everything else (and the reference) createImageBitmap.
      expect(new Set(fast.map((r) => r.decoder))).toEqual(new Set([type === 'image/jpeg' && jpegScale(Math.min(w, h)) < 1 ? 'image-decoder' : 'bitmap']));
      expect(new Set(full.map((r) => r.decoder))).toEqual(new Set(['bitmap']));
      const a = fast.map((r) => base64ToFloats(r.chw));
      const b = full.map((r) => base64ToFloats(r.chw));
      let diff = 0;
      for (const [i, x] of a.entries()) for (const [j, v] of x.entries()) diff += Math.abs(v - (b[i]![j] ?? 0));
      const mad = diff / (n * 3072);
      const [ta, tb] = [await top1(a), await top1(b)];
      const same = ta.filter((c, i) => c === tb[i]).length;
      agree += same;
      total += n;
      const ms = (rs: PreprocessResult[]) => rs.map((r) => r.decodeMs).sort((x, y) => x - y)[Math.floor(rs.length / 2)]!.toFixed(1);
      lines.push(`${type} ${w}x${h}: top-1 agrees ${same}/${n}, mean |input difference| ${mad.toFixed(2)} of 255, decode median ${ms(fast)} ms vs ${ms(full)} ms`);
      expect(mad, `${type} ${w}x${h}`).toBeLessThan(4);
    }
    console.log(`decode fidelity:\n  ${lines.join('\n  ')}\n  all: ${agree}/${total} = ${((100 * agree) / total).toFixed(1)} % same top-1`);
    expect(agree / total).toBeGreaterThanOrEqual(0.99);
  }, 420_000);
});
