/** The optional cloud half of a classification: same input tensor, remote model, timed. */
import type { Catalog, ModelEntry } from '../core/catalog';
import { labelsOf } from '../core/catalog';
import { CloudError, inferRemote } from '../core/cloud-client';
import { remoteModelName } from '../core/cloud-endpoint';
import type { CloudResult } from '../core/record';
import { calibratedSoftmax } from '../core/calibration';
import { topK } from '../core/softmax';
import { errorMessage, type CloudRequest } from '../lib/messages';

export async function compareInCloud(c: CloudRequest, catalog: Catalog, model: ModelEntry, input: Float32Array): Promise<CloudResult> {
  const [, , h, w] = model.input.shape;
  const labels = labelsOf(catalog, model).fine;
  const remote = remoteModelName(c.modelMap, model.id);
  const base = { endpoint: c.origin, model: remote, roundTripMs: 0, requestBytes: 0, responseBytes: 0, attempts: 1, top5: [] };
  try {
    const r = await inferRemote({ base: c.base, model: remote, timeoutMs: c.timeoutMs, ...(c.token ? { token: c.token } : {}) },
      model.input.name, input, [1, 3, h, w], labels.length);
    return {
      ...base, roundTripMs: r.roundTripMs, requestBytes: r.requestBytes, responseBytes: r.responseBytes, attempts: r.attempts,
      ...(r.computeMs !== undefined ? { computeMs: r.computeMs, overheadMs: Math.max(0, r.roundTripMs - r.computeMs) } : {}),
      // The server runs the same model (the comparison's premise): its probabilities are shown with the same calibration.
      top5: topK(calibratedSoftmax(r.logits, model.calibration?.temperature ?? 1), 5, labels),
    };
  } catch (e) {
    return { ...base, error: errorMessage(e), attempts: e instanceof CloudError ? e.attempts : 1 };
  }
}
