/**
 * The one owner of IndexedDB. Every context (offscreen writes, popup reads)
 * goes through these functions; nobody opens the database directly.
 *
 * Schema history (bump DB_VERSION and add a step in `upgrade` for each change):
 *   v1: store `inferences` (auto id) with indexes time, requestId (unique), modelId.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { InferenceRecord } from '../core/record';

export const DB_NAME = 'private-image-tagger';
export const DB_VERSION = 1;

interface PitDB extends DBSchema {
  inferences: {
    key: number;
    value: InferenceRecord;
    indexes: { time: number; requestId: string; modelId: string };
  };
}

let dbPromise: Promise<IDBPDatabase<PitDB>> | undefined;

export function openDb(): Promise<IDBPDatabase<PitDB>> {
  dbPromise ??= openDB<PitDB>(DB_NAME, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        const s = db.createObjectStore('inferences', { keyPath: 'id', autoIncrement: true });
        s.createIndex('time', 'time');
        s.createIndex('requestId', 'requestId', { unique: true });
        s.createIndex('modelId', 'modelId');
      }
    },
    terminated() {
      // The browser closed the connection abnormally: reopen on next use.
      dbPromise = undefined;
    },
    blocking() {
      // A newer version wants to upgrade (extension updated while a page is open):
      // let it, and reopen on next use.
      void dbPromise?.then((db) => db.close());
      dbPromise = undefined;
    },
  }).catch((e: unknown) => {
    dbPromise = undefined;
    throw e;
  });
  return dbPromise;
}

/**
 * Store one record. Idempotent on `requestId`: a retried request returns the
 * id of the record already stored instead of adding a duplicate.
 */
export async function addRecord(rec: InferenceRecord): Promise<number> {
  const db = await openDb();
  const tx = db.transaction('inferences', 'readwrite');
  const existing = await tx.store.index('requestId').getKey(rec.requestId);
  if (existing !== undefined) {
    await tx.done;
    return existing;
  }
  const { id: _ignored, ...fresh } = rec;
  const id = await tx.store.add(fresh as InferenceRecord);
  await tx.done;
  return id;
}

/** Newest first. */
export async function recentRecords(limit = 50): Promise<InferenceRecord[]> {
  const db = await openDb();
  const out: InferenceRecord[] = [];
  let cursor = await db.transaction('inferences').store.index('time').openCursor(null, 'prev');
  while (cursor && out.length < limit) {
    out.push(cursor.value);
    cursor = await cursor.continue();
  }
  return out;
}

export async function allRecords(): Promise<InferenceRecord[]> {
  return (await openDb()).getAllFromIndex('inferences', 'time');
}

export async function countRecords(): Promise<number> {
  return (await openDb()).count('inferences');
}

export async function recordByRequestId(requestId: string): Promise<InferenceRecord | undefined> {
  return (await openDb()).getFromIndex('inferences', 'requestId', requestId);
}

export async function clearRecords(): Promise<void> {
  await (await openDb()).clear('inferences');
}
