/** The library page: search, filter, sort, open, delete and export what was tagged. */
import { matchLabel } from '../lib/label-match';
import { byId } from '../lib/dom';
import type { InferenceRecord } from '../core/record';
import { download } from '../lib/download';
import { labelsOf, resolveModel } from '../core/catalog';
import { exportCsv, exportRows, libraryEntries, librarySites, type LabelTable, type LibraryEntry, type LibraryQuery, type LibrarySort } from '../core/library';
import { loadCatalog } from '../lib/catalog-loader';
import { allRecords, clearRecords, deleteRecord, deleteSite, recordsOfImage } from '../lib/db';
import { correctRecord } from '../lib/corrections';
import { labelName, localizePage, plural, superclassName, t, uiLanguage } from '../lib/i18n';
import { loadSettings } from '../lib/settings';
import { unsureBelowFor } from '../core/calibration';

const $ = byId;
const PAGE = 300;
let shown = PAGE;
let entries: LibraryEntry[] = [];

localizePage();

const catalog = await loadCatalog();
const { model } = resolveModel(catalog, '');
const userThreshold = (await loadSettings()).unsureThreshold;
/** Each record is judged by the threshold of the model that made it (or the user's own). */
const unsureBelow = (modelId: string) => unsureBelowFor(userThreshold, catalog.models.find((m) => m.id === modelId) ?? {});
// The names in the user's language ride along, so the search matches "tiger" and "тигр" alike.
const labels: LabelTable = { ...labelsOf(catalog, model) };
labels.localized = labels.fine.map(labelName);
for (const [i, c] of labels.coarse.entries()) $('superclass').append(new Option(superclassName(c), String(i)));
// One type-ahead list of the 100 labels for every card's "Wrong label?", in the user's language.
const labelList = Object.assign(document.createElement('datalist'), { id: 'label-list' });
labelList.append(...labels.fine.map((l) => new Option(labelName(l))));
document.body.append(labelList);

const pct = (p: number) => `${(p * 100).toLocaleString(uiLanguage(), { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
const count = (n: number) => n.toLocaleString(uiLanguage());



function checkRow(e: LibraryEntry): HTMLDivElement {
  const row = Object.assign(document.createElement('div'), { className: 'check' });
  const btn = (text: string, onClick: () => void) => {
    const b = Object.assign(document.createElement('button'), { type: 'button', textContent: text });
    b.addEventListener('click', onClick);
    return b;
  };
  const fail = (err: unknown) => {
    row.append(Object.assign(document.createElement('span'), { className: 'err', textContent: err instanceof Error ? err.message : String(err) }));
  };
  const save = (label: string) => void correctRecord(e.record.requestId, label).then(reload, fail);
  if (e.userLabel) {
    const right = e.userLabel.label === e.modelLabel;
    row.append(Object.assign(document.createElement('span'), { className: 'said', textContent: right ? t('libCheckedRight') : t('libCorrected', labelName(e.modelLabel)) }),
      btn(t('libUndo'), () => void correctRecord(e.record.requestId, null).then(reload, fail)));
    return row;
  }
  row.append(btn(t('libRight'), () => save(e.modelLabel)), btn(t('libWrong'), () => {
    const input = Object.assign(document.createElement('input'), { type: 'text', placeholder: t('libRightPlaceholder') });
    input.setAttribute('list', 'label-list');
    input.setAttribute('aria-label', t('libRightAria', count(labels.fine.length)));
    const submit = () => {
      const label = matchLabel(input.value, labels.fine);
      if (label) save(label);
      else {
        row.querySelector('.err')?.remove();
        fail(new Error(t('libPickOne', count(labels.fine.length))));
      }
    };
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') submit();
      if (ev.key === 'Escape') render();
    });
    row.replaceChildren(input, btn(t('libSave'), submit), btn(t('libCancel'), render));
    input.focus();
  }));
  return row;
}

/** The site list's value for records without a site (a page URL with no host): not '' (that is "all sites"). */
const NO_SITE = '(none)';
const siteQuery = (value: string): { site?: string } => (value === '' ? {} : { site: value === NO_SITE ? '' : value });

function query(): LibraryQuery {
  const day = (id: string, end: boolean) => {
    const v = $<HTMLInputElement>(id).value;
    return v ? new Date(`${v}T${end ? '23:59:59.999' : '00:00:00'}`).getTime() : undefined;
  };
  const sc = $<HTMLSelectElement>('superclass').value;
  const q: LibraryQuery = {
    text: $<HTMLInputElement>('q').value, ...siteQuery($<HTMLSelectElement>('site').value),
    minConfidence: Number($<HTMLInputElement>('conf').value) / 100, sort: $<HTMLSelectElement>('sort').value as LibrarySort,
    sureOnly: $<HTMLInputElement>('sure-only').checked, unsureBelow,
  };
  if (sc !== '') q.superclass = Number(sc);
  const from = day('from', false);
  const to = day('to', true);
  if (from !== undefined) q.from = from;
  if (to !== undefined) q.to = to;
  return q;
}

function card(e: LibraryEntry): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'card';
  li.dataset.id = String(e.record.id);
  const img = e.record.thumbnail ? Object.assign(document.createElement('img'), { src: e.record.thumbnail, alt: labelName(e.label) }) : Object.assign(document.createElement('div'), { className: 'noimg' });
  // A corrected image shows the user's label; the model's confidence belongs to the model's own label.
  const label = Object.assign(document.createElement('div'), {
    className: `label${e.userLabel ? ' user' : ''}`,
    textContent: e.userLabel && e.userLabel.label !== e.modelLabel ? t('libYours', labelName(e.label))
      : e.sure ? `${labelName(e.label)} ${pct(e.prob)}` : t('libUnsure', labelName(e.label), pct(e.prob)),
  });
  if (!e.sure) label.classList.add('unsure');
  const meta1 = Object.assign(document.createElement('div'), { className: 'meta superclass', textContent: `${superclassName(e.superclass)} · ${e.record.site || t('libNoSite')}` });
  const meta2 = Object.assign(document.createElement('div'), {
    className: 'meta when', textContent: `${new Date(e.record.time).toLocaleString(uiLanguage())} · ${e.record.modelId}${e.times > 1 ? ` · ${t('libSeen', count(e.times))}` : ''}`,
  });
  meta2.title = e.record.imageUrl;
  const row = Object.assign(document.createElement('div'), { className: 'row' });
  const open = Object.assign(document.createElement('a'), { href: e.record.pageUrl, textContent: t('libOpenPage'), target: '_blank', rel: 'noopener noreferrer' });
  const del = Object.assign(document.createElement('button'), { type: 'button', textContent: t('libDelete') });
  del.addEventListener('click', async () => {
    // Every classification of this image goes, not only the newest one shown.
    const all = await recordsOfImage(e.record.imageUrl);
    for (const r of all) if (r.id !== undefined) await deleteRecord(r.id);
    await reload();
  });
  row.append(open, del);
  li.append(img, label, meta1, meta2, checkRow(e), row);
  return li;
}

function render(): void {
  $('grid').replaceChildren(...entries.slice(0, shown).map(card));
  const n = count(entries.length);
  $('count').textContent = plural(entries.length, t('libImagesOne', n), t('libImagesFew', n), t('libImagesMany', n));
  $('more').hidden = entries.length <= shown;
  $('empty').hidden = entries.length > 0;
  $('delete-site').toggleAttribute('disabled', !$<HTMLSelectElement>('site').value);
}

/**
 * The history as last read: filters work on it in memory (every keystroke
 * used to read the whole store, thumbnails included, again). Read again after
 * anything this page changes, and when the page comes back into view.
 */
let records: InferenceRecord[] = [];

async function reload(): Promise<void> {
  records = await allRecords();
  refresh();
}

function refresh(): void {
  const siteSel = $<HTMLSelectElement>('site');
  const current = siteSel.value;
  const sites = librarySites(libraryEntries(records, labels));
  const value = (site: string) => (site === '' ? NO_SITE : site);
  siteSel.replaceChildren(new Option(t('libAllSites'), ''), ...sites.map((s) => new Option(`${s.site || t('libNoSite')} (${count(s.count)})`, value(s.site))));
  siteSel.value = sites.some((s) => value(s.site) === current) ? current : '';
  entries = libraryEntries(records, labels, query());
  render();
}

const stamp = () => new Date().toISOString().slice(0, 10);
$('export-csv').addEventListener('click', () => download(`image-tags-${stamp()}.csv`, 'text/csv', exportCsv(entries)));
$('export-json').addEventListener('click', () => download(`image-tags-${stamp()}.json`, 'application/json', JSON.stringify(exportRows(entries), null, 2)));
$('delete-site').addEventListener('click', async () => {
  const value = $<HTMLSelectElement>('site').value;
  if (!value) return;
  const site = value === NO_SITE ? '' : value;
  if (!confirm(t('libConfirmDeleteSite', site || t('libNoSite')))) return;
  await deleteSite(site);
  $<HTMLSelectElement>('site').value = '';
  await reload();
});
$('delete-all').addEventListener('click', async () => {
  if (!confirm(t('libConfirmDeleteAll'))) return;
  await clearRecords();
  await reload();
});
$('more').addEventListener('click', () => {
  shown += PAGE;
  render();
});
// Filtering works on the records in memory: every key applies at once.
$('filters').addEventListener('input', () => {
  shown = PAGE;
  refresh();
});
// Classifications made while this page was in the background appear when it is looked at again.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void reload();
});
$('filters').addEventListener('submit', (e) => e.preventDefault());

const s = await loadSettings();
const [maxCount, maxDays] = [count(s.retentionMaxCount), count(s.retentionMaxDays)];
const byCount = s.retentionMaxCount
  ? plural(s.retentionMaxCount, t('libKeepCountOne', maxCount), t('libKeepCountFew', maxCount), t('libKeepCountMany', maxCount)) : '';
const byAge = s.retentionMaxDays ? plural(s.retentionMaxDays, t('libKeepDaysOne', maxDays), t('libKeepDaysFew', maxDays), t('libKeepDaysMany', maxDays)) : '';
$('retention').textContent = byCount && byAge ? t('libRetentionBoth', byCount, byAge)
  : byCount || byAge ? t('libRetention', byCount || byAge) : t('libRetentionAll');
await reload();
