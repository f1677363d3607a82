/**
 * The one owner of IndexedDB. Every context (offscreen writes, popup reads)
 * goes through these functions; nobody opens the database directly.
 *
 * Schema history (bump DB_VERSION and add a step in `upgrade` for each change):
 *   v1: store `inferences` (auto id) with indexes time, requestId (unique), modelId.
 *   v2: records carry `site` (page host name) and `source`; index site; existing records backfilled.
 *   v3: stores `userModels` and `userModelFiles` (key: model id): models the user added from an
 *       .onnx file — the small catalog entry apart from the bytes, so listing models reads no weights.
 *   v4: indexes imageUrl (an image's records) and labelled (`userLabel.at`: only records the user
 *       labelled are in it), so personal accuracy covers every checked image, not only the newest.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ModelEntry } from '../core/catalog';
import { siteOf, type InferenceRecord, type UserLabel } from '../core/record';

export const DB_NAME = 'private-image-tagger';
export const DB_VERSION = 4;

/** A model the user added: its catalog entry (the file's bytes are in `userModelFiles`), on this device only. */
export interface UserModel {
  id: string;
  entry: ModelEntry;
  addedAt: number;
  /** Set once the self-check inference passed; until then the model is offered nowhere. */
  checked: boolean;
  /**
   * Set by a self-check that also compared the model's batch outputs with its single-image ones
   * (every self-check since that comparison exists). A model checked before it lacks the flag.
   */
  batchChecked?: boolean;
}

/**
 * A user model's entry as it is offered everywhere. One checked before batch outputs were compared
 * runs one image per run until it is checked again: its batch might mix images (a graph with
 * BatchNorm left in training mode), and a label must not depend on which images share its batch.
 */
export function offeredEntry(m: UserModel): ModelEntry {
  const [n, c, h, w] = m.entry.input.shape;
  return m.batchChecked || n === 1 ? m.entry : { ...m.entry, input: { ...m.entry.input, shape: [1, c, h, w] } };
}

/** A checked model whose batch outputs were never compared (see `offeredEntry`): Options offers to check it again. */
export const needsBatchCheck = (m: UserModel): boolean => m.checked && offeredEntry(m) !== m.entry;

interface PitDB extends DBSchema {
  inferences: {
    key: number;
    value: InferenceRecord;
    indexes: { time: number; requestId: string; modelId: string; site: string; imageUrl: string; labelled: number };
  };
  userModels: {
    key: string;
    value: UserModel;
  };
  userModelFiles: {
    key: string;
    value: { id: string; bytes: ArrayBuffer };
  };
}

let dbPromise: Promise<IDBPDatabase<PitDB>> | undefined;

export function openDb(): Promise<IDBPDatabase<PitDB>> {
  dbPromise ??= openDB<PitDB>(DB_NAME, DB_VERSION, {
    async upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        const s = db.createObjectStore('inferences', { keyPath: 'id', autoIncrement: true });
        s.createIndex('time', 'time');
        s.createIndex('requestId', 'requestId', { unique: true });
        s.createIndex('modelId', 'modelId');
      }
      if (oldVersion < 2) {
        const s = tx.objectStore('inferences');
        s.createIndex('site', 'site');
        for (let c = await s.openCursor(); c; c = await c.continue()) {
          if (c.value.site === undefined) await c.update({ ...c.value, site: siteOf(c.value.pageUrl), source: c.value.source ?? 'click' });
        }
      }
      if (oldVersion < 3) {
        db.createObjectStore('userModels', { keyPath: 'id' });
        db.createObjectStore('userModelFiles', { keyPath: 'id' });
      }
      if (oldVersion < 4) {
        const s = tx.objectStore('inferences');
        s.createIndex('imageUrl', 'imageUrl');
        s.createIndex('labelled', 'userLabel.at'); // sparse: a record without userLabel has no key here
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
 * id of the record already stored instead of adding a duplicate. One
 * exception: a record the worker wrote because the classifier did not answer
 * (errorStage 'offscreen', e.g. the 120 s give-up) is replaced by the answer
 * when it does come, under the same id.
 */
export async function addRecord(rec: InferenceRecord): Promise<number> {
  const db = await openDb();
  const tx = db.transaction('inferences', 'readwrite');
  const existing = await tx.store.index('requestId').getKey(rec.requestId);
  if (existing !== undefined) {
    const old = rec.errorStage === 'offscreen' ? undefined : await tx.store.get(existing);
    if (old?.errorStage === 'offscreen') await tx.store.put({ ...rec, id: existing, ...(old.userLabel ? { userLabel: old.userLabel } : {}) });
    await tx.done;
    return existing;
  }
  const { id: _ignored, ...fresh } = rec;
  const id = await tx.store.add(fresh as InferenceRecord);
  await tx.done;
  return id;
}

/**
 * Add the cloud half of a comparison to a stored record (it arrives after the
 * local one). Only `cloud` changes, read and written in one transaction: what
 * happened to the record meanwhile (the user labelled it) is kept. Returns the
 * stored record, or undefined when it is gone.
 */
export async function setCloudResult(id: number, cloud: InferenceRecord['cloud']): Promise<InferenceRecord | undefined> {
  const tx = (await openDb()).transaction('inferences', 'readwrite');
  const stored = await tx.store.get(id);
  const out = stored ? { ...stored, cloud } : undefined;
  if (out) await tx.store.put(out);
  await tx.done;
  return out;
}

/** Store many records in one transaction (page tagging); idempotent on requestId like addRecord. */
export async function addRecords(recs: readonly InferenceRecord[]): Promise<number[]> {
  const db = await openDb();
  const tx = db.transaction('inferences', 'readwrite');
  const ids: number[] = [];
  for (const rec of recs) {
    const existing = await tx.store.index('requestId').getKey(rec.requestId);
    if (existing !== undefined) {
      ids.push(existing);
      continue;
    }
    const { id: _ignored, ...fresh } = rec;
    ids.push(await tx.store.add(fresh as InferenceRecord));
  }
  await tx.done;
  return ids;
}

export async function deleteRecord(id: number): Promise<void> {
  await (await openDb()).delete('inferences', id);
}

/** Delete every record of one site; returns how many. */
export async function deleteSite(site: string): Promise<number> {
  const db = await openDb();
  const tx = db.transaction('inferences', 'readwrite');
  let n = 0;
  for (let c = await tx.store.index('site').openCursor(IDBKeyRange.only(site)); c; c = await c.continue()) {
    await c.delete();
    n++;
  }
  await tx.done;
  return n;
}

/**
 * Retention: keep at most `maxCount` records and none older than `maxDays`
 * (0 = no limit). Oldest go first. A record the user labelled is kept: it is
 * their ground truth (personal accuracy), not history. Returns how many were deleted.
 */
export async function enforceRetention(maxCount: number, maxDays: number, now = Date.now()): Promise<number> {
  const db = await openDb();
  const tx = db.transaction('inferences', 'readwrite');
  // The limit counts what retention may delete: records the user labelled are kept, and not counted.
  const labelled = maxCount > 0 ? await tx.store.index('labelled').count() : 0;
  let excess = maxCount > 0 ? (await tx.store.count()) - labelled - maxCount : 0;
  const cutoff = maxDays > 0 ? now - maxDays * 86_400_000 : Number.NEGATIVE_INFINITY;
  let n = 0;
  for (let c = await tx.store.index('time').openCursor(); c; c = await c.continue()) {
    if (excess <= 0 && c.value.time >= cutoff) break;
    if (c.value.userLabel) continue;
    await c.delete();
    excess--;
    n++;
  }
  await tx.done;
  return n;
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

/**
 * The user's label of a record (Wrong label? / Right), or none (Undo).
 * Returns the updated record; undefined when no record has this requestId.
 */
export async function setUserLabel(requestId: string, userLabel: UserLabel | null): Promise<InferenceRecord | undefined> {
  const tx = (await openDb()).transaction('inferences', 'readwrite');
  const c = await tx.store.index('requestId').openCursor(requestId);
  let out: InferenceRecord | undefined;
  if (c) {
    const { userLabel: _old, ...rest } = c.value;
    out = userLabel ? { ...rest, userLabel } : rest;
    await c.update(out);
  }
  await tx.done;
  return out;
}

export async function clearRecords(): Promise<void> {
  await (await openDb()).clear('inferences');
}

/** Every user model (checked or not): entries only, no weights. */
export async function listUserModels(): Promise<UserModel[]> {
  return (await openDb()).getAll('userModels');
}

export async function getUserModelBytes(id: string): Promise<ArrayBuffer | undefined> {
  return (await (await openDb()).get('userModelFiles', id))?.bytes;
}

/** Refused: the id is taken, or the same file (sha256) is stored under another model. */
export class UserModelConflict extends Error {
  constructor(message: string, readonly existing?: UserModel) {
    super(message);
  }
}

/**
 * A new model: entry and bytes in one transaction (a model is never listed
 * without its file), only if no stored model has its id or its sha256 — checked
 * inside the transaction, so two tabs adding at once cannot both succeed or
 * overwrite each other. Nothing is written when it throws.
 */
export async function addUserModel(m: UserModel, bytes: ArrayBuffer): Promise<void> {
  const tx = (await openDb()).transaction(['userModels', 'userModelFiles'], 'readwrite');
  const models = tx.objectStore('userModels');
  try {
    const stored = await models.getAll();
    const same = stored.find((x) => x.entry.sha256 === m.entry.sha256);
    if (same) throw new UserModelConflict(`the same file is already stored as ${same.id}`, same);
    if (stored.some((x) => x.id === m.id) || (await tx.objectStore('userModelFiles').getKey(m.id)) !== undefined) {
      throw new UserModelConflict(`a model with the id ${m.id} is being added in another tab`);
    }
    await models.add(m);
    await tx.objectStore('userModelFiles').add({ id: m.id, bytes });
    await tx.done;
  } catch (e) {
    try {
      tx.abort();
    } catch {
      // already finished or aborted
    }
    await tx.done.catch(() => undefined);
    throw e;
  }
}

export async function deleteUserModel(id: string): Promise<void> {
  const tx = (await openDb()).transaction(['userModels', 'userModelFiles'], 'readwrite');
  await Promise.all([tx.objectStore('userModels').delete(id), tx.objectStore('userModelFiles').delete(id), tx.done]);
}

export async function getUserModel(id: string): Promise<UserModel | undefined> {
  return (await openDb()).get('userModels', id);
}

/**
 * The self-check (batch comparison included) passed: store the checked entry, in one transaction,
 * only if the model (and its file) is still there.
 */
export async function markUserModelChecked(id: string, entry: ModelEntry): Promise<boolean> {
  const tx = (await openDb()).transaction(['userModels', 'userModelFiles'], 'readwrite');
  const [m, file] = await Promise.all([tx.objectStore('userModels').get(id), tx.objectStore('userModelFiles').getKey(id)]);
  const ok = m !== undefined && file !== undefined;
  if (ok) await tx.objectStore('userModels').put({ ...m, entry, checked: true, batchChecked: true });
  await tx.done;
  return ok;
}

/** Every record of one image URL (all its classifications), oldest first. */
export async function recordsOfImage(imageUrl: string): Promise<InferenceRecord[]> {
  return (await (await openDb()).getAllFromIndex('inferences', 'imageUrl', imageUrl)).sort((a, b) => a.time - b.time);
}

/**
 * What personal accuracy needs, however old: every record the user labelled,
 * and every other record of those images (another model's classification of
 * an image is judged on the user's label too). One read transaction.
 */
export async function checkedImageRecords(): Promise<InferenceRecord[]> {
  const tx = (await openDb()).transaction('inferences');
  const labelled = await tx.store.index('labelled').getAll();
  const urls = [...new Set(labelled.map((r) => r.imageUrl))];
  const byImage = await Promise.all(urls.map((u) => tx.store.index('imageUrl').getAll(u)));
  await tx.done;
  return byImage.flat();
}
