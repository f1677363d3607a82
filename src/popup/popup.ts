/** Toolbar popup: recent classifications and latency statistics per (model, backend). */
import { byId } from '../lib/dom';
import browser from 'webextension-polyfill';
import { modelDisplayName, resolveModel } from '../core/catalog';
import { compareLocalCloud } from '../core/cloud-stats';
import { validateEndpoint } from '../core/cloud-endpoint';
import type { InferenceRecord } from '../core/record';
import { personalAccuracy } from '../core/personal-accuracy';
import { statsByModelBackend, type Summary } from '../core/stats';
import { loadCatalog } from '../lib/catalog-loader';
import { countRecords, recentRecords } from '../lib/db';
import { fmtAgo, fmtMs, fmtPct, prettyLabel } from '../core/format';
import { isEnvelope } from '../lib/messages';
import { loadSettings } from '../lib/settings';
import { initTagging } from './tagging';

const $ = byId;

function td(text: string): HTMLTableCellElement {
  const c = document.createElement('td');
  c.textContent = text;
  return c;
}

function recentItem(r: InferenceRecord): HTMLLIElement {
  const li = document.createElement('li');
  li.dataset.requestId = r.requestId;
  const thumb = r.thumbnail ? Object.assign(document.createElement('img'), { src: r.thumbnail, alt: '' }) : document.createElement('div');
  if (!r.thumbnail) thumb.className = 'noimg';
  const mid = document.createElement('div');
  const top = document.createElement('div');
  const best = r.top5[0];
  if (r.error || !best) {
    top.className = 'err';
    top.textContent = `Error: ${r.error ?? 'no result'}`;
  } else {
    top.className = 'top';
    top.textContent = `${prettyLabel(best.label)} ${fmtPct(best.prob)}`;
  }
  const sub = document.createElement('div');
  sub.className = 'sub';
  sub.textContent = `${r.modelId} · ${r.backend}${r.backend === 'wasm' ? ` ×${r.threads}` : ''} · ${fmtAgo(r.time)} · ${r.imageUrl}`;
  sub.title = r.imageUrl;
  mid.append(top, sub);
  if (r.cloud) {
    const c = document.createElement('div');
    c.className = 'cloud';
    const top = r.cloud.top5[0];
    c.textContent = r.cloud.error
      ? `cloud: ${r.cloud.error}`
      : `cloud: ${top ? `${prettyLabel(top.label)} ${fmtPct(top.prob)}` : '–'} · ${fmtMs(r.cloud.roundTripMs)} ms round trip` +
        (r.cloud.computeMs !== undefined ? ` (server ${fmtMs(r.cloud.computeMs)} ms)` : '');
    mid.append(c);
  }
  const ms = document.createElement('div');
  ms.className = 'ms';
  ms.textContent = `${fmtMs(r.timings.total)} ms`;
  ms.title = `${fmtMs(r.timings.total)} ms ${r.source === 'click' || r.source === undefined ? 'from the click to the label' : 'from loading to the label'}, of which session.run ${fmtMs(r.timings.inference)} ms${r.coldStart ? ' (cold start: the model was loaded)' : ''}`;
  li.append(thumb, mid, ms);
  return li;
}

function summaryCells(s: Summary | null): HTMLTableCellElement[] {
  return s ? [td(fmtMs(s.median)), td(fmtMs(s.p95)), td(fmtMs(s.min)), td(fmtMs(s.mean))] : [td('–'), td('–'), td('–'), td('–')];
}

async function renderStatus(): Promise<void> {
  const status = $('status');
  try {
    const [catalog, settings] = await Promise.all([loadCatalog(), loadSettings()]);
    const { model } = resolveModel(catalog, settings.modelId);
    status.textContent = `Model: ${modelDisplayName(model)} · backend: ${settings.backend.toUpperCase()}`;
    status.classList.toggle('warn', !model.trained);
    const ep = validateEndpoint(settings.cloudEndpoint);
    if (settings.cloudEnabled && ep.ok && ep.origin === settings.cloudConsentOrigin) {
      const p = $('privacy');
      p.textContent = `Cloud comparison ON: each classified image is also sent (as a 32×32 tensor) to ${ep.origin}.`;
      p.classList.add('cloud-on');
    }
  } catch (e) {
    status.textContent = `Model catalog problem: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Statistics cover at most this many of the newest records, so the popup opens fast on a long history. */
const STATS_WINDOW = 5000;

async function renderRecords(): Promise<void> {
  const [recent, window, total] = await Promise.all([recentRecords(30), recentRecords(STATS_WINDOW), countRecords()]);
  $('recent').replaceChildren(...recent.map(recentItem));
  $('empty').hidden = recent.length > 0;
  const stats = statsByModelBackend(window);
  const rows = stats.map((s) => {
    const tr = document.createElement('tr');
    tr.append(td(s.modelId), td(s.backend), td(String(s.batchSize)), td(String(s.inference?.count ?? 0)), ...summaryCells(s.total), ...summaryCells(s.inference),
      td(s.coldStart ? `${fmtMs(s.coldStart.median)} (${s.coldStart.count})` : '–'));
    return tr;
  });
  $('stats').querySelector('tbody')?.replaceChildren(...rows);
  const errors = stats.reduce((n, s) => n + s.errors, 0);
  const cold = stats.reduce((n, s) => n + (s.coldStart?.count ?? 0), 0);
  const parts = [
    total > STATS_WINDOW ? `Newest ${STATS_WINDOW} of ${total} classifications.` : '',
    cold ? `${cold} cold-start request(s) shown only under "cold start".` : '',
    errors ? `${errors} failed request(s) not timed.` : '',
  ];
  $('stats-note').textContent = parts.filter(Boolean).join(' ');
  renderCloud(window);
  await renderPersonal(window);
}

/** "ResNet-20: right on 41 of 50 images you checked (82 %), top-5 47 (94 %) · test set 67.8 %". */
async function renderPersonal(records: InferenceRecord[]): Promise<void> {
  const acc = personalAccuracy(records);
  $('personal-section').hidden = acc.length === 0;
  if (acc.length === 0) return;
  const catalog = await loadCatalog().catch(() => undefined);
  const pc = (k: number, n: number) => `${Math.round((100 * k) / n)} %`;
  $('personal').replaceChildren(...acc.map((a) => {
    const m = catalog?.models.find((x) => x.id === a.modelId);
    const li = document.createElement('li');
    const name = Object.assign(document.createElement('b'), { textContent: m ? m.name : a.modelId });
    const test = m?.accuracy ? ` · CIFAR-100 test set ${m.accuracy.top1.toFixed(1)} % (top-5 ${m.accuracy.top5.toFixed(1)} %)` : ' · test set not measured';
    li.append(name, `: right on ${a.top1} of ${a.checked} image${a.checked === 1 ? '' : 's'} you checked (${pc(a.top1, a.checked)}), top-5 ${a.top5} (${pc(a.top5, a.checked)})${test}`);
    return li;
  }));
}

function renderCloud(records: InferenceRecord[]): void {
  const rows = compareLocalCloud(records);
  $('cloud-section').hidden = rows.length === 0;
  const median = (s: Summary | null) => td(fmtMs(s?.median));
  const p95 = (s: Summary | null) => td(fmtMs(s?.p95));
  $('cloud-stats').querySelector('tbody')?.replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    tr.append(td(r.modelId), median(r.local), p95(r.local), median(r.roundTrip), p95(r.roundTrip), median(r.compute), median(r.overhead),
      td(r.agreement === null ? '–' : `${(r.agreement * 100).toFixed(0)}% of ${r.compared}`), td(String(r.cloudErrors)));
    return tr;
  }));
}

// At most one refresh a second: page tagging reports progress several times a
// second, and re-reading the history each time would slow the tagging down.
let pending: ReturnType<typeof setTimeout> | undefined;
function scheduleRefresh(): void {
  if (pending !== undefined) return;
  pending = setTimeout(() => {
    pending = undefined;
    void renderRecords();
  }, 1000);
}

$('settings').addEventListener('click', () => void browser.runtime.openOptionsPage());

// Refresh live while open: the offscreen document announces each finished classification.
browser.runtime.onMessage.addListener((msg: unknown) => {
  if (isEnvelope(msg) && msg.name === 'background:classified') scheduleRefresh();
  return undefined;
});

void renderStatus();
void renderRecords();
void initTagging(scheduleRefresh);
