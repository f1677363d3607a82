/**
 * The result overlay on a classified image: a chip with the top label,
 * probability and the time the user waited (click → this label) that expands
 * to the top-5 and where the time went (session.run and the other phases). It
 * lives in the shared overlay layer (overlay-layer.ts), so it never shifts the page.
 */
import { epochNow } from '../core/clock';
import { fmtMs } from '../core/format';
import type { Timings } from '../core/record';
import type { ClassifyResult } from '../lib/messages';
import { labelName, t } from '../lib/i18n';
import { checkRow } from './correct';
import { layer, trackPosition } from './overlay-layer';

const overlays = new Map<string, Overlay>(); // by srcUrl: a re-click replaces the old overlay

/**
 * A spinner still up this long after it appeared says so: the worker gives up
 * on a request 120 s after the click and tells the page, but a page whose
 * worker message never arrives must not spin forever either.
 */
const SPINNER_GIVE_UP_MS = 150_000;

function pct(p: number): string {
  return `${(p * 100).toFixed(p >= 0.995 ? 0 : 1)}%`;
}

const ms = (v: number | undefined): string => t('ovMs', fmtMs(v));

/** Click → label as this page saw it; the record's own total when the click time is unknown (a replayed result). */
export function waitedMs(res: ClassifyResult, now = epochNow()): number {
  return res.clickedAt !== undefined ? Math.max(res.record.timings.total, now - res.clickedAt) : res.record.timings.total;
}

/** The phases in order, each named in the user's language (session.run is ORT's own name and stays). */
const PHASES: [keyof Timings, () => string][] = [
  ['dispatch', () => t('ovPhaseStart')], ['fetch', () => t('ovPhaseFetch')], ['decodeResize', () => t('ovPhaseDecode')],
  ['preprocess', () => t('ovPhaseNormalise')], ['queue', () => t('ovPhaseQueue')], ['inference', () => 'session.run'],
  ['postprocess', () => t('ovPhaseTop5')],
];

/** "start 3.1 ms · fetch 1.2 ms · … · session.run 9.6 ms": every phase that took time, in order. */
export function phaseText(tm: Timings): string {
  return PHASES.filter(([k]) => (tm[k] ?? 0) > 0.05 || k === 'inference').map(([k, name]) => `${name()} ${ms(tm[k])}`).join(' · ');
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text; // never innerHTML: labels and errors are data
  return e;
}

class Overlay {
  readonly wrap: HTMLDivElement;
  private readonly untrack: () => void;
  private spinnerTimer: ReturnType<typeof setTimeout> | undefined;

  /** `clickedAt`: when the user clicked (core/clock.ts epochNow), when known; orders the results of re-clicks. */
  constructor(private readonly target: Element | null, readonly requestId: string, readonly clickedAt?: number) {
    this.wrap = el('div', 'wrap');
    this.wrap.setAttribute('data-pit-overlay', requestId);
    layer().append(this.wrap);
    this.untrack = trackPosition(() => this.place());
  }

  /** Top-left corner of the image, kept inside the viewport; top-right of the viewport when the image is unknown. */
  place(): void {
    const { width, height } = this.wrap.getBoundingClientRect();
    const vw = document.documentElement.clientWidth;
    const vh = innerHeight;
    if (!this.target?.isConnected) {
      this.wrap.style.cssText = `top:8px;left:${Math.max(4, vw - width - 8)}px;`;
      return;
    }
    const r = this.target.getBoundingClientRect();
    const visible = r.bottom > 0 && r.top < vh && r.right > 0 && r.left < vw && r.width > 0;
    const left = Math.max(4, Math.min(r.left + 4, vw - width - 4));
    const top = Math.max(Math.min(r.top + 4, vh - height - 4), Math.min(4, r.top + 4));
    this.wrap.style.cssText = `top:${top}px;left:${left}px;${visible ? '' : 'visibility:hidden;'}`;
  }

  pending(): void {
    const chip = el('div', 'chip pending');
    chip.setAttribute('role', 'status');
    chip.append(el('span', 'spin'), el('span', undefined, t('ovClassifying')));
    this.wrap.replaceChildren(chip);
    this.place();
    clearTimeout(this.spinnerTimer);
    this.spinnerTimer = setTimeout(() => this.failed(t('ovNoAnswer')), SPINNER_GIVE_UP_MS);
  }

  private failed(reason: string): void {
    clearTimeout(this.spinnerTimer);
    const chip = el('div', 'chip error', t('ovFailed', reason));
    chip.setAttribute('role', 'alert');
    chip.append(this.closeButton());
    this.wrap.replaceChildren(chip);
    this.place();
  }

  result(res: ClassifyResult): void {
    const { record } = res;
    if (record.error || !record.top5[0]) {
      this.failed(record.error ?? t('ovNoResult'));
      return;
    }
    clearTimeout(this.spinnerTimer);
    const top = record.top5[0];
    const chip = el('button', 'chip');
    chip.type = 'button';
    chip.setAttribute('aria-expanded', 'false');
    const waited = waitedMs(res);
    const time = el('span', 'ms', ms(waited));
    time.title = t('ovWaitedTitle', ms(waited), ms(record.timings.inference));
    // Below the threshold the label is a guess: say so, and offer the three best guesses instead of one.
    const unsure = res.unsureBelow !== undefined && top.prob < res.unsureBelow;
    if (unsure) {
      // Whole percents: three guesses fit the chip's one line (the panel has the exact figures).
      const guesses = record.top5.slice(0, 3).map((p) => `${labelName(p.label)} ${Math.round(p.prob * 100)}%`).join(' · ');
      chip.classList.add('unsure');
      chip.setAttribute('aria-label', t('ovUnsureAria', guesses));
      // One line, like a sure label's chip (a taller chip would cover the image a user right-clicks next):
      // long guesses are cut with an ellipsis, all three stay in the tooltip, and the panel has the top 5.
      const g = el('span', 'guesses', guesses);
      g.title = guesses;
      chip.append(el('b', 'label', t('ovUnsure')), g, time);
    } else {
      chip.setAttribute('aria-label', t('ovChipAria', labelName(top.label), pct(top.prob)));
      chip.append(el('b', 'label', labelName(top.label)), el('span', 'prob', pct(top.prob)), time);
    }
    if (record.cloud) {
      chip.append(el('span', 'ms cloud', record.cloud.error ? t('ovCloudFailed') : t('ovCloud', ms(record.cloud.roundTripMs))));
    }
    if (res.notes.length > 0) {
      const flag = el('span', 'flag', '!');
      flag.title = res.notes.join('\n');
      chip.append(flag);
    }
    const panel = this.panel(res);
    chip.addEventListener('click', (e) => {
      e.stopPropagation(); // the page must not see clicks on our overlay as clicks on its image link
      e.preventDefault();
      panel.hidden = !panel.hidden;
      chip.setAttribute('aria-expanded', String(!panel.hidden));
      this.place();
    });
    this.wrap.replaceChildren(chip, panel);
    this.place();
  }

  private panel(res: ClassifyResult): HTMLDivElement {
    const { record } = res;
    const panel = el('div', 'panel');
    panel.hidden = true;
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', t('ovTop5Aria'));
    const head = el('div', 'head', t('ovTop5'));
    head.append(this.closeButton());
    const list = el('ol');
    for (const p of record.top5) {
      const li = el('li');
      const bar = el('div', 'bar');
      const fill = el('i');
      fill.style.width = `${Math.max(1, p.prob * 100)}%`;
      bar.append(fill, el('span', undefined, labelName(p.label)));
      li.append(bar, el('span', 'p', pct(p.prob)));
      list.append(li);
    }
    const tm = record.timings;
    const meta = el('div', 'meta',
      `${record.modelId} · ${record.backend}${record.backend === 'wasm' ? ` ×${record.threads}` : ''} · ${t('ovOnDevice')}`);
    const timing = el('div', 'meta timing', t('ovLabelIn', ms(waitedMs(res)), phaseText(tm)) +
      (record.coldStart && record.sessionCreateMs !== undefined ? ` · ${t('ovModelLoad', ms(record.sessionCreateMs))}` : ''));
    panel.append(head, list, meta, timing, checkRow(record.requestId, record.modelId, record.top5[0]!.label, record.userLabel));
    if (record.cloud) {
      const c = record.cloud;
      const top = c.top5[0];
      panel.append(el('div', 'meta cloud', c.error
        ? t('ovCloudError', c.endpoint, c.error)
        : t('ovCloudResult', c.endpoint, c.model, top ? `${labelName(top.label)} ${pct(top.prob)}` : '–', ms(c.roundTripMs)) +
          (c.computeMs !== undefined ? ` ${t('ovCloudSplit', ms(c.computeMs), ms(c.overheadMs ?? 0))}` : '')));
    }
    for (const n of res.notes) panel.append(el('div', 'note', n));
    return panel;
  }

  private closeButton(): HTMLButtonElement {
    const b = el('button', 'close', '×');
    b.type = 'button';
    b.setAttribute('aria-label', t('ovClose'));
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      e.preventDefault();
      this.remove();
    });
    return b;
  }

  remove(): void {
    clearTimeout(this.spinnerTimer);
    this.untrack();
    this.wrap.remove();
    for (const [k, v] of overlays) if (v === this) overlays.delete(k);
  }
}

/** Whether `current` shows a later click than one made at `clickedAt` (unknown times never count as older). */
const newer = (current: Overlay | undefined, clickedAt: number | undefined): boolean =>
  current?.wrap.isConnected === true && current.clickedAt !== undefined && clickedAt !== undefined && clickedAt < current.clickedAt;

export function showPending(target: Element | null, requestId: string, srcUrl: string, clickedAt?: number): void {
  const current = overlays.get(srcUrl);
  // The pending message is not awaited by the worker: a fast result can overtake it.
  if (current?.requestId === requestId && current.wrap.isConnected) return;
  if (newer(current, clickedAt)) return;
  current?.remove();
  const o = new Overlay(target, requestId, clickedAt);
  overlays.set(srcUrl, o);
  o.pending();
}

/**
 * Show a result; creates the overlay if the pending one is gone (page
 * re-rendered, worker restarted). A result of an older click on the same
 * image (a slow cloud comparison, a replay) never replaces a newer click's
 * overlay. The overlay is found by image URL, else by request (a replayed
 * request of a huge data: image carries its URL cut short). Returns whether it is shown.
 */
export function showResult(target: Element | null, res: ClassifyResult): boolean {
  let key = res.srcUrl;
  let o = overlays.get(key);
  if (!o) {
    const byRequest = [...overlays].find(([, v]) => v.requestId === res.requestId);
    if (byRequest) [key, o] = byRequest;
  }
  if (o?.requestId !== res.requestId && newer(o, res.clickedAt)) return false;
  if (!o || o.requestId !== res.requestId || !o.wrap.isConnected) {
    o?.remove();
    o = new Overlay(target, res.requestId, res.clickedAt);
    overlays.set(key, o);
  }
  o.result(res);
  return true;
}

export function closeAll(): void {
  for (const o of [...overlays.values()]) o.remove();
}
