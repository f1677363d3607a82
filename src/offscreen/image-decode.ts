/**
 * Image bytes → the model's planar RGB input, decoded at the size needed.
 *
 * The dimensions are read from the header first, so a decompression bomb is
 * refused unopened. JPEGs are then decoded by WebCodecs' ImageDecoder with
 * desiredWidth/desiredHeight: libjpeg-turbo decodes at 1/2, 1/4 or 1/8 scale
 * (measured in the offscreen document, median ms to 32 px: 640x480 2.6 vs 6.2,
 * 1920x1080 5.8 vs 17, 4000x3000 21 vs 57 for a full-size createImageBitmap). The desired size is
 * best effort (the nearest scale at or above it), so the browser's
 * high-quality resampler still brings the centred square to at most
 * DECODE_MAX px and our area-averaging to the model size, exactly as the
 * createImageBitmap path does: both paths feed the model the same picture
 * (tests/e2e/decode-fidelity.e2e.test.ts). createImageBitmap stays the path
 * for what ImageDecoder cannot do (EXIF-rotated JPEGs, unsupported types), an
 * <img> for formats without a parsable header (SVG).
 */
import { imageHeader } from '../core/image-size';
import { centerSquare, resizeArea, type RgbaImage } from '../core/resize';
import { StageError } from '../core/stage-error';
import type { ImageBytes } from './image-fetch';
import { BIG_PIXELS, bigDecodes } from './queues';

export const MAX_PIXELS = 100_000_000;
export const DECODE_MAX = 128;
/** SVGs without an intrinsic size are rasterised at this size. */
const SVG_DEFAULT = 256;
/** A decoder that has not answered by then never will (a hostile file, a stuck codec). */
export const DECODE_TIMEOUT_MS = 10_000;

export type DecoderKind = 'image-decoder' | 'bitmap' | 'element';

export interface Decoded {
  /** Planar RGB (CHW) 0..255 at the model's input size. */
  chw: Float32Array;
  /** The image's own size (as displayed). */
  width: number;
  height: number;
  /** The centred square at most DECODE_MAX px, over white: what the thumbnail is drawn from. */
  pixels: ImageData;
  decoder: DecoderKind;
  /**
   * With `frame`: the whole image resized to size x size (aspect not kept), planar RGB 0..255 — a second view
   * for models that look at the whole frame too (an object off-centre, a frame far from square).
   */
  frameChw?: Float32Array;
}

const asBlob = (img: ImageBytes): Blob => new Blob([img.bytes], { type: img.type });

/**
 * One reusable 2D canvas per size: creating a canvas and its context per image
 * cost ~0.2 ms of the document's main thread each time.
 */
const canvases = new Map<number, OffscreenCanvasRenderingContext2D>();
function canvasOf(side: number): OffscreenCanvasRenderingContext2D {
  let ctx = canvases.get(side);
  if (!ctx) {
    const c = new OffscreenCanvas(side, side).getContext('2d', { willReadFrequently: true });
    if (!c) throw new StageError('decode', 'no 2D canvas available');
    ctx = c;
    if (canvases.size > 8) canvases.clear();
    canvases.set(side, ctx);
  }
  return ctx;
}

const kindOf = (type: string) => (type ? ` (${type.split(';')[0]})` : '');
const corrupt = (type: string) => new StageError('decode', `could not decode the image${kindOf(type)}: the file is corrupt, truncated or not an image`);

function deadline<T>(p: Promise<T>, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new StageError('decode', `decoding took longer than ${DECODE_TIMEOUT_MS / 1000} s: gave up`));
    }, DECODE_TIMEOUT_MS);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Load far enough to know the size (an SVG's intrinsic size), not to decode the pixels. */
async function loadElement(img: ImageBytes): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(asBlob(img));
  const el = new Image();
  try {
    await deadline(new Promise<void>((resolve, reject) => {
      el.onload = () => resolve();
      el.onerror = () => reject(corrupt(img.type));
      el.src = url;
    }), () => el.removeAttribute('src'));
    return el;
  } finally {
    URL.revokeObjectURL(url);
  }
}

interface Square {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A reduced-scale JPEG decode keeps at least this many pixels across the crop:
 * twice DECODE_MAX, so the browser's high-quality resampler still has detail to
 * work with and the model sees what a full-size decode would give it
 * (tests/e2e/decode-fidelity.e2e.test.ts measures how close).
 */
const SCALED_MIN = 2 * DECODE_MAX;

/** The scale (1/2, 1/4, 1/8) a JPEG decode can drop to and keep SCALED_MIN px across the crop; 1 when none can. */
export function jpegScale(cropSide: number): number {
  for (const f of [8, 4, 2]) if (cropSide / f >= SCALED_MIN) return 1 / f;
  return 1;
}

/** WebCodecs decode at a reduced scale, then the crop resampled to `side` (and, with `frameSide`, the whole frame to frameSide²). */
async function viaImageDecoder(img: ImageBytes, mime: string, width: number, height: number, crop: Square, side: number, scale: number, frameSide?: number): Promise<{ bitmap: ImageBitmap; frame?: ImageBitmap }> {
  const decoder = new ImageDecoder({
    data: img.bytes, type: mime, preferAnimation: false,
    desiredWidth: Math.max(1, Math.ceil(width * scale)), desiredHeight: Math.max(1, Math.ceil(height * scale)),
  });
  try {
    const { image } = await deadline(decoder.decode({ frameIndex: 0 }), () => decoder.close());
    try {
      const sx = image.displayWidth / width;
      const sy = image.displayHeight / height;
      const bitmap = await createImageBitmap(image, Math.round(crop.x * sx), Math.round(crop.y * sy), Math.max(1, Math.round(crop.width * sx)), Math.max(1, Math.round(crop.height * sy)),
        { resizeWidth: side, resizeHeight: side, resizeQuality: 'high' });
      if (frameSide === undefined) return { bitmap };
      const frame = await createImageBitmap(image, { resizeWidth: frameSide, resizeHeight: frameSide, resizeQuality: 'high' }).catch((e: unknown) => {
        bitmap.close();
        throw e;
      });
      return { bitmap, frame };
    } finally {
      image.close();
    }
  } finally {
    decoder.close();
  }
}

async function viaBitmap(source: Blob | HTMLImageElement, crop: Square, side: number, pixels: number): Promise<ImageBitmap> {
  // Decodes at full size first: big images take one of the few big-decode slots, which bounds memory.
  const decode = () => deadline(createImageBitmap(source, crop.x, crop.y, crop.width, crop.height, { resizeWidth: side, resizeHeight: side, resizeQuality: 'high' }), () => undefined);
  return pixels > BIG_PIXELS ? bigDecodes.run(decode) : decode();
}

const supported = new Map<string, Promise<boolean>>();
function decoderSupports(mime: string): Promise<boolean> {
  if (typeof ImageDecoder === 'undefined') return Promise.resolve(false);
  let p = supported.get(mime);
  if (!p) {
    p = ImageDecoder.isTypeSupported(mime).catch(() => false);
    supported.set(mime, p);
  }
  return p;
}

/**
 * Decode the centred square and area-average it to size x size. `prefer:
 * 'bitmap'` forces the createImageBitmap path (the fidelity test compares the two).
 */
export async function decodeToInput(img: ImageBytes, size: number, prefer: 'auto' | 'bitmap' = 'auto', opts: { frame?: boolean } = {}): Promise<Decoded> {
  const header = imageHeader(img.bytes.subarray(0, 64 * 1024));
  let element: HTMLImageElement | undefined;
  let width: number;
  let height: number;
  if (header) {
    ({ width, height } = header);
  } else {
    element = await loadElement(img);
    width = element.naturalWidth || SVG_DEFAULT;
    height = element.naturalHeight || SVG_DEFAULT;
  }
  if (width * height > MAX_PIXELS) throw new StageError('decode', `image is too large (${width}x${height} px; limit ${MAX_PIXELS / 1e6} megapixels)`);
  if (width === 0 || height === 0) throw new StageError('decode', 'could not decode the image: it has no pixels');
  const crop = centerSquare(width, height);
  const side = Math.min(crop.width, DECODE_MAX);
  let bitmap: ImageBitmap | undefined;
  let frame: ImageBitmap | undefined;
  const frameSide = opts.frame ? Math.min(DECODE_MAX, Math.max(width, height)) : undefined;
  let decoder: DecoderKind = element ? 'element' : 'bitmap';
  const mime = header ? `image/${header.format}` : '';
  // Only JPEG decodes at a reduced scale, and only when the image is big enough
  // for one; for PNG, GIF and WebP ImageDecoder decodes at full size like
  // createImageBitmap, and measured no faster (128 px PNG: 4.3 vs 3.8 ms). Rotated JPEGs stay with createImageBitmap, which applies
  // EXIF orientation; a VideoFrame's rotation handling differs between Chrome versions.
  const scale = jpegScale(crop.width);
  if (header?.format === 'jpeg' && scale < 1 && prefer === 'auto' && header.orientation === 1 && (await decoderSupports(mime))) {
    const got = await viaImageDecoder(img, mime, width, height, crop, side, scale, frameSide).catch(() => undefined);
    if (got) {
      ({ bitmap, frame } = got);
      decoder = 'image-decoder';
    }
  }
  try {
    bitmap ??= await viaBitmap(element ?? asBlob(img), crop, side, width * height);
    if (frameSide !== undefined && !frame) frame = await viaBitmap(element ?? asBlob(img), { x: 0, y: 0, width, height }, frameSide, width * height);
  } catch (e) {
    bitmap?.close();
    throw e instanceof StageError ? e : corrupt(img.type);
  }
  try {
    const pixels = drawn(bitmap);
    const out: Decoded = { chw: resizeArea(pixels as RgbaImage, size, size), width, height, pixels, decoder };
    if (frame) out.frameChw = resizeArea(drawn(frame) as RgbaImage, size, size);
    return out;
  } finally {
    bitmap.close();
    frame?.close();
  }
}

/** A decoded bitmap's pixels over white: transparent images are judged over white, as a page usually shows them. */
function drawn(bitmap: ImageBitmap): ImageData {
  const s = bitmap.width;
  const ctx = canvasOf(s);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, s, s);
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, s, s);
}
