/**
 * Auto-tagging on sites the user allowed: watch for images that appear later
 * (lazy loading, infinite scroll) and send the new ones in small groups, in
 * idle time, so the page's own work always goes first.
 */
import browser from 'webextension-polyfill';
import type { Settings } from '../core/settings-schema';
import { send } from '../lib/messaging';
import { loadSettings } from '../lib/settings';
import { collectImages } from './collect';
import { remember } from './page-images';

const seen = new Set<string>();
let observer: MutationObserver | undefined;
let scheduled = false;
let minSize = 32;

function allowed(s: Settings): boolean {
  return s.autoTag && window === window.top && s.autoTagSites.includes(location.hostname);
}

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

async function apply(): Promise<void> {
  const s = await loadSettings();
  minSize = s.minImageSize;
  if (allowed(s)) start();
  else stop();
}

export function initAutoTag(): void {
  void apply();
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && changes.settings) void apply();
  });
}
