/**
 * Auto-tagging on sites the user allowed: watch for images that appear later
 * (lazy loading, infinite scroll) and send the new ones in small groups, in
 * idle time, so the page's own work always goes first.
 */
import type { ContentSettings } from '../lib/messages';
import { autoTagOfferable } from '../lib/message-schemas';
import { send } from '../lib/messaging';
import { awaitsCandidate, collectImages, imageIdentity, type Candidate } from './collect';
import { COLLECT_BUDGET, remember } from './page-images';

const seen = new Set<string>();
/** The image each offered <img> showed when offered (collect.ts imageIdentity): a lazy image that then loads another of its srcset candidates is not offered again. */
const offeredAs = new WeakMap<Element, string>();
const offeredBefore = (c: Candidate): boolean => {
  const id = imageIdentity(c.element);
  return id !== undefined && offeredAs.get(c.element) === id;
};
let observer: MutationObserver | undefined;
let scheduled = false;
let minSize = 32;

function idle(fn: () => void): void {
  if ('requestIdleCallback' in window) requestIdleCallback(fn, { timeout: 2000 });
  else setTimeout(fn, 200);
}

/** An offer is with the worker: the next pass waits for its answer (and runs right after it when asked for meanwhile). */
let offering = false;
let passWanted = false;
/** After a refusal (a job running, the quota spent) no pass runs before this: the page's mutations only note that one is wanted. */
let backoffUntil = 0;

function schedule(): void {
  if (offering || Date.now() < backoffUntil) {
    passWanted = true;
    return;
  }
  if (scheduled) return;
  scheduled = true;
  idle(() => {
    scheduled = false;
    const { images } = collectImages(document, minSize, seen);
    // blob: URLs need their bytes read here; auto-tag leaves them to "Tag this page", as it leaves a
    // data: URL over 8 MB (what the worker would refuse, and with it every other image of the offer).
    // A lazy srcset image waits for its load: collected now, it would be tagged by its placeholder src.
    const waiting = images.filter((c) => awaitsCandidate(c.element));
    for (const c of waiting) seen.delete(c.url);
    const fresh = images.filter((c) => !awaitsCandidate(c.element) && !c.url.startsWith('blob:') && autoTagOfferable(c.url) && !offeredBefore(c));
    if (fresh.length === 0) return;
    remember(fresh);
    // One offer at a time, of at most 100 images and (past its first) COLLECT_BUDGET characters of URLs: a page
    // of 8 MB data: images must not make one message of 800 MB. What the worker does not take (a job is
    // running, the site's quota is spent) or the offer leaves out is offered again later, never re-sent in a loop.
    const offer = fresh.slice(0, 1);
    let chars = offer[0]!.url.length;
    for (const c of fresh.slice(1, 100)) {
      if (chars + c.url.length > COLLECT_BUDGET) break;
      chars += c.url.length;
      offer.push(c);
    }
    for (const c of fresh.slice(offer.length)) seen.delete(c.url);
    const forget = (cs: readonly Candidate[]) => {
      for (const c of cs) {
        seen.delete(c.url);
        offeredAs.delete(c.element);
      }
    };
    for (const c of offer) {
      const id = imageIdentity(c.element);
      if (id !== undefined) offeredAs.set(c.element, id);
    }
    offering = true;
    let refused = false;
    void send('background:auto-tag', { images: offer.map((c) => ({ srcUrl: c.url })) }).then((r) => {
      const rest = offer.slice(r.accepted);
      forget(rest);
      refused = rest.length > 0;
      if (refused || fresh.length > offer.length) retryLater();
    }, () => {
      // Refused outright (auto-tag switched off meanwhile, the worker restarting): offered again later.
      forget(offer);
      refused = true;
      retryLater();
    }).finally(() => {
      offering = false;
      // After a refusal (job running, quota spent) the retry timer decides, not the page's next mutation.
      const again = passWanted && !refused;
      passWanted = false;
      if (again) schedule();
    });
  });
}

let retry: ReturnType<typeof setTimeout> | undefined;
function retryLater(): void {
  backoffUntil = Date.now() + 10_000;
  clearTimeout(retry);
  retry = setTimeout(() => {
    backoffUntil = 0;
    passWanted = false;
    schedule();
  }, 10_000);
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
  clearTimeout(retry);
  backoffUntil = 0;
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
