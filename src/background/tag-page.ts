/**
 * "Tag this page" and auto-tagging, from the worker's side: collect the
 * images through the content script, hand the list to the offscreen
 * document, and relay its progress to the toolbar badge and the page's chips.
 * Nothing here is kept between events: the offscreen document owns the job.
 */
import browser, { type Runtime } from 'webextension-polyfill';
import { admit, type WindowState } from '../core/rate-window';
import { enforceRetention } from '../lib/db';
import type { Payload, TagImage, TagJobRequest, TagProgress } from '../lib/messages';
import { parseAutoTag } from '../lib/message-schemas';
import { t } from '../lib/i18n';
import { sendToTab } from '../lib/messaging';
import { loadSettings } from '../lib/settings';
import { ensureContentScript } from './content-injector';
import { viewFor } from './content-settings';
import { offscreenExists, sendOffscreen } from './offscreen-client';

const MAX_JOB = 2000;

async function startJob(tabId: number, pageUrl: string, images: TagImage[], source: TagJobRequest['source']): Promise<string> {
  const s = await loadSettings();
  const jobId = crypto.randomUUID();
  // Badge first: a small job can finish (and clear the badge) before sendOffscreen returns.
  await setBadge(tabId, 0, images.length);
  await sendOffscreen('offscreen:tag-job', { jobId, tabId, pageUrl, images, modelId: s.modelId, backend: s.backend, threads: s.threads, source,
    ...(s.unsureThreshold !== undefined ? { unsureThreshold: s.unsureThreshold } : {}) });
  return jobId;
}

/** Tabs whose images are being collected now (a double click must not start two jobs). */
const collecting = new Set<number>();

/**
 * One job per tab: while a page's images are collected, or its job runs, a
 * second "Tag this page" gets the running job (the popup follows it) instead
 * of tagging every image twice.
 */
export async function tagPage({ tabId }: Payload<'background:tag-page'>): Promise<{ jobId: string; total: number; skipped: { url: string; reason: string }[] }> {
  if (collecting.has(tabId)) throw new Error('this page is already being collected for tagging');
  const running = await tagStatus({ tabId }).catch(() => null);
  if (running && !running.finished) return { jobId: running.jobId, total: running.total, skipped: [] };
  collecting.add(tabId);
  try {
    return await collectAndStart(tabId);
  } finally {
    collecting.delete(tabId);
  }
}

async function collectAndStart(tabId: number): Promise<{ jobId: string; total: number; skipped: { url: string; reason: string }[] }> {
  const tab = await browser.tabs.get(tabId);
  if (!tab.url || !/^https?:/.test(tab.url)) throw new Error('only http(s) pages can be tagged');
  if (!(await ensureContentScript(tabId, 0))) throw new Error('the extension cannot run on this page');
  const s = await loadSettings();
  const collected = await sendToTab(tabId, 0, 'content:collect', { minSize: s.minImageSize }, 30_000);
  // One job stays a bounded message; a page with more images is tagged in its first MAX_JOB.
  const images = collected.images.slice(0, MAX_JOB);
  const skipped = [...collected.skipped, ...collected.images.slice(MAX_JOB).map((i) => ({ url: i.srcUrl.slice(0, 200), reason: `over ${MAX_JOB} images` }))];
  if (images.length === 0) return { jobId: '', total: 0, skipped };
  const jobId = await startJob(tabId, tab.url, images, 'page');
  return { jobId, total: images.length, skipped };
}

/**
 * The offscreen document reached a deferred inline image: ask the tab's page
 * for its bytes by the key it deferred it under. A tab that no longer runs our
 * content script (it navigated, or closed) has no such image any more.
 */
export async function readDeferred({ tabId, srcUrl }: Payload<'background:read-deferred'>): Promise<{ dataUrl: string }> {
  try {
    return await sendToTab(tabId, 0, 'content:read-deferred', { srcUrl }, 30_000);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/receiving end does not exist|could not establish connection|no tab with id/i.test(message)) throw new Error('the image is no longer on this page');
    throw e;
  }
}

/**
 * The tab's page went away (navigated, closed, reloaded): its jobs stop, so
 * nothing is fetched for a page the user left, nor with its cookies.
 */
export async function pageGone(tabId: number): Promise<{ cancelled: number }> {
  return tagCancel({ tabId }).catch(() => ({ cancelled: 0 }));
}

export async function tagCancel({ tabId }: Payload<'background:tag-cancel'>): Promise<{ cancelled: number }> {
  if (!(await offscreenExists())) return { cancelled: 0 };
  return sendOffscreen('offscreen:tag-cancel', { tabId });
}

export async function tagStatus({ tabId }: Payload<'background:tag-status'>): Promise<TagProgress | null> {
  // Asking must not start the classifier just to learn that nothing runs.
  if (!(await offscreenExists())) return null;
  return sendOffscreen('offscreen:tag-status', { tabId });
}

async function setBadge(tabId: number, done: number, total: number): Promise<void> {
  await browser.action.setBadgeBackgroundColor({ color: '#0b57d0', tabId }).catch(() => undefined);
  await browser.action.setBadgeText({ tabId, text: String(done) }).catch(() => undefined);
  await browser.action.setTitle({ tabId, title: t('badgeTagging', done, total) }).catch(() => undefined);
}

export async function onTagProgress(p: TagProgress): Promise<void> {
  const s = p.finished || p.chips.length > 0 ? await loadSettings() : undefined;
  if (p.finished) {
    await browser.action.setBadgeText({ tabId: p.tabId, text: '' }).catch(() => undefined);
    await browser.action.setTitle({ tabId: p.tabId, title: t('extName') }).catch(() => undefined);
  } else {
    await setBadge(p.tabId, p.done, p.total);
  }
  if (s && p.chips.length > 0) {
    await sendToTab(p.tabId, 0, 'content:chips', { chips: p.chips, show: s.showChips }, 5_000).catch(() => undefined);
  }
  if (s && p.finished) await enforceRetention(s.retentionMaxCount, s.retentionMaxDays).catch(() => undefined);
}

/**
 * From a content script: only for the sender's own tab, only on allowed sites,
 * only when auto-tag is on, one job per tab, and at most the site's quota a
 * minute. `accepted` says how many of the offered images were taken.
 */
export function autoTag(payload: Payload<'background:auto-tag'>, sender: Runtime.MessageSender): Promise<{ accepted: number }> {
  // One admission at a time: two offers reading the same quota before either wrote it would both pass.
  const next = admissions.then(() => admitAutoTag(payload, sender));
  admissions = next.catch(() => undefined);
  return next;
}

/** The admission in progress (an in-flight promise: nothing here outlives the worker). */
let admissions: Promise<unknown> = Promise.resolve();

async function admitAutoTag(payload: Payload<'background:auto-tag'>, sender: Runtime.MessageSender): Promise<{ accepted: number }> {
  const { images } = parseAutoTag(payload);
  const tabId = sender.tab?.id;
  const url = sender.tab?.url ?? sender.url ?? '';
  if (tabId === undefined || sender.frameId !== 0) throw new Error('auto-tag: top-level pages only');
  const s = await loadSettings();
  if (!viewFor(s, url).autoTagHere) throw new Error('auto-tag is not enabled for this page');
  if (images.length === 0) return { accepted: 0 };
  // One auto job per tab at a time: the content script offers the rest again later.
  if (await offscreenExists() && (await sendOffscreen('offscreen:tag-status', { tabId }))?.finished === false) return { accepted: 0 };
  // A per-site quota, kept in storage.session (this worker may be stopped between two calls).
  const key = `autotag-rate:${new URL(url).hostname}`;
  const { state, admitted } = admit((await chrome.storage.session.get(key))[key] as WindowState | undefined, Date.now(), s.autoTagPerMinute, 60_000, images.length);
  await chrome.storage.session.set({ [key]: state });
  if (admitted === 0) return { accepted: 0 };
  await startJob(tabId, url, images.slice(0, admitted), 'auto');
  return { accepted: admitted };
}
