/**
 * Content script: shows overlays and reads page-only images. It never
 * classifies anything itself and accepts messages only from this extension.
 */
import browser from 'webextension-polyfill';
import { listen } from '../lib/messaging';
import { labelDone } from './correct';
import { findImage, trackContextMenuTarget } from './find-image';
import { applyAutoTag } from './auto-tag';
import { closeAll, showPending, showResult } from './overlay';
import { collectForTagging, drawChips, readDeferred } from './page-images';
import { readImageAsDataUrl } from './read-image';
import { setChipsVisible } from './chips';
import { send } from '../lib/messaging';
import type { ContentSettings } from '../lib/messages';

// The worker may inject this script into a tab that already has it (tabs open
// before install get it on demand): register once per isolated world.
const FLAG = '__privateImageTaggerContent';
const g = globalThis as Record<string, unknown>;
if (!g[FLAG]) {
  g[FLAG] = true;
  // At most one warm-up message a second: every step behind it is idempotent, this only keeps the traffic down.
  let warmedAt = -Infinity;
  trackContextMenuTarget(document, () => {
    if (performance.now() - warmedAt < 1_000) return;
    warmedAt = performance.now();
    void send('background:warm-up', {}).catch(() => undefined);
  });
  // Leaving the page (navigation, reload, closing the tab) stops its tagging job: nothing more is fetched for it.
  addEventListener('pagehide', () => void send('background:page-gone', {}).catch(() => undefined));
  document.addEventListener('keydown', (e: KeyboardEvent) => {
    if (e.key === 'Escape') closeAll();
  }, { capture: true });

  listen('content', {
    'content:ping': () => ({ alive: true }),
    'content:pending': ({ requestId, srcUrl, clickedAt }) => {
      const target = findImage(srcUrl);
      showPending(target, requestId, srcUrl, clickedAt);
      return { found: target !== null };
    },
    'content:read-image': async ({ srcUrl }) => ({ dataUrl: await readImageAsDataUrl(srcUrl) }),
    'content:read-deferred': async ({ srcUrl }) => ({ dataUrl: await readDeferred(srcUrl) }),
    'content:label-done': (done) => ({ shown: labelDone(done) }),
    // Not shown (a newer click's overlay is up) counts as delivered: there is nothing to retry.
    'content:result': (res) => {
      showResult(findImage(res.srcUrl), res);
      return { shown: true };
    },
    'content:collect': ({ minSize }) => collectForTagging(minSize),
    'content:chips': ({ chips, show }) => ({ shown: drawChips(chips, show) }),
    'content:settings': (view) => {
      apply(view);
      return { applied: true };
    },
  }, (_name, sender) => sender.id === browser.runtime.id);

  // Settings arrive from the worker (this page's narrow view), at start and on every change.
  void send('background:content-settings', {}).then(apply).catch(() => undefined);
}

function apply(view: ContentSettings): void {
  setChipsVisible(view.showChips);
  applyAutoTag(view);
}
