import { describe, expect, it } from 'vitest';
import { latencyChartSvg } from '../../src/core/bench/chart-svg';
import type { BackendId, BenchRow } from '../../src/core/bench/types';

function row(model: string, backend: BackendId, medianMs: number | null, extra: Partial<BenchRow> = {}): BenchRow {
  return {
    model, source: 'catalog', backend, threads: 1, batch: 1, sessionCreateMs: 1, firstRunMs: 1, runs: 3,
    medianMs, p90Ms: medianMs === null ? null : medianMs * 1.5, p99Ms: null, minMs: medianMs === null ? null : medianMs * 0.5,
    meanMs: medianMs, maxMs: medianMs, throughput: null, gflops: null, vsNative: null, ...extra,
  };
}

interface Point { x: number; y: number; title: string; fill: string; d: string }

/** Each plotted point: its position (the translate of `<path class="point">`), colour, marker and tooltip. */
function points(svg: string): Point[] {
  return [...svg.matchAll(/<path class="point" transform="translate\(([-\d.]+),([-\d.]+)\)" d="([^"]+)" fill="([^"]+)"[^>]*><title>([^<]*)<\/title><\/path>/g)]
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), d: m[3]!, fill: m[4]!, title: m[5]! }));
}

const unescapeXml = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The y axis labels that are drawn, as numbers with their y position in the plot. */
function yTicks(svg: string): Map<number, number> {
  const axis = svg.match(/<g class="y-axis"[^>]*>(.*?)<\/g>/s)?.[1] ?? '';
  return new Map([...axis.matchAll(/<text x="-8" y="([-\d.]+)"[^>]*>([\d.,]+)<\/text>/g)].map((m) => [Number(m[2]!.replace(/,/g, '')), Number(m[1]) - 4]));
}

/**
 * A small XML well-formedness check (the unit environment has no DOMParser):
 * every element closes in order, there is one root `<svg>`, text and attribute
 * values hold no raw `<` and no `&` that does not start an entity.
 */
function assertWellFormedXml(svg: string): void {
  const stack: string[] = [];
  let roots = 0;
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const m of svg.matchAll(token)) {
    const [, close, name, attrs, selfClose, text, stray] = m;
    if (stray) throw new Error(`raw '<' at ${m.index}: ${svg.slice(m.index, m.index! + 40)}`);
    const bad = (s: string) => /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/.test(s);
    if (text !== undefined) {
      if (stack.length === 0 && text.trim()) throw new Error(`text outside the root: ${text.slice(0, 40)}`);
      if (bad(text)) throw new Error(`unescaped & in text: ${text.slice(0, 40)}`);
      continue;
    }
    if (bad(attrs ?? '')) throw new Error(`unescaped & in attributes of <${name}>`);
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClose) stack.push(name!);
    }
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
}

describe('latency chart SVG', () => {
  const rows = [
    row('resnet20', 'native-1', 1), row('resnet20', 'wasm-1', 10), row('resnet20', 'wasm-all', 4),
    row('vgg11', 'native-1', 100), row('vgg11', 'wasm-1', 250),
    row('resnet20', 'native-1', 7, { batch: 8 }),
  ];
  const svg = latencyChartSvg(rows, 'AMD EPYC, 2 cores');

  it('draws one point per (model, backend) at batch 1, each with a tooltip giving its median, p90 and min', () => {
    assertWellFormedXml(svg);
    const ps = points(svg);
    expect(ps).toHaveLength(5);
    expect(ps.map((p) => p.title).sort()).toEqual([
      'resnet20 · native-1: median 1 ms, p90 1.5 ms, min 0.5 ms',
      'resnet20 · wasm-1: median 10 ms, p90 15 ms, min 5 ms',
      'resnet20 · wasm-all: median 4 ms, p90 6 ms, min 2 ms',
      'vgg11 · native-1: median 100 ms, p90 150 ms, min 50 ms',
      'vgg11 · wasm-1: median 250 ms, p90 375 ms, min 125 ms',
    ].sort());
    expect(svg).toContain('>Median latency at batch 1 (ms, log scale)</text>');
    expect(svg).toContain('>AMD EPYC, 2 cores</text>');
    expect(svg).toContain('>median latency (ms)</text>');
    expect(svg).toMatch(/<rect class="background" [^>]*fill="white"/);
  });

  it('puts a slower point higher (smaller y) on a log scale: each tenfold is the same height', () => {
    const at = (t: string) => points(svg).find((p) => p.title.startsWith(t))!;
    const [one, four, ten, hundred] = [at('resnet20 · native-1'), at('resnet20 · wasm-all'), at('resnet20 · wasm-1'), at('vgg11 · native-1')];
    expect(one.y).toBeGreaterThan(four.y);
    expect(four.y).toBeGreaterThan(ten.y);
    expect(ten.y).toBeGreaterThan(hundred.y);
    expect(one.y - ten.y).toBeGreaterThan(50);
    expect(Math.abs(one.y - ten.y - (ten.y - hundred.y))).toBeLessThan(0.25);
    // 4 ms sits log10(4) ≈ 0.6 of a decade above 1 ms.
    expect((one.y - four.y) / (one.y - ten.y)).toBeCloseTo(Math.log10(4), 2);
    // The decade labels are where the points are: 1, 10 and 100 ms, plus 1000 as the top of the last decade.
    const ticks = yTicks(svg);
    expect([1, 10, 100, 1000].every((v) => ticks.has(v))).toBe(true);
    expect(ticks.get(10)!).toBeCloseTo(ten.y, 0);
    expect(ticks.get(100)!).toBeCloseTo(hundred.y, 0);
  });

  it('groups the points by model along x and keeps each backend in its own slot, with its own colour and marker', () => {
    const ps = points(svg);
    const of = (t: string) => ps.find((p) => p.title.startsWith(t))!;
    expect(of('vgg11 · native-1').x).toBeGreaterThan(of('resnet20 · wasm-all').x);
    expect(of('resnet20 · native-1').x).toBeLessThan(of('resnet20 · wasm-1').x);
    expect(of('vgg11 · wasm-1').x - of('vgg11 · native-1').x).toBeCloseTo(of('resnet20 · wasm-1').x - of('resnet20 · native-1').x, 5);
    const styles = new Map<string, string>();
    for (const p of ps) styles.set(p.title.split(' · ')[1]!.split(':')[0]!, `${p.fill} ${p.d}`);
    expect(new Set(styles.values()).size).toBe(3);
    expect(new Set([...styles.values()].map((s) => s.split(' ')[0])).size).toBe(3);
    expect(new Set([...styles.values()].map((s) => s.split(' ')[1])).size).toBe(3);
    const xLabels = [...svg.matchAll(/rotate\(-35\)">([^<]+)</g)].map((m) => m[1]);
    expect(xLabels).toEqual(['resnet20', 'vgg11']);
  });

  it('lists each backend once in the legend, in the canonical backend order', () => {
    const legend = svg.match(/<g class="legend"[^>]*>(.*)<\/g><\/svg>\s*$/s)?.[1] ?? '';
    const entries = [...legend.matchAll(/<text x="20" y="4">([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(entries).toEqual(['native-1', 'wasm-1', 'wasm-all']);
    expect(legend.match(/class="legend-symbol"/g)).toHaveLength(3);
  });

  it('escapes model names from users\' files and drops characters XML forbids', () => {
    const evil = latencyChartSvg([row('<script>&"x"\'', 'wasm-1', 3), row('a\u0000b', 'wasm-1', 5)], '<b>&sub</b>');
    assertWellFormedXml(evil);
    expect(evil).not.toMatch(/<script/i);
    expect(evil).not.toContain('<b>');
    expect(evil).not.toContain('\u0000');
    expect(evil).toContain('&lt;script&gt;&amp;&quot;x&quot;&#39;');
    expect(evil).toContain('&lt;b&gt;&amp;sub&lt;/b&gt;');
    expect(points(evil).map((p) => unescapeXml(p.title))).toContain('<script>&"x"\' · wasm-1: median 3 ms, p90 4.5 ms, min 1.5 ms');
  });

  it('says so when there is no batch-1 result, and can draw another batch', () => {
    for (const empty of [latencyChartSvg([]), latencyChartSvg([row('m', 'wasm-1', null, { error: 'boom' })]), latencyChartSvg([row('m', 'native-1', 2, { batch: 8 })])]) {
      assertWellFormedXml(empty);
      expect(empty).toContain('>no batch-1 results</text>');
      expect(points(empty)).toHaveLength(0);
    }
    const b8 = latencyChartSvg(rows, '', 8);
    expect(b8).toContain('Median latency at batch 8 (ms, log scale)');
    expect(points(b8).map((p) => p.title)).toEqual(['resnet20 · native-1: median 7 ms, p90 10.5 ms, min 3.5 ms']);
  });

  it('draws a single row and a single decade, labelling the 2× and 5× ticks when there is room', () => {
    const one = latencyChartSvg([row('m', 'native-1', 3)]);
    assertWellFormedXml(one);
    expect(points(one)).toHaveLength(1);
    expect([...yTicks(one).keys()].sort((a, b) => a - b)).toEqual([1, 2, 5, 10]);
    const sub = latencyChartSvg([row('m', 'native-1', 0.02), row('m', 'wasm-1', 0.07)]);
    expect([...yTicks(sub).keys()].sort((a, b) => a - b)).toEqual([0.01, 0.02, 0.05, 0.1]);
    // Many decades: only the decades are labelled.
    const wide = latencyChartSvg([row('m', 'native-1', 0.002), row('m', 'wasm-1', 20000)]);
    expect([...yTicks(wide).keys()].sort((a, b) => a - b)).toEqual([0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000, 100000]);
    expect(wide).toContain('>10,000</text>');
  });

  it('skips non-finite figures: no point for a NaN or infinite median, no p90 or min when those are not numbers', () => {
    const svg2 = latencyChartSvg([
      row('a', 'native-1', Number.NaN), row('b', 'native-1', Number.POSITIVE_INFINITY), row('c', 'native-1', 0),
      row('d', 'native-1', 2, { p90Ms: Number.NaN, minMs: null }),
    ]);
    assertWellFormedXml(svg2);
    expect(svg2).not.toMatch(/NaN|Infinity/);
    expect(points(svg2).map((p) => p.title)).toEqual(['d · native-1: median 2 ms']);
  });

  it('names a software WebGPU adapter in the legend and tooltip', () => {
    const gpu = latencyChartSvg([row('m', 'webgpu', 30, { adapter: 'google swiftshader (software, not GPU speed)' }), row('m', 'native-1', 2)]);
    expect(points(gpu).map((p) => p.title)).toContain('m · webgpu (software): median 30 ms, p90 45 ms, min 15 ms');
    expect(gpu).toContain('<text x="20" y="4">webgpu (software)</text>');
  });
});
