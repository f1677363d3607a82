/**
 * The history's small picture of an image, made from the pixels already
 * decoded. Synchronous on purpose: OffscreenCanvas.convertToBlob encodes in an
 * idle task, and the offscreen document never renders, so it has no idle
 * periods and every call waited ~1 s for Chrome's fallback timer
 * (../shared/docs/PLATFORM.md). HTMLCanvasElement.toDataURL encodes on the
 * spot (1–4 ms for 64 px). Callers make it after the result is delivered.
 * tests/core/no-idle-apis.test.ts keeps idle-time APIs out of this document.
 */
const THUMB = 64;

let src: HTMLCanvasElement | undefined;
let dst: HTMLCanvasElement | undefined;

export function thumbnailDataUrl(pixels: ImageData): string {
  src ??= document.createElement('canvas');
  dst ??= Object.assign(document.createElement('canvas'), { width: THUMB, height: THUMB });
  src.width = pixels.width;
  src.height = pixels.height;
  const s = src.getContext('2d');
  const d = dst.getContext('2d');
  if (!s || !d) return '';
  s.putImageData(pixels, 0, 0);
  d.imageSmoothingQuality = 'high';
  d.drawImage(src, 0, 0, THUMB, THUMB);
  return dst.toDataURL('image/jpeg', 0.75);
}
