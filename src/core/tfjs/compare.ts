/** How far two runtimes' logits for the same input are apart. Pure. */

/** Largest |a - b| over largest |b|, and the share of rows (of `classes`) whose argmax agrees. */
export function compareLogits(a: Float32Array, b: Float32Array, classes: number): { maxRelDiff: number; top1Agree: number } {
  if (a.length !== b.length || b.length % classes !== 0) throw new Error(`outputs differ in size: ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  const rows = b.length / classes;
  let agree = 0;
  for (let r = 0; r < rows; r++) {
    let ia = 0;
    let ib = 0;
    for (let c = 1; c < classes; c++) {
      if (a[r * classes + c]! > a[r * classes + ia]!) ia = c;
      if (b[r * classes + c]! > b[r * classes + ib]!) ib = c;
    }
    if (ia === ib) agree++;
  }
  return { maxRelDiff: scale > 0 ? diff / scale : diff, top1Agree: rows ? agree / rows : 1 };
}
