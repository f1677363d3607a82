/**
 * The benchmark chart as a standalone SVG string: median latency at batch 1,
 * one point per (model, backend), log-scale y. Pure (no DOM, no dependencies):
 * the CLI writes it to bench/results/*.svg (tools/bench/chart.ts) and the bench
 * page inserts it (src/bench/chart-view.ts). Every text is escaped, since model
 * names come from users' files; the SVG holds no script, no style element and
 * no external reference, so it passes the extension's CSP as inline markup.
 */
import { BACKENDS, type BenchRow } from './types';

export interface ChartPoint {
  model: string;
  backend: string;
  medianMs: number;
  p90Ms: number | null;
  minMs: number | null;
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Batch-`batch` rows with a positive, finite median; a software WebGPU adapter
 * is labelled so it is never read as GPU speed.
 */
export function chartPoints(rows: readonly BenchRow[], batch = 1): ChartPoint[] {
  return rows
    .filter((r) => r.batch === batch && finite(r.medianMs) && r.medianMs > 0)
    .map((r) => ({
      model: r.model,
      backend: r.backend === 'webgpu' && r.adapter && /software/i.test(r.adapter) ? 'webgpu (software)' : r.backend,
      medianMs: r.medianMs as number,
      p90Ms: finite(r.p90Ms) ? r.p90Ms : null,
      minMs: finite(r.minMs) ? r.minMs : null,
    }));
}

export interface ChartOptions {
  /** Plot height in pixels (default 320). */
  plotHeight?: number;
  /** Horizontal room per model (default: 14 px per backend plus a gap, at least 40, and a plot at least 200 px wide). */
  step?: number;
}

type Shape = 'circle' | 'square' | 'triangle-up' | 'diamond' | 'triangle-down' | 'cross' | 'star';

/**
 * Okabe–Ito colours (distinguishable with the common colour-vision
 * deficiencies) and a distinct marker per backend, fixed per backend so a
 * backend looks the same in every chart. Related backends share a hue family
 * and differ by lightness and shape.
 */
const STYLE: Record<string, { color: string; shape: Shape }> = {
  'native-1': { color: '#0072B2', shape: 'circle' },
  'native-all': { color: '#56B4E9', shape: 'square' },
  'wasm-1': { color: '#D55E00', shape: 'triangle-up' },
  'wasm-all': { color: '#E69F00', shape: 'diamond' },
  'tfjs-1': { color: '#882255', shape: 'triangle-up' },
  'tfjs-all': { color: '#882255', shape: 'diamond' },
  webgpu: { color: '#009E73', shape: 'triangle-down' },
  'webgpu (software)': { color: '#CC79A7', shape: 'cross' },
  cloud: { color: '#000000', shape: 'star' },
};
const FALLBACK_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
const FALLBACK_SHAPES: Shape[] = ['circle', 'square', 'triangle-up', 'diamond', 'triangle-down', 'cross', 'star'];

function styleOf(backend: string, i: number): { color: string; shape: Shape } {
  return STYLE[backend] ?? { color: FALLBACK_COLORS[i % FALLBACK_COLORS.length]!, shape: FALLBACK_SHAPES[i % FALLBACK_SHAPES.length]! };
}

/** A marker of about 70 px² centred on the origin. */
function symbolPath(shape: Shape): string {
  switch (shape) {
    case 'circle': return 'M-4.7,0A4.7,4.7 0 1,0 4.7,0A4.7,4.7 0 1,0 -4.7,0Z';
    case 'square': return 'M-4.2,-4.2H4.2V4.2H-4.2Z';
    case 'triangle-up': return 'M0,-5.6L5.6,4.2H-5.6Z';
    case 'triangle-down': return 'M0,5.6L5.6,-4.2H-5.6Z';
    case 'diamond': return 'M0,-6L6,0L0,6L-6,0Z';
    case 'cross': return 'M-1.8,-5.4H1.8V-1.8H5.4V1.8H1.8V5.4H-1.8V1.8H-5.4V-1.8H-1.8Z';
    case 'star': return 'M0,-6L1.5,-2L5.7,-1.9L2.4,0.8L3.5,4.9L0,2.5L-3.5,4.9L-2.4,0.8L-5.7,-1.9L-1.5,-2Z';
  }
}

/** Text for XML content and attribute values: escapes markup and replaces characters XML 1.0 forbids. */
export function escapeXml(s: string): string {
  return s
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping the control characters XML 1.0 forbids is the point
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** About three significant digits, trailing zeros dropped (d3-format's `.3~r`, as the Vega chart showed). */
function fmt3(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** `m × 10^e` written exactly (no floating-point residue such as 0.30000000000000004). */
function tickLabel(m: number, e: number): string {
  if (e >= 0) return String(m * 10 ** e).replace(/\B(?=(\d{3})+$)/g, ',');
  return `0.${'0'.repeat(-e - 1)}${m}`;
}

const r1 = (v: number) => String(Math.round(v * 10) / 10);

/**
 * Rough width of sans-serif text (there is no DOM to measure with in Node):
 * per-character classes of Helvetica/Arial-like advance widths, rounded up so
 * labels are not clipped.
 */
function textWidth(s: string, size: number): number {
  let em = 0;
  for (const c of s) {
    if (/[ilj.,:;'|!()[\]{}/ tfr-]/.test(c)) em += 0.33;
    else if (/[mwMW@%]/.test(c)) em += 0.9;
    else if (/[A-Z&]/.test(c)) em += 0.72;
    else if (c.charCodeAt(0) > 0x2e7f) em += 1; // CJK and other wide scripts
    else em += 0.58;
  }
  return em * size;
}

function backendOrder(a: string, b: string): number {
  const key = (s: string) => {
    const i = BACKENDS.indexOf(s.split(' ')[0] as never);
    return (i < 0 ? BACKENDS.length : i) * 2 + (s.includes(' ') ? 1 : 0);
  };
  return key(a) - key(b);
}

const FONT = 'font-family="sans-serif"';
const MAX_LABEL = 32;

function truncate(s: string): string {
  const cps = [...s];
  return cps.length > MAX_LABEL ? `${cps.slice(0, MAX_LABEL - 1).join('')}…` : s;
}

function header(width: number, height: number, desc: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${r1(width)}" height="${r1(height)}" viewBox="0 0 ${r1(width)} ${r1(height)}" role="img" aria-label="${escapeXml(desc)}" ${FONT}>`
    + `<rect class="background" width="100%" height="100%" fill="white"/>`;
}

function titles(title: string, subtitle: string, x: number): string {
  let s = `<text class="title" x="${x}" y="22" font-size="15" font-weight="bold" fill="#111">${escapeXml(title)}</text>`;
  if (subtitle) s += `<text class="subtitle" x="${x}" y="40" font-size="12" fill="#555">${escapeXml(subtitle)}</text>`;
  return s;
}

/**
 * The latency chart as an SVG document: models along x (labels at -35°), one
 * point per backend offset within each model's column, median latency on a
 * log y axis (decade ticks; 2× and 5× labelled when a decade is tall enough),
 * colour and shape per backend with a legend, and a `<title>` tooltip on each
 * point. Rows without a positive finite median are left out; with none, the SVG
 * says so.
 */
export function latencyChartSvg(rows: readonly BenchRow[], subtitle = '', batch = 1, opts: ChartOptions = {}): string {
  const points = chartPoints(rows, batch);
  const title = `Median latency at batch ${batch} (ms, log scale)`;
  const pad = 12;
  const headH = subtitle ? 56 : 38;

  if (points.length === 0) {
    const msg = `no batch-${batch} results`;
    const w = Math.max(320, textWidth(title, 15), textWidth(subtitle, 12)) + 2 * pad;
    const h = headH + 60;
    return `${header(w, h, `${title}: ${msg}`)}\n${titles(title, subtitle, pad)}\n`
      + `<text class="empty" x="${r1(w / 2)}" y="${headH + 30}" font-size="14" fill="#555" text-anchor="middle">${escapeXml(msg)}</text>\n</svg>\n`;
  }

  const models = [...new Set(points.map((p) => p.model))];
  const backends = [...new Set(points.map((p) => p.backend))].sort(backendOrder);
  const styles = new Map(backends.map((b, i) => [b, styleOf(b, i)]));

  // y: log10 scale over whole decades enclosing the medians.
  const logs = points.map((p) => Math.log10(p.medianMs));
  let lo = Math.floor(Math.min(...logs));
  let hi = Math.ceil(Math.max(...logs));
  if (hi === lo) hi = lo + 1;
  if (hi - lo > 12) lo = hi - 12; // absurd spreads: keep the chart legible (medians below sit on the floor)
  const plotH = opts.plotHeight ?? 320;
  const perDecade = plotH / (hi - lo);
  const yOf = (v: number) => plotH - ((Math.max(Math.log10(v), lo) - lo) / (hi - lo)) * plotH;

  // x: a column per model, a fixed slot per backend inside it.
  const step = opts.step ?? Math.max(40, 14 * backends.length + 12, 200 / models.length); // a plot at least 200 px wide
  const plotW = step * models.length;
  const labels = models.map(truncate);
  const labelW = Math.max(...labels.map((l) => textWidth(l, 11)));
  const cos = Math.cos((35 * Math.PI) / 180);
  const sin = Math.sin((35 * Math.PI) / 180);

  const tickLabels: { y: number; text: string; major: boolean }[] = [];
  const minor = perDecade >= 50;
  for (let e = lo; e <= hi; e++) {
    tickLabels.push({ y: plotH - (e - lo) * perDecade, text: tickLabel(1, e), major: true });
    if (e < hi) {
      for (const m of [2, 5]) tickLabels.push({ y: plotH - (e - lo + Math.log10(m)) * perDecade, text: minor ? tickLabel(m, e) : '', major: false });
    }
  }
  const tickW = Math.max(...tickLabels.map((t) => textWidth(t.text, 11)));
  const axisLeft = 18 + 8 + tickW + 8; // axis title, gap, tick labels, tick
  const left = pad + Math.max(axisLeft, labelW * cos - step / 2 + 4);
  const top = headH + 12;
  const bottom = 8 + labelW * sin + 14 + pad;

  const legendTitle = 'backend';
  const legendW = 24 + Math.max(textWidth(legendTitle, 12), ...backends.map((b) => textWidth(b, 12)));
  const legendX = left + plotW + 20;
  const width = Math.max(legendX + legendW + pad, pad + Math.max(textWidth(title, 15), textWidth(subtitle, 12)) + pad);
  const height = top + Math.max(plotH, 22 + 20 * backends.length) + bottom;

  const out: string[] = [header(width, height, `Median inference latency at batch ${batch} per model and backend, log scale`)];
  out.push(titles(title, subtitle, pad));
  out.push(`<g class="plot" transform="translate(${r1(left)},${top})">`);

  // Grid and y axis.
  out.push('<g class="y-axis" font-size="11" fill="#333" text-anchor="end">');
  for (const t of tickLabels) {
    out.push(`<line x1="0" x2="${r1(plotW)}" y1="${r1(t.y)}" y2="${r1(t.y)}" stroke="${t.major ? '#d4d4d4' : '#eeeeee'}" stroke-width="1"/>`);
    out.push(`<line x1="-5" x2="0" y1="${r1(t.y)}" y2="${r1(t.y)}" stroke="#888"/>`);
    if (t.text) out.push(`<text x="-8" y="${r1(t.y + 4)}"${t.major ? '' : ' fill="#777"'}>${t.text}</text>`);
  }
  out.push(`<line x1="0" x2="0" y1="0" y2="${plotH}" stroke="#888"/>`);
  out.push(`<text class="axis-title" transform="translate(${r1(-(axisLeft - 4))},${r1(plotH / 2)}) rotate(-90)" text-anchor="middle" font-size="12" font-weight="bold" fill="#333">median latency (ms)</text>`);
  out.push('</g>');

  // x axis.
  out.push(`<g class="x-axis" font-size="11" fill="#333" text-anchor="end"><line x1="0" x2="${r1(plotW)}" y1="${plotH}" y2="${plotH}" stroke="#888"/>`);
  models.forEach((m, i) => {
    const x = step * (i + 0.5);
    if (i > 0) out.push(`<line x1="${r1(step * i)}" x2="${r1(step * i)}" y1="0" y2="${plotH}" stroke="#f2f2f2"/>`);
    out.push(`<line x1="${r1(x)}" x2="${r1(x)}" y1="${plotH}" y2="${plotH + 5}" stroke="#888"/>`);
    out.push(`<text transform="translate(${r1(x + 3)},${plotH + 14}) rotate(-35)">${escapeXml(labels[i]!)}${labels[i] === m ? '' : `<title>${escapeXml(m)}</title>`}</text>`);
  });
  out.push('</g>');

  // Points, slowest first so a fast point is never hidden under a slow one's marker in the same slot.
  out.push('<g class="points">');
  const slot = (b: string) => backends.indexOf(b);
  const inner = step - 8;
  for (const p of [...points].sort((a, b) => b.medianMs - a.medianMs)) {
    const x = step * models.indexOf(p.model) + 4 + (inner * (slot(p.backend) + 0.5)) / backends.length;
    const y = yOf(p.medianMs);
    const st = styles.get(p.backend)!;
    const tip = [`median ${fmt3(p.medianMs)} ms`, ...(p.p90Ms === null ? [] : [`p90 ${fmt3(p.p90Ms)} ms`]), ...(p.minMs === null ? [] : [`min ${fmt3(p.minMs)} ms`])].join(', ');
    out.push(`<path class="point" transform="translate(${r1(x)},${r1(y)})" d="${symbolPath(st.shape)}" fill="${st.color}" fill-opacity="0.9" stroke="white" stroke-width="0.8">`
      + `<title>${escapeXml(`${p.model} · ${p.backend}: ${tip}`)}</title></path>`);
  }
  out.push('</g></g>');

  // Legend.
  out.push(`<g class="legend" transform="translate(${r1(legendX)},${top})" font-size="12" fill="#333">`);
  out.push(`<text x="0" y="10" font-weight="bold">${legendTitle}</text>`);
  backends.forEach((b, i) => {
    const y = 28 + 20 * i;
    const st = styles.get(b)!;
    out.push(`<g class="legend-entry" transform="translate(0,${y})"><path class="legend-symbol" transform="translate(7,0)" d="${symbolPath(st.shape)}" fill="${st.color}"/>`
      + `<text x="20" y="4">${escapeXml(b)}</text></g>`);
  });
  out.push('</g></svg>');
  return `${out.join('\n')}\n`; // one element a line: committed charts diff readably
}
