/**
 * The content script's side of page tagging: collect, hand over bytes the
 * page alone can read (blob:), and remember which element showed which URL so
 * chips land on the right images.
 */
import { storedUrl } from '../core/record';
import type { ChipData, SkippedImage, TagImage } from '../lib/messages';
import { showChip, setChipsVisible, stillShows } from './chips';
import { collectImages, imageIdentity, type Candidate } from './collect';
import { MAX_BYTES, readImageAsDataUrl, readImageWithin, tooLarge } from './read-image';

/** The elements that showed each URL when collected, with the image each showed then (collect.ts imageIdentity). */
const elementsByUrl = new Map<string, { el: Element; identity: string | undefined }[]>();
/**
 * Inline images a collect reply deferred, by the key they travelled as (their
 * stored URL): the URL itself and how many replies still await its read (two
 * jobs of this page may both hold it). An entry goes when its last awaited
 * read was taken, or when a later collect no longer finds the image here.
 */
const deferredUrls = new Map<string, { url: string; awaited: number }>();

/** Keyed by the URL as records store it (long data: URLs shortened with a hash). */
export function remember(images: readonly Candidate[]): void {
  for (const c of images) {
    const key = storedUrl(c.url);
    const list = (elementsByUrl.get(key) ?? []).filter((x) => x.el !== c.element);
    list.push({ el: c.element, identity: imageIdentity(c.element) });
    elementsByUrl.set(key, list);
  }
}

/**
 * Bytes one collect reply may carry inline (data: URLs and the page's blob:
 * images read as data: URLs). A page full of huge inline images must not make
 * one message of gigabytes: past the budget, an image travels as a short key
 * (`deferred`) and its bytes are read on demand when the job reaches it, one
 * at a time (offscreen/tag-jobs.ts loadDeferred, then readDeferred here).
 */
export const COLLECT_BUDGET = 16 * 1024 * 1024;

/**
 * The longest data: URL a deferred read ships: MAX_BYTES (the limit of a
 * blob: read) in base64, 4 characters for 3 bytes, plus room for the header.
 */
export const MAX_DATA_URL_CHARS = Math.ceil(MAX_BYTES / 3) * 4 + 1024;

/** About how many bytes a data: URL holds (base64 or percent-encoded), for an error message. */
function dataUrlBytes(url: string): number {
  const comma = url.indexOf(',');
  if (comma < 0) return url.length;
  const body = url.length - comma - 1;
  return /;base64$/i.test(url.slice(0, comma)) ? Math.floor((body * 3) / 4) : body;
}

export async function toTagImages(images: readonly Candidate[]): Promise<TagImage[]> {
  let used = 0;
  const out: TagImage[] = [];
  const defer = (c: Candidate) => {
    const key = storedUrl(c.url);
    deferredUrls.set(key, { url: c.url, awaited: (deferredUrls.get(key)?.awaited ?? 0) + 1 });
    out.push({ srcUrl: key, deferred: true });
  };
  for (const c of images) {
    if (c.url.startsWith('data:')) {
      // Over what a blob: read may bring: refused here, not shipped later.
      if (c.url.length > MAX_DATA_URL_CHARS) out.push({ srcUrl: storedUrl(c.url), readError: tooLarge(dataUrlBytes(c.url)).message });
      else if (used + c.url.length > COLLECT_BUDGET) defer(c);
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
      // Read one at a time, so the budget bounds what is in memory too; one over what is left is not read now.
      const dataUrl = await readImageWithin(c.url, COLLECT_BUDGET - used);
      if (dataUrl === undefined) defer(c);
      else {
        used += dataUrl.length;
        out.push({ srcUrl: c.url, dataUrl });
      }
    } catch (e) {
      out.push({ srcUrl: c.url, readError: `could not read the page's blob: image (${e instanceof Error ? e.message : String(e)})` });
    }
  }
  // What an earlier reply deferred and the page no longer shows is not kept for that (stale) job.
  const onPage = new Set(images.map((c) => storedUrl(c.url)));
  for (const key of [...deferredUrls.keys()]) if (!onPage.has(key)) deferredUrls.delete(key);
  return out;
}

/**
 * The bytes of a deferred inline image, as a data: URL, by the key its
 * collect reply gave it; each read takes one awaited read of the entry. A
 * key this document never deferred (the tab moved on, or the page changed)
 * is refused, never read as a URL.
 */
export async function readDeferred(key: string): Promise<string> {
  const entry = deferredUrls.get(key);
  if (!entry) throw new Error('the image is no longer on this page');
  entry.awaited--;
  if (entry.awaited <= 0) deferredUrls.delete(key);
  if (!entry.url.startsWith('data:')) return readImageAsDataUrl(entry.url); // the page's blob:, limited there
  if (entry.url.length > MAX_DATA_URL_CHARS) throw tooLarge(dataUrlBytes(entry.url));
  return entry.url;
}

export async function collectForTagging(minSize: number): Promise<{ images: TagImage[]; skipped: SkippedImage[] }> {
  const { images, skipped } = collectImages(document, minSize);
  remember(images);
  return { images: await toTagImages(images), skipped };
}

export function drawChips(chips: readonly ChipData[], show: boolean): number {
  setChipsVisible(show);
  let n = 0;
  for (const c of chips) {
    for (const { el, identity } of elementsByUrl.get(c.srcUrl) ?? []) {
      if (!el.isConnected || !stillShows(el, c.srcUrl, identity)) continue;
      showChip(el, c, identity);
      n++;
    }
  }
  return n;
}
