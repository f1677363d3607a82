/** A v3 history (records the user labelled among them) gains the v4 indexes: its checked images are found at once. */
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { checkedImageRecords, DB_NAME, enforceRetention, recentRecords } from '../../src/lib/db';

describe('db upgrade v3 -> v4', () => {
  it('indexes the existing records by image and by user label', async () => {
    const v3 = await openDB(DB_NAME, 3, {
      upgrade(db) {
        const s = db.createObjectStore('inferences', { keyPath: 'id', autoIncrement: true });
        s.createIndex('time', 'time');
        s.createIndex('requestId', 'requestId', { unique: true });
        s.createIndex('modelId', 'modelId');
        s.createIndex('site', 'site');
        db.createObjectStore('userModels', { keyPath: 'id' });
        db.createObjectStore('userModelFiles', { keyPath: 'id' });
      },
    });
    const base = { pageUrl: 'https://a.test/', site: 'a.test', source: 'click', top5: [] };
    await v3.add('inferences', { ...base, requestId: 'r1', time: 1, imageUrl: 'https://a.test/cat.png', userLabel: { index: 1, label: 'aquarium_fish', at: 9 } });
    await v3.add('inferences', { ...base, requestId: 'r2', time: 2, imageUrl: 'https://a.test/cat.png' });
    await v3.add('inferences', { ...base, requestId: 'r3', time: 3, imageUrl: 'https://a.test/dog.png' });
    v3.close();
    expect((await recentRecords(10)).map((r) => r.requestId)).toEqual(['r3', 'r2', 'r1']);
    expect((await checkedImageRecords()).map((r) => r.requestId).sort()).toEqual(['r1', 'r2']);
    // Retention still keeps the labelled record and counts it apart (through the new index): limit 1 keeps r3 only.
    expect(await enforceRetention(1, 0)).toBe(1);
    expect((await recentRecords(10)).map((r) => r.requestId)).toEqual(['r3', 'r1']);
  });
});
