/**
 * The offscreen document's two queues. Fetch+decode of up to 6 images overlap
 * (decoding runs off the main thread, so more than the core count pays off);
 * session.run is strictly one at a time (an ORT Web session cannot run
 * concurrently with itself, and one at a time keeps the timings honest).
 */
import { WorkQueue } from '../core/work-queue';

export const loading = new WorkQueue(6);
export const inference = new WorkQueue(1);
