/**
 * The chart in the bench page: the same standalone SVG the CLI writes
 * (core/bench/chart-svg.ts), parsed as XML and imported into the page. It holds
 * no script and no style element, so the extension's CSP (`script-src 'self'
 * 'wasm-unsafe-eval'`) has nothing to object to; its own white background keeps
 * it readable when the page is dark.
 */
import { latencyChartSvg } from '../core/bench/chart-svg';
import type { BenchRow } from '../core/bench/types';

export async function renderChart(container: HTMLElement, rows: readonly BenchRow[], subtitle: string): Promise<void> {
  const doc = new DOMParser().parseFromString(latencyChartSvg(rows, subtitle), 'image/svg+xml');
  const root = doc.documentElement;
  if (root.localName !== 'svg' || doc.getElementsByTagName('parsererror').length > 0) {
    throw new Error('the latency chart did not parse as SVG');
  }
  container.replaceChildren(document.importNode(root, true));
}
