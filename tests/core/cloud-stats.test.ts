import { describe, expect, it } from 'vitest';
import { compareLocalCloud } from '../../src/core/cloud-stats';
import type { CloudResult, InferenceRecord } from '../../src/core/record';

let n = 0;
function rec(local: number, top: number, cloud?: Partial<CloudResult>, extra: Partial<InferenceRecord> = {}): InferenceRecord {
  return {
    requestId: `r${n++}`, time: 0, pageUrl: '', imageUrl: '', modelId: 'm', backend: 'wasm', threads: 1, batchSize: 1,
    top5: [{ index: top, label: String(top), prob: 0.5 }], coldStart: false,
    timings: { fetch: 0, decodeResize: 0, preprocess: 0, inference: local, postprocess: 0, total: local, queue: 0 },
    ...(cloud ? { cloud: { endpoint: 'http://127.0.0.1', model: 'm', roundTripMs: 0, requestBytes: 1, responseBytes: 1, attempts: 1, top5: [{ index: top, label: '', prob: 1 }], ...cloud } } : {}),
    ...extra,
  };
}

describe('compareLocalCloud', () => {
  it('puts local session.run next to cloud round trip, compute and overhead, with top-1 agreement', () => {
    const rows = compareLocalCloud([
      rec(2, 1, { roundTripMs: 20, computeMs: 1, overheadMs: 19 }),
      rec(4, 2, { roundTripMs: 30, computeMs: 2, overheadMs: 28, top5: [{ index: 9, label: '', prob: 1 }] }),
      rec(3, 3, { roundTripMs: 25, computeMs: 3, overheadMs: 22 }),
      rec(5, 4, { error: 'the cloud endpoint is unreachable', top5: [] }),
      rec(1, 1), // comparison was off: not part of the table
    ]);
    expect(rows).toHaveLength(1);
    const [r] = rows;
    expect(r?.local).toMatchObject({ count: 3, median: 3 });
    expect(r?.roundTrip).toMatchObject({ count: 3, median: 25 });
    expect(r?.compute?.median).toBe(2);
    expect(r?.overhead?.median).toBe(22);
    expect(r?.compared).toBe(3);
    expect(r?.agreement).toBeCloseTo(2 / 3);
    expect(r?.cloudErrors).toBe(1);
  });

  it('leaves cold starts out of the local figures and reports no agreement when nothing was compared', () => {
    const [r] = compareLocalCloud([rec(900, 1, { roundTripMs: 20 }, { coldStart: true }), rec(5, 2, { error: 'down', top5: [] })]);
    expect(r?.local).toBeNull();
    expect(r?.roundTrip?.count).toBe(1);
    expect(rec(1, 1).cloud).toBeUndefined();
    expect(compareLocalCloud([rec(5, 2, { error: 'down', top5: [] })])[0]?.agreement).toBeNull();
  });
});
