/**
 * One right-click classification, start to finish, timed from the click.
 * Never rejects: a failure becomes a record with `error` and `errorStage`, so
 * the user always sees an answer and the history keeps every attempt. The
 * result is delivered first; the thumbnail and the IndexedDB write follow.
 */
import { unsureBelowFor } from '../core/calibration';
import { epochNow } from '../core/clock';
import { newRecord } from '../core/record';
import { applyOutcome } from '../core/run-batch';
import { stageOf } from '../core/stage-error';
import { addRecord, recordByRequestId, setCloudResult } from '../lib/db';
import { errorMessage, type ClassifyRequest, type ClassifyResult } from '../lib/messages';
import { send } from '../lib/messaging';
import { effectiveThreads } from '../lib/ort-runtime';
import { compareInCloud } from './cloud-compare';
import { infer, loadInput, makePlan, warmUp, type LoadedInput, type Plan } from './pipeline';
import { thumbnailDataUrl } from './thumbnail';

const inFlight = new Map<string, Promise<ClassifyResult>>();

/**
 * Classify once per requestId: a retried message joins the running job or gets
 * the stored record. `deliver` receives the local result as soon as it exists
 * and, with the cloud comparison on, the completed result once more.
 */
export function classifyOnce(req: ClassifyRequest, deliver: (res: ClassifyResult) => void = () => undefined): Promise<ClassifyResult> {
  let p = inFlight.get(req.requestId);
  if (!p) {
    p = (async () => {
      const stored = await recordByRequestId(req.requestId).catch(() => undefined);
      if (!stored) return classify(req, deliver);
      const res = { requestId: req.requestId, srcUrl: req.image.srcUrl, ...(req.clickedAt !== undefined ? { clickedAt: req.clickedAt } : {}), record: stored, notes: [] };
      deliver(res);
      void send('background:stored', { requestId: req.requestId }).catch(() => undefined);
      return res;
    })().finally(() => inFlight.delete(req.requestId));
    inFlight.set(req.requestId, p);
  }
  return p;
}

async function classify(req: ClassifyRequest, deliver: (res: ClassifyResult) => void): Promise<ClassifyResult> {
  const t0 = performance.now();
  // Measured from the click when the worker stamped it; a request without one (tests, tools) starts here.
  const dispatch = req.clickedAt !== undefined ? Math.max(0, epochNow() - req.clickedAt) : 0;
  const record = newRecord(req, effectiveThreads(req.threads));
  record.timings.dispatch = dispatch;
  let notes: string[] = [];
  let plan: Plan | undefined;
  let loaded: LoadedInput | undefined;
  try {
    plan = await makePlan(req.modelId, req.backend, req.threads);
    notes = plan.notes;
    record.modelId = plan.model.id;
    void warmUp(plan); // a cold session loads while the image is fetched and decoded
    loaded = await loadInput(plan, req.image, record);
    applyOutcome(record, plan, await infer(plan, loaded.views), 0, 1);
  } catch (e) {
    record.error = errorMessage(e);
    record.errorStage = stageOf(e, 'internal');
  }
  record.timings.total = dispatch + (performance.now() - t0);
  const comparing = req.cloud !== undefined && loaded !== undefined && plan !== undefined;
  // The local answer goes out at once; the thumbnail, the history and a slow or dead endpoint never hold it back.
  const base = {
    requestId: req.requestId, srcUrl: req.image.srcUrl, ...(req.clickedAt !== undefined ? { clickedAt: req.clickedAt } : {}),
    ...(plan ? { unsureBelow: unsureBelowFor(req.unsureThreshold, plan.model) } : {}),
  };
  deliver({ ...base, record: { ...record }, notes: comparing ? [...notes, 'cloud comparison running…'] : [...notes] });
  const th = performance.now();
  if (loaded) record.thumbnail = thumbnailDataUrl(loaded.pixels);
  record.timings.thumbnail = performance.now() - th;
  try {
    record.id = await addRecord(record);
    void send('background:stored', { requestId: req.requestId }).catch(() => undefined);
  } catch (e) {
    notes.push(`not saved to history: ${errorMessage(e)}`);
    deliver({ ...base, record: { ...record }, notes: [...notes] });
    // Answered all the same: a replay would redo the fetch, the inference (and a cloud upload) for nothing.
    void send('background:stored', { requestId: req.requestId }).catch(() => undefined);
  }
  if (req.cloud && loaded && plan) {
    // Outside the inference queue, with its own timings: it never changes the local figures.
    record.cloud = await compareInCloud(req.cloud, plan.catalog, plan.model, loaded.data);
    notes.push(record.cloud.error ? `cloud comparison failed: ${record.cloud.error}` : `sent to ${record.cloud.endpoint} for comparison`);
    if (record.id !== undefined) {
      // Only the cloud half is written: a label the user gave meanwhile is kept, and shown again.
      const stored = await setCloudResult(record.id, record.cloud).catch((e: unknown) => {
        notes.push(`cloud result not saved: ${errorMessage(e)}`);
        return undefined;
      });
      if (stored?.userLabel) record.userLabel = stored.userLabel;
    }
    deliver({ ...base, record, notes });
  }
  return { ...base, record, notes };
}
