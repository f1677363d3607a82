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
  reason: 'too small' | 'tracking pixel' | 'duplicate' | 'not loaded' | 'hidden' | 'unsupported URL';
}

export interface Collection {
  images: Candidate[];
  skipped: Skipped[];
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
  const consider = (rawUrl: string, kind: CandidateKind, element: Element, natural?: { w: number; h: number }) => {
    const url = absolute(rawUrl);
    if (!url || !/^(https?|data|blob):/i.test(url)) {
      skipped.push({ url: rawUrl.slice(0, 200), reason: 'unsupported URL' });
      return;
    }
    const r = element.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) {
      skipped.push({ url, reason: 'hidden' });
      return;
    }
    // Tracking pixels: 1x1 (or 2x2) images, whatever size they are stretched to.
    if (natural && natural.w <= 2 && natural.h <= 2) {
      skipped.push({ url, reason: 'tracking pixel' });
      return;
    }
    if (r.width < minSize || r.height < minSize) {
      skipped.push({ url, reason: 'too small' });
      return;
    }
    if (seen.has(url)) {
      skipped.push({ url, reason: 'duplicate' });
      return;
    }
    seen.add(url);
    images.push({ url, kind, element });
  };

  for (const el of elements(root)) {
    if (el instanceof HTMLImageElement) {
      const url = el.currentSrc || el.src;
      if (!url) continue;
      if (!el.complete || el.naturalWidth === 0) {
        skipped.push({ url, reason: 'not loaded' });
        continue;
      }
      consider(url, el.parentElement instanceof HTMLPictureElement ? 'picture' : 'img', el, { w: el.naturalWidth, h: el.naturalHeight });
      continue;
    }
    const bg = getComputedStyle(el).backgroundImage;
    if (!bg || bg === 'none' || !bg.includes('url(')) continue;
    for (const m of bg.matchAll(URL_IN_CSS)) if (m[2]) consider(m[2], 'background', el);
  }
  return { images, skipped };
}
