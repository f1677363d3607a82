/** Renders the benchmark chart to SVG in Node: Vega-Lite compiles, Vega renders headless (no canvas, no DOM). */
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { latencyChartSpec } from '../../src/core/bench/chart-spec';
import type { BenchRow } from '../../src/core/bench/types';

export async function chartSvg(rows: readonly BenchRow[], subtitle = ''): Promise<string> {
  const vg = compile(latencyChartSpec(rows, subtitle)).spec;
  const view = new View(parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
