/**
 * `npm run bench` end to end on a tiny configuration (one small model served
 * from a zoo folder, onnxruntime-node 1 thread and ORT Web WASM 1 thread inside
 * the built extension, batches 1 and 8, 3 runs), and the extension's own bench
 * page driven like a user would.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../../src/core/bench/types';
import { modelPath, readCatalog } from '../../tools/lib/catalog-file';
import { launchExtension } from '../../tools/lib/extension';
import { chartMarks } from '../tools/bench-svg';

const REPO = resolve(import.meta.dirname, '../..');
const catalog = readCatalog();
const shipped = catalog.models.find((m) => m.id === catalog.default)!;
const tmp = mkdtempSync(join(tmpdir(), 'pit-bench-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A one-model zoo made from the shipped file (no PyTorch needed), so the page fetches it from the CLI's server. */
function tinyZoo(): string {
  copyFileSync(modelPath(shipped.file), join(tmp, 'tiny.onnx'));
  const zoo = { models: [{ arch: 'tiny', file: 'tiny.onnx', params: shipped.params, madds: shipped.madds, sha256: shipped.sha256, bytes: shipped.bytes }] };
  writeFileSync(join(tmp, 'zoo.json'), JSON.stringify(zoo));
  return tmp;
}

const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;

describe('npm run bench', () => {
  it('measures native and WASM through the extension and writes JSON, CSV, Markdown and SVG', async () => {
    const out = join(tmp, 'out');
    const args = ['tools/bench/main.ts', '--models', 'zoo:tiny', '--zoo', tinyZoo(), '--backends', 'native-1,wasm-1',
      '--batches', '1,8', '--runs', '3', '--warmup', '1', '--cold-runs', '2', '--out', out, '--name', 'tiny'];
    const { stdout } = await promisify(execFile)(join(REPO, 'node_modules/.bin/tsx'), args, { cwd: REPO, timeout: 150_000 });
    expect(stdout).toMatch(/^\[1\/2\] zoo:tiny · native-1 \(1 thread\): batch 1 .* ms .*batch 8 /m);
    expect(stdout).toMatch(/^\[2\/2\] zoo:tiny · wasm-1 \(1 thread\): batch 1 .* ms .*batch 8 /m);

    const report = JSON.parse(readFileSync(join(out, 'tiny.json'), 'utf8')) as BenchReport;
    expect(report.schema).toBe('pit-bench/1');
    expect(Date.parse(report.createdAt)).toBeGreaterThan(0);
    const m = report.machine;
    expect(m.cpuModel.length).toBeGreaterThan(0);
    expect(m.cores).toBeGreaterThan(0);
    expect(m.os.length).toBeGreaterThan(0);
    expect(m.browser).toMatch(/^Chromium \d+\.\d+/);
    expect(m.crossOriginIsolated).toBe(true);
    expect(m.ortWeb).toMatch(/^\d+\.\d+\.\d+/);
    expect(m.ortNode).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.config).toMatchObject({ models: ['zoo:tiny'], backends: ['native-1', 'wasm-1'], batches: [1, 8], runs: 3 });
    expect(report.models).toEqual([expect.objectContaining({ key: 'zoo:tiny', source: 'zoo', madds: shipped.madds })]);
    expect(report.coldStart?.model).toBe(catalog.default);
    expect(report.coldStart?.sessionCreateMs.values).toHaveLength(2);
    expect(positive(report.coldStart?.sessionCreateMs.median)).toBe(true);
    expect(report.coldStart!.firstRequestMs.median).toBeGreaterThan(report.coldStart!.sessionCreateMs.median * 0.5);
    expect(positive(report.runtimeInitMs['wasm-1'])).toBe(true);

    expect(report.rows.map((r) => `${r.backend}/${r.batch}`)).toEqual(['native-1/1', 'native-1/8', 'wasm-1/1', 'wasm-1/8']);
    for (const r of report.rows) {
      expect(r.error, `${r.backend}/${r.batch}`).toBeUndefined();
      expect(r.threads).toBe(1);
      expect(r.runs).toBe(3);
      for (const v of [r.sessionCreateMs, r.firstRunMs, r.medianMs, r.p90Ms, r.p99Ms, r.minMs, r.throughput, r.gflops]) expect(positive(v)).toBe(true);
      expect(r.p99Ms!).toBeGreaterThanOrEqual(r.p90Ms!);
      expect(r.p90Ms!).toBeGreaterThanOrEqual(r.medianMs!);
      expect(r.medianMs!).toBeGreaterThanOrEqual(r.minMs!);
      expect(r.throughput! / ((r.batch * 1000) / r.medianMs!)).toBeCloseTo(1, 4);
      expect(r.gflops! / ((2 * shipped.madds! * r.batch) / (r.medianMs! * 1e6))).toBeCloseTo(1, 4);
    }
    const native = report.rows.filter((r) => r.backend === 'native-1');
    for (const r of report.rows.filter((x) => x.backend === 'wasm-1')) {
      const base = native.find((n) => n.batch === r.batch)!;
      expect(r.vsNative?.ref).toBe('native-1');
      expect(r.vsNative!.ratio / (r.medianMs! / base.medianMs!)).toBeCloseTo(1, 4);
    }

    const csv = readFileSync(join(out, 'tiny.csv'), 'utf8').trimEnd().split('\r\n');
    expect(csv).toHaveLength(1 + 4);
    const md = readFileSync(join(out, 'tiny.md'), 'utf8');
    expect(md.split('\n').filter((l) => l.startsWith('| zoo:tiny |'))).toHaveLength(4);
    const svg = readFileSync(join(out, 'tiny.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(chartMarks(svg)).toHaveLength(2); // one model x two backends, batch 1
    expect(existsSync(join(REPO, 'bench/results/tiny.json'))).toBe(false);
  });
});

describe('bench page', () => {
  it('runs the shipped model and a picked ONNX file on WASM in a frame and shows the table and the chart, within the CSP', async () => {
    const ext = await launchExtension();
    const problems: string[] = [];
    try {
      const page = await ext.context.newPage();
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(msg.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`chrome-extension://${ext.extensionId}/src/bench/bench.html`);
      await page.locator(`input[name="model"][value="${catalog.default}"]`).check();
      for (const v of ['wasm-all', 'webgpu']) await page.locator(`input[name="backend"][value="${v}"]`).uncheck();
      for (const v of ['8', '32']) await page.locator(`input[name="batch"][value="${v}"]`).uncheck();
      await page.fill('#runs', '3');
      await page.setInputFiles('#files', modelPath(shipped.file));
      await page.click('#run');
      await page.waitForFunction(() => /^(done|failed)/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 90_000 });
      expect(await page.textContent('#status')).toBe('done');
      const rows = await page.locator('#table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows.map((r) => r.slice(0, 4))).toEqual([[catalog.default, 'wasm-1', '1', '1'], [`file:${shipped.file}`, 'wasm-1', '1', '1']]);
      for (const r of rows) expect(Number(r[6])).toBeGreaterThan(0);
      expect(rows[0]![11]).not.toBe('–'); // GFLOP/s from the catalog's multiply-adds
      expect(rows[1]![11]).toBe('–'); // a picked file has no multiply-add count
      await page.waitForSelector('#chart svg');
      expect(chartMarks(await page.innerHTML('#chart'))).toHaveLength(2);
      expect(problems).toEqual([]);
    } finally {
      await ext.close();
    }
  });
});

describe('TensorFlow.js backends (the second runtime)', () => {
  type Bench = { pitBench: { measureJob(j: unknown): Promise<{ rows: BenchReport['rows']; tfjs?: string }> } };
  const job = (id: string, backend: string) => ({
    model: { key: catalog.default, source: 'catalog', arch: 'resnet20', params: shipped.params, madds: shipped.madds, bytes: shipped.bytes, sha256: shipped.sha256 },
    url: `chrome-extension://${id}/models/${shipped.file}`, backend, plan: { batches: [1, 4], runs: 3, warmup: 1, maxMs: 3000, seed: 1 },
  });

  it('run the shipped model in the bench page within the CSP (threaded build included), matching ORT Web; ORT jobs never load TF.js', async () => {
    const ext = await launchExtension();
    const problems: string[] = [];
    const tfjsRequests: string[] = [];
    try {
      ext.context.on('request', (r) => {
        if (/tfjs/i.test(r.url())) tfjsRequests.push(r.url());
      });
      for (const [threads, backend] of [['1', 'tfjs-1'], ['all', 'tfjs-all']] as const) {
        const page = await ext.page(`src/bench/bench.html?frame=1&threads=${threads}`);
        page.on('console', (msg) => {
          if (msg.type() === 'error') problems.push(msg.text());
        });
        page.on('pageerror', (e) => problems.push(e.message));
        await page.waitForFunction(() => 'pitBench' in globalThis);
        if (backend === 'tfjs-1') {
          // An ORT Web job first, in a fresh document: it must not fetch anything of TF.js.
          const ort = await page.evaluate((j) => (globalThis as unknown as Bench).pitBench.measureJob(j), job(ext.extensionId, 'wasm-1'));
          expect(ort.rows.every((r) => (r.medianMs ?? 0) > 0)).toBe(true);
          expect(tfjsRequests).toEqual([]);
        }
        const res = await page.evaluate((j) => (globalThis as unknown as Bench).pitBench.measureJob(j), job(ext.extensionId, backend));
        expect(res.tfjs).toMatch(/^4\.\d+\.\d+ \(SIMD\)$/);
        expect(res.rows.map((r) => [r.backend, r.batch])).toEqual([[backend, 1], [backend, 4]]);
        for (const r of res.rows) {
          expect(r.error).toBeUndefined();
          expect(r.medianMs).toBeGreaterThan(0);
          expect(r.parity).toMatchObject({ batch: 4, top1Agree: 1 });
          expect(r.parity!.maxRelDiff).toBeLessThan(1e-4);
        }
        await page.close();
      }
      expect(tfjsRequests.some((u) => u.endsWith('/tfjs/threaded-simd-worker.js'))).toBe(true); // the threaded build started its workers from extension files
      expect(problems).toEqual([]);
    } finally {
      await ext.close();
    }
  });
});
