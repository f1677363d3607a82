/** Loads and validates the shipped model catalog (dist/models/catalog.json). */
import { parseCatalog, type Catalog } from '../core/catalog';

let cached: Promise<Catalog> | undefined;

export function modelUrl(file: string): string {
  return chrome.runtime.getURL(`models/${file}`);
}

export function loadCatalog(): Promise<Catalog> {
  cached ??= fetch(modelUrl('catalog.json'))
    .then(async (r) => {
      if (!r.ok) throw new Error(`models/catalog.json: HTTP ${r.status}`);
      return parseCatalog(await r.json());
    })
    .catch((e: unknown) => {
      cached = undefined;
      throw e;
    });
  return cached;
}
