/** The IndexedDB owner module, against fake-indexeddb (same API, in memory). */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { InferenceRecord } from '../../src/core/record';
import { addRecord, allRecords, clearRecords, countRecords, recentRecords, recordByRequestId } from '../../src/lib/db';

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
