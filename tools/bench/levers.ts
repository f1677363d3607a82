/**
 * `npm run bench:levers`: the measured effect of each performance lever on one
 * catalog model, in the extension's own runtime (ORT Web WASM in its bench
 * page, all cores) and in onnxruntime-node (all cores), every ratio against a
 * baseline of the same run. Configurations: src/bench/levers.ts; usage:
 * levers-args.ts. Writes <name>.json and <name>.md.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { catalogBenchModel } from '../../src/core/bench/bench-models';
import { gpuLeverConfigs, type LeverFile, type LeverReport, type LeverRuntime, leverConfigs, leverRows, leversMarkdown, TAG_BATCH, WORKER_BATCHES } from '../../src/core/bench/levers';
import { summarize } from '../../src/core/stats';
import type { BenchModel, BenchRow, CellPlan } from '../../src/core/bench/types';
import { findModel, type ModelEntry } from '../../src/core/catalog';
import { readCatalog } from '../lib/catalog-file';
import { ORT_NODE_VERSION } from '../lib/ort-node';
import { defaultName } from './args';
import { startBrowserBench } from './browser';
import { LEVERS_USAGE, parseLeverArgs } from './levers-args';
import { measureNativeLever, writeOptimized } from './levers-native';
import { describeMachine } from './machine';
import type { ModelSpec } from './models';
import { progressLine } from './progress';

let opts: ReturnType<typeof parseLeverArgs>;
try {
  opts = parseLeverArgs(process.argv.slice(2));
} catch (e) {
  console.error(`${e instanceof Error ? e.message : String(e)}\n\n${LEVERS_USAGE}`);
  process.exit(2);
}
if (opts.help) {
  console.log(LEVERS_USAGE);
  process.exit(0);
}

const catalog = readCatalog(opts.catalog);
const dir = dirname(opts.catalog);
const fp32 = findModel(catalog, opts.model ?? catalog.default);
const int8Id = opts.int8 === 'none' ? null : (opts.int8 ?? `${fp32.id}-int8`);
const int8 = int8Id ? (catalog.models.find((m) => m.id === int8Id) ?? null) : null;
if (opts.int8 && opts.int8 !== 'none' && !int8) throw new Error(`--int8 ${opts.int8}: not in ${opts.catalog}`);

const notes: string[] = [];
const tmp = mkdtempSync(join(os.tmpdir(), 'pit-levers-'));
const spec = (model: BenchModel, path: string, file: string): ModelSpec => ({ model, path, file, input: fp32.input.name, classes: fp32.output.shape[1], serve: true });
const fromCatalog = (m: ModelEntry) => spec(catalogBenchModel(m), join(dir, m.file), m.file);
const files = new Map<LeverFile, ModelSpec>([['fp32', fromCatalog(fp32)]]);
if (int8) files.set('int8', fromCatalog(int8));
else notes.push(`int8: no model "${int8Id ?? `${fp32.id}-int8`}" in the catalog; make it with \`npm run quantize -- --model ${fp32.id}\``);

// Pre-optimized copies, written by onnxruntime-node at level 'extended' (see writeOptimized).
for (const [key, format] of [['preopt-onnx', 'onnx'], ['preopt-ort', 'ort']] as const) {
  const file = `${fp32.id}.extended.${format}`;
  const path = join(tmp, file);
  try {
    await writeOptimized(join(dir, fp32.file), path, format);
    const bytes = readFileSync(path);
    const model: BenchModel = { ...catalogBenchModel(fp32), key: `${fp32.id} (${format === 'ort' ? 'ORT format' : 'ONNX'}, pre-optimized)`, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
    files.set(key, spec(model, path, file));
  } catch (e) {
    notes.push(`${key}: onnxruntime-node ${ORT_NODE_VERSION} could not write it: ${e instanceof Error ? e.message : String(e)}`);
  }
}
notes.push("each runtime first runs a discarded warm-up (batches 1 and 32, about 1.5 s each), so that no configuration pays for WebAssembly tier-up or thread start-up");
notes.push(`graph optimization 'all' differs from 'extended' only by layout transforms (NCHWc) that ORT applies on x86 CPUs with AVX2/AVX-512; its WebAssembly build has no such kernels, so in the page 'all' and 'extended' should measure alike, while natively 'all' (the baseline of the pre-optimized lever) keeps an advantage a portable pre-optimized file gives up`);
notes.push(`pre-optimized files are written by onnxruntime-node ${ORT_NODE_VERSION} at level 'extended' (no x86-specific NCHWc layout) and loaded with level 'disabled'; the ORT-format file uses the session option session.save_model_format=ORT, which is what the Python converter (not installable here) does`);

const configs = leverConfigs(opts.createRuns, new Set(files.keys()));
const plan = (batches: number[]): CellPlan => ({ batches, runs: opts.runs, warmup: opts.warmup, maxMs: opts.maxSeconds * 1000, seed: opts.seed });
const measured: LeverReport['measured'] = {};
const cores = os.availableParallelism();
let webThreads: number | null = null;
let machine = describeMachine(null);
const total = configs.length * opts.runtimes.length;
let step = 0;
const done = (runtime: LeverRuntime, key: string, rows: BenchRow[]) => {
  (measured[runtime] ??= {})[key] = rows;
  console.log(progressLine(++step, total, key, runtime, rows));
};

/**
 * Page tagging's throughput two ways, timed here around the pages' calls:
 * one document with all threads running 2 x WORKER_BATCHES batches of
 * TAG_BATCH, and two documents whose ORT runs single-threaded in its own proxy
 * worker, each running WORKER_BATCHES at the same time. One untimed round
 * first (sessions, warm-up), then opts.runs rounds (at most 9); medians.
 */
async function measureWorkers(browser: Awaited<ReturnType<typeof startBrowserBench>>, f: ModelSpec, threads: number): Promise<{ one: BenchRow; two: BenchRow }> {
  const rounds = Math.min(Math.max(3, opts.runs), 9);
  const images = 2 * WORKER_BATCHES * TAG_BATCH;
  const asRow = (times: number[], t: number, error?: string): BenchRow => {
    const s = summarize(times);
    return {
      model: f.model.key, source: f.model.source, backend: 'wasm-all', threads: t, batch: images, sessionCreateMs: null, firstRunMs: null, runs: times.length,
      medianMs: s?.median ?? null, p90Ms: s?.p90 ?? null, p99Ms: null, minMs: s?.min ?? null, meanMs: s?.mean ?? null, maxMs: s?.max ?? null,
      throughput: s ? (images * 1000) / s.median : null, gflops: null, vsNative: null, ...(error ? { error } : {}),
    };
  };
  const timed = async (run: () => Promise<unknown>) => {
    await run();
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      await run();
      times.push(performance.now() - t0);
    }
    return times;
  };
  let one: BenchRow;
  const single = await browser.open('wasm-all');
  try {
    one = asRow(await timed(() => single.throughput(f, TAG_BATCH, 2 * WORKER_BATCHES, opts.seed)), threads);
  } catch (e) {
    one = asRow([], threads, e instanceof Error ? e.message : String(e));
  } finally {
    await single.close();
  }
  let two: BenchRow;
  const pages = [await browser.open('wasm-1', { threads: 1, proxy: true }), await browser.open('wasm-1', { threads: 1, proxy: true })];
  try {
    two = asRow(await timed(() => Promise.all(pages.map((p) => p.throughput(f, TAG_BATCH, WORKER_BATCHES, opts.seed)))), 1);
  } catch (e) {
    two = asRow([], 1, e instanceof Error ? e.message : String(e));
  } finally {
    for (const p of pages) await p.close();
  }
  return { one, two };
}

// Discarded before each runtime's configurations: the first seconds of inference
// in a fresh process or page run slower (V8 tiers WebAssembly up from its
// baseline compiler while it runs; thread pools and allocators warm up), and
// would otherwise count against whichever configuration comes first.
const warmPlan: CellPlan = { batches: [1, 32], runs: 20, warmup: 2, maxMs: Math.min(1500, opts.maxSeconds * 1000), seed: opts.seed };
const base = configs[0]!;

console.log(`levers: ${fp32.id}${int8 ? ` and ${int8.id}` : ''}; ${configs.length} configurations x ${opts.runtimes.join(', ')}; up to ${opts.runs} runs or ${opts.maxSeconds} s per cell, ${opts.createRuns} session creations each`);
try {
  if (opts.runtimes.includes('native')) {
    const f = files.get('fp32')!;
    await measureNativeLever(f.model, f.path, cores, warmPlan, base.settings);
    for (const c of configs) {
      const s = files.get(c.file)!;
      done('native', c.key, await measureNativeLever(s.model, s.path, cores, plan(c.batches), c.settings));
    }
  }
  if (opts.runtimes.includes('web')) {
    const browser = await startBrowserBench({ headed: opts.headed, webgpuSwiftshader: opts.webgpuSwiftshader });
    try {
      const info = await browser.info();
      machine = describeMachine(info);
      webThreads = info.threads;
      const page = await browser.open('wasm-all');
      try {
        await page.measure(files.get('fp32')!, warmPlan, base.settings);
        for (const c of configs.filter((k) => k.settings.threads === undefined)) {
          const res = await page.measure(files.get(c.file)!, plan(c.batches), c.settings);
          if (res.ortWeb) machine.ortWeb = res.ortWeb;
          done('web', c.key, res.rows);
        }
      } finally {
        await page.close();
      }
      // ORT reads numThreads once per document: each thread count gets its own page, warmed up the same way.
      for (const c of configs.filter((k) => k.settings.threads !== undefined)) {
        const p = await browser.open('wasm-all', { threads: c.settings.threads! });
        try {
          await p.measure(files.get('fp32')!, warmPlan, c.settings);
          done('web', c.key, (await p.measure(files.get(c.file)!, plan(c.batches), c.settings)).rows);
        } finally {
          await p.close();
        }
      }
      if (info.webgpu.available) {
        const gpu = await browser.open('webgpu');
        try {
          const g = files.get('fp32')!;
          await gpu.measure(g, warmPlan, { graphOptimizationLevel: 'all', io: 'fresh-tensor' });
          for (const c of gpuLeverConfigs(opts.createRuns)) {
            // A software adapter is hundreds of times slower: batch 1 is enough to check the code path.
            const rows = (await gpu.measure(g, plan(info.webgpu.software ? [1] : c.batches), c.settings)).rows;
            (measured.web ??= {})[c.key] = rows;
            console.log(progressLine(step, total, c.key, 'webgpu', rows));
          }
        } finally {
          await gpu.close();
        }
        if (info.webgpu.software) notes.push(`WebGPU levers ran on a software adapter (${[info.webgpu.vendor, info.webgpu.architecture].filter(Boolean).join(' ') || 'fallback'}): they show the code path works, not GPU speed`);
      } else {
        notes.push(`WebGPU levers (preferredLayout, outputs on the GPU): not measured, no adapter (${info.webgpu.reason ?? 'none'}); run in a browser with a GPU (--headed), or --webgpu-swiftshader to check the code path`);
      }
      const w = await measureWorkers(browser, files.get('fp32')!, webThreads ?? cores);
      (measured.web ??= {})['workers-1x'] = [w.one];
      measured.web['workers-2x1'] = [w.two];
      console.log(`workers: page tagging, ${w.one.batch} images in batches of ${TAG_BATCH}: one ${w.one.threads}-thread session ${w.one.throughput?.toFixed(0)} images/s, two 1-thread sessions in two proxy workers ${w.two.throughput?.toFixed(0)} images/s (median of ${w.one.runs})`);
    } finally {
      await browser.close();
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const top1 = (m: ModelEntry | null) => m?.accuracy?.top1 ?? null;
const [a, b] = [top1(fp32), top1(int8)];
const createdAt = new Date();
const report: LeverReport = {
  schema: 'pit-levers/1', createdAt: createdAt.toISOString(), machine,
  config: {
    model: fp32.id, int8: int8?.id ?? null, runtimes: opts.runtimes, runs: opts.runs, warmup: opts.warmup, maxSecondsPerCell: opts.maxSeconds,
    createRuns: opts.createRuns, seed: opts.seed, threads: { web: webThreads, native: cores },
  },
  models: [...files.values()].map((s) => s.model),
  accuracy: { fp32Top1: a, int8Top1: b, deltaPoints: a !== null && b !== null ? b - a : null },
  notes, measured,
  rows: opts.runtimes.flatMap((r) => leverRows(r, new Map(Object.entries(measured[r] ?? {})), Math.min(r === 'web' ? (webThreads ?? cores) : cores, 4))),
};

const stem = opts.name ?? `${defaultName(createdAt, machine.host)}-levers`;
mkdirSync(opts.out, { recursive: true });
const write = (path: string, text: string) => {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  return path;
};
const md = leversMarkdown(report);
const json = write(join(opts.out, `${stem}.json`), `${JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v), 2)}\n`);
const mdPath = write(join(opts.out, `${stem}.md`), md);
console.log(`\n${md}`);
console.log(`wrote ${json} (${statSync(json).size} bytes), ${mdPath}`);
