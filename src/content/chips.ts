/**
 * Small label chips on tagged images: top-1 label and probability (or
 * "unsure" below the threshold), bottom-left of the image, in the shared
 * overlay layer (no layout shift, page CSS cannot reach them). Dark, translucent
 * and outlined so they read on light and dark pictures alike.
 */
import { labelName, t } from '../lib/i18n';
import type { ChipData } from '../lib/messages';
import { layer, trackPosition } from './overlay-layer';

interface Chip {
  el: HTMLDivElement;
  target: Element;
  untrack: () => void;
}

const chips = new Map<Element, Chip>();
let visible = true;

/** Only writes styles (one layout read per chip, no read-after-write): anchored by its bottom edge via transform. */
function place(c: Chip): void {
  const r = c.target.getBoundingClientRect();
  const shown = visible && c.target.isConnected && r.width > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
  c.el.style.cssText = `left:${Math.max(0, r.left + 4)}px;top:${r.bottom - 4}px;transform:translateY(-100%);${shown ? '' : 'display:none;'}`;
}

export function showChip(target: Element, d: ChipData, unsureBelow: number): void {
  let c = chips.get(target);
  if (!c) {
    const el = document.createElement('div');
    el.className = 'tag-chip';
    el.setAttribute('role', 'note');
    layer().append(el);
    c = { el, target, untrack: () => undefined };
    const chip = c;
    c.untrack = trackPosition(() => place(chip));
    chips.set(target, c);
  }
  const label = labelName(d.label);
  const pct = `${Math.round(d.prob * 100)}%`;
  const unsure = d.prob < unsureBelow;
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
