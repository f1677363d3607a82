/**
 * The bench page's form: pick models (catalog, or ONNX files from disk),
 * backends and batch sizes, run, and see the table and chart. Each backend runs
 * in its own hidden frame (frame-runner.ts); results can be downloaded as the
 * same JSON/CSV the CLI writes.
 */
import { byId } from '../lib/dom';
import { download } from '../lib/download';
import { localizePage, t, uiLanguage } from '../lib/i18n';
import { loadCatalog, loadModelBytes, modelUrl } from '../lib/catalog-loader';
import { catalogBenchModel } from '../core/bench/bench-models';
import { renderChart } from './chart-view';
import { type BenchFrame, openFrame } from './frame-runner';
import { backendThreads, type PageInfo, pageInfo, pickedModel, type WebBackend, type WebJobResult } from './measure-web';
import { failedRows } from '../core/bench/rows';
import { tableCells, toCsv, worstParity } from '../core/bench/report-format';
import type { BenchModel, BenchReport, BenchRow, CellPlan } from '../core/bench/types';

const $ = byId;
const checked = (name: string): string[] =>
  [...document.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((i) => i.value);

/**
 * Where a model's bytes come from: the package (a URL), a picked file (bytes),
 * or, for a model the user added, IndexedDB (`load`, sha256-checked): read only
 * when a run measures it, one job at a time, and dropped after that job.
 */
type Source = { model: BenchModel; url?: string; bytes?: Uint8Array; load?: () => Promise<Uint8Array> };

/**
 * One (model, backend) job. A user model whose bytes cannot be read (removed,
 * corrupted) gets error rows for every batch size, and the run goes on; its
 * error is kept for the run so the other backends do not read it again.
 */
async function measureSource(s: Source, backend: WebBackend, plan: CellPlan, info: PageInfo, frame: BenchFrame, unreadable: Map<Source, string>): Promise<WebJobResult> {
  let bytes = s.bytes;
  if (!bytes && s.load && !unreadable.has(s)) {
    try {
      bytes = await s.load();
    } catch (e) {
      unreadable.set(s, e instanceof Error ? e.message : String(e));
    }
  }
  const error = unreadable.get(s);
  if (error !== undefined) {
    const threads = backendThreads(backend) === 1 ? 1 : info.hardwareConcurrency || 1;
    return { rows: failedRows({ model: s.model, backend, threads }, plan.batches, error) };
  }
  return frame.api.measureJob({ model: s.model, backend, plan, ...(s.url ? { url: s.url } : {}), ...(bytes ? { bytes } : {}) });
}

/**
 * The page's column headers: report-format's TABLE_HEADER (the CLI's Markdown, kept English), in the UI's
 * language. p90 ms, p99 ms and GFLOP/s are technical names, the same in every language.
 */
const tableHeader = (): string[] => [
  t('benchColModel'), t('benchColBackend'), t('benchColThreads'), t('benchColBatch'), t('benchColCreate'), t('benchColFirst'),
  t('benchColMedian'), 'p90 ms', 'p99 ms', t('benchColMin'), t('benchColThroughput'), 'GFLOP/s', t('benchColVsNative'),
];

function renderTable(rows: readonly BenchRow[]): void {
  const head = document.createElement('tr');
  for (const h of tableHeader()) head.append(Object.assign(document.createElement('th'), { textContent: h }));
  $('table').querySelector('thead')?.replaceChildren(head);
  $('table').querySelector('tbody')?.replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    const cells = tableCells(r);
    cells.forEach((text, i) => {
      if (r.medianMs === null && i > 6) return;
      const td = Object.assign(document.createElement('td'), { textContent: text });
      if (r.medianMs === null && i === 6) Object.assign(td, { colSpan: 7, className: 'error', ...(r.error !== undefined ? { textContent: t('benchCellError', r.error) } : {}) });
      tr.append(td);
    });
    return tr;
  }));
}

/** TensorFlow.js's version and how close its logits came to ORT Web's (worst row), when it ran. */
function tfjsSummary(report: BenchReport): string[] {
  const p = worstParity(report.rows);
  if (!report.machine.tfjs || !p) return [];
  return [t('benchTfjsSummary', report.machine.tfjs, p.maxRelDiff.toExponential(1), (p.top1Agree * 100).toLocaleString(uiLanguage(), { maximumFractionDigits: 1 }))];
}

function machineOf(info: PageInfo): BenchReport['machine'] {
  return {
    host: 'this browser', cpuModel: 'unknown (browsers do not expose it)', cores: info.hardwareConcurrency, memoryGiB: 0,
    os: navigator.platform, arch: '', node: null, browser: info.browser, userAgent: info.userAgent,
    browserCores: info.hardwareConcurrency, crossOriginIsolated: info.crossOriginIsolated, ortWeb: null, ortNode: null, gitCommit: null,
  };
}

async function selectedSources(catalogModels: Map<string, Source>): Promise<Source[]> {
  const picked = await Promise.all([...($('files') as HTMLInputElement).files ?? []].map(pickedModel));
  return [...checked('model').flatMap((id) => catalogModels.get(id) ?? []), ...picked];
}

async function run(info: PageInfo, catalogModels: Map<string, Source>): Promise<void> {
  const sources = await selectedSources(catalogModels);
  const backends = checked('backend') as WebBackend[];
  const plan = {
    batches: checked('batch').map(Number), runs: Number(($('runs') as HTMLInputElement).value) || 50,
    warmup: 3, maxMs: 1000 * (Number(($('max-seconds') as HTMLInputElement).value) || 10), seed: 1,
  };
  if (!sources.length || !backends.length || !plan.batches.length) throw new Error(t('benchChooseSomething'));
  const report: BenchReport = {
    schema: 'pit-bench/1', createdAt: new Date().toISOString(), machine: machineOf(info),
    config: { models: sources.map((s) => s.model.key), backends, batches: plan.batches, runs: plan.runs, warmup: plan.warmup, maxSecondsPerCell: plan.maxMs / 1000, seed: plan.seed, coldRuns: 0, cloud: null, headed: true },
    models: sources.map((s) => s.model), webgpu: info.webgpu, coldStart: null, runtimeInitMs: {}, unavailable: [], rows: [],
  };
  const progress = $('progress') as HTMLProgressElement;
  Object.assign(progress, { hidden: false, value: 0, max: sources.length * backends.length });
  $('results').hidden = false;
  const unreadable = new Map<Source, string>();
  for (const backend of backends) {
    if (backend === 'webgpu' && !info.webgpu.available) {
      report.unavailable.push({ backend, reason: info.webgpu.reason ?? 'no adapter' });
      progress.value += sources.length;
      continue;
    }
    const frame = await openFrame(backendThreads(backend));
    try {
      for (const s of sources) {
        $('status').textContent = t('benchStatusRunning', s.model.key, backend);
        const res = await measureSource(s, backend, plan, info, frame, unreadable);
        report.rows.push(...res.rows);
        report.machine.ortWeb ??= res.ortWeb ?? null;
        if (res.tfjs) report.machine.tfjs = res.tfjs;
        if (res.runtimeInitMs !== undefined) report.runtimeInitMs[backend] = res.runtimeInitMs;
        progress.value += 1;
        renderTable(report.rows);
      }
    } finally {
      frame.close();
    }
  }
  $('status').textContent = t('benchStatusDone');
  $('summary').textContent = [
    t('benchSummary', info.browser ?? info.userAgent, info.hardwareConcurrency, report.machine.ortWeb ?? '?'),
    ...tfjsSummary(report),
    ...report.unavailable.map((u) => t('benchUnavailable', u.backend, u.reason)),
  ].join(' ');
  // The chart is the study's figure, the same SVG the CLI writes: English, subtitle included.
  await renderChart($('chart'), report.rows, `${info.browser ?? ''}, ${info.hardwareConcurrency} cores`);
  $('dl-json').onclick = () => download('bench.json', 'application/json', JSON.stringify(report, null, 2));
  $('dl-csv').onclick = () => download('bench.csv', 'text/csv', toCsv(report.rows));
}

export async function startUi(): Promise<void> {
  localizePage();
  $('ui').hidden = false;
  const [catalog, info] = await Promise.all([loadCatalog(), pageInfo()]);
  $('cores').textContent = info.crossOriginIsolated ? String(info.hardwareConcurrency) : t('benchCoresNotIsolated', info.hardwareConcurrency);
  const g = info.webgpu;
  const adapter = [g.vendor, g.architecture].filter(Boolean).join(' ') || t('benchGpuUnknown');
  $('gpu').textContent = g.available ? (g.software ? t('benchGpuSoftware', adapter) : t('benchGpuAdapter', adapter)) : t('benchGpuUnavailable', g.reason ?? t('benchGpuUnknown'));
  $('gpu').classList.toggle('warn', !g.available || g.software === true);
  // A model the user added has no URL in the package: its bytes come from IndexedDB, read when a run includes it.
  const catalogModels = new Map<string, Source>(catalog.models.map((m): [string, Source] =>
    [m.id, m.userAdded ? { model: catalogBenchModel(m), load: () => loadModelBytes(m) } : { model: catalogBenchModel(m), url: modelUrl(m.file) }]));
  $('models').replaceChildren(...catalog.models.map((m) => {
    const label = document.createElement('label');
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'model', value: m.id, checked: m.id === catalog.default });
    const madds = m.madds ? (m.madds / 1e6).toLocaleString(uiLanguage(), { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false }) : '';
    label.append(box, ' ', madds ? t('benchModelMadds', m.name, m.id, madds) : t('benchModel', m.name, m.id));
    return label;
  }));
  $('form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    ($('run') as HTMLButtonElement).disabled = true;
    run(info, catalogModels)
      .catch((e: unknown) => {
        $('status').textContent = t('benchStatusFailed', e instanceof Error ? e.message : String(e));
      })
      .finally(() => {
        ($('run') as HTMLButtonElement).disabled = false;
      });
  });
}
