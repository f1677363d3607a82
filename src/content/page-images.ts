/**
 * The content script's side of page tagging: collect, hand over bytes the
 * page alone can read (blob:), and remember which element showed which URL so
 * chips land on the right images.
 */
import type { ChipData, SkippedImage, TagImage } from '../lib/messages';
import { showChip, setChipsVisible } from './chips';
import { collectImages, type Candidate } from './collect';
import { readImageAsDataUrl } from './read-image';

const elementsByUrl = new Map<string, Element[]>();

export function remember(images: readonly Candidate[]): void {
  for (const c of images) {
    const list = elementsByUrl.get(c.url) ?? [];
    if (!list.includes(c.element)) list.push(c.element);
    elementsByUrl.set(c.url, list);
  }
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
    // Records keep at most 512 characters of a URL (long data: URLs): match on that prefix.
    const els = elementsByUrl.get(c.srcUrl) ?? [...elementsByUrl.entries()].find(([u]) => c.srcUrl.endsWith('...') && u.startsWith(c.srcUrl.slice(0, -3)))?.[1] ?? [];
    for (const el of els) {
      if (!el.isConnected) continue;
      showChip(el, c, unsureBelow);
      n++;
    }
  }
  return n;
}
