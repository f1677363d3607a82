import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CATALOG_PATH, modelPath, readCatalog } from '../../tools/lib/catalog-file';
import { tritonConfig, writeTritonRepo } from '../../tools/lib/triton-repo';

const catalog = readCatalog();
const out = mkdtempSync(join(tmpdir(), 'pit-triton-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('Triton model repository', () => {
  it('writes config.pbtxt, labels and a byte-identical model.onnx for every catalog model', async () => {
    await writeTritonRepo(catalog, dirname(CATALOG_PATH), out);
    for (const m of catalog.models) {
      const dir = join(out, m.id);
      expect(readFileSync(join(dir, '1', 'model.onnx')).equals(readFileSync(modelPath(m.file)))).toBe(true);
      const config = readFileSync(join(dir, 'config.pbtxt'), 'utf8');
      expect(config).toBe(tritonConfig(m));
      expect(config).toContain(`name: "${m.id}"`);
      expect(config).toContain('platform: "onnxruntime_onnx"');
      expect(config).toContain('max_batch_size: 32');
      expect(config).toContain(`{ name: "${m.input.name}", data_type: TYPE_FP32, dims: [ ${m.input.shape.slice(1).join(', ')} ] }`);
      expect(config).toContain(`name: "${m.output.name}", data_type: TYPE_FP32, dims: [ ${m.output.shape[1]} ]`);
      expect(config).toContain('dynamic_batching { max_queue_delay_microseconds: 2000 }');
      expect(readFileSync(join(dir, 'labels.txt'), 'utf8').trimEnd().split('\n')).toHaveLength(m.output.shape[1]);
    }
  });

  it('keeps the batch axis and drops batching for a model with a fixed batch size', () => {
    const m = catalog.models[0]!;
    const fixed = tritonConfig({ ...m, input: { ...m.input, shape: [1, 3, 32, 32] }, output: { ...m.output, shape: [1, 100] } });
    expect(fixed).toContain('max_batch_size: 0');
    expect(fixed).toContain('dims: [ 1, 3, 32, 32 ]');
    expect(fixed).not.toContain('dynamic_batching');
  });

  it('refuses a model file that does not match its sha256', async () => {
    const bad = { ...catalog, models: catalog.models.map((m) => ({ ...m, sha256: '0'.repeat(64) })) };
    const dir = join(out, 'bad');
    await expect(writeTritonRepo(bad, dirname(CATALOG_PATH), dir)).rejects.toThrow(/does not match the catalog/);
    expect(existsSync(dir)).toBe(false);
  });
});
