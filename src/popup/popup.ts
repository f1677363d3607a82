/** Toolbar popup: recent classifications and latency statistics per (model, backend). */
import { byId } from '../lib/dom';
import browser from 'webextension-polyfill';
import { modelDisplayName, resolveModel } from '../core/catalog';
import { compareLocalCloud } from '../core/cloud-stats';
import { validateEndpoint } from '../core/cloud-endpoint';
import type { InferenceRecord } from '../core/record';
import { personalAccuracy } from '../core/personal-accuracy';
import { unsureBelowFor } from '../core/calibration';
import { statsByModelBackend, type Summary } from '../core/stats';
import { loadCatalog } from '../lib/catalog-loader';
import { checkedImageRecords, countRecords, recentRecords } from '../lib/db';
import { fmtMs } from '../core/format';
import { labelName, localizePage, plural, t, uiLanguage } from '../lib/i18n';
import { isEnvelope } from '../lib/messages';
import { loadSettings } from '../lib/settings';
import { initTagging } from './tagging';

const $ = byId;

localizePage();

/** Milliseconds as fmtMs rounds them, with the UI language's decimal sign and never grouped (tests read the numbers). */
function ms(v: number | null | undefined): string {
  const s = fmtMs(v);
  if (s === '–') return s;
  const digits = s.split('.')[1]?.length ?? 0;
  return Number(s).toLocaleString(uiLanguage(), { useGrouping: false, minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A probability as "12.3%" ("12,3%" in Russian). */
function pct(p: number): string {
  return `${(p * 100).toLocaleString(uiLanguage(), { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
}

/** A count as the UI language writes it ("5,000" / "5 000"). */
const count = (n: number) => n.toLocaleString(uiLanguage());

/** "4s ago", "3 min ago", "2 h ago", then the date. */
function ago(time: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - time) / 1000));
  if (s < 60) return t('popAgoSeconds', s);
  if (s < 3600) return t('popAgoMinutes', Math.round(s / 60));
  if (s < 86400) return t('popAgoHours', Math.round(s / 3600));
  return new Date(time).toLocaleDateString(uiLanguage());
}

/** A table cell; `note` follows the text in a smaller line of its own (class `from`). */
function td(text: string, note?: string): HTMLTableCellElement {
  const c = document.createElement('td');
  c.textContent = text;
  if (note !== undefined) c.append(Object.assign(document.createElement('small'), { className: 'from', textContent: note }));
  return c;
}

/** Each model's "unsure" threshold (the user's own, else the catalog's), read once per render. */
async function thresholds(): Promise<(modelId: string) => number> {
  const [catalog, settings] = await Promise.all([loadCatalog().catch(() => undefined), loadSettings()]);
  return (id) => unsureBelowFor(settings.unsureThreshold, catalog?.models.find((m) => m.id === id) ?? {});
}

function recentItem(r: InferenceRecord, unsureBelow: (modelId: string) => number): HTMLLIElement {
  const li = document.createElement('li');
  li.dataset.requestId = r.requestId;
  const thumb = r.thumbnail ? Object.assign(document.createElement('img'), { src: r.thumbnail, alt: '' }) : document.createElement('div');
  if (!r.thumbnail) thumb.className = 'noimg';
  const mid = document.createElement('div');
  const top = document.createElement('div');
  const best = r.top5[0];
  if (r.error || !best) {
    top.className = 'err';
    top.textContent = t('popError', r.error ?? t('popNoResult'));
  } else {
    top.className = 'top';
    const sure = best.prob >= unsureBelow(r.modelId);
    top.textContent = sure ? `${labelName(best.label)} ${pct(best.prob)}` : t('libUnsure', labelName(best.label), pct(best.prob));
    if (!sure) top.classList.add('unsure');
  }
  const sub = document.createElement('div');
  sub.className = 'sub';
  // A failed request may never have reached a session: its thread count would be the setting's (0 is "automatic").
  sub.textContent = `${r.modelId} · ${r.backend}${r.backend === 'wasm' && r.threads > 0 && !r.error ? ` ×${r.threads}` : ''} · ${ago(r.time)} · ${r.imageUrl}`;
  sub.title = r.imageUrl;
  mid.append(top, sub);
  if (r.cloud) {
    const c = document.createElement('div');
    c.className = 'cloud';
    const top = r.cloud.top5[0];
    c.textContent = r.cloud.error
      ? t('popCloudError', r.cloud.error)
      : t('popCloudLine', top ? `${labelName(top.label)} ${pct(top.prob)}` : '–', ms(r.cloud.roundTripMs)) +
        (r.cloud.computeMs !== undefined ? ` ${t('popCloudServer', ms(r.cloud.computeMs))}` : '');
    mid.append(c);
  }
  const time = document.createElement('div');
  time.className = 'ms';
  time.textContent = t('popMs', ms(r.timings.total));
  const clicked = r.source === 'click' || r.source === undefined;
  time.title = (clicked ? t('popMsTitleClick', ms(r.timings.total), ms(r.timings.inference)) : t('popMsTitleLoad', ms(r.timings.total), ms(r.timings.inference))) +
    (r.coldStart ? ` ${t('popMsTitleCold')}` : '');
  li.append(thumb, mid, time);
  return li;
}

function summaryCells(s: Summary | null): HTMLTableCellElement[] {
  return s ? [td(ms(s.median)), td(ms(s.p95)), td(ms(s.min)), td(ms(s.mean))] : [td('–'), td('–'), td('–'), td('–')];
}

async function renderStatus(): Promise<void> {
  const status = $('status');
  try {
    const [catalog, settings] = await Promise.all([loadCatalog(), loadSettings()]);
    const { model } = resolveModel(catalog, settings.modelId);
    status.textContent = t('popModel', modelDisplayName(model), settings.backend.toUpperCase());
    status.classList.toggle('warn', !model.trained);
    const ep = validateEndpoint(settings.cloudEndpoint);
    if (settings.cloudEnabled && ep.ok && ep.origin === settings.cloudConsentOrigin) {
      const p = $('privacy');
      p.textContent = t('popCloudOn', ep.origin);
      p.classList.add('cloud-on');
    }
  } catch (e) {
    status.textContent = t('popCatalogProblem', e instanceof Error ? e.message : String(e));
  }
}

/** Statistics cover at most this many of the newest records, so the popup opens fast on a long history. */
const STATS_WINDOW = 5000;

async function renderRecords(): Promise<void> {
  const [recent, window, total, unsureBelow] = await Promise.all([recentRecords(30), recentRecords(STATS_WINDOW), countRecords(), thresholds()]);
  $('recent').replaceChildren(...recent.map((r) => recentItem(r, unsureBelow)));
  $('empty').hidden = recent.length > 0;
  const stats = statsByModelBackend(window);
  const rows = stats.map((s) => {
    const tr = document.createElement('tr');
    const batch = td(String(s.batchSize), s.from === 'page' ? t('popFromPage') : t('popFromClick'));
    tr.append(td(s.modelId), td(s.threads !== undefined ? `${s.backend} ×${s.threads}` : s.backend), batch, td(String(s.inference?.count ?? 0)), ...summaryCells(s.total), ...summaryCells(s.inference),
      td(s.coldStart ? `${ms(s.coldStart.median)} (${s.coldStart.count})` : '–'));
    return tr;
  });
  $('stats').querySelector('tbody')?.replaceChildren(...rows);
  const errors = stats.reduce((n, s) => n + s.errors, 0);
  const cold = stats.reduce((n, s) => n + (s.coldStart?.count ?? 0), 0);
  const [w, n, c, e] = [count(STATS_WINDOW), count(total), count(cold), count(errors)];
  const parts = [
    total > STATS_WINDOW ? plural(total, t('popNewestOne', w, n), t('popNewestFew', w, n), t('popNewestMany', w, n)) : '',
    cold ? plural(cold, t('popColdOne', c), t('popColdFew', c), t('popColdMany', c)) : '',
    errors ? plural(errors, t('popFailedOne', e), t('popFailedFew', e), t('popFailedMany', e)) : '',
  ];
  $('stats-note').textContent = parts.filter(Boolean).join(' ');
  renderCloud(window);
  await renderPersonal(await checkedImageRecords());
}

/**
 * "ResNet-20: right on 41 of 50 images you checked (82 %), top-5 47 (94 %) · test set 70.6 %",
 * over every image the user checked (not only the newest records the timing statistics read).
 */
async function renderPersonal(records: InferenceRecord[]): Promise<void> {
  const [catalog, threshold] = await Promise.all([loadCatalog().catch(() => undefined), thresholds()]);
  const acc = personalAccuracy(records, threshold);
  $('personal-section').hidden = acc.length === 0;
  if (acc.length === 0) return;
  const pc = (k: number, n: number) => `${Math.round((100 * k) / n)} %`;
  const fixed1 = (v: number) => v.toLocaleString(uiLanguage(), { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  $('personal').replaceChildren(...acc.map((a) => {
    const m = catalog?.models.find((x) => x.id === a.modelId);
    const li = document.createElement('li');
    const name = Object.assign(document.createElement('b'), { textContent: m ? m.name : a.modelId });
    const test = m?.accuracy ? t('popTestSet', fixed1(m.accuracy.top1), fixed1(m.accuracy.top5)) : t('popTestSetNone');
    const subs = [count(a.top1), count(a.checked), pc(a.top1, a.checked), count(a.top5), pc(a.top5, a.checked)] as const;
    const right = plural(a.checked, t('popPersonalOne', ...subs), t('popPersonalFew', ...subs), t('popPersonalMany', ...subs));
    // How the shown confidence held up on the user's own photos: of the labels shown as sure, how many were right.
    const sure = a.sure > 0 ? ` · ${plural(a.sure, t('popSureOne', count(a.sureRight), count(a.sure)), t('popSureFew', count(a.sureRight), count(a.sure)), t('popSureMany', count(a.sureRight), count(a.sure)))}` : '';
    li.append(name, `: ${right}${sure} · ${test}`);
    return li;
  }));
}

function renderCloud(records: InferenceRecord[]): void {
  const rows = compareLocalCloud(records);
  $('cloud-section').hidden = rows.length === 0;
  const median = (s: Summary | null) => td(ms(s?.median));
  const p95 = (s: Summary | null) => td(ms(s?.p95));
  $('cloud-stats').querySelector('tbody')?.replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    tr.append(td(r.modelId), median(r.local), p95(r.local), median(r.roundTrip), p95(r.roundTrip), median(r.compute), median(r.overhead),
      td(r.agreement === null ? '–' : t('popAgreement', (r.agreement * 100).toFixed(0), count(r.compared))), td(String(r.cloudErrors)));
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
