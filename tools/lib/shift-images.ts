/**
 * Images brought to the model the way web photos are, for the shift benchmark
 * (tools/eval-shift.ts): a CIFAR-100 picture drawn into a frame by the
 * browser (upscaled, off-centre, squashed), encoded by the browser's own JPEG
 * encoder, then fetched and decoded by the offscreen document's pipeline
 * (`offscreen:preprocess`: fetchImage + decodeToInput, the functions a click
 * uses). Nothing here re-implements the decode path.
 */
import type { Page, Worker } from 'playwright-core';
import { base64ToFloats } from '../../src/core/float-codec';
import type { PreprocessResult } from '../../src/lib/messages';

/** How one picture is framed and encoded. Sizes in px; `cx`, `cy` the object's centre as fractions of the frame. */
export type Frame =
  | { kind: 'web'; side: number; quality: number }
  | { kind: 'placed'; w: number; h: number; side: number; cx: number; cy: number; quality: number }
  | { kind: 'squash'; w: number; h: number; quality: number };

export interface FramedImage {
  /** Planar RGB 3 × 32 × 32 bytes. */
  pixels: ArrayLike<number>;
  frame: Frame;
}

/**
 * Encode in an extension page (its blob: URLs are readable by the offscreen
 * document, same origin; a rendering page has the idle time convertToBlob needs).
 */
export async function encodeFrames(page: Page, items: readonly FramedImage[]): Promise<string[]> {
  return page.evaluate(async (items) => {
    const small = new OffscreenCanvas(32, 32);
    const sc = small.getContext('2d') as OffscreenCanvasRenderingContext2D;
    const urls: string[] = [];
    for (const { pixels, frame: f } of items) {
      const img = new ImageData(32, 32);
      for (let i = 0; i < 1024; i++) img.data.set([pixels[i] as number, pixels[1024 + i] as number, pixels[2048 + i] as number, 255], i * 4);
      sc.putImageData(img, 0, 0);
      const w = f.kind === 'web' ? f.side : f.w;
      const h = f.kind === 'web' ? f.side : f.h;
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      if (f.kind === 'placed') {
        // The scene around the object: the picture itself, enlarged past the frame and blurred (no grey bands a photo never has).
        ctx.filter = `blur(${Math.round(Math.max(w, h) / 40)}px)`;
        const big = Math.max(w, h) * 1.3;
        ctx.drawImage(small, (w - big) / 2, (h - big) / 2, big, big);
        ctx.filter = 'none';
        ctx.drawImage(small, f.cx * w - f.side / 2, f.cy * h - f.side / 2, f.side, f.side);
      } else {
        ctx.drawImage(small, 0, 0, w, h); // 'web': upscaled; 'squash': stretched to another aspect
      }
      urls.push(URL.createObjectURL(await canvas.convertToBlob({ type: 'image/jpeg', quality: f.quality / 100 })));
    }
    return urls;
  }, items.map((i) => ({ pixels: Array.from(i.pixels), frame: i.frame })));
}

export async function revoke(page: Page, urls: readonly string[]): Promise<void> {
  await page.evaluate((urls) => {
    for (const u of urls) URL.revokeObjectURL(u);
  }, [...urls]);
}

export interface DecodedViews {
  /** The centred square, as the model's input before normalisation (C × 32 × 32, 0..255). */
  chw: Float32Array;
  /** The whole frame at the same size (a model's `frame` view). */
  frame: Float32Array;
}

/** Each URL through the offscreen document's fetch and decode (offscreen:preprocess), both views. */
export async function decodeInExtension(sw: Worker, urls: readonly string[], size = 32): Promise<DecodedViews[]> {
  const out = await sw.evaluate(async ({ urls, size }) => {
    const pit = (globalThis as unknown as { pit: { sendOffscreen(n: string, p: unknown, t?: number): Promise<PreprocessResult> } }).pit;
    return Promise.all(urls.map((srcUrl) => pit.sendOffscreen('offscreen:preprocess', { srcUrl, size, prefer: 'auto', frame: true }, 60_000)
      .then((r) => [r.chw, r.frameChw ?? r.chw] as const)));
  }, { urls: [...urls], size });
  return out.map(([c, f]) => ({ chw: base64ToFloats(c), frame: base64ToFloats(f) }));
}
