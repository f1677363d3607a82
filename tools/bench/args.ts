/** `npm run bench` options: flags, defaults and validation (pure, unit-tested). */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKENDS, type BackendId } from '../../src/core/bench/types';
import { REPO } from '../lib/cifar';

export const USAGE = `npm run bench -- [options]

  --models LIST      catalog | zoo | all (default) | comma-separated ids: catalog ids, zoo:<arch> or <arch>
  --backends LIST    ${BACKENDS.join(',')}
                     (default: every one but cloud; cloud is added when --cloud is given)
  --batches LIST     batch sizes (default 1,8,32)
  --runs N           warm runs per cell (default 50)
  --warmup N         untimed runs after the first run (default 3)
  --max-seconds S    stop a cell's warm runs after S seconds, never below 3 runs (default 10)
  --cold-runs N      fresh offscreen documents for the product's cold start (default 5; 0 skips)
  --seed N           input tensor seed (default 1)
  --headed           show the browser window (default headless)
  --webgpu-swiftshader  give headless Chromium a software WebGPU adapter (SwiftShader: function, never GPU speed)
  --cloud URL        also time this KServe v2 endpoint (e.g. http://127.0.0.1:8000 from \`npm run server\`)
  --cloud-token T    bearer token for it (or PIT_CLOUD_TOKEN)
  --zoo DIR          random-weight zoo built by \`npm run zoo\` (default ml/zoo)
  --out DIR          results folder (default bench/results)
  --name NAME        file name stem (default <date>-<host>)
  --help`;

export interface BenchOptions {
  models: string[];
  backends: BackendId[];
  batches: number[];
  runs: number;
  warmup: number;
  maxSeconds: number;
  coldRuns: number;
  seed: number;
  headed: boolean;
  webgpuSwiftshader: boolean;
  cloud: string | null;
  cloudToken: string | undefined;
  zoo: string;
  out: string;
  name: string | undefined;
  help: boolean;
}

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function int(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: expected an integer from ${min} to ${max}, got "${v}"`);
  return n;
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got "${v}"`);
  return n;
}

export function parseBenchArgs(argv: string[], env: Record<string, string | undefined> = process.env): BenchOptions {
  const { values: o } = parseArgs({
    args: argv,
    options: {
      models: { type: 'string', default: 'all' }, backends: { type: 'string' }, batches: { type: 'string', default: '1,8,32' },
      runs: { type: 'string', default: '50' }, warmup: { type: 'string', default: '3' }, 'max-seconds': { type: 'string', default: '10' },
      'cold-runs': { type: 'string', default: '5' }, seed: { type: 'string', default: '1' },
      headed: { type: 'boolean', default: false }, 'webgpu-swiftshader': { type: 'boolean', default: false },
      cloud: { type: 'string' }, 'cloud-token': { type: 'string' },
      zoo: { type: 'string', default: resolve(REPO, 'ml/zoo') }, out: { type: 'string', default: resolve(REPO, 'bench/results') },
      name: { type: 'string' }, help: { type: 'boolean', default: false },
    },
  });
  const cloud = o.cloud?.trim() || null;
  const backends = (o.backends ? list(o.backends) : BACKENDS.filter((b) => b !== 'cloud' || cloud)) as BackendId[];
  const unknown = backends.filter((b) => !BACKENDS.includes(b));
  if (unknown.length) throw new Error(`--backends: unknown ${unknown.join(', ')} (known: ${BACKENDS.join(', ')})`);
  if (backends.includes('cloud') && !cloud) throw new Error('--backends cloud needs --cloud URL');
  const batches = list(o.batches).map((b) => int('batches', b, 1, 1024));
  if (!batches.length) throw new Error('--batches: expected at least one batch size');
  if (o.name !== undefined && !/^[\w.-]+$/.test(o.name)) throw new Error('--name: letters, digits, ".", "-" and "_" only');
  return {
    models: list(o.models), backends: [...new Set(backends)], batches: [...new Set(batches)],
    runs: int('runs', o.runs, 1, 100_000), warmup: int('warmup', o.warmup, 0, 1000),
    maxSeconds: positive('max-seconds', o['max-seconds']),
    coldRuns: int('cold-runs', o['cold-runs'], 0, 1000), seed: int('seed', o.seed, 0, 2 ** 31),
    headed: o.headed, webgpuSwiftshader: o['webgpu-swiftshader'], cloud,
    cloudToken: o['cloud-token'] ?? env.PIT_CLOUD_TOKEN, zoo: resolve(o.zoo), out: resolve(o.out), name: o.name, help: o.help,
  };
}

/** `2026-11-26-myhost`: sorts by date, names the machine, safe in any file system. */
export function defaultName(date: Date, host: string): string {
  const slug = host.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'host';
  return `${date.toISOString().slice(0, 10)}-${slug}`;
}
