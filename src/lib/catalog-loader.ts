/**
 * The model catalog every page sees: the shipped one (dist/models/catalog.json,
 * validated) plus the models the user added and that passed their self-check
 * (IndexedDB, lib/db.ts). Any context that changes the user's models calls
 * `userModelsChanged()`; every other extension page drops its cached copy.
 */
import { parseCatalog, type Catalog, type ModelEntry } from '../core/catalog';
import { verifySha256 } from '../core/sha256';
import { getUserModelBytes, listUserModels, offeredEntry } from './db';

let shipped: Promise<Catalog> | undefined;
let merged: Promise<Catalog> | undefined;

const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('pit-user-models') : undefined;
const changeListeners: (() => void)[] = [];
channel?.addEventListener('message', () => {
  merged = undefined;
  for (const fn of changeListeners) fn();
});

/** Run `fn` whenever another context says the user's models changed (added, checked, removed). */
export function onUserModelsChanged(fn: () => void): void {
  changeListeners.push(fn);
}

/** Tell every extension page (and this one) that the user's models changed. */
export function userModelsChanged(): void {
  merged = undefined;
  channel?.postMessage('changed');
}

export function modelUrl(file: string): string {
  return chrome.runtime.getURL(`models/${file}`);
}

export function loadShippedCatalog(): Promise<Catalog> {
  shipped ??= fetch(modelUrl('catalog.json'))
    .then(async (r) => {
      if (!r.ok) throw new Error(`models/catalog.json: HTTP ${r.status}`);
      return parseCatalog(await r.json());
    })
    .catch((e: unknown) => {
      shipped = undefined;
      throw e;
    });
  return shipped;
}

/** One broken stored entry (say, from an older build) must not take every page's catalog down. */
function valid(c: Catalog, m: ModelEntry): boolean {
  try {
    parseCatalog({ ...c, models: [m], default: m.id });
    return true;
  } catch (e) {
    console.warn(`ignoring your model ${m.id}: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
}

export function loadCatalog(): Promise<Catalog> {
  merged ??= loadShippedCatalog()
    .then(async (c) => {
      const taken = new Set(c.models.map((m) => m.id));
      // A user model whose id a later release ships is hidden rather than breaking the catalog.
      const mine = (await listUserModels().catch(() => [])).filter((u) => u.checked && !taken.has(u.id)).map(offeredEntry)
        .filter((m) => valid(c, m));
      return mine.length === 0 ? c : parseCatalog({ ...c, models: [...c.models, ...mine] });
    })
    .catch((e: unknown) => {
      merged = undefined;
      throw e;
    });
  return merged;
}

/** A model's file: from the package, or from IndexedDB for a user's model; sha256 checked either way. */
export async function loadModelBytes(model: ModelEntry): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (model.userAdded) {
    const b = await getUserModelBytes(model.id);
    if (!b) throw new Error(`model ${model.id}: its file is no longer stored on this device (removed?)`);
    bytes = new Uint8Array(b);
  } else {
    const res = await fetch(modelUrl(model.file));
    if (!res.ok) throw new Error(`model file ${model.file}: HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  }
  await verifySha256(bytes, model.sha256, `model ${model.id}`);
  return bytes;
}
