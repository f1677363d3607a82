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
 * one message of gigabytes: past the budget, an image is left out with a
 * reason (a right-click classifies it alone), one at a time in page order.
 */
export const COLLECT_BUDGET = 16 * 1024 * 1024;

export async function toTagImages(images: readonly Candidate[], skipped: SkippedImage[] = []): Promise<TagImage[]> {
  let used = 0;
  const out: TagImage[] = [];
  const over = (c: Candidate, bytes: number) => skipped.push({ url: c.url.slice(0, 200), reason: `inline image too large for one tagging job (${(bytes / 1048576).toFixed(1)} MB): right-click it to classify it alone` });
  for (const c of images) {
    if (c.url.startsWith('data:')) {
      if (used + c.url.length > COLLECT_BUDGET) over(c, c.url.length);
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
      if (used + dataUrl.length > COLLECT_BUDGET) over(c, dataUrl.length);
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

export async function collectForTagging(minSize: number): Promise<{ images: TagImage[]; skipped: SkippedImage[] }> {
  const { images, skipped } = collectImages(document, minSize);
  remember(images);
  return { images: await toTagImages(images, skipped), skipped };
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
