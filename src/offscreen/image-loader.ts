/**
 * Getting an image into pixels without trusting it: the body is read in
 * chunks under a byte limit, the dimensions are checked from the header
 * before anything is decoded (a decompression bomb is refused unopened), and
 * the browser's high-quality resampler does the big downscale to at most
 * DECODE_MAX px before our area-averaging to the model size.
 */
import { imageSize } from '../core/image-size';
import { readLimited } from '../core/read-limited';
import { BIG_PIXELS, bigDecodes } from './queues';
import { centerSquare, resizeArea, type RgbaImage } from '../core/resize';

export const MAX_IMAGE_BYTES = 32 * 1024 * 1024;
export const MAX_PIXELS = 100_000_000;
const FETCH_TIMEOUT_MS = 20_000;
const DECODE_MAX = 128;
/** SVGs without an intrinsic size are rasterised at this size. */
const SVG_DEFAULT = 256;
const THUMB = 64;

/** An error that knows which pipeline step failed. */
export class StageError extends Error {
  constructor(readonly stage: 'fetch' | 'decode' | 'model' | 'inference', message: string) {
    super(message);
  }
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

export async function fetchImage(url: string, pageUrl?: string): Promise<Blob> {
  if (!/^(https?:|data:|blob:)/i.test(url)) throw new StageError('fetch', `unsupported image URL scheme: ${url.slice(0, 40)}`);
  try {
    // The extension's HTTP cache is its own (partitioned from the page's), so
    // `default` revalidates like a normal load instead of serving stale copies.
    const res = await fetch(url, { credentials: credentialsFor(url, pageUrl), signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) throw new StageError('fetch', `could not fetch the image: HTTP ${res.status} ${res.statusText}`.trim());
    const bytes = await readLimited(res, MAX_IMAGE_BYTES, tooLarge);
    const blob = new Blob([bytes], { type: res.headers.get('content-type') ?? '' });
    if (blob.size === 0) throw new StageError('fetch', 'the image is empty (0 bytes)');
    return blob;
  } catch (e) {
    if (e instanceof StageError) throw e;
    const why = e instanceof DOMException && e.name === 'TimeoutError' ? `timed out after ${FETCH_TIMEOUT_MS / 1000} s` : 'network error';
    throw new StageError('fetch', `could not fetch the image (${why})`);
  }
}

/** Load far enough to know the size (the header), not to decode the pixels. */
async function loadImage(blob: Blob): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(blob);
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('undecodable'));
      img.src = url;
    });
    return img;
  } catch {
    const kind = blob.type ? ` (${blob.type.split(';')[0]})` : '';
    throw new StageError('decode', `could not decode the image${kind}: the file is corrupt or not an image`);
  } finally {
    URL.revokeObjectURL(url);
  }
}

export interface Decoded {
  /** Planar RGB (CHW) 0..255 at the model's input size. */
  chw: Float32Array;
  width: number;
  height: number;
  thumbnail: string;
}

/**
 * Decode the centred square at most DECODE_MAX px a side. When the header
 * tells the size (PNG, JPEG, GIF, WebP, BMP) the Blob is decoded by
 * createImageBitmap, off the main thread; other formats (SVG…) go through an
 * <img>, which knows its size before it decodes.
 */
async function decodeSquare(blob: Blob): Promise<{ bitmap: ImageBitmap; width: number; height: number }> {
  const header = imageSize(new Uint8Array(await blob.slice(0, 64 * 1024).arrayBuffer()));
  let source: Blob | HTMLImageElement = blob;
  let width: number;
  let height: number;
  if (header) {
    ({ width, height } = header);
  } else {
    source = await loadImage(blob);
    width = source.naturalWidth || SVG_DEFAULT;
    height = source.naturalHeight || SVG_DEFAULT;
  }
  if (width * height > MAX_PIXELS) throw new StageError('decode', `image is too large (${width}x${height} px; limit ${MAX_PIXELS / 1e6} megapixels)`);
  if (width === 0 || height === 0) throw new StageError('decode', 'could not decode the image: it has no pixels');
  const crop = centerSquare(width, height);
  const side = Math.min(crop.width, DECODE_MAX);
  try {
    const decode = () => createImageBitmap(source, crop.x, crop.y, crop.width, crop.height, { resizeWidth: side, resizeHeight: side, resizeQuality: 'high' });
    const bitmap = width * height > BIG_PIXELS ? await bigDecodes.run(decode) : await decode();
    return { bitmap, width, height };
  } catch {
    const kind = blob.type ? ` (${blob.type.split(';')[0]})` : '';
    throw new StageError('decode', `could not decode the image${kind}: the file is corrupt, truncated or not an image`);
  }
}

/** Decode and area-average the centred square down to size x size. */
export async function decodeAndResize(blob: Blob, size: number): Promise<Decoded> {
  const { bitmap, width, height } = await decodeSquare(blob);
  const side = bitmap.width;
  try {
    const canvas = new OffscreenCanvas(side, side);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new StageError('decode', 'no 2D canvas available');
    ctx.fillStyle = '#fff'; // transparent images are judged over white, as a page usually shows them
    ctx.fillRect(0, 0, side, side);
    ctx.drawImage(bitmap, 0, 0);
    const pixels: RgbaImage = ctx.getImageData(0, 0, side, side);
    return { chw: resizeArea(pixels, size, size), width, height, thumbnail: await thumbnail(canvas) };
  } finally {
    bitmap.close();
  }
}

async function thumbnail(source: OffscreenCanvas): Promise<string> {
  const c = new OffscreenCanvas(THUMB, THUMB);
  const ctx = c.getContext('2d');
  if (!ctx) return '';
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, THUMB, THUMB);
  const blob = await c.convertToBlob({ type: 'image/jpeg', quality: 0.75 });
  return new Promise((resolve) => {
    const r = new FileReader();
    r.onload = () => resolve(typeof r.result === 'string' ? r.result : '');
    r.onerror = () => resolve('');
    r.readAsDataURL(blob);
  });
}
