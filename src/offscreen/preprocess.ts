/** One image through fetch and decode only (offscreen:preprocess): what the model would be fed, before normalisation. */
import { floatsToBase64 } from '../core/float-codec';
import type { PreprocessResult } from '../lib/messages';
import { decodeToInput } from './image-decode';
import { fetchImage } from './image-fetch';
import { loading } from './queues';

export function preprocess(p: { srcUrl: string; size: number; prefer: 'auto' | 'bitmap'; frame?: boolean | undefined }): Promise<PreprocessResult> {
  return loading.run(async () => {
    const t0 = performance.now();
    const bytes = await fetchImage(p.srcUrl);
    const t1 = performance.now();
    const d = await decodeToInput(bytes, p.size, p.prefer, { frame: p.frame === true });
    return { chw: floatsToBase64(d.chw), ...(d.frameChw ? { frameChw: floatsToBase64(d.frameChw) } : {}), decoder: d.decoder, width: d.width, height: d.height, fetchMs: t1 - t0, decodeMs: performance.now() - t1 };
  });
}
