/**
 * Getting an image's bytes without trusting them: the body is read in chunks
 * under a byte limit, with a deadline, and an empty body is refused.
 */
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
 * Cookies go along only when the image is on the page's own origin (an image
 * behind the site's login); for any other origin the request carries none, so a
 * page cannot make us send cookies to third parties it names.
 */
function credentialsFor(url: string, pageUrl: string | undefined): RequestCredentials {
  try {
    return pageUrl && new URL(url).origin === new URL(pageUrl).origin ? 'include' : 'omit';
  } catch {
    return 'omit';
  }
}

export async function fetchImage(url: string, pageUrl?: string): Promise<ImageBytes> {
  if (!/^(https?:|data:|blob:)/i.test(url)) throw new StageError('fetch', `unsupported image URL scheme: ${url.slice(0, 40)}`);
  try {
    // The extension's HTTP cache is its own (partitioned from the page's), so
    // `default` revalidates like a normal load instead of serving stale copies.
    const res = await fetch(url, { credentials: credentialsFor(url, pageUrl), signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) throw new StageError('fetch', `could not fetch the image: HTTP ${res.status} ${res.statusText}`.trim());
    const bytes = await readLimited(res, MAX_IMAGE_BYTES, tooLarge);
    if (bytes.byteLength === 0) throw new StageError('fetch', 'the image is empty (0 bytes)');
    return { bytes, type: res.headers.get('content-type') ?? '' };
  } catch (e) {
    if (e instanceof StageError) throw e;
    const why = e instanceof DOMException && e.name === 'TimeoutError' ? `timed out after ${FETCH_TIMEOUT_MS / 1000} s` : 'network error';
    throw new StageError('fetch', `could not fetch the image (${why})`);
  }
}
