import type { InferenceRecord } from '../core/record';
import type { ClassifyRequest } from '../lib/messages';

/** A record for a request that failed before any step could be timed. */
export function errorRecord(req: ClassifyRequest, stage: string, message: string): InferenceRecord {
  return {
    requestId: req.requestId,
    time: Date.now(),
    pageUrl: req.image.pageUrl,
    imageUrl: req.image.srcUrl.slice(0, 512),
    modelId: req.modelId || 'default',
    backend: req.backend,
    threads: req.threads,
    batchSize: 1,
    top5: [],
    timings: { fetch: 0, decodeResize: 0, preprocess: 0, inference: 0, postprocess: 0, total: 0, queue: 0 },
    coldStart: false,
    error: message,
    errorStage: stage,
  };
}
