import { describe, expect, it } from 'vitest';
import { personalAccuracy } from '../../src/core/personal-accuracy';
import type { InferenceRecord, Prediction } from '../../src/core/record';

let n = 0;
const p = (index: number, prob = 0.5): Prediction => ({ index, label: `c${index}`, prob });
function rec(modelId: string, image: string, top5: Prediction[], extra: Partial<InferenceRecord> = {}): InferenceRecord {
  return {
    requestId: `r${n++}`, time: 1000 + n, pageUrl: 'https://a.test/', imageUrl: `https://a.test/${image}`, modelId, backend: 'wasm',
    threads: 1, batchSize: 1, coldStart: false, top5, timings: { fetch: 0, decodeResize: 0, preprocess: 0, inference: 0, postprocess: 0, total: 0, queue: 0 },
    ...extra,
  };
}
const truth = (index: number, at = 1) => ({ userLabel: { index, label: `c${index}`, at } });

describe('personalAccuracy', () => {
  it('counts top-1 and top-5 per model on the images the user checked', () => {
    const rs = [
      rec('a', '1', [p(1), p(2)], truth(1)), // confirmed: right
      rec('a', '2', [p(3), p(4)], truth(4)), // corrected to its second guess: top-5 only
      rec('a', '3', [p(5)], truth(9)), // wrong
      rec('a', '4', [p(7)]), // not checked: not counted
      rec('b', '1', [p(8), p(1)]), // model b on an image the user checked through model a's record
    ];
    expect(personalAccuracy(rs)).toEqual([
      { modelId: 'a', checked: 3, top1: 1, top5: 2, sure: 3, sureRight: 1 },
      { modelId: 'b', checked: 1, top1: 0, top5: 1, sure: 1, sureRight: 0 },
    ]);
  });

  it('each image counts once per model (its newest record), by the newest user label; errors are not judged', () => {
    const rs = [
      rec('a', '1', [p(2)], { time: 10, ...truth(2, 1) }),
      rec('a', '1', [p(2)], { time: 20 }),
      rec('a', '1', [p(3)], { time: 30, ...truth(3, 5) }), // a later correction of the same image wins
      rec('a', '2', [], { error: 'HTTP 404', ...truth(1) }),
    ];
    expect(personalAccuracy(rs)).toEqual([{ modelId: 'a', checked: 1, top1: 1, top5: 1, sure: 1, sureRight: 1 }]);
  });

  it("counts how the shown confidence held up: labels at or above their model's threshold, and how many of those were right", () => {
    const rs = [
      rec('a', '1', [p(1, 0.9)], truth(1)), // sure, right
      rec('a', '2', [p(2, 0.8)], truth(5)), // sure, wrong
      rec('a', '3', [p(3, 0.4)], truth(3)), // shown as unsure (right all the same): not a sure label
      rec('a', '4', [p(4, 0.6)], truth(4)), // exactly at the threshold: sure
      rec('b', '1', [p(1, 0.4)]), // model b's threshold is lower: sure
    ];
    const thresholds: Record<string, number> = { a: 0.6, b: 0.3 };
    expect(personalAccuracy(rs, (id) => thresholds[id] ?? 1)).toEqual([
      { modelId: 'a', checked: 4, top1: 3, top5: 3, sure: 3, sureRight: 2 },
      { modelId: 'b', checked: 1, top1: 1, top5: 1, sure: 1, sureRight: 1 },
    ]);
  });

  it('nothing checked: nothing to report', () => {
    expect(personalAccuracy([rec('a', '1', [p(1)])])).toEqual([]);
  });
});
