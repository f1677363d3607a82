/**
 * The shift benchmark's images: CIFAR-100 test pictures brought to the model
 * the way web photos are, seeded and reproducible. Two disjoint halves of the
 * test set: `fit` (images 0–4999: calibration is fitted and thresholds chosen
 * here only) and `report` (images 5000–9999: every reported figure). Parts:
 *   - web: upscaled to 96–1024 px, JPEG at web qualities, decoded by the extension;
 *   - corruptions: 13 CIFAR-100-C-style corruptions × severities 1–5 (tools/lib/corruptions.ts)
 *     as the model's input, plus JPEG compression at severities 1–5 through the extension's decoder;
 *   - geometry: the object off-centre in a wider frame, small in a scene, or the frame squashed
 *     (the pipeline's centre crop then sees part of it, or a distorted one).
 */
import type { Page, Worker } from 'playwright-core';
import { mirrorX } from '../../src/core/normalize';
import { CORRUPTIONS, corrupt, JPEG_QUALITY, rng } from './corruptions';
import type { CifarSet } from './cifar';
import { encodeJpeg } from './images';
import { decodeInExtension, type DecodedViews, encodeFrames, type Frame, revoke } from './shift-images';

export type Part = 'clean' | 'web' | 'corruptions' | 'geometry';
export const SHIFTED: readonly Part[] = ['web', 'corruptions', 'geometry'];

export interface ShiftItem {
  part: Part;
  /** What was done, e.g. "gaussian_noise/3", "web 640px q70", "offcentre". */
  variant: string;
  label: number;
  /** Index in the CIFAR-100 test set. */
  index: number;
  /** The model's input before normalisation: planar RGB 3 × 32 × 32, 0..255. */
  chw: Float32Array;
  /** The whole-frame view (a model's `frame` view); absent: the same as `chw` (a square picture). */
  frame?: Float32Array;
}

export interface SetSizes {
  /** Clean images (report half only: clean data is never fitted on). */
  clean: number;
  web: number;
  /** Images per corruption and severity. */
  perCorruption: number;
  /** Images per geometry variant. */
  perGeometry: number;
}

/** Each shifted part about 1,500 images per half, so the balanced total uses every image. */
export const DEFAULT_SIZES: SetSizes = { clean: 2000, web: 1500, perCorruption: 22, perGeometry: 500 };
export const WEB_SIDES = [96, 160, 256, 400, 640, 1024] as const;
export const WEB_QUALITIES = [50, 70, 85, 95] as const;

export type Half = 'fit' | 'report';
const HALF = { fit: [0, 5000], report: [5000, 10000] } as const;

/** A seeded permutation of the half's indices. */
function shuffled(half: Half, seed: number): number[] {
  const [lo, hi] = HALF[half];
  const ids = Array.from({ length: hi - lo }, (_, i) => lo + i);
  const r = rng(seed);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(r.u() * (i + 1));
    [ids[i], ids[j]] = [ids[j] as number, ids[i] as number];
  }
  return ids;
}

function toRgba(planar: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(1024 * 4);
  for (let i = 0; i < 1024; i++) out.set([planar[i] as number, planar[1024 + i] as number, planar[2048 + i] as number, 255], i * 4);
  return out;
}

/** Run the browser-made frames through the extension in chunks, keeping the page's memory bounded. */
async function throughExtension(page: Page, sw: Worker, items: { pixels: ArrayLike<number>; frame?: Frame; dataUrl?: string }[], onChunk: (n: number) => void): Promise<DecodedViews[]> {
  const out: DecodedViews[] = [];
  for (let s = 0; s < items.length; s += 50) {
    const chunk = items.slice(s, s + 50);
    const framed = chunk.filter((c) => c.frame).map((c) => ({ pixels: c.pixels, frame: c.frame as Frame }));
    const blobUrls = framed.length ? await encodeFrames(page, framed) : [];
    let k = 0;
    const urls = chunk.map((c) => c.dataUrl ?? (blobUrls[k++] as string));
    out.push(...(await decodeInExtension(sw, urls)));
    if (blobUrls.length) await revoke(page, blobUrls);
    onChunk(out.length);
  }
  return out;
}

export async function buildShiftSet(set: CifarSet, half: Half, sizes: SetSizes, seed: number, page: Page, sw: Worker, log: (s: string) => void = () => undefined): Promise<ShiftItem[]> {
  const order = shuffled(half, seed + (half === 'fit' ? 1 : 2));
  let cursor = 0;
  const take = (n: number) => {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push(order[cursor++ % order.length] as number);
    return ids;
  };
  const r = rng(seed * 7 + (half === 'fit' ? 11 : 13));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r.u() * xs.length)] as T;
  const items: ShiftItem[] = [];
  const label = (i: number) => set.fine[i] as number;

  if (half === 'report') {
    for (const i of take(sizes.clean)) items.push({ part: 'clean', variant: 'clean', label: label(i), index: i, chw: Float32Array.from(set.pixels(i)) });
  }
  cursor = 0; // each part draws its own images from the same shuffled half (parts are reported separately)

  // Corruptions as the model's input (the 32×32 image is what the definitions act on).
  for (const kind of CORRUPTIONS) {
    for (let sev = 1; sev <= 5; sev++) {
      for (const i of take(sizes.perCorruption)) {
        items.push({ part: 'corruptions', variant: `${kind}/${sev}`, label: label(i), index: i, chw: Float32Array.from(corrupt(set.pixels(i), kind, sev, seed + i * 31 + sev)) });
      }
    }
  }
  log(`${half}: ${items.length} clean and corrupted inputs made`);

  // Through the extension's own fetch + decode: JPEG compression, the web pipeline, geometry.
  const viaExt: { meta: Omit<ShiftItem, 'chw'>; pixels: ArrayLike<number>; frame?: Frame; dataUrl?: string }[] = [];
  for (let sev = 1; sev <= 5; sev++) {
    for (const i of take(sizes.perCorruption)) {
      const jpg = encodeJpeg(32, 32, toRgba(set.pixels(i)), JPEG_QUALITY[sev - 1]);
      viaExt.push({ meta: { part: 'corruptions', variant: `jpeg_compression/${sev}`, label: label(i), index: i }, pixels: [], dataUrl: `data:image/jpeg;base64,${jpg.toString('base64')}` });
    }
  }
  for (const i of take(sizes.web)) {
    const side = pick(WEB_SIDES);
    const quality = pick(WEB_QUALITIES);
    viaExt.push({ meta: { part: 'web', variant: `web ${side}px q${quality}`, label: label(i), index: i }, pixels: set.pixels(i), frame: { kind: 'web', side, quality } });
  }
  for (const i of take(sizes.perGeometry)) {
    // A landscape frame with the object left or right of centre: the centre crop cuts it.
    const [w, h] = pick([[640, 480], [800, 533], [1024, 576]] as const);
    const side = h * (0.6 + 0.3 * r.u());
    const cx = r.u() < 0.5 ? 0.2 + 0.15 * r.u() : 0.65 + 0.15 * r.u();
    viaExt.push({ meta: { part: 'geometry', variant: 'offcentre', label: label(i), index: i }, pixels: set.pixels(i), frame: { kind: 'placed', w, h, side, cx, cy: 0.4 + 0.2 * r.u(), quality: 85 } });
  }
  for (const i of take(sizes.perGeometry)) {
    // The object small in a scene, anywhere in the frame.
    const s = 512 * (0.4 + 0.2 * r.u());
    const lo = s / 2 / 512;
    viaExt.push({ meta: { part: 'geometry', variant: 'small', label: label(i), index: i }, pixels: set.pixels(i), frame: { kind: 'placed', w: 512, h: 512, side: s, cx: lo + (1 - 2 * lo) * r.u(), cy: lo + (1 - 2 * lo) * r.u(), quality: 85 } });
  }
  for (const i of take(sizes.perGeometry)) {
    // Stretched 1.5–2× along one axis: the crop keeps the middle, distorted.
    const a = 1.5 + 0.5 * r.u();
    const [w, h] = r.u() < 0.5 ? [Math.round(320 * a), 320] : [320, Math.round(320 * a)];
    viaExt.push({ meta: { part: 'geometry', variant: 'squash', label: label(i), index: i }, pixels: set.pixels(i), frame: { kind: 'squash', w, h, quality: 85 } });
  }
  const decoded = await throughExtension(page, sw, viaExt, (n) => {
    if (n % 500 === 0 || n === viaExt.length) log(`${half}: ${n}/${viaExt.length} decoded by the extension`);
  });
  for (const [k, v] of viaExt.entries()) {
    const d = decoded[k] as DecodedViews;
    items.push({ ...v.meta, chw: d.chw, frame: d.frame });
  }
  return items;
}

/**
 * Equal weight per shifted part: n of each (n = the smallest part's size), drawn by a seeded shuffle — a part's
 * items are stored grouped by variant (corruption type, then severity), so its first n would not be a fair sample.
 */
export function balanced(items: readonly Pick<ShiftItem, 'part'>[], seed: number, parts: readonly Part[] = SHIFTED): number[] {
  const byPart = parts.map((p) => items.flatMap((it, k) => (it.part === p ? [k] : [])));
  const n = Math.min(...byPart.map((ks) => ks.length));
  const r = rng(seed);
  return byPart.flatMap((ks) => {
    const a = [...ks];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(r.u() * (i + 1));
      [a[i], a[j]] = [a[j] as number, a[i] as number];
    }
    return a.slice(0, n).sort((x, y) => x - y);
  });
}

/** Horizontal mirror of a planar C × 32 × 32 input (the "mirror" view; core/normalize's mirrorX). */
export const flip = (chw: Float32Array, side = 32): Float32Array => mirrorX(chw, side);
