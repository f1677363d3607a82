/**
 * The content script's side of page tagging: collect, hand over bytes the
 * page alone can read (blob:), and remember which element showed which URL so
 * chips land on the right images.
 */
import { storedUrl } from '../core/record';
import type { ChipData, SkippedImage, TagImage } from '../lib/messages';
import { showChip, setChipsVisible } from './chips';
import { collectImages, type Candidate } from './collect';
import { readImageAsDataUrl } from './read-image';

const elementsByUrl = new Map<string, Element[]>();
/** Inline images left out of a collect reply, by their stored key: read when the job reaches them. */
const deferredUrls = new Map<string, string>();

/** Keyed by the URL as records store it (long data: URLs shortened with a hash). */
export function remember(images: readonly Candidate[]): void {
  for (const c of images) {
    const key = storedUrl(c.url);
    const list = elementsByUrl.get(key) ?? [];
    if (!list.includes(c.element)) list.push(c.element);
    elementsByUrl.set(key, list);
  }
}

/** Does the element still show this image? Carousels and virtual lists reuse <img> elements. */
function stillShows(el: Element, key: string): boolean {
  if (el instanceof HTMLImageElement) return storedUrl(el.currentSrc || el.src) === key;
  return getComputedStyle(el).backgroundImage.includes(key.slice(0, 100));
}

/**
 * Bytes one collect reply may carry inline (data: URLs and the page's blob:
 * images read as data: URLs). A page full of huge inline images must not make
 * one message of gigabytes: past the budget, an image travels as a short key
 * (`deferred`) and its bytes are read on demand when the job reaches it, one
 * at a time (readDeferred).
 */
export const COLLECT_BUDGET = 16 * 1024 * 1024;

export async function toTagImages(images: readonly Candidate[]): Promise<TagImage[]> {
  let used = 0;
  const out: TagImage[] = [];
  const over = (c: Candidate) => {
    const key = storedUrl(c.url);
    deferredUrls.set(key, c.url);
    out.push({ srcUrl: key, deferred: true });
  };
  for (const c of images) {
    if (c.url.startsWith('data:')) {
      if (used + c.url.length > COLLECT_BUDGET) over(c);
      else {
        used += c.url.length;
        out.push({ srcUrl: c.url });
      }
      continue;
    }
    if (!c.url.startsWith('blob:')) {
      out.push({ srcUrl: c.url });
      continue;
    }
    try {
      // Read one at a time, so the budget bounds what is in memory too.
      const dataUrl = await readImageAsDataUrl(c.url);
      if (used + dataUrl.length > COLLECT_BUDGET) over(c);
      else {
        used += dataUrl.length;
        out.push({ srcUrl: c.url, dataUrl });
      }
    } catch (e) {
      out.push({ srcUrl: c.url, readError: `could not read the page's blob: image (${e instanceof Error ? e.message : String(e)})` });
    }
  }
  return out;
}

/**
 * The bytes of an image, as a data: URL, for the worker: a deferred inline
 * image by its key, or the page's own blob: URL (a click on one).
 */
export async function readForWorker(srcUrl: string): Promise<string> {
  const url = deferredUrls.get(srcUrl) ?? srcUrl;
  if (url.startsWith('data:')) return url;
  return readImageAsDataUrl(url);
}

export async function collectForTagging(minSize: number): Promise<{ images: TagImage[]; skipped: SkippedImage[] }> {
  const { images, skipped } = collectImages(document, minSize);
  remember(images);
  return { images: await toTagImages(images), skipped };
}

export function drawChips(chips: readonly ChipData[], unsureBelow: number, show: boolean): number {
  setChipsVisible(show);
  let n = 0;
  for (const c of chips) {
    for (const el of elementsByUrl.get(c.srcUrl) ?? []) {
      if (!el.isConnected || !stillShows(el, c.srcUrl)) continue;
      showChip(el, c, unsureBelow);
      n++;
    }
  }
  return n;
}
