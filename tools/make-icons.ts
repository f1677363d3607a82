// Draws the toolbar icon (a price tag) as PNGs: run once with `npm run icons`;
// the output in public/icons/ is committed.
import { writeFileSync } from 'node:fs';
import { encodePng } from './lib/images';

function icon(size: number): Buffer {
  const px = new Uint8Array(size * size * 4);
  const ss = 4; // supersampling for smooth edges
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    let inside = 0;
    for (let sy = 0; sy < ss; sy++) for (let sx = 0; sx < ss; sx++) {
      const u = (x + (sx + 0.5) / ss) / size;
      const v = (y + (sy + 0.5) / ss) / size;
      // tag: a rectangle with a pointed left end and a punched hole
      const body = u > 0.3 && u < 0.92 && v > 0.2 && v < 0.8;
      const point = u >= 0.06 && u <= 0.3 && Math.abs(v - 0.5) < (u - 0.06) * 1.25;
      const hole = (u - 0.3) ** 2 + (v - 0.5) ** 2 < 0.07 ** 2;
      if ((body || point) && !hole) inside++;
    }
    px.set([11, 87, 208, Math.round((inside / (ss * ss)) * 255)], (y * size + x) * 4);
  }
  return encodePng(size, size, px);
}

for (const s of [16, 48, 128]) writeFileSync(new URL(`../public/icons/icon-${s}.png`, import.meta.url), icon(s));
