/**
 * CIFAR-100-C-style corruptions of a 32×32 image, written here from the
 * published definitions (Hendrycks & Dietterich, "Benchmarking Neural Network
 * Robustness to Common Corruptions and Perturbations", ICLR 2019: the CIFAR
 * parameters of its make_cifar_c script) with a seeded generator, so the shift
 * benchmark is reproducible without the 2.9 GB CIFAR-100-C download. Snow,
 * frost (needs its photo files), elastic and fog are left out; JPEG is done by
 * the caller (the bytes go through the extension's own decoder).
 *
 * Images are planar RGB (3 × 32 × 32), values 0..255; outputs are rounded to
 * bytes like the published uint8 files.
 */

export const CORRUPTIONS = [
  'gaussian_noise', 'shot_noise', 'impulse_noise', 'speckle_noise',
  'gaussian_blur', 'defocus_blur', 'glass_blur', 'motion_blur', 'zoom_blur',
  'contrast', 'brightness', 'saturate', 'pixelate',
] as const;
export type Corruption = (typeof CORRUPTIONS)[number] | 'jpeg_compression';

/** JPEG qualities of severities 1..5 (make_cifar_c). */
export const JPEG_QUALITY = [80, 65, 58, 50, 40] as const;

const S = 32;
const N = S * S;

/** mulberry32: small, fast, seedable; normal draws by Box–Muller. */
export function rng(seed: number): { u(): number; n(): number } {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { u, n: () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()) };
}
type Rng = ReturnType<typeof rng>;

const clip01 = (v: number) => Math.min(1, Math.max(0, v));
const idx = (c: number, y: number, x: number) => c * N + y * S + x;
const clampI = (v: number) => Math.min(S - 1, Math.max(0, v));
/** cv2's default border (BORDER_REFLECT_101). */
const reflect = (v: number) => {
  let r = v;
  while (r < 0 || r > S - 1) r = r < 0 ? -r : 2 * (S - 1) - r;
  return r;
};

function convolve(x: Float32Array, kernel: number[][], border: (v: number) => number): Float32Array {
  const out = new Float32Array(3 * N);
  const k = kernel.length;
  const h = (k - 1) / 2;
  for (let c = 0; c < 3; c++) for (let y = 0; y < S; y++) for (let xx = 0; xx < S; xx++) {
    let s = 0;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) s += (kernel[i]?.[j] ?? 0) * (x[idx(c, border(y + i - h), border(xx + j - h))] ?? 0);
    out[idx(c, y, xx)] = s;
  }
  return out;
}

function gaussianKernel(sigma: number, truncate = 4): number[][] {
  const r = Math.max(1, Math.ceil(truncate * sigma));
  const g = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = g.reduce((a, b) => a + b, 0);
  return g.map((a) => g.map((b) => (a * b) / (sum * sum)));
}

/** skimage.filters.gaussian (mode 'nearest', truncate 4). */
function gaussian(x: Float32Array, sigma: number): Float32Array {
  return convolve(x, gaussianKernel(sigma), clampI);
}

function rgbToHsv(x: Float32Array): Float32Array {
  const out = new Float32Array(3 * N);
  for (let p = 0; p < N; p++) {
    const r = x[p] as number, g = x[N + p] as number, b = x[2 * N + p] as number;
    const max = Math.max(r, g, b), min = Math.min(r, g, b), d = max - min;
    let h = 0;
    if (d > 0) h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    out[p] = ((h / 6) % 1 + 1) % 1;
    out[N + p] = max > 0 ? d / max : 0;
    out[2 * N + p] = max;
  }
  return out;
}

function hsvToRgb(x: Float32Array): Float32Array {
  const out = new Float32Array(3 * N);
  for (let p = 0; p < N; p++) {
    const h = (x[p] as number) * 6, s = x[N + p] as number, v = x[2 * N + p] as number;
    const i = Math.floor(h) % 6, f = h - Math.floor(h);
    const lo = v * (1 - s), dn = v * (1 - s * f), up = v * (1 - s * (1 - f));
    const rgb = [[v, up, lo], [dn, v, lo], [lo, v, up], [lo, dn, v], [up, lo, v], [v, lo, dn]][i] as number[];
    out[p] = rgb[0] as number;
    out[N + p] = rgb[1] as number;
    out[2 * N + p] = rgb[2] as number;
  }
  return out;
}

/** Bilinear sample at (fy, fx), edges clamped. */
function sample(x: Float32Array, c: number, fy: number, fx: number): number {
  const y0 = Math.floor(fy), x0 = Math.floor(fx), dy = fy - y0, dx = fx - x0;
  const at = (y: number, xx: number) => x[idx(c, clampI(y), clampI(xx))] as number;
  return (1 - dy) * ((1 - dx) * at(y0, x0) + dx * at(y0, x0 + 1)) + dy * ((1 - dx) * at(y0 + 1, x0) + dx * at(y0 + 1, x0 + 1));
}

function zoomed(x: Float32Array, z: number): Float32Array {
  // scipy's clipped_zoom: zoom about the centre by z, keep the central 32×32.
  const out = new Float32Array(3 * N);
  const c0 = (S - 1) / 2;
  for (let c = 0; c < 3; c++) for (let y = 0; y < S; y++) for (let xx = 0; xx < S; xx++) out[idx(c, y, xx)] = sample(x, c, c0 + (y - c0) / z, c0 + (xx - c0) / z);
  return out;
}

function boxResize(x: Float32Array, from: number, to: number): Float32Array {
  // PIL's BOX filter: each output pixel averages the input pixels its footprint covers (area weights).
  const out = new Float32Array(3 * to * to);
  const scale = from / to;
  const weights = (o: number) => {
    const lo = o * scale, hi = (o + 1) * scale;
    const w: [number, number][] = [];
    for (let i = Math.floor(lo); i < Math.ceil(hi); i++) w.push([i, Math.min(hi, i + 1) - Math.max(lo, i)]);
    return w;
  };
  for (let c = 0; c < 3; c++) for (let y = 0; y < to; y++) for (let xx = 0; xx < to; xx++) {
    let s = 0, tw = 0;
    for (const [iy, wy] of weights(y)) for (const [ix, wx] of weights(xx)) {
      s += wy * wx * (x[c * from * from + iy * from + ix] as number);
      tw += wy * wx;
    }
    out[c * to * to + y * to + xx] = s / tw;
  }
  return out;
}

function poisson(lambda: number, r: Rng): number {
  if (lambda > 60) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * r.n()));
  const l = Math.exp(-lambda);
  let k = 0, p = 1;
  do {
    k++;
    p *= r.u();
  } while (p > l);
  return k - 1;
}

/** One corruption at severity 1..5 of planar RGB bytes (3072 values) → planar RGB bytes. */
export function corrupt(pixels: ArrayLike<number>, kind: (typeof CORRUPTIONS)[number], severity: number, seed: number): Uint8Array {
  if (!(severity >= 1 && severity <= 5)) throw new Error(`severity must be 1..5, got ${severity}`);
  const s = severity - 1;
  const r = rng(seed);
  let x: Float32Array = Float32Array.from(pixels, (v) => v / 255);
  switch (kind) {
    case 'gaussian_noise': {
      const c = [0.04, 0.06, 0.08, 0.09, 0.1][s] as number;
      x = x.map((v) => clip01(v + c * r.n()));
      break;
    }
    case 'shot_noise': {
      const c = [500, 250, 100, 75, 50][s] as number;
      x = x.map((v) => clip01(poisson(v * c, r) / c));
      break;
    }
    case 'impulse_noise': {
      // skimage random_noise(mode='s&p', amount=c): a fraction c of values set to 0 or 1, half each.
      const c = [0.01, 0.02, 0.03, 0.05, 0.07][s] as number;
      x = x.map((v) => (r.u() < c ? (r.u() < 0.5 ? 0 : 1) : v));
      break;
    }
    case 'speckle_noise': {
      const c = [0.06, 0.1, 0.12, 0.16, 0.2][s] as number;
      x = x.map((v) => clip01(v + v * c * r.n()));
      break;
    }
    case 'gaussian_blur':
      x = gaussian(x, [0.4, 0.6, 0.7, 0.8, 1][s] as number);
      break;
    case 'defocus_blur': {
      const [radius, alias] = [[0.3, 0.4], [0.4, 0.5], [0.5, 0.6], [1, 0.2], [1.5, 0.1]][s] as [number, number];
      // A disk of the radius (on the 17×17 grid of the definition: only its 3×3 centre can be non-zero here), anti-aliased by a 3×3 Gaussian.
      const disk = [-1, 0, 1].map((y) => [-1, 0, 1].map((xx) => (xx * xx + y * y <= radius * radius ? 1 : 0)));
      const g = [-1, 0, 1].map((i) => Math.exp(-(i * i) / (2 * alias * alias)));
      const gs = g.reduce((a, b) => a + b, 0);
      const k5 = Array.from({ length: 5 }, () => new Array<number>(5).fill(0));
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
        (k5[i + a] as number[])[j + b] = ((k5[i + a] as number[])[j + b] as number) + (disk[i]?.[j] ?? 0) * ((g[a] as number) * (g[b] as number)) / (gs * gs);
      }
      const sum = k5.flat().reduce((a, b) => a + b, 0);
      x = convolve(x, k5.map((row) => row.map((v) => v / sum)), reflect).map(clip01);
      break;
    }
    case 'glass_blur': {
      const [sigma, delta, iters] = [[0.05, 1, 1], [0.25, 1, 1], [0.4, 1, 1], [0.25, 1, 2], [0.4, 1, 2]][s] as [number, number, number];
      x = gaussian(x, sigma);
      for (let it = 0; it < iters; it++) {
        for (let h = S - delta; h > delta; h--) for (let w = S - delta; w > delta; w--) {
          const dx = Math.floor(r.u() * (2 * delta)) - delta;
          const dy = Math.floor(r.u() * (2 * delta)) - delta;
          const hp = h + dy, wp = w + dx;
          for (let c = 0; c < 3; c++) {
            const a = x[idx(c, h, w)] as number;
            x[idx(c, h, w)] = x[idx(c, hp, wp)] as number;
            x[idx(c, hp, wp)] = a;
          }
        }
      }
      x = gaussian(x, sigma).map(clip01);
      break;
    }
    case 'motion_blur': {
      // ImageMagick's motion blur: a one-sided Gaussian-weighted streak of `radius` px at a random angle in [−45°, 45°].
      const [radius, sigma] = [[10, 1], [10, 1.5], [10, 2], [10, 2.5], [12, 3]][s] as [number, number];
      const angle = ((r.u() * 90 - 45) * Math.PI) / 180;
      const w = Array.from({ length: radius + 1 }, (_, k) => Math.exp(-(k * k) / (2 * sigma * sigma)));
      const ws = w.reduce((a, b) => a + b, 0);
      const out = new Float32Array(3 * N);
      for (let c = 0; c < 3; c++) for (let y = 0; y < S; y++) for (let xx = 0; xx < S; xx++) {
        let v = 0;
        w.forEach((wk, k) => {
          v += wk * sample(x, c, y - k * Math.sin(angle), xx - k * Math.cos(angle));
        });
        out[idx(c, y, xx)] = v / ws;
      }
      x = out.map(clip01);
      break;
    }
    case 'zoom_blur': {
      const top = [1.06, 1.11, 1.16, 1.21, 1.26][s] as number;
      const acc = Float32Array.from(x);
      let count = 1;
      for (let z = 1; z < top - 1e-9; z += 0.01, count++) {
        const zx = zoomed(x, z);
        for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) + (zx[i] as number);
      }
      x = acc.map((v) => clip01(v / count));
      break;
    }
    case 'contrast': {
      const c = [0.75, 0.5, 0.4, 0.3, 0.15][s] as number;
      for (let ch = 0; ch < 3; ch++) {
        let m = 0;
        for (let p = 0; p < N; p++) m += x[ch * N + p] as number;
        m /= N;
        for (let p = 0; p < N; p++) x[ch * N + p] = clip01(((x[ch * N + p] as number) - m) * c + m);
      }
      break;
    }
    case 'brightness': {
      const c = [0.05, 0.1, 0.15, 0.2, 0.3][s] as number;
      const hsv = rgbToHsv(x);
      for (let p = 0; p < N; p++) hsv[2 * N + p] = clip01((hsv[2 * N + p] as number) + c);
      x = hsvToRgb(hsv).map(clip01);
      break;
    }
    case 'saturate': {
      const [a, b] = [[0.3, 0], [0.1, 0], [1.5, 0], [2, 0.1], [2.5, 0.2]][s] as [number, number];
      const hsv = rgbToHsv(x);
      for (let p = 0; p < N; p++) hsv[N + p] = clip01((hsv[N + p] as number) * a + b);
      x = hsvToRgb(hsv).map(clip01);
      break;
    }
    case 'pixelate': {
      const c = [0.95, 0.9, 0.85, 0.75, 0.65][s] as number;
      const small = Math.floor(S * c);
      x = boxResize(boxResize(x, S, small), small, S).map(clip01);
      break;
    }
  }
  return Uint8Array.from(x, (v) => Math.round(v * 255));
}
