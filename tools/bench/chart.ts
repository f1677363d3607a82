/** The benchmark chart as SVG in Node: the same dependency-free renderer the bench page uses. */
import { latencyChartSvg } from '../../src/core/bench/chart-svg';
import type { BenchRow } from '../../src/core/bench/types';

export async function chartSvg(rows: readonly BenchRow[], subtitle = ''): Promise<string> {
  return latencyChartSvg(rows, subtitle);
}
