/**
 * Synthetic test images (we never ship CIFAR-100 images): encoded in memory as
 * PNG (zlib, no dependency) and JPEG (jpeg-js).
 */
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';

function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

export function encodePng(w: number, h: number, rgba: Uint8Array): Buffer {
  const raw = Buffer.alloc((w * 4 + 1) * h);
  for (let y = 0; y < h; y++) Buffer.from(rgba.buffer, rgba.byteOffset + y * w * 4, w * 4).copy(raw, y * (w * 4 + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

export function encodeJpeg(w: number, h: number, rgba: Uint8Array, quality = 85): Buffer {
  return Buffer.from(jpeg.encode({ data: Buffer.from(rgba), width: w, height: h }, quality).data);
}

/** A deterministic picture: smooth colour field with a few shapes (seeded). */
export function synthetic(w: number, h: number, seed: number): Uint8Array {
  const px = new Uint8Array(w * h * 4);
  let s = seed >>> 0 || 1;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const c0 = [rnd() * 255, rnd() * 255, rnd() * 255];
  const c1 = [rnd() * 255, rnd() * 255, rnd() * 255];
  const cx = rnd() * w, cy = rnd() * h, r = (0.15 + rnd() * 0.3) * Math.min(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const t = (x / w + y / h) / 2;
    const inCircle = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
    const i = (y * w + x) * 4;
    for (let c = 0; c < 3; c++) px[i + c] = inCircle ? 255 - (c0[c] ?? 0) : (c0[c] ?? 0) * (1 - t) + (c1[c] ?? 0) * t;
    px[i + 3] = 255;
  }
  return px;
}

export function uniform(w: number, h: number, rgb: [number, number, number]): Uint8Array {
  const px = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) px.set([...rgb, 255], i * 4);
  return px;
}
