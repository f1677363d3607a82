/**
 * The user's label of a classified image (Wrong label? / Right / Undo), the
 * same for every caller: the library page calls it directly, a content
 * script's overlay through the worker (background/index.ts checks the sender).
 * Only one of the record's model's own labels is accepted.
 */
import { labelsOf } from '../core/catalog';
import type { InferenceRecord, UserLabel } from '../core/record';
import { loadCatalog } from './catalog-loader';
import { recordByRequestId, recordsOfImage, setUserLabel } from './db';

/** The label names a record can be given: its model's label set (CIFAR-100's 100 classes). */
export async function labelNamesFor(modelId?: string): Promise<string[]> {
  const catalog = await loadCatalog();
  const model = catalog.models.find((m) => m.id === modelId) ?? catalog.models.find((m) => m.id === catalog.default);
  return model ? labelsOf(catalog, model).fine : (catalog.labelSets.cifar100?.fine ?? []);
}

/**
 * Set (label: one of the model's labels) or remove (label: null) the user's
 * label of record `requestId`. `allowedOrigin`: when given, the record's page
 * must be on it (a content script may only label what its own page showed).
 */
export async function correctRecord(requestId: string, label: string | null, allowedOrigin?: string): Promise<InferenceRecord> {
  const rec = await recordByRequestId(requestId);
  if (!rec) throw new Error('that classification is no longer stored (deleted, or past the retention limit)');
  if (allowedOrigin !== undefined && originOf(rec.pageUrl) !== allowedOrigin) throw new Error('a page may only label its own images');
  let userLabel: UserLabel | null = null;
  if (label !== null) {
    const names = await labelNamesFor(rec.modelId);
    const index = names.indexOf(label);
    if (index < 0) throw new Error(`"${label.slice(0, 60)}" is not one of the ${names.length} labels`);
    userLabel = { index, label, at: Date.now() };
  }
  const out = await setUserLabel(requestId, userLabel);
  if (!out) throw new Error('that classification is no longer stored');
  // Undo takes the user's label off the image, wherever it sits (it may be on an older record of it).
  if (userLabel === null) for (const r of await recordsOfImage(rec.imageUrl)) if (r.userLabel) await setUserLabel(r.requestId, null);
  return out;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
