/**
 * Getting an image's bytes without trusting them or the page that names them:
 * the fetch policy first, then the body in chunks under a byte limit, with a
 * deadline; an empty or non-image body is refused.
 */
import { checkFinalUrl, looksLikeImage, planImageFetch } from '../core/fetch-policy';
import { readLimited } from '../core/read-limited';
import { StageError } from '../core/stage-error';

export const MAX_IMAGE_BYTES = 32 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 20_000;

/** An image file in memory: its bytes and the Content-Type the server claimed (the decoder trusts the magic bytes instead). */
export interface ImageBytes {
  bytes: Uint8Array<ArrayBuffer>;
  type: string;
}

const mb = (n: number) => `${(n / 1048576).toFixed(n < 10 * 1048576 ? 1 : 0)} MB`;
const tooLarge = (n: number) => new StageError('fetch', `image is too large (${mb(n)}; limit ${mb(MAX_IMAGE_BYTES)})`);

/**
 * Every image fetch goes through the one policy of core/fetch-policy.ts: the
 * target is judged against the page before any request, cookies go only to
 * the page's own origin, and a redirect is never followed with them — the
 * first request uses redirect 'manual' (a browser reports an opaque redirect
 * without its target), and a redirected image is fetched again without
 * credentials, its final URL judged like the first. The body must be an image
 * by type or by magic bytes.
 */
export async function fetchImage(url: string, pageUrl?: string): Promise<ImageBytes> {
  const plan = planImageFetch(url, pageUrl);
  if (!plan.ok) throw new StageError('fetch', plan.reason);
  try {
    // The extension's HTTP cache is its own (partitioned from the page's), so
    // `default` revalidates like a normal load instead of serving stale copies.
    let res = await fetch(url, { credentials: plan.credentials, redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (res.type === 'opaqueredirect') {
      res = await fetch(url, { credentials: 'omit', redirect: 'follow', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      const refused = checkFinalUrl(res.url || url, pageUrl);
      if (refused) {
        await res.body?.cancel().catch(() => undefined);
        throw new StageError('fetch', refused);
      }
    }
    if (!res.ok) throw new StageError('fetch', `could not fetch the image: HTTP ${res.status} ${res.statusText}`.trim());
    const bytes = await readLimited(res, MAX_IMAGE_BYTES, tooLarge);
    if (bytes.byteLength === 0) throw new StageError('fetch', 'the image is empty (0 bytes)');
    const type = res.headers.get('content-type') ?? '';
    if (!looksLikeImage(type, bytes.subarray(0, 64 * 1024))) { // a JPEG frame header can follow 64 KB of EXIF
      throw new StageError('fetch', `not an image: the server sent ${type.split(';')[0] || 'an untyped file'} without image data`);
    }
    return { bytes, type };
  } catch (e) {
    if (e instanceof StageError) throw e;
    const why = e instanceof DOMException && e.name === 'TimeoutError' ? `timed out after ${FETCH_TIMEOUT_MS / 1000} s` : 'network error, or too many redirects';
    throw new StageError('fetch', `could not fetch the image (${why})`);
  }
}
