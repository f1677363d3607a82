/** Reading and updating models/catalog.json from Node tools. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCatalog, type Catalog } from '../../src/core/catalog';
import { REPO } from './cifar';

export const CATALOG_PATH = resolve(REPO, 'models/catalog.json');

export function readCatalogRaw(path = CATALOG_PATH): Record<string, unknown> & { models: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function readCatalog(path = CATALOG_PATH): Catalog {
  return parseCatalog(readCatalogRaw(path));
}

export function modelPath(file: string): string {
  return resolve(REPO, 'models', file);
}

/** Replace one model's `accuracy` block, keeping every other byte of the entry as the Python tooling wrote it. */
export function writeAccuracy(id: string, accuracy: Record<string, unknown>, path = CATALOG_PATH): void {
  writeBlock(id, 'accuracy', accuracy, path);
}

/** Replace one model's `calibration` block (tools/eval-shift.ts), the same way. */
export function writeCalibration(id: string, calibration: Record<string, unknown>, path = CATALOG_PATH): void {
  writeBlock(id, 'calibration', calibration, path);
}

function writeBlock(id: string, key: 'accuracy' | 'calibration', block: Record<string, unknown>, path: string): void {
  const raw = readCatalogRaw(path);
  const entry = raw.models.find((m) => m.id === id);
  if (!entry) throw new Error(`no model ${id} in ${path}`);
  entry[key] = block;
  parseCatalog(raw); // never write a catalog the extension would refuse
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(raw, null, 2)}\n`);
  renameSync(tmp, path);
}
