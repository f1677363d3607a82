import { describe, expect, it } from 'vitest';
import { chartPoints, latencyChartSvg } from '../../src/core/bench/chart-svg';
import { tableCells, toCsv, toMarkdown } from '../../src/core/bench/report-format';
import { fmtMs } from '../../src/core/format';
import { failedRows, toRows, withRatios } from '../../src/core/bench/rows';
import type { BackendId, BenchModel, BenchReport, BenchRow } from '../../src/core/bench/types';

const model: BenchModel = { key: 'm', source: 'catalog', arch: 'resnet20', params: 1, madds: 40e6, bytes: 10, sha256: null };
const stats = (medianMs: number) => ({
  firstRunMs: 2 * medianMs, runs: 3, medianMs, p90Ms: medianMs * 1.1, p99Ms: medianMs * 1.2, minMs: medianMs * 0.9,
  meanMs: medianMs, maxMs: medianMs * 1.2, throughput: 1000 / medianMs, gflops: 1,
});
const rowsFor = (backend: BackendId, medianMs: number, batch = 1): BenchRow[] =>
  toRows({ model, backend, threads: 1, sessionCreateMs: 5 }, [{ batch, stats: stats(medianMs) }]);

describe('rows and ratios', () => {
  it('compares WASM with native at the same thread count, and the cloud and WebGPU with all cores', () => {
    const rows = withRatios([
      ...rowsFor('native-1', 0.5), ...rowsFor('native-all', 0.25), ...rowsFor('wasm-1', 2), ...rowsFor('wasm-all', 1),
      ...rowsFor('webgpu', 5), ...rowsFor('cloud', 10), ...rowsFor('wasm-1', 9, 8),
    ]);
    const by = (b: string, batch = 1) => rows.find((r) => r.backend === b && r.batch === batch)!;
    expect(by('native-1').vsNative).toBeNull();
    expect(by('wasm-1').vsNative).toEqual({ ref: 'native-1', ratio: 4 });
    expect(by('wasm-all').vsNative).toEqual({ ref: 'native-all', ratio: 4 });
    expect(by('webgpu').vsNative).toEqual({ ref: 'native-all', ratio: 20 });
    expect(by('cloud').vsNative).toEqual({ ref: 'native-all', ratio: 40 });
    expect(by('wasm-1', 8).vsNative).toBeNull(); // no native row at batch 8
  });

  it('keeps a failed cell as a row with its error and no numbers', () => {
    const [r] = failedRows({ model, backend: 'webgpu', threads: 2 }, [1], 'no adapter');
    expect(r).toMatchObject({ backend: 'webgpu', batch: 1, medianMs: null, throughput: null, runs: 0, error: 'no adapter', sessionCreateMs: null });
  });
});

describe('CSV', () => {
  it('has a header, one line per row, empty fields for nulls and quoted messages', () => {
    const rows = [...rowsFor('native-1', 0.5), ...failedRows({ model, backend: 'wasm-1', threads: 1 }, [8], 'bad "shape", [1, 2]')];
    const lines = toCsv(rows).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]!.split(',')).toContain('median_ms');
    expect(lines[1]).toMatch(/^m,catalog,native-1,1,1,5,1,3,0\.5,/);
    expect(lines[2]).toMatch(/,"bad ""shape"", \[1, 2\]"$/);
    expect(lines[2]).toContain(',,,'); // the missing numbers
  });
});

describe('Markdown', () => {
  const report: BenchReport = {
    schema: 'pit-bench/1', createdAt: '2026-11-26T00:00:00Z',
    machine: { host: 'h', cpuModel: 'CPU X', cores: 2, memoryGiB: 8, os: 'Linux', arch: 'x64', node: 'v20', browser: 'Chromium 156', userAgent: null, browserCores: 2, crossOriginIsolated: true, ortWeb: '1.30.0', ortNode: '1.30.0', gitCommit: null },
    config: { models: ['m'], backends: ['native-1', 'wasm-1'], batches: [1], runs: 3, warmup: 1, maxSecondsPerCell: 10, seed: 1, coldRuns: 2, cloud: null, headed: false },
    models: [model], webgpu: { available: false, reason: 'none' },
    coldStart: { model: 'm', runs: 2, sessionCreateMs: { median: 400, min: 300, max: 500, values: [300, 500] }, firstRequestMs: { median: 700, values: [600, 800] } },
    runtimeInitMs: {}, unavailable: [{ backend: 'webgpu', reason: 'no adapter | here' }],
    rows: withRatios([...rowsFor('native-1', 0.5), ...rowsFor('wasm-1', 1.5), ...failedRows({ model, backend: 'wasm-all', threads: 2 }, [1], 'x|y')]),
  };

  it('prints the machine, the cold start, what was unavailable, and one table line per row', () => {
    const md = toMarkdown(report);
    expect(md).toContain('CPU X, 2 cores');
    expect(md).toContain('session creation median 400 ms');
    expect(md).toContain('webgpu: unavailable (no adapter | here)');
    const table = md.split('\n').filter((l) => l.startsWith('|'));
    expect(table).toHaveLength(2 + 3);
    expect(table[0]).toContain('median ms');
    expect(table[3]).toContain('3.00× native-1');
    expect(table[4]).toContain('error: x\\|y');
    expect(table.every((l) => l.split(/(?<!\\)\|/).length === table[0]!.split('|').length)).toBe(true);
  });

  it('adds the server compute column when the cloud was measured, and names a software WebGPU adapter', () => {
    const cloud = { ...rowsFor('cloud', 12)[0]!, serverComputeMs: 1.5 };
    const gpu = { ...rowsFor('webgpu', 300)[0]!, adapter: 'google swiftshader (software, not GPU speed)' };
    const table = toMarkdown({ ...report, rows: [cloud, gpu] }).split('\n').filter((l) => l.startsWith('|'));
    expect(table[0]).toContain('| server compute ms |');
    expect(table[2]).toMatch(/\| 1\.50 \|$/);
    expect(table[3]).toContain('| webgpu (software) |');
    expect(toMarkdown(report)).not.toContain('server compute');
  });

  it('formats milliseconds with about three significant digits', () => {
    expect([fmtMs(0.5234), fmtMs(3.216), fmtMs(12.34), fmtMs(812.6), fmtMs(null)]).toEqual(['0.523', '3.22', '12.3', '813', '–']);
    expect(tableCells(report.rows[0]!)).toHaveLength(13);
  });
});

describe('chart points', () => {
  it('plots the batch-1 medians on a log scale and labels a software WebGPU adapter', () => {
    const rows = [...rowsFor('native-1', 0.5), ...rowsFor('wasm-1', 9, 8), { ...rowsFor('webgpu', 300)[0]!, adapter: 'google swiftshader (software, not GPU speed)' }];
    const points = chartPoints(rows);
    expect(points.map((p) => p.backend)).toEqual(['native-1', 'webgpu (software)']);
    const svg = latencyChartSvg(rows, 'sub');
    expect(svg).toContain('log scale');
    expect(svg.match(/<path class="point"/g)).toHaveLength(2);
    expect(svg).toContain('>webgpu (software)</text>');
  });
});
