/**
 * Width and height from an image file's header, without decoding it: lets the
 * decoder refuse a decompression bomb first and then decode off the main
 * thread (createImageBitmap on the Blob). PNG, GIF, JPEG, WebP, BMP; other
 * formats (SVG, AVIF, ICO…) return undefined and take the slower <img> path.
 */
export interface Size {
  width: number;
  height: number;
}

export type ImageFormat = 'png' | 'gif' | 'jpeg' | 'webp' | 'bmp';

/** What the header says: the size as displayed (EXIF rotation applied), the format, the EXIF orientation (1 = none). */
export interface ImageHeader extends Size {
  format: ImageFormat;
  orientation: number;
}

/** EXIF orientation (tag 0x0112 of IFD0) from an APP1 segment's payload; undefined when the segment is not Exif (XMP…). */
function exifOrientation(b: Uint8Array, v: DataView, start: number, end: number): number | undefined {
  // "Exif\0\0" then a TIFF header.
  if (end - start < 14 || v.getUint32(start) !== 0x45786966 || v.getUint16(start + 4) !== 0) return undefined;
  const tiff = start + 6;
  const le = b[tiff] === 0x49;
  const ifd = tiff + v.getUint32(tiff + 4, le);
  if (ifd + 2 > end) return 1;
  const count = v.getUint16(ifd, le);
  for (let k = 0; k < count; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > end) return 1;
    if (v.getUint16(e, le) === 0x0112) {
      const o = v.getUint16(e + 8, le);
      return o >= 1 && o <= 8 ? o : 1;
    }
  }
  return 1;
}

function pngSize(b: Uint8Array, v: DataView): Size | undefined {
  if (b.length < 24 || v.getUint32(0) !== 0x89504e47 || v.getUint32(12) !== 0x49484452) return undefined;
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

function gifSize(b: Uint8Array, v: DataView): Size | undefined {
  if (b.length < 10 || b[0] !== 0x47 || b[1] !== 0x49 || b[2] !== 0x46) return undefined;
  return { width: v.getUint16(6, true), height: v.getUint16(8, true) };
}

function bmpSize(b: Uint8Array, v: DataView): Size | undefined {
  if (b.length < 26 || b[0] !== 0x42 || b[1] !== 0x4d) return undefined;
  return { width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) };
}

function jpegSize(b: Uint8Array, v: DataView): (Size & { orientation: number }) | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  let orientation = 1;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    const len = v.getUint16(i + 2);
    if (marker === 0xe1) orientation = exifOrientation(b, v, i + 4, Math.min(b.length, i + 2 + len)) ?? orientation;
    // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG), CC (DAC) are not frames.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: v.getUint16(i + 7), height: v.getUint16(i + 5), orientation };
    }
    i += 2 + len;
  }
  return undefined;
}

function webpSize(b: Uint8Array, v: DataView): Size | undefined {
  if (b.length < 30 || v.getUint32(0) !== 0x52494646 || v.getUint32(8) !== 0x57454250) return undefined;
  const chunk = String.fromCharCode(b[12] ?? 0, b[13] ?? 0, b[14] ?? 0, b[15] ?? 0);
  const u24 = (at: number) => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16);
  if (chunk === 'VP8X') return { width: 1 + u24(24), height: 1 + u24(27) };
  if (chunk === 'VP8 ') return { width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = v.getUint32(21, true);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  return undefined;
}

/** The size the header declares, or undefined when the format is not one of the above (or the header is cut). */
export function imageSize(bytes: Uint8Array): Size | undefined {
  const h = imageHeader(bytes);
  return h ? { width: h.width, height: h.height } : undefined;
}

/**
 * Format, displayed size and orientation from the magic bytes and header
 * (never from a Content-Type, which the server may get wrong). EXIF
 * orientations 5–8 rotate by 90°, so width and height are swapped: the
 * browser's decoders apply the rotation and crop coordinates must match.
 */
export function imageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const simple = (format: ImageFormat, s: Size | undefined): ImageHeader | undefined => (s ? { ...s, format, orientation: 1 } : undefined);
    const jpeg = jpegSize(bytes, v);
    if (jpeg) {
      const turned = jpeg.orientation >= 5;
      return { width: turned ? jpeg.height : jpeg.width, height: turned ? jpeg.width : jpeg.height, format: 'jpeg', orientation: jpeg.orientation };
    }
    return simple('png', pngSize(bytes, v)) ?? simple('gif', gifSize(bytes, v)) ?? simple('webp', webpSize(bytes, v)) ?? simple('bmp', bmpSize(bytes, v));
  } catch {
    return undefined; // a truncated header reads past the end
  }
}
