/**
 * The benchmark chart as a Vega-Lite spec: median latency at batch 1, one
 * point per (model, backend), log scale. Pure data; rendered to SVG by Vega in
 * Node (tools/bench/chart.ts) and in the bench page (chart-view.ts).
 */
import type { TopLevelSpec } from 'vega-lite';
import { BACKENDS, type BenchRow } from './types';

export interface ChartPoint {
  model: string;
  backend: string;
  medianMs: number;
  p90Ms: number | null;
  minMs: number | null;
}

/** Batch-1 rows with a median; a software WebGPU adapter is labelled so it is never read as GPU speed. */
export function chartPoints(rows: readonly BenchRow[], batch = 1): ChartPoint[] {
  return rows
    .filter((r) => r.batch === batch && r.medianMs !== null && r.medianMs > 0)
    .map((r) => ({
      model: r.model,
      backend: r.backend === 'webgpu' && r.adapter && /software/i.test(r.adapter) ? 'webgpu (software)' : r.backend,
      medianMs: r.medianMs as number, p90Ms: r.p90Ms, minMs: r.minMs,
    }));
}

export function latencyChartSpec(rows: readonly BenchRow[], subtitle = '', batch = 1): TopLevelSpec {
  const points = chartPoints(rows, batch);
  const models = [...new Set(points.map((p) => p.model))];
  const backends = [...new Set(points.map((p) => p.backend))]
    .sort((a, b) => BACKENDS.indexOf(a.split(' ')[0] as never) - BACKENDS.indexOf(b.split(' ')[0] as never));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Median inference latency at batch ${batch} per model and backend, log scale`,
    title: { text: `Median latency at batch ${batch} (ms, log scale)`, ...(subtitle ? { subtitle } : {}) },
    data: { values: points },
    width: { step: Math.max(24, 14 * backends.length) },
    height: 320,
    mark: { type: 'point', filled: true, size: 70, opacity: 0.9 },
    encoding: {
      x: { field: 'model', type: 'nominal', sort: models, axis: { labelAngle: -35, title: null } },
      xOffset: { field: 'backend', type: 'nominal', sort: backends },
      y: { field: 'medianMs', type: 'quantitative', scale: { type: 'log' }, title: 'median latency (ms)' },
      color: { field: 'backend', type: 'nominal', sort: backends, title: 'backend' },
      shape: { field: 'backend', type: 'nominal', sort: backends, title: 'backend' },
      tooltip: [
        { field: 'model' }, { field: 'backend' },
        { field: 'medianMs', title: 'median ms', format: '.3~r' },
        { field: 'p90Ms', title: 'p90 ms', format: '.3~r' },
        { field: 'minMs', title: 'min ms', format: '.3~r' },
      ],
    },
    config: { background: 'white', font: 'sans-serif' },
  };
}
