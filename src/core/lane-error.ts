/**
 * A session that failed itself, not the model: page tagging's worker lane
 * whose worker died, stalled or was closed (offscreen/worker-lanes.ts). Its
 * batch may run on another session; the model's own errors are not retried
 * (they would repeat).
 */
export class LaneError extends Error {}

/** Whether `e`, or an error it wraps as its `cause` (runBatch wraps what a session throws), is a LaneError. */
export function isLaneFailure(e: unknown): boolean {
  for (let x = e, depth = 0; x instanceof Error && depth < 8; x = x.cause, depth++) if (x instanceof LaneError) return true;
  return false;
}
