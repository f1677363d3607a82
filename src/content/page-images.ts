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

export async function toTagImages(images: readonly Candidate[]): Promise<TagImage[]> {
  return Promise.all(images.map(async (c): Promise<TagImage> => {
    if (!c.url.startsWith('blob:')) return { srcUrl: c.url };
    try {
      return { srcUrl: c.url, dataUrl: await readImageAsDataUrl(c.url) };
    } catch (e) {
      return { srcUrl: c.url, readError: `could not read the page's blob: image (${e instanceof Error ? e.message : String(e)})` };
    }
  }));
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
