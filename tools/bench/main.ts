/**
 * `npm run bench`: the client-versus-cloud latency study on this machine.
 * Every model on every backend through one timing protocol
 * (src/bench/protocol.ts): onnxruntime-node, ORT Web inside the built extension
 * (its own runtime module, in its bench page), and a KServe v2 endpoint when
 * --cloud is given. Writes JSON, CSV, Markdown and an SVG chart; see USAGE.
 */
import os from 'node:os';
import type { WebBackend } from '../../src/bench/measure-web';
import { toMarkdown } from '../../src/core/bench/report-format';
import { withRatios } from '../../src/core/bench/rows';
import { BROWSER_BACKENDS, type BackendId, type BenchReport, type BenchRow, type CellPlan } from '../../src/core/bench/types';
import { readCatalog } from '../lib/catalog-file';
import { defaultName, parseBenchArgs, USAGE } from './args';
import { type BrowserBench, startBrowserBench } from './browser';
import { cloudBase, measureCloud } from './cloud';
import { describeMachine } from './machine';
import { readZoo, resolveModels } from './models';
import { measureNative } from './native';
import { writeReport } from './output';
import { progressLine } from './progress';

/** A usage error: the message and the usage, no stack trace. */
function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    process.exit(2);
  }
}

const opts = usage(() => parseBenchArgs(process.argv.slice(2)));
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}

const catalog = readCatalog();
const zoo = usage(() => readZoo(opts.zoo));
if (!zoo && opts.models.includes('all')) console.warn(`note: no zoo at ${opts.zoo} (run \`npm run zoo\`): catalog models only`);
const specs = usage(() => resolveModels(opts.models, catalog, zoo, opts.zoo));
const cloud = opts.cloud ? usage(() => cloudBase(opts.cloud as string)) : null;
const plan: CellPlan = { batches: opts.batches, runs: opts.runs, warmup: opts.warmup, maxMs: opts.maxSeconds * 1000, seed: opts.seed };
const createdAt = new Date();
const cores = os.availableParallelism();

const report: BenchReport = {
  schema: 'pit-bench/1', createdAt: createdAt.toISOString(), machine: describeMachine(null),
  config: {
    models: specs.map((s) => s.model.key), backends: opts.backends, batches: opts.batches, runs: opts.runs, warmup: opts.warmup,
    maxSecondsPerCell: opts.maxSeconds, seed: opts.seed, coldRuns: opts.coldRuns, cloud, headed: opts.headed,
  },
  models: specs.map((s) => s.model), webgpu: null, coldStart: null, runtimeInitMs: {}, unavailable: [], rows: [],
};
const rows: BenchRow[] = [];
const total = specs.length * opts.backends.length;
let step = 0;
const done = (model: string, backend: BackendId, r: BenchRow[]) => {
  rows.push(...r);
  console.log(progressLine(++step, total, model, backend, r));
};
const skip = (backend: BackendId, reason: string) => {
  report.unavailable.push({ backend, reason });
  step += specs.length;
  console.log(`[${step}/${total}] ${backend}: unavailable (${reason})`);
};

console.log(`bench: ${specs.length} model(s) x ${opts.backends.join(', ')} x batch ${opts.batches.join(', ')}; up to ${opts.runs} runs or ${opts.maxSeconds} s per cell`);

for (const backend of opts.backends.filter((b): b is 'native-1' | 'native-all' => b === 'native-1' || b === 'native-all')) {
  for (const spec of specs) {
    const res = await measureNative(spec, backend, backend === 'native-1' ? 1 : cores, plan);
    if (res.runtimeInitMs !== undefined) report.runtimeInitMs[backend] = res.runtimeInitMs;
    done(spec.model.key, backend, res.rows);
  }
}

const webBackends = opts.backends.filter((b): b is WebBackend => BROWSER_BACKENDS.includes(b));
if (webBackends.length) {
  const browser: BrowserBench = await startBrowserBench({ headed: opts.headed, webgpuSwiftshader: opts.webgpuSwiftshader });
  try {
    const info = await browser.info();
    report.machine = describeMachine(info);
    report.webgpu = info.webgpu;
    console.log(`browser: ${info.browser ?? info.userAgent}, ${info.hardwareConcurrency} cores, cross-origin isolated: ${info.crossOriginIsolated}; WebGPU: ${info.webgpu.available ? `${info.webgpu.vendor ?? ''} ${info.webgpu.architecture ?? ''}${info.webgpu.software ? ' (software adapter: not GPU speed)' : ''}` : `unavailable (${info.webgpu.reason})`}`);
    if (opts.coldRuns > 0) {
      report.coldStart = await browser.coldStart(catalog.default, opts.coldRuns);
      console.log(`cold start, ${catalog.default} in a fresh offscreen document: session creation median ${report.coldStart.sessionCreateMs.median.toFixed(0)} ms, whole first request median ${report.coldStart.firstRequestMs.median.toFixed(0)} ms (${opts.coldRuns} runs)`);
    }
    for (const backend of webBackends) {
      if (backend === 'webgpu' && !info.webgpu.available) {
        skip(backend, `${info.webgpu.reason ?? 'no adapter'}; headless Chromium has none: --webgpu-swiftshader gives a software one, and the extension's bench page measures a real GPU in your own browser`);
        continue;
      }
      const page = await browser.open(backend);
      try {
        for (const spec of specs) {
          const res = await page.measure(spec, plan);
          if (res.runtimeInitMs !== undefined) report.runtimeInitMs[backend] = res.runtimeInitMs;
          if (res.ortWeb) report.machine.ortWeb = res.ortWeb;
          if (res.tfjs) report.machine.tfjs = res.tfjs;
          done(spec.model.key, backend, res.rows);
        }
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
}

if (opts.backends.includes('cloud') && cloud) {
  for (const spec of specs) done(spec.model.key, 'cloud', await measureCloud(spec, cloud, opts.cloudToken, plan));
}

report.rows = withRatios(rows);
const files = await writeReport(report, opts.out, opts.name ?? defaultName(createdAt, report.machine.host));
console.log(`\n${toMarkdown(report)}`);
console.log(`wrote ${Object.values(files).join(', ')}`);
