/**
 * The chart in the bench page. The extension's CSP (`script-src 'self'
 * 'wasm-unsafe-eval'`) forbids `new Function`, which Vega uses by default to
 * compile expressions; parsing with `ast: true` and vega-interpreter evaluates
 * them without eval (https://github.com/vega/vega/tree/main/packages/vega-interpreter).
 * Loaded on demand so the measuring frames never load Vega.
 */
import { latencyChartSpec } from '../core/bench/chart-spec';
import type { BenchRow } from '../core/bench/types';

let current: { finalize(): void } | undefined;

export async function renderChart(container: HTMLElement, rows: readonly BenchRow[], subtitle: string): Promise<void> {
  const [{ parse, View }, { compile }, { expressionInterpreter }] = await Promise.all([
    import('vega'), import('vega-lite'), import('vega-interpreter'),
  ]);
  current?.finalize();
  container.replaceChildren();
  const spec = compile(latencyChartSpec(rows, subtitle)).spec;
  const view = new View(parse(spec, undefined, { ast: true }), { expr: expressionInterpreter, renderer: 'svg', container, hover: true });
  current = view;
  await view.runAsync();
}
