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

function jpegSize(b: Uint8Array, v: DataView): Size | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    const len = v.getUint16(i + 2);
    // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG), CC (DAC) are not frames.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: v.getUint16(i + 7), height: v.getUint16(i + 5) };
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
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return pngSize(bytes, v) ?? gifSize(bytes, v) ?? jpegSize(bytes, v) ?? webpSize(bytes, v) ?? bmpSize(bytes, v);
  } catch {
    return undefined; // a truncated header reads past the end
  }
}
