/** The library page: search, filter, sort, open, delete and export what was tagged. */
import { byId } from '../lib/dom';
import { download } from '../lib/download';
import { labelsOf, resolveModel } from '../core/catalog';
import { exportCsv, exportRows, libraryEntries, librarySites, type LibraryEntry, type LibraryQuery, type LibrarySort } from '../core/library';
import { loadCatalog } from '../lib/catalog-loader';
import { allRecords, clearRecords, deleteRecord, deleteSite, setUserLabel } from '../lib/db';
import { correctRecord } from '../lib/corrections';
import { fmtPct, prettyLabel } from '../core/format';
import { loadSettings } from '../lib/settings';

const $ = byId;
const PAGE = 300;
let shown = PAGE;
let entries: LibraryEntry[] = [];

const catalog = await loadCatalog();
const { model } = resolveModel(catalog, '');
const labels = labelsOf(catalog, model);
for (const [i, c] of labels.coarse.entries()) $('superclass').append(new Option(prettyLabel(c), String(i)));
// One type-ahead list of the 100 labels for every card's "Wrong label?".
const labelList = Object.assign(document.createElement('datalist'), { id: 'label-list' });
labelList.append(...labels.fine.map((l) => new Option(prettyLabel(l))));
document.body.append(labelList);

/** The label the user typed, as stored ("aquarium fish" → "aquarium_fish"), or undefined. */
function matchLabel(typed: string): string | undefined {
  const t = typed.trim().toLowerCase().replace(/[\s_]+/g, ' ');
  return labels.fine.find((l) => prettyLabel(l).toLowerCase() === t);
}

/** Undo: the user's label goes from every record of the image (it may sit on an older one). */
async function clearUserLabel(imageUrl: string): Promise<void> {
  for (const r of await allRecords()) if (r.imageUrl === imageUrl && r.userLabel) await setUserLabel(r.requestId, null);
}

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
  const save = (label: string) => void correctRecord(e.record.requestId, label).then(refresh, fail);
  if (e.userLabel) {
    const right = e.userLabel.label === e.modelLabel;
    row.append(Object.assign(document.createElement('span'), { className: 'said', textContent: right ? '✓ checked: right' : `corrected (model said ${prettyLabel(e.modelLabel)})` }),
      btn('Undo', () => void clearUserLabel(e.record.imageUrl).then(refresh, fail)));
    return row;
  }
  row.append(btn('✓ Right', () => save(e.modelLabel)), btn('Wrong label?', () => {
    const input = Object.assign(document.createElement('input'), { type: 'text', placeholder: 'the right label…' });
    input.setAttribute('list', 'label-list');
    input.setAttribute('aria-label', `The right label for this image (one of ${labels.fine.length})`);
    const submit = () => {
      const label = matchLabel(input.value);
      if (label) save(label);
      else {
        row.querySelector('.err')?.remove();
        fail(new Error(`Pick one of the ${labels.fine.length} labels from the list.`));
      }
    };
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') submit();
      if (ev.key === 'Escape') render();
    });
    row.replaceChildren(input, btn('Save', submit), btn('Cancel', render));
    input.focus();
  }));
  return row;
}

function query(): LibraryQuery {
  const day = (id: string, end: boolean) => {
    const v = $<HTMLInputElement>(id).value;
    return v ? new Date(`${v}T${end ? '23:59:59.999' : '00:00:00'}`).getTime() : undefined;
  };
  const sc = $<HTMLSelectElement>('superclass').value;
  const q: LibraryQuery = {
    text: $<HTMLInputElement>('q').value, site: $<HTMLSelectElement>('site').value,
    minConfidence: Number($<HTMLInputElement>('conf').value) / 100, sort: $<HTMLSelectElement>('sort').value as LibrarySort,
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
  const img = e.record.thumbnail ? Object.assign(document.createElement('img'), { src: e.record.thumbnail, alt: prettyLabel(e.label) }) : Object.assign(document.createElement('div'), { className: 'noimg' });
  // A corrected image shows the user's label; the model's confidence belongs to the model's own label.
  const label = Object.assign(document.createElement('div'), {
    className: `label${e.userLabel ? ' user' : ''}`,
    textContent: e.userLabel && e.userLabel.label !== e.modelLabel ? `${prettyLabel(e.label)} (yours)` : `${prettyLabel(e.label)} ${fmtPct(e.prob)}`,
  });
  const meta1 = Object.assign(document.createElement('div'), { className: 'meta superclass', textContent: `${prettyLabel(e.superclass)} · ${e.record.site || 'no site'}` });
  const meta2 = Object.assign(document.createElement('div'), {
    className: 'meta when', textContent: `${new Date(e.record.time).toLocaleString()} · ${e.record.modelId}${e.times > 1 ? ` · seen ${e.times}×` : ''}`,
  });
  meta2.title = e.record.imageUrl;
  const row = Object.assign(document.createElement('div'), { className: 'row' });
  const open = Object.assign(document.createElement('a'), { href: e.record.pageUrl, textContent: 'open page', target: '_blank', rel: 'noopener noreferrer' });
  const del = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Delete' });
  del.addEventListener('click', async () => {
    // Every classification of this image goes, not only the newest one shown.
    const all = (await allRecords()).filter((r) => r.imageUrl === e.record.imageUrl);
    for (const r of all) if (r.id !== undefined) await deleteRecord(r.id);
    await refresh();
  });
  row.append(open, del);
  li.append(img, label, meta1, meta2, checkRow(e), row);
  return li;
}

function render(): void {
  $('grid').replaceChildren(...entries.slice(0, shown).map(card));
  $('count').textContent = `${entries.length} image${entries.length === 1 ? '' : 's'}`;
  $('more').hidden = entries.length <= shown;
  $('empty').hidden = entries.length > 0;
  $('delete-site').toggleAttribute('disabled', !$<HTMLSelectElement>('site').value);
}

async function refresh(): Promise<void> {
  const records = await allRecords();
  const siteSel = $<HTMLSelectElement>('site');
  const current = siteSel.value;
  const sites = librarySites(libraryEntries(records, labels));
  siteSel.replaceChildren(new Option('all sites', ''), ...sites.map((s) => new Option(`${s.site || 'no site'} (${s.count})`, s.site)));
  siteSel.value = sites.some((s) => s.site === current) ? current : '';
  entries = libraryEntries(records, labels, query());
  render();
}

const stamp = () => new Date().toISOString().slice(0, 10);
$('export-csv').addEventListener('click', () => download(`image-tags-${stamp()}.csv`, 'text/csv', exportCsv(entries)));
$('export-json').addEventListener('click', () => download(`image-tags-${stamp()}.json`, 'application/json', JSON.stringify(exportRows(entries), null, 2)));
$('delete-site').addEventListener('click', async () => {
  const site = $<HTMLSelectElement>('site').value;
  if (!site || !confirm(`Delete everything tagged on ${site}?`)) return;
  await deleteSite(site);
  $<HTMLSelectElement>('site').value = '';
  await refresh();
});
$('delete-all').addEventListener('click', async () => {
  if (!confirm('Delete the whole library and history? This cannot be undone.')) return;
  await clearRecords();
  await refresh();
});
$('more').addEventListener('click', () => {
  shown += PAGE;
  render();
});
$('filters').addEventListener('input', () => {
  shown = PAGE;
  void refresh();
});
$('filters').addEventListener('submit', (e) => e.preventDefault());

const s = await loadSettings();
const limits = [s.retentionMaxCount ? `at most ${s.retentionMaxCount} classifications` : '', s.retentionMaxDays ? `none older than ${s.retentionMaxDays} days` : ''].filter(Boolean);
$('retention').textContent = limits.length ? `Retention: keeping ${limits.join(' and ')} (change in Settings).` : 'Retention: keeping everything (change in Settings).';
await refresh();
