/**
 * Getting an image into pixels: fetch (with a size limit and timeout), decode,
 * crop the centred square, and hand the area-averaging resampler at most
 * DECODE_MAX px a side (the browser's high-quality downscale does the first,
 * big step, so a 6000-px photo never becomes a 144 MB pixel buffer).
 */
import { centerSquare, resizeArea, type RgbaImage } from '../core/resize';

export const MAX_IMAGE_BYTES = 32 * 1024 * 1024;
export const MAX_PIXELS = 100_000_000;
const FETCH_TIMEOUT_MS = 20_000;
const DECODE_MAX = 256;
const THUMB = 64;

/** An error that knows which pipeline step failed. */
export class StageError extends Error {
  constructor(readonly stage: 'fetch' | 'decode' | 'model' | 'inference', message: string) {
    super(message);
  }
}

export async function fetchImage(url: string): Promise<Blob> {
  if (!/^(https?:|data:|blob:)/i.test(url)) throw new StageError('fetch', `unsupported image URL scheme: ${url.slice(0, 40)}`);
  let res: Response;
  try {
    // force-cache: the page just loaded this image; reuse the HTTP cache instead of downloading it again.
    res = await fetch(url, { cache: 'force-cache', credentials: 'omit', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (e) {
    const why = e instanceof DOMException && e.name === 'TimeoutError' ? `timed out after ${FETCH_TIMEOUT_MS / 1000} s` : 'network error';
    throw new StageError('fetch', `could not fetch the image (${why})`);
  }
  if (!res.ok) throw new StageError('fetch', `could not fetch the image: HTTP ${res.status} ${res.statusText}`.trim());
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_IMAGE_BYTES) throw new StageError('fetch', `image is too large (${(declared / 1048576).toFixed(0)} MB; limit ${MAX_IMAGE_BYTES / 1048576} MB)`);
  const blob = await res.blob();
  if (blob.size > MAX_IMAGE_BYTES) throw new StageError('fetch', `image is too large (${(blob.size / 1048576).toFixed(0)} MB; limit ${MAX_IMAGE_BYTES / 1048576} MB)`);
  if (blob.size === 0) throw new StageError('fetch', 'the image is empty (0 bytes)');
  return blob;
}

async function decode(blob: Blob): Promise<ImageBitmap> {
  try {
    if (blob.type === 'image/svg+xml') return await decodeSvg(blob);
    return await createImageBitmap(blob);
  } catch {
    const kind = blob.type ? ` (${blob.type})` : '';
    throw new StageError('decode', `could not decode the image${kind}: the file is corrupt or not an image`);
  }
}

/** createImageBitmap cannot decode SVG blobs; an <img> element can (offscreen documents have a DOM). */
async function decodeSvg(blob: Blob): Promise<ImageBitmap> {
  const url = URL.createObjectURL(blob);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const w = img.naturalWidth || 256;
    const h = img.naturalHeight || 256;
    return await createImageBitmap(img, { resizeWidth: w, resizeHeight: h });
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

/** Decode and area-average the centred square down to size x size. */
export async function decodeAndResize(blob: Blob, size: number): Promise<Decoded> {
  const bitmap = await decode(blob);
  try {
    const { width, height } = bitmap;
    if (width * height > MAX_PIXELS) throw new StageError('decode', `image is too large (${width}x${height} px)`);
    const crop = centerSquare(width, height);
    const side = Math.min(crop.width, DECODE_MAX);
    const canvas = new OffscreenCanvas(side, side);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new StageError('decode', 'no 2D canvas available');
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.fillStyle = '#fff'; // transparent images are judged over white, as a page usually shows them
    ctx.fillRect(0, 0, side, side);
    ctx.drawImage(bitmap, crop.x, crop.y, crop.width, crop.height, 0, 0, side, side);
    const pixels: RgbaImage = ctx.getImageData(0, 0, side, side);
    const chw = resizeArea(pixels, size, size);
    return { chw, width, height, thumbnail: await thumbnail(canvas) };
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
