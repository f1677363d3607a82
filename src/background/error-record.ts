import { newRecord, type InferenceRecord } from '../core/record';
import type { ClassifyRequest } from '../lib/messages';

/** A record for a request that failed before the offscreen document could take it. */
export function errorRecord(req: ClassifyRequest, stage: string, message: string): InferenceRecord {
  return { ...newRecord(req, req.threads), error: message, errorStage: stage };
}
