import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseZoo } from '../../src/core/bench/bench-models';
import { toRows } from '../../src/core/bench/rows';
import { defaultName, parseBenchArgs } from '../../tools/bench/args';
import { chartSvg } from '../../tools/bench/chart';
import { readZoo, resolveModels } from '../../tools/bench/models';
import { progressLine } from '../../tools/bench/progress';
import { readCatalog } from '../../tools/lib/catalog-file';
import { chartMarks } from './bench-svg';

const catalog = readCatalog();
const first = catalog.models[0]!;
const zooEntry = { arch: 'resnet20', file: 'resnet20.onnx', params: 1, madds: 2, sha256: 'a'.repeat(64), bytes: 3 };
const dir = mkdtempSync(join(tmpdir(), 'pit-bench-zoo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench options', () => {
  it('defaults to every model, every local backend, batches 1, 8, 32', () => {
    const o = parseBenchArgs([], {});
    expect(o.models).toEqual(['all']);
    expect(o.backends).toEqual(['native-1', 'native-all', 'wasm-1', 'wasm-all', 'tfjs-1', 'tfjs-all', 'webgpu']);
    expect(o.batches).toEqual([1, 8, 32]);
    expect(o.out).toMatch(/bench\/results$/);
    expect(o.cloud).toBeNull();
  });

  it('adds the cloud when an endpoint is given, and takes its token from the environment', () => {
    const o = parseBenchArgs(['--cloud', 'http://127.0.0.1:8000', '--runs', '7', '--batches', '1,4'], { PIT_CLOUD_TOKEN: 't' });
    expect(o.backends).toContain('cloud');
    expect(o).toMatchObject({ runs: 7, batches: [1, 4], cloudToken: 't' });
  });

  it('refuses unknown backends, a cloud without URL, bad numbers and unsafe names', () => {
    expect(() => parseBenchArgs(['--backends', 'wasm-1,tpu'], {})).toThrow(/unknown tpu/);
    expect(() => parseBenchArgs(['--backends', 'cloud'], {})).toThrow(/needs --cloud/);
    expect(() => parseBenchArgs(['--runs', '0'], {})).toThrow(/--runs/);
    expect(() => parseBenchArgs(['--batches', '1,x'], {})).toThrow(/--batches/);
    expect(() => parseBenchArgs(['--max-seconds', '-1'], {})).toThrow(/--max-seconds/);
    expect(() => parseBenchArgs(['--name', '../x'], {})).toThrow(/--name/);
  });

  it('names result files by date and host', () => {
    expect(defaultName(new Date('2026-11-26T21:00:00Z'), 'My Laptop.local')).toBe('2026-11-26-my-laptop-local');
  });
});

describe('model selection', () => {
  it('takes catalog ids, zoo:<arch> or a bare zoo arch, and the catalog | zoo | all groups', () => {
    const zoo = [zooEntry];
    const keys = (t: string[]) => resolveModels(t, catalog, zoo, dir).map((s) => s.model.key);
    expect(keys(['catalog'])).toEqual(catalog.models.map((m) => m.id));
    expect(keys(['zoo'])).toEqual(['zoo:resnet20']);
    expect(keys(['all'])).toEqual([...catalog.models.map((m) => m.id), 'zoo:resnet20']);
    expect(keys([first.id, 'resnet20', 'zoo:resnet20'])).toEqual([first.id, 'zoo:resnet20']);
    expect(resolveModels(['zoo:resnet20'], catalog, zoo, dir)[0]).toMatchObject({ path: join(dir, 'resnet20.onnx'), input: 'input', classes: 100 });
    expect(() => keys(['nope'])).toThrow(/unknown model "nope"/);
    expect(() => resolveModels(['zoo'], catalog, null, dir)).toThrow(/npm run zoo/);
  });

  it('reads zoo.json and rejects a malformed or path-escaping entry', () => {
    writeFileSync(join(dir, 'zoo.json'), JSON.stringify({ models: [zooEntry] }));
    expect(readZoo(dir)).toEqual([zooEntry]);
    expect(readZoo(join(dir, 'missing'))).toBeNull();
    expect(() => parseZoo({ models: [{ ...zooEntry, file: '../x.onnx' }] })).toThrow(/malformed/);
    expect(() => parseZoo({})).toThrow(/expected/);
  });
});

describe('chart and progress', () => {
  const model = { key: 'm', source: 'catalog' as const, arch: null, params: null, madds: null, bytes: 1, sha256: null };
  const stats = (ms: number) => ({ firstRunMs: ms, runs: 3, medianMs: ms, p90Ms: ms, p99Ms: ms, minMs: ms, meanMs: ms, maxMs: ms, throughput: 1000 / ms, gflops: null });
  const rows = [
    ...toRows({ model, backend: 'native-1', threads: 1, sessionCreateMs: 4 }, [{ batch: 1, stats: stats(0.5) }, { batch: 8, stats: stats(3) }]),
    ...toRows({ model, backend: 'wasm-1', threads: 1, sessionCreateMs: 30 }, [{ batch: 1, stats: stats(3) }, { batch: 8, error: 'boom' }]),
    ...toRows({ model: { ...model, key: 'zoo:x' }, backend: 'wasm-1', threads: 1, sessionCreateMs: 30 }, [{ batch: 1, stats: stats(20) }]),
  ];

  it('renders an SVG chart with one point per (model, backend) at batch 1', async () => {
    const svg = await chartSvg(rows, 'test');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(chartMarks(svg)).toHaveLength(3);
    expect(svg).toContain('log scale');
  });

  it('prints one line per (model, backend) with each batch size', () => {
    expect(progressLine(2, 4, 'm', 'wasm-1', rows.slice(2, 4))).toBe('[2/4] m · wasm-1 (1 thread): batch 1 3.00 ms (333 img/s), batch 8: error: boom · create 30.0 ms');
  });
});
