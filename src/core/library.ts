/**
 * The private library: every tagged image once (its newest classification),
 * searchable by label and by CIFAR-100 superclass, filterable by site, date and
 * confidence, sortable, and exportable as flat rows.
 */
import Papa from 'papaparse';
import { truthByImage } from './personal-accuracy';
import type { InferenceRecord, UserLabel } from './record';

export interface LabelTable {
  fine: readonly string[];
  coarse: readonly string[];
  fineToCoarse: readonly number[];
  /**
   * The fine labels in the user's language, parallel to `fine` ("тигр" for
   * "tiger"): the text search matches either name, and "label" sorts by it.
   */
  localized?: readonly string[];
}

export type LibrarySort = 'newest' | 'oldest' | 'confidence' | 'label';

export interface LibraryQuery {
  /** Matches the top-1 label, in English or as `LabelTable.localized` names it (case-insensitive; "_" and " " are the same, and "ё" and "е"). */
  text?: string;
  /** Index into the coarse labels (the 20 superclasses). */
  superclass?: number;
  /** Only this site's records ('' : records without a site); absent: every site. */
  site?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  to?: number;
  /** 0..1 */
  minConfidence?: number;
  /** Only labels shown as sure (at or above their model's "unsure" threshold), and the ones the user labelled. */
  sureOnly?: boolean;
  /**
   * The "unsure" threshold of a model (core/calibration's unsureBelowFor with the user's setting); without it
   * every entry counts as sure. A text search lists sure labels first.
   */
  unsureBelow?: (modelId: string) => number;
  sort?: LibrarySort;
}

export interface LibraryEntry {
  record: InferenceRecord;
  /** The label the library shows, searches and filters by: the user's when they corrected it. */
  label: string;
  /** The model's top-1 label of `record`. */
  modelLabel: string;
  /** The model's confidence in its own top-1. */
  prob: number;
  /** Superclass of `label`. */
  superclass: string;
  /** The user's label of this image (from any of its records), if they checked it. */
  userLabel?: UserLabel;
  /** How many classifications of this image URL the history holds. */
  times: number;
  /** Shown as sure: the model's probability is at or above its "unsure" threshold, or the user labelled it. */
  sure: boolean;
}

const norm = (s: string) => s.toLowerCase().replaceAll('_', ' ').replaceAll('ё', 'е').trim();

/** One entry per image URL (the newest successful classification), filtered and sorted. */
export function libraryEntries(records: readonly InferenceRecord[], labels: LabelTable, q: LibraryQuery = {}): LibraryEntry[] {
  const truth = truthByImage(records);
  const newest = new Map<string, LibraryEntry>();
  for (const r of records) {
    const top = r.top5[0];
    if (r.error || !top) continue;
    const seen = newest.get(r.imageUrl);
    if (seen && seen.record.time >= r.time) {
      seen.times++;
      continue;
    }
    const user = truth.get(r.imageUrl);
    const index = user?.index ?? top.index;
    const coarse = labels.coarse[labels.fineToCoarse[index] ?? -1] ?? '';
    newest.set(r.imageUrl, {
      record: r, label: user?.label ?? top.label, modelLabel: top.label, prob: top.prob, superclass: coarse,
      ...(user ? { userLabel: user } : {}), times: (seen?.times ?? 0) + 1,
      sure: user !== undefined || q.unsureBelow === undefined || top.prob >= q.unsureBelow(r.modelId),
    });
  }
  const text = q.text ? norm(q.text) : '';
  const fineIndex = new Map(labels.fine.map((l, i) => [l, i]));
  const localized = (label: string): string | undefined => labels.localized?.[fineIndex.get(label) ?? -1];
  const matches = (label: string) => norm(label).includes(text) || norm(localized(label) ?? '').includes(text);
  const wantCoarse = q.superclass !== undefined ? labels.coarse[q.superclass] : undefined;
  const out = [...newest.values()].filter((e) =>
    (!text || matches(e.label)) &&
    (wantCoarse === undefined || e.superclass === wantCoarse) &&
    (q.site === undefined || (e.record.site ?? '') === q.site) &&
    (q.from === undefined || e.record.time >= q.from) &&
    (q.to === undefined || e.record.time <= q.to) &&
    (q.minConfidence === undefined || e.prob >= q.minConfidence) &&
    (!q.sureOnly || e.sure));
  const by: Record<LibrarySort, (a: LibraryEntry, b: LibraryEntry) => number> = {
    newest: (a, b) => b.record.time - a.record.time,
    oldest: (a, b) => a.record.time - b.record.time,
    confidence: (a, b) => b.prob - a.prob,
    label: labels.localized
      ? (a, b) => (localized(a.label) ?? a.label).localeCompare(localized(b.label) ?? b.label) || b.record.time - a.record.time
      : (a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : b.record.time - a.record.time),
  };
  const order = by[q.sort ?? 'newest'];
  // Searching for a label: the images it surely shows come first, the guesses after them.
  return out.sort(text ? (a, b) => Number(b.sure) - Number(a.sure) || order(a, b) : order);
}

/** Sites present in the library, most entries first. */
export function librarySites(entries: readonly LibraryEntry[]): { site: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.record.site ?? '', (counts.get(e.record.site ?? '') ?? 0) + 1);
  return [...counts.entries()].map(([site, count]) => ({ site, count })).sort((a, b) => b.count - a.count || (a.site < b.site ? -1 : 1));
}

/**
 * The CSV export. Cells a spreadsheet would run as a formula (`=`, `+`, `-`,
 * `@`, tab, CR at the start: a page controls its URLs and its site's name)
 * are prefixed with `'` (papaparse escapeFormulae).
 */
export function exportCsv(entries: readonly LibraryEntry[]): string {
  return Papa.unparse(exportRows(entries), { escapeFormulae: true });
}

/**
 * Flat rows for CSV/JSON export, one per library entry (an image's newest
 * classification and the user's label; no thumbnails, timings or error records).
 */
export function exportRows(entries: readonly LibraryEntry[]): Record<string, string | number>[] {
  return entries.map((e) => ({
    time: new Date(e.record.time).toISOString(),
    label: e.modelLabel,
    probability: Number(e.prob.toFixed(4)),
    user_label: e.userLabel?.label ?? '',
    user_labelled_at: e.userLabel ? new Date(e.userLabel.at).toISOString() : '',
    superclass: e.superclass,
    site: e.record.site ?? '',
    page: e.record.pageUrl,
    image: e.record.imageUrl,
    model: e.record.modelId,
    backend: e.record.backend,
    source: e.record.source ?? 'click',
    top5: e.record.top5.map((p) => `${p.label}:${p.prob.toFixed(4)}`).join(' '),
  }));
}
