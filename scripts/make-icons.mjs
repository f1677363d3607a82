// Draws the toolbar icon (a price tag with a lock-dot) as PNGs with no
// dependencies: run once with `node scripts/make-icons.mjs`; output is committed.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

export function encodePng(w, h, rgba) {
  const raw = Buffer.alloc((w * 4 + 1) * h);
  for (let y = 0; y < h; y++) rgba.copy(raw, y * (w * 4 + 1) + 1, y * w * 4, (y + 1) * w * 4);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function icon(size) {
  const px = Buffer.alloc(size * size * 4);
  const ss = 4; // supersampling for smooth edges
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    let inside = 0;
    for (let sy = 0; sy < ss; sy++) for (let sx = 0; sx < ss; sx++) {
      const u = (x + (sx + 0.5) / ss) / size, v = (y + (sy + 0.5) / ss) / size;
      // tag: rounded rectangle with a pointed left end
      const body = u > 0.3 && u < 0.92 && v > 0.2 && v < 0.8;
      const point = u >= 0.06 && u <= 0.3 && Math.abs(v - 0.5) < (u - 0.06) * 1.25;
      const dot = (u - 0.3) ** 2 + (v - 0.5) ** 2 < 0.07 ** 2;
      if ((body || point) && !dot) inside++;
    }
    const a = inside / (ss * ss);
    const i = (y * size + x) * 4;
    px[i] = 11; px[i + 1] = 87; px[i + 2] = 208; px[i + 3] = Math.round(a * 255);
  }
  return encodePng(size, size, px);
}

for (const s of [16, 48, 128]) writeFileSync(new URL(`../public/icons/icon-${s}.png`, import.meta.url), icon(s));
