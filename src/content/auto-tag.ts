/**
 * Auto-tagging on sites the user allowed: watch for images that appear later
 * (lazy loading, infinite scroll) and send the new ones in small groups, in
 * idle time, so the page's own work always goes first.
 */
import type { ContentSettings } from '../lib/messages';
import { send } from '../lib/messaging';
import { collectImages } from './collect';
import { remember } from './page-images';

const seen = new Set<string>();
let observer: MutationObserver | undefined;
let scheduled = false;
let minSize = 32;

function idle(fn: () => void): void {
  if ('requestIdleCallback' in window) requestIdleCallback(fn, { timeout: 2000 });
  else setTimeout(fn, 200);
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  idle(() => {
    scheduled = false;
    const { images } = collectImages(document, minSize, seen);
    // blob: URLs need their bytes read here; auto-tag leaves them to "Tag this page".
    const fresh = images.filter((c) => !c.url.startsWith('blob:'));
    if (fresh.length === 0) return;
    remember(fresh);
    for (let i = 0; i < fresh.length; i += 100) {
      const chunk = fresh.slice(i, i + 100).map((c) => ({ srcUrl: c.url }));
      void send('background:auto-tag', { images: chunk }).catch(() => undefined);
    }
  });
}

function onLoad(e: Event): void {
  if (e.target instanceof HTMLImageElement) schedule();
}

function start(): void {
  if (observer) return;
  observer = new MutationObserver(schedule);
  observer.observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['src', 'srcset', 'style', 'class'] });
  document.addEventListener('load', onLoad, { capture: true, passive: true });
  schedule();
}

function stop(): void {
  observer?.disconnect();
  observer = undefined;
  document.removeEventListener('load', onLoad, { capture: true });
}

/** Start or stop with this page's settings view (top frame only). */
export function applyAutoTag(s: ContentSettings): void {
  minSize = s.minImageSize;
  if (s.autoTagHere && window === window.top) start();
  else stop();
}
