/**
 * Personal accuracy: how often each model was right on the images the user
 * checked (confirmed or corrected a label). The user's label belongs to the
 * image, so a model that classified the same image in another record is
 * judged on it too; each (model, image) counts once, by its newest record.
 */
import type { InferenceRecord, UserLabel } from './record';

export interface PersonalAccuracy {
  modelId: string;
  /** Images of this model the user checked. */
  checked: number;
  /** Of those, top-1 right / truth among the top 5. */
  top1: number;
  top5: number;
  /** Of the checked images, those whose label was shown as sure (needs the thresholds), and how many of them were right. */
  sure: number;
  sureRight: number;
}

/** The newest user label of each image URL. */
export function truthByImage(records: readonly InferenceRecord[]): Map<string, UserLabel> {
  const truth = new Map<string, UserLabel>();
  for (const r of records) {
    if (!r.userLabel) continue;
    const seen = truth.get(r.imageUrl);
    if (!seen || seen.at < r.userLabel.at) truth.set(r.imageUrl, r.userLabel);
  }
  return truth;
}

/**
 * `unsureBelow` gives each model's "unsure" threshold (core/calibration's unsureBelowFor): with it, how the
 * shown confidence held up on the user's own images is counted too; without it `sure` counts every check.
 */
export function personalAccuracy(records: readonly InferenceRecord[], unsureBelow: (modelId: string) => number = () => 0): PersonalAccuracy[] {
  const truth = truthByImage(records);
  const newest = new Map<string, InferenceRecord>();
  for (const r of records) {
    if (r.error || r.top5.length === 0 || !truth.has(r.imageUrl)) continue;
    const key = `${r.modelId}\u0000${r.imageUrl}`;
    const seen = newest.get(key);
    if (!seen || seen.time < r.time) newest.set(key, r);
  }
  const by = new Map<string, PersonalAccuracy>();
  for (const r of newest.values()) {
    const t = truth.get(r.imageUrl)!;
    const a = by.get(r.modelId) ?? { modelId: r.modelId, checked: 0, top1: 0, top5: 0, sure: 0, sureRight: 0 };
    a.checked++;
    const right = r.top5[0]?.index === t.index;
    if (right) a.top1++;
    if ((r.top5[0]?.prob ?? 0) >= unsureBelow(r.modelId)) {
      a.sure++;
      if (right) a.sureRight++;
    }
    if (r.top5.some((p) => p.index === t.index)) a.top5++;
    by.set(r.modelId, a);
  }
  return [...by.values()].sort((a, b) => b.checked - a.checked || (a.modelId < b.modelId ? -1 : 1));
}
