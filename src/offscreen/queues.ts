/**
 * The offscreen document's two queues. Fetch+decode of up to 4 images overlap;
 * session.run is strictly one at a time (an ORT Web session cannot run
 * concurrently with itself, and one at a time keeps the timings honest).
 */
import { WorkQueue } from '../core/work-queue';

export const loading = new WorkQueue(4);
export const inference = new WorkQueue(1);
