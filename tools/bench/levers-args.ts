/** `npm run bench:levers` options (pure, unit-tested). */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LeverRuntime } from '../../src/core/bench/levers';
import { CATALOG_PATH } from '../lib/catalog-file';
import { REPO } from '../lib/cifar';

export const LEVERS_USAGE = `npm run bench:levers -- [options]

Measures each performance lever on one catalog model, in the extension's own
ORT Web runtime (WASM, all cores, in its bench page) and in onnxruntime-node
(all cores): graph optimization level, a pre-optimized model (ONNX and ORT
format), batching, tensor reuse, the int8 QDQ variant, a static batch-1 graph
(freeDimensionOverrides), 1, 2 and 4 threads, and (page only) page-tagging
throughput of two single-thread sessions in two workers against one session
with all threads. Where the page has a WebGPU adapter, also WebGPU's
preferredLayout (NHWC, NCHW) and outputs kept on the GPU; headless Chromium has
none, and --webgpu-swiftshader's software adapter checks the code path only
(its rows are marked software: never GPU speed).

  --model ID         catalog model (default: the catalog's default)
  --int8 ID|none     its int8 variant (default <model>-int8 when the catalog has it;
                     make it with \`npm run quantize -- --model <model>\`)
  --runtimes LIST    web,native (default both)
  --runs N           warm runs per cell (default 50)
  --warmup N         untimed runs after the first run (default 3)
  --max-seconds S    stop a cell's warm runs after S seconds, never below 3 runs (default 5)
  --create-runs N    session creations timed per configuration, median reported (default 5)
  --seed N           input tensor seed (default 1)
  --catalog FILE     catalog to read (default models/catalog.json; files beside it)
  --headed           show the browser window (a real GPU adapter, where the machine has one)
  --webgpu-swiftshader  give headless Chromium a software WebGPU adapter (code path only)
  --out DIR          results folder (default bench/results)
  --name NAME        file name stem (default <date>-<host>-levers)
  --help`;

export interface LeverOptions {
  model: string | null;
  int8: string | null | 'none';
  runtimes: LeverRuntime[];
  runs: number;
  warmup: number;
  maxSeconds: number;
  createRuns: number;
  seed: number;
  catalog: string;
  headed: boolean;
  webgpuSwiftshader: boolean;
  out: string;
  name: string | undefined;
  help: boolean;
}

function int(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: expected an integer from ${min} to ${max}, got "${v}"`);
  return n;
}

export function parseLeverArgs(argv: string[]): LeverOptions {
  const { values: o } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' }, int8: { type: 'string' }, runtimes: { type: 'string', default: 'web,native' },
      runs: { type: 'string', default: '50' }, warmup: { type: 'string', default: '3' }, 'max-seconds': { type: 'string', default: '5' },
      'create-runs': { type: 'string', default: '5' }, seed: { type: 'string', default: '1' },
      catalog: { type: 'string', default: CATALOG_PATH }, headed: { type: 'boolean', default: false },
      'webgpu-swiftshader': { type: 'boolean', default: false },
      out: { type: 'string', default: resolve(REPO, 'bench/results') }, name: { type: 'string' }, help: { type: 'boolean', default: false },
    },
  });
  const runtimes = o.runtimes.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = runtimes.filter((r) => r !== 'web' && r !== 'native');
  if (bad.length || !runtimes.length) throw new Error(`--runtimes: expected web and/or native, got "${o.runtimes}"`);
  const maxSeconds = Number(o['max-seconds']);
  if (!(maxSeconds > 0)) throw new Error(`--max-seconds: expected a positive number, got "${o['max-seconds']}"`);
  if (o.name !== undefined && !/^[\w.-]+$/.test(o.name)) throw new Error('--name: letters, digits, ".", "-" and "_" only');
  return {
    model: o.model ?? null, int8: o.int8 ?? null, runtimes: [...new Set(runtimes)] as LeverRuntime[],
    runs: int('runs', o.runs, 1, 100_000), warmup: int('warmup', o.warmup, 0, 1000), maxSeconds,
    createRuns: int('create-runs', o['create-runs'], 1, 1000), seed: int('seed', o.seed, 0, 2 ** 31),
    catalog: resolve(o.catalog), headed: o.headed, webgpuSwiftshader: o['webgpu-swiftshader'], out: resolve(o.out), name: o.name, help: o.help,
  };
}
