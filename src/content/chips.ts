/**
 * Small label chips on tagged images: top-1 label and probability (or
 * "unsure" below the threshold), bottom-left of the image, in the shared
 * overlay layer (no layout shift, page CSS cannot reach them). Dark, translucent
 * and outlined so they read on light and dark pictures alike.
 */
import { storedUrl } from '../core/record';
import { labelName, t } from '../lib/i18n';
import { imageIdentity } from './collect';
import type { ChipData } from '../lib/messages';
import { layer, trackPosition } from './overlay-layer';

interface Chip {
  el: HTMLDivElement;
  target: Element;
  /** The image the label is of: its URL as records store it, and what the <img> showed (collect.ts imageIdentity). */
  key: string;
  identity: string | undefined;
  untrack: () => void;
}

const chips = new Map<Element, Chip>();
let visible = true;

/**
 * Does the element still show the image `key` (its identity then: `identity`)?
 * Carousels and virtual lists reuse elements for other images; an <img> that
 * loads another candidate of the same srcset still shows the same image.
 */
export function stillShows(el: Element, key: string, identity: string | undefined): boolean {
  if (el instanceof HTMLImageElement) return identity !== undefined ? imageIdentity(el) === identity : storedUrl(el.currentSrc || el.src) === key;
  return getComputedStyle(el).backgroundImage.includes(key.slice(0, 100));
}

function removeChip(c: Chip): void {
  c.untrack();
  c.el.remove();
  chips.delete(c.target);
}

/** A chip goes as soon as its element is given another image: its label would name the wrong picture. */
const watcher = new MutationObserver((mutations) => {
  for (const m of mutations) {
    // A <picture>'s sources changed: the chip is its <img>'s.
    const t = m.target instanceof HTMLSourceElement ? m.target.parentElement : m.target;
    const el = t instanceof HTMLPictureElement ? t.querySelector('img') : t;
    const c = el instanceof Element ? chips.get(el) : undefined;
    if (c && !stillShows(c.target, c.key, c.identity)) removeChip(c);
  }
});

/** Only writes styles (one layout read per chip, no read-after-write): anchored by its bottom edge via transform. */
function place(c: Chip): void {
  const r = c.target.getBoundingClientRect();
  const shown = visible && c.target.isConnected && r.width > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
  c.el.style.cssText = `left:${Math.max(0, r.left + 4)}px;top:${r.bottom - 4}px;transform:translateY(-100%);${shown ? '' : 'display:none;'}`;
}

export function showChip(target: Element, d: ChipData, identity: string | undefined): void {
  let c = chips.get(target);
  if (!c) {
    const el = document.createElement('div');
    el.className = 'tag-chip';
    el.setAttribute('role', 'note');
    layer().append(el);
    c = { el, target, key: d.srcUrl, identity, untrack: () => undefined };
    const chip = c;
    c.untrack = trackPosition(() => place(chip));
    chips.set(target, c);
    watcher.observe(target, { attributes: true, attributeFilter: ['src', 'srcset', 'style', 'class'] });
    const picture = target.parentElement;
    if (picture instanceof HTMLPictureElement) {
      watcher.observe(picture, { childList: true, subtree: true, attributes: true, attributeFilter: ['srcset', 'media', 'type'] });
    }
  }
  c.key = d.srcUrl;
  c.identity = identity;
  const label = labelName(d.label);
  const pct = `${Math.round(d.prob * 100)}%`;
  const unsure = d.unsure;
  c.el.textContent = unsure ? t('chipUnsure', pct) : `${label} ${pct}`;
  c.el.classList.toggle('unsure', unsure);
  c.el.dataset.pitChip = d.srcUrl;
  c.el.title = unsure ? t('chipUnsureTitle', label, pct) : t('chipTitle', label, pct);
  c.el.setAttribute('aria-label', unsure ? t('chipUnsureAria', label, pct) : t('chipAria', label, pct));
  place(c);
}

export function setChipsVisible(on: boolean): void {
  visible = on;
  for (const c of chips.values()) place(c);
}

export function chipCount(): number {
  return chips.size;
}
