/** Server settings from flags (`--port 8000`) over environment variables (`PIT_SERVER_PORT`) over defaults. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface ServerOptions {
  host: string;
  port: number;
  /** models/catalog.json; model files are resolved next to it. */
  catalogPath: string;
  /** Larger bodies get 413 before they are read. A JSON batch of 32 CIFAR images is ~2 MB, binary ~0.4 MB. */
  maxBodyBytes: number;
  /** Requests admitted per model (waiting or running); one more gets 503. */
  maxQueue: number;
  /** Most images per session.run; also the largest batch one request may carry (as Triton's max_batch_size). */
  maxBatch: number;
  /** How long the first request of a batch waits for others to join it. */
  maxDelayMs: number;
  /** ORT intra-op threads per session; 0 lets ORT decide. */
  threads: number;
  /** When set, every request but health checks and CORS preflights needs `Authorization: Bearer <token>`. */
  token?: string;
}

export const REPO_ROOT = resolve(import.meta.dirname, '..');

export const DEFAULT_OPTIONS: ServerOptions = {
  host: '127.0.0.1',
  port: 8000,
  catalogPath: resolve(REPO_ROOT, 'models/catalog.json'),
  maxBodyBytes: 8 * 1024 * 1024,
  maxQueue: 256,
  maxBatch: 32,
  maxDelayMs: 2,
  threads: 0,
};

/** flag name -> [env var, option key, is numeric]. */
const FIELDS = {
  host: ['PIT_SERVER_HOST', 'host', false],
  port: ['PIT_SERVER_PORT', 'port', true],
  catalog: ['PIT_SERVER_CATALOG', 'catalogPath', false],
  'max-body-bytes': ['PIT_SERVER_MAX_BODY_BYTES', 'maxBodyBytes', true],
  'max-queue': ['PIT_SERVER_MAX_QUEUE', 'maxQueue', true],
  'max-batch': ['PIT_SERVER_MAX_BATCH', 'maxBatch', true],
  'max-delay-ms': ['PIT_SERVER_MAX_DELAY_MS', 'maxDelayMs', true],
  threads: ['PIT_SERVER_THREADS', 'threads', true],
  token: ['PIT_SERVER_TOKEN', 'token', false],
} as const;

export const USAGE = `Usage: npm run server -- [options]
${Object.entries(FIELDS)
  .map(([flag, [env, key]]) => `  --${flag.padEnd(15)} env ${env.padEnd(26)} default ${JSON.stringify(DEFAULT_OPTIONS[key]) ?? '(none)'}`)
  .join('\n')}`;

/** Throws with a one-line reason on an unknown flag or a bad number. */
export function parseServerArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): ServerOptions {
  const options = Object.fromEntries(Object.keys(FIELDS).map((flag) => [flag, { type: 'string' as const }]));
  const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  const out: ServerOptions = { ...DEFAULT_OPTIONS };
  for (const [flag, [envName, key, numeric]] of Object.entries(FIELDS)) {
    const raw = values[flag] ?? env[envName];
    if (raw === undefined || raw === '') continue;
    if (!numeric) {
      (out as unknown as Record<string, string>)[key] = key === 'catalogPath' ? resolve(String(raw)) : String(raw);
      continue;
    }
    const n = Number(raw);
    const min = key === 'port' || key === 'threads' || key === 'maxDelayMs' ? 0 : 1;
    if (!/^\d+(\.\d+)?$/.test(String(raw)) || n < min || (key !== 'maxDelayMs' && !Number.isInteger(n))) {
      throw new Error(`--${flag} (or ${envName}) must be ${key === 'maxDelayMs' ? 'a number' : 'an integer'} >= ${min}, got ${JSON.stringify(raw)}`);
    }
    (out as unknown as Record<string, number>)[key] = n;
  }
  if (out.port > 65535) throw new Error(`--port must be at most 65535, got ${out.port}`);
  return out;
}
