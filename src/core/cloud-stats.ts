/**
 * Local versus cloud, per model, over the records that ran both. Local
 * `session.run` is set against the cloud round trip (what the user waits for
 * either way) and the server's own compute time, so the table shows whether
 * the network or the hardware decides.
 */
import type { InferenceRecord } from './record';
import { summarize, type Summary } from './stats';

export interface CloudCompareRow {
  modelId: string;
  /** Local session.run of the compared requests (cold starts left out). */
  local: Summary | null;
  roundTrip: Summary | null;
  compute: Summary | null;
  overhead: Summary | null;
  /** Requests where both sides produced a top-1. */
  compared: number;
  /** Share of those where the top-1 labels agree, 0..1; null when none compared. */
  agreement: number | null;
  cloudErrors: number;
}

export function compareLocalCloud(records: readonly InferenceRecord[]): CloudCompareRow[] {
  const groups = new Map<string, InferenceRecord[]>();
  for (const r of records) {
    if (!r.cloud || r.error) continue;
    const g = groups.get(r.modelId) ?? [];
    g.push(r);
    groups.set(r.modelId, g);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([modelId, rs]) => {
    const ok = rs.filter((r) => r.cloud && !r.cloud.error);
    const both = ok.filter((r) => r.top5[0] && r.cloud?.top5[0]);
    const agree = both.filter((r) => r.top5[0]?.index === r.cloud?.top5[0]?.index).length;
    const num = (f: (r: InferenceRecord) => number | undefined) => ok.map(f).filter((x): x is number => x !== undefined);
    return {
      modelId,
      local: summarize(ok.filter((r) => !r.coldStart).map((r) => r.timings.inference)),
      roundTrip: summarize(num((r) => r.cloud?.roundTripMs)),
      compute: summarize(num((r) => r.cloud?.computeMs)),
      overhead: summarize(num((r) => r.cloud?.overheadMs)),
      compared: both.length,
      agreement: both.length ? agree / both.length : null,
      cloudErrors: rs.length - ok.length,
    };
  });
}
