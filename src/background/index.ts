/**
 * Service worker composition root. Holds no state: every listener is
 * registered synchronously in the first turn (a worker woken by an event only
 * sees listeners that exist by then), and everything durable lives in
 * storage/IndexedDB. The worker may be killed at any moment.
 */
import browser from 'webextension-polyfill';
import { epochNow } from '../core/clock';
import { enforceRetention } from '../lib/db';
import { envelope } from '../lib/messages';
import { isExtensionContext, listen } from '../lib/messaging';
import { loadSettings } from '../lib/settings';
import { createContextMenu, onContextMenuClick } from './context-menu';
import { closeOffscreen, sendOffscreen } from './offscreen-client';
import { onClassified } from './on-classified';
import { autoTag, onTagProgress, pageGone, readDeferred, tagCancel, tagPage, tagStatus } from './tag-page';
import { contentSettings, pushContentSettings } from './content-settings';
import { warmUp } from './warm-up';
import { correctRecord, labelNamesFor } from '../lib/corrections';
import { markStored, replay, scheduleSweep } from './pending';

// Settings (cloud token included) stay out of web pages' processes: content
// scripts get their narrow view by message (content-settings.ts).
// storage.local.setAccessLevel needs Chrome 140, the manifest's minimum_chrome_version.
void chrome.storage.local.setAccessLevel({ accessLevel: chrome.storage.AccessLevel.TRUSTED_CONTEXTS })
  .catch((e: unknown) => console.error('could not keep settings from content scripts', e));

browser.runtime.onInstalled.addListener(() => {
  void createContextMenu();
  // Load the classifier once at install: the browser caches ORT's compiled
  // WebAssembly, and the first click finds the model warm (the document
  // closes itself after a quiet spell, see offscreen/lifecycle.ts).
  void warmUp().catch(() => undefined);
});

// Retention by age must also hold for someone who stopped classifying.
browser.runtime.onStartup.addListener(() => {
  void loadSettings().then((s) => enforceRetention(s.retentionMaxCount, s.retentionMaxDays)).catch(() => undefined);
});

browser.contextMenus.onClicked.addListener((info, tab) => {
  // The user's wait starts now: every phase of the record is measured from this stamp.
  const clickedAt = epochNow();
  onContextMenuClick(info, tab, clickedAt).catch((e: unknown) => console.error('classify failed', e));
});

// A closed tab's jobs stop (its page's pagehide may not get its message out).
browser.tabs.onRemoved.addListener((tabId) => void pageGone(tabId));

// Changing the thread count only takes effect in a fresh WASM runtime.
browser.storage.onChanged.addListener((changes, area) => {
  const c = changes.settings;
  if (area !== 'local' || !c) return;
  const before = (c.oldValue as { value?: { threads?: number } } | undefined)?.value?.threads;
  const after = (c.newValue as { value?: { threads?: number } } | undefined)?.value?.threads;
  if (before !== after) void closeOffscreen(true).catch(() => undefined);
  void pushContentSettings();
});

/** What a content script may ask the worker; everything else from a web page's frame is refused. */
const CONTENT_MAY_ASK = new Set(['background:auto-tag', 'background:content-settings', 'background:warm-up', 'background:correct', 'background:label-names', 'background:page-gone']);

listen('background', {
  'background:classified': onClassified,
  'background:offscreen-idle': () => closeOffscreen(false),
  'background:tag-progress': onTagProgress,
  'background:tag-page': tagPage,
  'background:tag-cancel': tagCancel,
  'background:read-deferred': readDeferred,
  // The user's thread setting travels along: the offscreen document has no storage API.
  'background:check-model': async ({ id }) => sendOffscreen('offscreen:check-model', { id: String(id), threads: (await loadSettings()).threads }, 120_000),
  'background:correct': async ({ requestId, label }, sender) => {
    if (typeof requestId !== 'string' || (label !== null && typeof label !== 'string')) throw new Error('malformed correction');
    // A content script may only label what its own page showed; extension pages go through lib/corrections directly.
    const origin = isExtensionContext(sender) ? undefined : new URL(sender.url ?? 'about:blank').origin;
    return { userLabel: (await correctRecord(requestId, label, origin)).userLabel ?? null };
  },
  'background:label-names': async ({ modelId }) => ({ labels: await labelNamesFor(String(modelId)) }),
  // From the overlay's label frame (ours: an extension page), to every frame of its tab: the overlay that owns the request redraws.
  'background:label-done': async (p, sender) => {
    if (sender.tab?.id === undefined) return { delivered: false };
    await browser.tabs.sendMessage(sender.tab.id, envelope('content:label-done', p)).catch(() => undefined);
    return { delivered: true };
  },
  'background:tag-status': tagStatus,
  'background:auto-tag': autoTag,
  'background:content-settings': contentSettings,
  'background:warm-up': warmUp,
  // Only the sender's own tab, and only its top frame's leaving ends the tab's jobs.
  'background:page-gone': (_p, sender) => (sender.tab?.id !== undefined && sender.frameId === 0 ? pageGone(sender.tab.id) : { cancelled: 0 }),
  'background:stored': ({ requestId }) => markStored(requestId),
}, (name, sender) =>
  // Content scripts are untrusted: all they may do is ask for their settings view,
  // for auto-tagging (checked again inside against the user's allow-list), for a
  // warm-up (loads our own model; nothing page-controlled reaches it), label
  // a record of their own page's origin with one of the model's labels, and say
  // that their own page is going away (which only cancels their own tab's jobs).
  isExtensionContext(sender) ||
  (CONTENT_MAY_ASK.has(name) && sender.id === browser.runtime.id && sender.tab !== undefined));

// Whatever a previous life of this worker accepted and did not see stored is sent again.
void replay(0).then(async (n) => {
  if (n > 0) scheduleSweep();
}).catch(() => undefined);

// Reachable from the worker console (and so from tests and `npm run eval`) for
// debugging; nothing on a web page can reach the worker's global scope.
Object.assign(globalThis, { pit: { onContextMenuClick, sendOffscreen, closeOffscreen } });
