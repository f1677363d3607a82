/**
 * `npm run bench:levers` end to end on a tiny configuration: the shipped
 * random-weight model and its int8 variant (quantized here by the model
 * tooling, calibrated on made-up images), 3 runs per cell, in the built
 * extension's bench page and in onnxruntime-node.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LEVERS, type LeverReport } from '../../src/core/bench/levers';
import { CATALOG_PATH, modelPath, readCatalog } from '../../tools/lib/catalog-file';

const REPO = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'pit-levers-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const model = readCatalog().models.find((m) => !m.trained) ?? readCatalog().models[0]!;

/** 64 CIFAR-format records of noise: calibration needs training images, not real ones. */
function fakeTrainBin(): void {
  const rec = Buffer.alloc(64 * 3074);
  let s = 7;
  for (let i = 0; i < rec.length; i++) rec[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  for (let r = 0; r < 64; r++) rec[r * 3074 + 1] = r % 100;
  writeFileSync(join(tmp, 'train.bin'), rec);
}

const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;

describe('npm run bench:levers', () => {
  it('measures every lever in the page and natively, with ratios against the same run', async () => {
    copyFileSync(modelPath(model.file), join(tmp, model.file));
    copyFileSync(CATALOG_PATH, join(tmp, 'catalog.json'));
    fakeTrainBin();
    await run(process.env.PYTHON ?? '/usr/bin/python3', ['-m', 'pitml.quantize', '--model', model.id, '--calib', '32', '--verify', '32', '--out', tmp, '--data-dir', tmp],
      { cwd: REPO, env: { ...process.env, PYTHONPATH: join(REPO, 'ml') }, timeout: 60_000 });

    const args = ['tools/bench/levers.ts', '--catalog', join(tmp, 'catalog.json'), '--model', model.id, '--runs', '3', '--warmup', '1',
      '--max-seconds', '0.5', '--create-runs', '2', '--out', join(tmp, 'out'), '--name', 'tiny'];
    const { stdout } = await run(join(REPO, 'node_modules/.bin/tsx'), args, { cwd: REPO, timeout: 200_000 });
    expect(stdout).toMatch(/^\[1\/26\] base · native \(\d+ threads?\): batch 1 .*batch 8 .*batch 32 /m);
    expect(stdout).toMatch(/^\[26\/26\] threads-4 · web \(4 threads\): batch 1 .*batch 16 /m);
    expect(stdout).toMatch(/^workers: page tagging, 256 images in batches of 16: one \d+-thread session \d+ images\/s, two 1-thread sessions in two proxy workers \d+ images\/s/m);

    const report = JSON.parse(readFileSync(join(tmp, 'out', 'tiny.json'), 'utf8')) as LeverReport;
    expect(report.schema).toBe('pit-levers/1');
    expect(report.config).toMatchObject({ model: model.id, int8: `${model.id}-int8`, runtimes: ['web', 'native'], runs: 3 });
    expect(report.machine.crossOriginIsolated).toBe(true);
    expect(report.config.threads.web).toBeGreaterThan(0);
    for (const runtime of ['web', 'native'] as const) {
      // WebGPU's levers need an adapter (headless Chromium has none): the report says so instead.
      for (const lever of LEVERS.filter((l) => (runtime === 'web' || l !== 'workers') && !l.startsWith('webgpu'))) {
        const rows = report.rows.filter((r) => r.runtime === runtime && r.lever === lever);
        const ok = rows.filter((r) => !r.error);
        expect(ok.length, `${runtime} ${lever}`).toBeGreaterThanOrEqual(2); // the baseline and at least one variant
        for (const r of ok) {
          // The workers lever times whole workloads on warm sessions: no session creation in its rows.
          const timed = lever === 'workers' ? [r.medianMs, r.minMs, r.throughput, r.speedup] : [r.sessionCreateMs, r.medianMs, r.minMs, r.throughput, r.speedup];
          for (const v of timed) expect(positive(v), `${runtime} ${lever} ${r.variant}`).toBe(true);
          expect(r.medianMs!).toBeGreaterThanOrEqual(r.minMs!);
          expect(r.runs).toBeGreaterThanOrEqual(3);
        }
        expect(ok.find((r) => r.variant === r.baseline)?.speedup).toBe(1);
      }
      const variants = report.rows.filter((r) => r.runtime === runtime && !r.error).map((r) => `${r.lever}/${r.variant}/${r.batch}`);
      for (const v of ['graph-optimization/all/1', 'pre-optimized/pre-optimized .onnx, level disabled/1', 'batching/batch 32/32', 'io/reused input tensor/32', 'int8/int8 QDQ/32',
        'static-shape/batch fixed to 1 (freeDimensionOverrides)/1', 'threads/1 thread/16', 'threads/4 threads/1']) expect(variants).toContain(v);
      if (runtime === 'web') expect(variants).toContain('workers/two 1-thread sessions in two workers/256');
      // Any failure must say why; the only one known is ORT Web's preallocated CPU outputs, which stay unfilled.
      for (const r of report.rows.filter((x) => x.runtime === runtime && x.error)) {
        expect(`${runtime}/${r.lever}/${r.variant}: ${r.error}`).toMatch(/^web\/io\/reused input \+ preallocated output: preallocated-output: the output tensor passed in fetches did not receive the result/);
      }
    }
    expect(report.rows.some((r) => r.lever.startsWith('webgpu'))).toBe(false);
    expect(report.notes).toContainEqual(expect.stringMatching(/^WebGPU levers \(preferredLayout, outputs on the GPU\): not measured, no adapter/));
    const md = readFileSync(join(tmp, 'out', 'tiny.md'), 'utf8');
    expect(md.split('\n').filter((l) => /^\| (graph-optimization|pre-optimized|batching|io|int8|static-shape|threads|workers) \|/.test(l))).toHaveLength(report.rows.length);
  }, 300_000);
});
