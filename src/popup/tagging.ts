/** The popup's "This page" section: Tag this page, progress, cancel, chip toggle. */
import { byId } from '../lib/dom';
import browser from 'webextension-polyfill';
import { plural, t, uiLanguage } from '../lib/i18n';
import { isEnvelope, type TagProgress } from '../lib/messages';
import { send } from '../lib/messaging';
import { loadSettings, saveSettings } from '../lib/settings';

const $ = byId;
const count = (n: number) => n.toLocaleString(uiLanguage());

/** The tab the popup acts on: the active tab, or ?tab=ID (tests open the popup as a page). */
async function targetTab(): Promise<number | undefined> {
  const fromQuery = Number(new URLSearchParams(location.search).get('tab'));
  if (fromQuery) return fromQuery;
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

/** Said beside the progress when the page held more images than one job takes. */
let note = '';

function render(p: TagProgress | null, message?: string): void {
  const bar = $<HTMLProgressElement>('tag-progress');
  const running = p !== null && !p.finished;
  $('tag-page').toggleAttribute('disabled', running);
  $('tag-cancel').hidden = !running;
  bar.hidden = p === null;
  if (p) {
    bar.max = Math.max(1, p.total);
    bar.value = p.done;
    const rate = p.imagesPerSecond > 0 ? ` · ${t('popRate', count(Math.round(p.imagesPerSecond)))}` : '';
    const failed = p.failed ? ` · ${t('popTagFailed', count(p.failed))}` : '';
    const unsaved = p.unsaved ? ` · ${t('popTagUnsaved', count(p.unsaved), p.saveError ?? '')}` : '';
    const [done, total] = [count(p.done), count(p.total)];
    const state = p.cancelled
      ? (p.finished ? t('popTagCancelled', done, total) : t('popTagCancelling', done, total))
      : p.finished ? t('popTagDone', done, total) : t('popTagTagging', done, total);
    $('tag-status').textContent = `${state}${rate}${failed}${unsaved}${note}`;
  }
  if (message) $('tag-status').textContent = message;
}

export async function initTagging(onChange: () => void): Promise<void> {
  const tabId = await targetTab();
  const s = await loadSettings();
  $<HTMLInputElement>('show-chips').checked = s.showChips;
  $('show-chips').addEventListener('change', (e) => void saveSettings({ showChips: (e.target as HTMLInputElement).checked }));
  $('open-library').addEventListener('click', () => void browser.tabs.create({ url: browser.runtime.getURL('src/library/library.html') }));
  $('open-bench').addEventListener('click', () => void browser.tabs.create({ url: browser.runtime.getURL('src/bench/bench.html') }));
  if (tabId === undefined) {
    $('tag-page').setAttribute('disabled', '');
    return;
  }
  // Follow the job this popup started (auto-tag may run other jobs in the same tab).
  let jobId: string | undefined;
  let last: TagProgress | undefined;
  browser.runtime.onMessage.addListener((msg: unknown) => {
    if (!isEnvelope(msg) || msg.name !== 'background:tag-progress') return undefined;
    const p = msg.payload as TagProgress;
    if (p.tabId !== tabId) return undefined;
    onChange();
    if (jobId === undefined || p.jobId === jobId) {
      last = p;
      render(p);
    }
    return undefined;
  });
  $('tag-page').addEventListener('click', async () => {
    jobId = undefined;
    last = undefined;
    render(null, t('popCollecting'));
    $('tag-page').setAttribute('disabled', ''); // while collecting: a second click would ask again (the worker says no)
    try {
      const r = await send('background:tag-page', { tabId }, 60_000);
      jobId = r.jobId;
      const over = r.skipped.filter((x) => x.reason.startsWith('over ')).length;
      const [all, first] = [count(r.total + over), count(r.total)];
      note = over ? ` · ${plural(r.total + over, t('popOverOne', all, first), t('popOverFew', all, first), t('popOverMany', all, first))}` : '';
      if (r.total === 0) {
        render(null, r.skipped.length ? t('popNoImagesSkipped', count(r.skipped.length), summarizeSkipped(r.skipped)) : t('popNoImages'));
      } else if ((last as TagProgress | undefined)?.jobId !== r.jobId) {
        // Progress may have arrived before this reply: never go back to "0 of N".
        render({ jobId: r.jobId, tabId, total: r.total, done: 0, failed: 0, imagesPerSecond: 0, inferenceImagesPerSecond: 0, batchSize: 0, finished: false, cancelled: false, unsaved: 0, chips: [] });
      }
    } catch (e) {
      render(null, t('popTagError', e instanceof Error ? e.message : String(e)));
    }
  });
  $('tag-cancel').addEventListener('click', () => void send('background:tag-cancel', { tabId }).catch(() => undefined));
  const status = await send('background:tag-status', { tabId }).catch(() => null);
  if (status) render(status);
}

/** Why images were skipped, in the UI language ("2 too small, 1 duplicate"); an unknown reason as the collector wrote it. */
function skipReason(reason: string, n: number): string {
  const c = count(n);
  const over = /^over (\d+) images$/.exec(reason);
  if (over) return t('popSkipOver', c, count(Number(over[1])));
  switch (reason) {
    case 'too small': return t('popSkipTooSmall', c);
    case 'tracking pixel': return t('popSkipTracking', c);
    case 'duplicate': return t('popSkipDuplicate', c);
    case 'failed to load': return t('popSkipFailed', c);
    case 'hidden': return t('popSkipHidden', c);
    case 'unsupported URL': return t('popSkipUnsupported', c);
    default: return `${c} ${reason}`;
  }
}

function summarizeSkipped(skipped: { reason: string }[]): string {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts.entries()].map(([r, n]) => skipReason(r, n)).join(', ');
}
