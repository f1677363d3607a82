/** The popup's "This page" section: Tag this page, progress, cancel, chip toggle. */
import { byId } from '../lib/dom';
import browser from 'webextension-polyfill';
import { isEnvelope, type TagProgress } from '../lib/messages';
import { send } from '../lib/messaging';
import { loadSettings, saveSettings } from '../lib/settings';

const $ = byId;

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
    const rate = p.imagesPerSecond > 0 ? ` · ${p.imagesPerSecond.toFixed(0)} images/s` : '';
    const failed = p.failed ? ` · ${p.failed} failed` : '';
    const state = p.cancelled ? (p.finished ? 'Cancelled' : 'Cancelling') : p.finished ? 'Done' : 'Tagging';
    $('tag-status').textContent = `${state}: ${p.done} of ${p.total}${rate}${failed}${note}`;
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
    render(null, 'Collecting images…');
    try {
      const r = await send('background:tag-page', { tabId }, 60_000);
      const skipped = r.skipped.length ? ` (${r.skipped.length} skipped: ${summarizeSkipped(r.skipped)})` : '';
      jobId = r.jobId;
      const over = r.skipped.filter((x) => x.reason.startsWith('over ')).length;
      note = over ? ` · this page has ${r.total + over} images: one job tags the first ${r.total}` : '';
      if (r.total === 0) render(null, `No images to tag on this page${skipped}.`);
      // Progress may have arrived before this reply: never go back to "0 of N".
      else if ((last as TagProgress | undefined)?.jobId !== r.jobId) {
        render({ jobId: r.jobId, tabId, total: r.total, done: 0, failed: 0, imagesPerSecond: 0, inferenceImagesPerSecond: 0, batchSize: 0, finished: false, cancelled: false, chips: [] });
      }
    } catch (e) {
      render(null, `Could not tag this page: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  $('tag-cancel').addEventListener('click', () => void send('background:tag-cancel', { tabId }).catch(() => undefined));
  const status = await send('background:tag-status', { tabId }).catch(() => null);
  if (status) render(status);
}

function summarizeSkipped(skipped: { reason: string }[]): string {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts.entries()].map(([r, n]) => `${n} ${r}`).join(', ');
}
