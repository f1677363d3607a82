/**
 * Finds the images a page shows: <img> (the source the browser actually chose
 * from srcset/<picture>: currentSrc), CSS background images, inside open
 * shadow roots too; data: and blob: URLs included. SVG images are collected
 * and rasterised like any other (the offscreen decoder renders them); inline
 * <svg> elements and <canvas> are not images with a URL and are left alone.
 */
export type CandidateKind = 'img' | 'picture' | 'background';

export interface Candidate {
  url: string;
  kind: CandidateKind;
  element: Element;
}

export interface Skipped {
  url: string;
  reason: 'too small' | 'tracking pixel' | 'duplicate' | 'failed to load' | 'hidden' | 'unsupported URL';
}

export interface Collection {
  images: Candidate[];
  skipped: Skipped[];
}

/**
 * Which image an <img> shows, whichever of its srcset candidates the browser
 * loads (a lazy image is first known by its src, then by the candidate it
 * loads): its src and srcset, and its <picture>'s sources. Undefined for
 * other elements. It changes when a carousel or virtual list gives the
 * element another image.
 */
export function imageIdentity(el: Element): string | undefined {
  if (!(el instanceof HTMLImageElement)) return undefined;
  const sources = el.parentElement instanceof HTMLPictureElement
    ? [...el.parentElement.querySelectorAll('source')].map((s) => [s.srcset, s.media, s.type])
    : [];
  // `sizes` is left out: lazy loaders rewrite it to the element's width on every resize, for the same picture.
  // `src` resolved: setting the absolute form of the same relative URL is the same picture.
  return JSON.stringify([el.src, el.getAttribute('srcset'), sources]);
}

/**
 * An <img> still to load that will pick among candidates (srcset, <picture>):
 * its src may be only a placeholder, so what it shows is known once it has
 * loaded (its load event starts another pass).
 */
export function awaitsCandidate(el: Element): boolean {
  return el instanceof HTMLImageElement && !el.complete && (el.hasAttribute('srcset') || el.parentElement instanceof HTMLPictureElement);
}

const URL_IN_CSS = /url\(\s*(['"]?)(.*?)\1\s*\)/g;

function* elements(root: Document | ShadowRoot): Generator<Element> {
  for (const el of root.querySelectorAll('*')) {
    yield el;
    if (el.shadowRoot) yield* elements(el.shadowRoot);
  }
}

function absolute(url: string): string | undefined {
  try {
    return new URL(url, document.baseURI).href;
  } catch {
    return undefined;
  }
}

/**
 * Collect once. `seen` (URLs already collected, e.g. by an earlier pass of
 * auto-tagging) makes repeated passes report only new images.
 */
export function collectImages(root: Document, minSize: number, seen: Set<string> = new Set()): Collection {
  const images: Candidate[] = [];
  const skipped: Skipped[] = [];
  // Skipped URLs travel back to the popup: keep them short (a page can use megabyte data: URLs).
  const skip = (url: string, reason: Skipped['reason']) => skipped.push({ url: url.slice(0, 200), reason });
  const consider = (rawUrl: string, kind: CandidateKind, element: Element, natural?: { w: number; h: number }) => {
    const url = absolute(rawUrl);
    if (!url || !/^(https?|data|blob):/i.test(url)) {
      skip(rawUrl, 'unsupported URL');
      return;
    }
    const r = element.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) {
      skip(url, 'hidden');
      return;
    }
    // Tracking pixels: 1x1 (or 2x2) images, whatever size they are stretched to.
    if (natural && natural.w <= 2 && natural.h <= 2) {
      skip(url, 'tracking pixel');
      return;
    }
    if (r.width < minSize || r.height < minSize) {
      skip(url, 'too small');
      return;
    }
    if (seen.has(url)) {
      skip(url, 'duplicate');
      return;
    }
    seen.add(url);
    images.push({ url, kind, element });
  };

  for (const el of elements(root)) {
    if (el instanceof HTMLImageElement) {
      const url = el.currentSrc || el.src;
      if (!url) continue;
      if (el.complete && el.naturalWidth === 0) {
        skip(url, 'failed to load');
        continue;
      }
      // Not loaded yet (loading="lazy" below the fold): its src is all we know, and enough to fetch it.
      const natural = el.complete ? { w: el.naturalWidth, h: el.naturalHeight } : undefined;
      consider(url, el.parentElement instanceof HTMLPictureElement ? 'picture' : 'img', el, natural);
      continue;
    }
    const bg = getComputedStyle(el).backgroundImage;
    if (!bg || bg === 'none' || !bg.includes('url(')) continue;
    for (const m of bg.matchAll(URL_IN_CSS)) if (m[2]) consider(m[2], 'background', el);
  }
  return { images, skipped };
}
