/**
 * The offscreen document's queues. Fetch+decode of up to 16 images overlap:
 * most of an image's time is waiting (network, the off-thread decoder, the
 * thumbnail encoder), so a whole tagging batch loads in one wave (measured:
 * 6 -> 90, 12 -> 98, 16 -> 110 images/s with npm run bench:tag). Large images
 * take one of only 2 big-decode slots, which bounds the memory decoding needs;
 * session.run is strictly one at a time on the document's session (an ORT Web
 * session cannot run concurrently with itself, and one at a time keeps the
 * timings honest); page tagging at 2 threads runs on two single-thread worker
 * lanes instead (worker-lanes.ts), each also one batch at a time.
 */
import { WorkQueue } from '../core/work-queue';

export const loading = new WorkQueue(16);
/** Decodes of images over BIG_PIXELS: a 24-megapixel photo needs ~96 MB while it decodes. */
export const bigDecodes = new WorkQueue(2);
export const BIG_PIXELS = 4_000_000;
export const inference = new WorkQueue(1);
