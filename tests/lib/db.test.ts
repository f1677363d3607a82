/** The IndexedDB owner module, against fake-indexeddb (same API, in memory). */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { InferenceRecord } from '../../src/core/record';
import type { ModelEntry } from '../../src/core/catalog';
import { personalAccuracy } from '../../src/core/personal-accuracy';
import {
  addRecord, addRecords, addUserModel, allRecords, checkedImageRecords, clearRecords, countRecords, deleteRecord, deleteSite, deleteUserModel, enforceRetention,
  getUserModelBytes, listUserModels, markUserModelChecked, needsBatchCheck, offeredEntry, recentRecords, recordByRequestId, recordsOfImage, setCloudResult, setUserLabel, type UserModel, UserModelConflict,
} from '../../src/lib/db';

function rec(i: number, extra: Partial<InferenceRecord> = {}): InferenceRecord {
  return {
    requestId: `req-${i}`, time: 1_700_000_000_000 + i * 1000, pageUrl: 'https://example.test/', imageUrl: `https://example.test/${i}.png`,
    modelId: 'resnet20-pit', backend: 'wasm', threads: 2, batchSize: 1,
    top5: [{ index: 3, label: 'bear', prob: 0.9 }],
    timings: { fetch: 1, decodeResize: 2, preprocess: 0.1, inference: 1.5, postprocess: 0.05, total: 5, queue: 0 },
    coldStart: i === 0, ...extra,
  };
}

beforeEach(async () => {
  await clearRecords();
});

describe('db', () => {
  it('stores records and returns them newest first', async () => {
    for (let i = 0; i < 5; i++) await addRecord(rec(i));
    expect(await countRecords()).toBe(5);
    expect((await recentRecords(3)).map((r) => r.requestId)).toEqual(['req-4', 'req-3', 'req-2']);
    expect((await allRecords()).map((r) => r.requestId)).toEqual(['req-0', 'req-1', 'req-2', 'req-3', 'req-4']);
  });

  it('never duplicates a retried request (same requestId)', async () => {
    const id1 = await addRecord(rec(1));
    const id2 = await addRecord(rec(1, { time: 5 }));
    expect(id2).toBe(id1);
    expect(await countRecords()).toBe(1);
    expect((await recordByRequestId('req-1'))?.time).toBe(rec(1).time);
  });

  it("replaces the worker's no-answer placeholder with the answer when it comes, and nothing else", async () => {
    const placeholder = rec(3, { top5: [], error: 'no answer from the classifier within 120 s, across restarts', errorStage: 'offscreen' });
    const id = await addRecord(placeholder);
    expect(await addRecord(rec(3))).toBe(id); // the classification finished after all: same id, now the answer
    expect(await recordByRequestId('req-3')).toMatchObject({ id, top5: [{ label: 'bear' }] });
    expect((await recordByRequestId('req-3'))?.error).toBeUndefined();
    expect(await addRecord(placeholder)).toBe(id); // a later placeholder never overwrites an answer
    expect((await recordByRequestId('req-3'))?.error).toBeUndefined();
    await addRecord(rec(4, { top5: [], error: 'could not fetch the image: HTTP 404', errorStage: 'fetch' }));
    await addRecord(rec(4));
    expect((await recordByRequestId('req-4'))?.errorStage).toBe('fetch'); // a real error is the answer: kept
    expect(await countRecords()).toBe(2);
  });

  it('keeps error records with their message', async () => {
    await addRecord(rec(7, { top5: [], error: 'could not fetch the image: HTTP 404', errorStage: 'fetch' }));
    const r = await recordByRequestId('req-7');
    expect(r?.error).toMatch(/404/);
    expect(r?.errorStage).toBe('fetch');
  });

  it('handles a burst of concurrent writes without loss', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => addRecord(rec(i))));
    expect(await countRecords()).toBe(50);
  });
});

describe('db: library operations', () => {
  it('adds the cloud half later without losing the label the user gave meanwhile', async () => {
    const id = await addRecord(rec(1));
    await setUserLabel('req-1', { index: 5, label: 'bed', at: 1 });
    const stored = await setCloudResult(id, { endpoint: 'http://127.0.0.1:8000', model: 'm', roundTripMs: 9, requestBytes: 1, responseBytes: 1, attempts: 1, top5: [] });
    expect(stored?.userLabel?.label).toBe('bed');
    expect(await countRecords()).toBe(1);
    const r = await recordByRequestId('req-1');
    expect([r?.cloud?.roundTripMs, r?.userLabel?.label]).toEqual([9, 'bed']);
    expect(await setCloudResult(9999, undefined)).toBeUndefined();
  });

  it('retention keeps labelled records and does not count them against the limit', async () => {
    await addRecords(Array.from({ length: 10 }, (_, i) => rec(i)));
    for (const i of [0, 1, 2, 3, 4]) await setUserLabel(`req-${i}`, { index: 3, label: 'bear', at: 1 });
    // 5 labelled + 5 unlabelled, limit 4: the oldest unlabelled one goes, the newest stays.
    expect(await enforceRetention(4, 0)).toBe(1);
    expect((await allRecords()).map((r) => r.requestId)).toEqual(['req-0', 'req-1', 'req-2', 'req-3', 'req-4', 'req-6', 'req-7', 'req-8', 'req-9']);
    // More labelled records than the limit: unlabelled ones up to the limit are still kept.
    expect(await enforceRetention(2, 0)).toBe(2);
    expect((await allRecords()).filter((r) => !r.userLabel).map((r) => r.requestId)).toEqual(['req-8', 'req-9']);
  });

  it("reads every checked image's records for personal accuracy, however many newer records follow them", async () => {
    // Image 0 is the oldest record, checked by the user; another model classified it later; 6,000 newer records follow
    // (the popup's timing statistics read only the newest 5,000).
    await addRecords([rec(0), rec(1, { imageUrl: rec(0).imageUrl, modelId: 'vgg11-bn', top5: [{ index: 7, label: 'beetle', prob: 0.8 }] })]);
    await addRecords(Array.from({ length: 6000 }, (_, i) => rec(i + 2)));
    await setUserLabel('req-0', { index: 3, label: 'bear', at: 5 });
    await setUserLabel('req-3000', { index: 9, label: 'bottle', at: 6 });
    const got = await checkedImageRecords();
    expect(got.map((r) => r.requestId).sort()).toEqual(['req-0', 'req-1', 'req-3000']);
    expect(personalAccuracy(got)).toEqual([
      { modelId: 'resnet20-pit', checked: 2, top1: 1, top5: 1, sure: 2, sureRight: 1 },
      { modelId: 'vgg11-bn', checked: 1, top1: 0, top5: 0, sure: 1, sureRight: 0 },
    ]);
    expect((await recordsOfImage(rec(0).imageUrl)).map((r) => r.requestId)).toEqual(['req-0', 'req-1']);
    // Undo takes the record out of the labelled index again.
    await setUserLabel('req-3000', null);
    expect((await checkedImageRecords()).map((r) => r.requestId).sort()).toEqual(['req-0', 'req-1']);
  });

  it('adds a page of records in one call, still without duplicates', async () => {
    const ids = await addRecords([rec(1), rec(2), rec(1)]);
    expect(ids[0]).toBe(ids[2]);
    expect(await countRecords()).toBe(2);
  });

  it('deletes one record and all records of one site', async () => {
    await addRecords([rec(1, { site: 'a.test' }), rec(2, { site: 'b.test' }), rec(3, { site: 'a.test' })]);
    const [first] = await recentRecords(1);
    await deleteRecord(first!.id!);
    expect(await countRecords()).toBe(2);
    expect(await deleteSite('a.test')).toBe(1);
    expect((await allRecords()).map((r) => r.site)).toEqual(['b.test']);
  });

  it('enforces retention by count (oldest first) and by age', async () => {
    await addRecords(Array.from({ length: 10 }, (_, i) => rec(i)));
    expect(await enforceRetention(4, 0)).toBe(6);
    expect((await allRecords()).map((r) => r.requestId)).toEqual(['req-6', 'req-7', 'req-8', 'req-9']);
    const now = rec(9).time + 86_400_000 * 2;
    await addRecord(rec(20, { time: now }));
    expect(await enforceRetention(0, 1, now)).toBe(4);
    expect((await allRecords()).map((r) => r.requestId)).toEqual(['req-20']);
  });
});

describe('db: models the user adds', () => {
  const entry = (id: string, sha256: string) => ({ id, name: id, sha256 }) as unknown as ModelEntry;
  const model = (id: string, sha256: string): UserModel => ({ id, entry: entry(id, sha256), addedAt: 1, checked: false });

  it('adds a model only when neither its id nor its file is stored yet, writing nothing when refused', async () => {
    for (const m of await listUserModels()) await deleteUserModel(m.id);
    await addUserModel(model('user-a', 'aa'), new Uint8Array([1, 2, 3]).buffer);
    // The same file from another tab under another name: refused, and says which model has it.
    await expect(addUserModel(model('user-b', 'aa'), new Uint8Array([1, 2, 3]).buffer))
      .rejects.toSatisfy((e) => e instanceof UserModelConflict && e.existing?.id === 'user-a');
    // Two tabs picking the same id for different files: the second is refused, the first is not overwritten.
    await expect(addUserModel(model('user-a', 'bb'), new Uint8Array([9]).buffer)).rejects.toThrow(/being added in another tab/);
    expect((await listUserModels()).map((m) => [m.id, m.entry.sha256])).toEqual([['user-a', 'aa']]);
    expect(new Uint8Array((await getUserModelBytes('user-a'))!)).toEqual(new Uint8Array([1, 2, 3]));
    expect(await getUserModelBytes('user-b')).toBeUndefined();
  });

  it('offers a model checked before batch outputs were compared as batch-1, until a self-check compares them', async () => {
    for (const m of await listUserModels()) await deleteUserModel(m.id);
    const shaped = (id: string, n: number) => ({ ...entry(id, `${id}-sha`), input: { name: 'x', shape: [n, 3, 32, 32], dtype: 'float32', layout: 'NCHW' } }) as ModelEntry;
    // As an older version stored it: checked, any batch size, no batchChecked.
    await addUserModel({ id: 'user-old', entry: shaped('user-old', -1), addedAt: 1, checked: true }, new Uint8Array([1]).buffer);
    await addUserModel({ id: 'user-one', entry: shaped('user-one', 1), addedAt: 1, checked: true }, new Uint8Array([2]).buffer);
    const byId = async () => new Map((await listUserModels()).map((m) => [m.id, m]));
    let models = await byId();
    expect(offeredEntry(models.get('user-old')!).input.shape).toEqual([1, 3, 32, 32]);
    expect(models.get('user-old')!.entry.input.shape).toEqual([-1, 3, 32, 32]); // the stored entry is kept as the file declares it
    expect(needsBatchCheck(models.get('user-old')!)).toBe(true);
    expect(needsBatchCheck(models.get('user-one')!)).toBe(false); // batch-1 anyway: nothing to compare
    expect(needsBatchCheck({ ...models.get('user-old')!, checked: false })).toBe(false); // still being added

    // The self-check now compares batches: the model keeps its batches and is not offered a check again.
    expect(await markUserModelChecked('user-old', shaped('user-old', -1))).toBe(true);
    models = await byId();
    expect(models.get('user-old')!.batchChecked).toBe(true);
    expect(offeredEntry(models.get('user-old')!).input.shape).toEqual([-1, 3, 32, 32]);
    expect(needsBatchCheck(models.get('user-old')!)).toBe(false);
    expect(await markUserModelChecked('user-gone', shaped('user-gone', -1))).toBe(false);
  });
});
