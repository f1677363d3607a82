/** A history written by schema v1 survives the upgrade to v2 and gains its site. */
import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { DB_NAME, recentRecords } from '../../src/lib/db';

describe('db upgrade v1 -> v2', () => {
  it('keeps every v1 record and backfills site and source', async () => {
    const v1 = await openDB(DB_NAME, 1, {
      upgrade(db) {
        const s = db.createObjectStore('inferences', { keyPath: 'id', autoIncrement: true });
        s.createIndex('time', 'time');
        s.createIndex('requestId', 'requestId', { unique: true });
        s.createIndex('modelId', 'modelId');
      },
    });
    await v1.add('inferences', { requestId: 'old-1', time: 1, pageUrl: 'https://photos.example.org/a', imageUrl: 'x', top5: [] });
    await v1.add('inferences', { requestId: 'old-2', time: 2, pageUrl: 'not a url', imageUrl: 'y', top5: [] });
    v1.close();
    const recs = await recentRecords(10);
    expect(recs.map((r) => [r.requestId, r.site, r.source])).toEqual([['old-2', '', 'click'], ['old-1', 'photos.example.org', 'click']]);
  });
});
