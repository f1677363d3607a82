/** The shipped catalog is valid and every file is exactly what it claims to be. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { modelPath, readCatalog, readCatalogRaw } from '../../tools/lib/catalog-file';

describe('models/catalog.json', () => {
  const catalog = readCatalog();

  it('parses and names an existing default model', () => {
    expect(catalog.models.length).toBeGreaterThan(0);
    expect(catalog.models.map((m) => m.id)).toContain(catalog.default);
  });

  for (const m of catalog.models) {
    it(`${m.id}: file exists with the catalog's sha256 and size`, () => {
      const p = modelPath(m.file);
      expect(existsSync(p), p).toBe(true);
      expect(createHash('sha256').update(readFileSync(p)).digest('hex')).toBe(m.sha256);
      expect(statSync(p).size).toBe(m.bytes);
    });
  }

  it('ships a trained default model whose accuracy was measured by `npm run eval`', () => {
    const raw = readCatalogRaw();
    const def = raw.models.find((m) => m.id === catalog.default) as { trained: boolean; accuracy: { images: number; runtime: string; web?: unknown } | null };
    // Until the trained model lands the default is a random-weight placeholder;
    // then this test demands what the UI promises: a measured, trained model.
    if (!def.trained) return expect(def.accuracy).toBeNull();
    expect(def.accuracy?.images).toBe(10_000);
    expect(def.accuracy?.runtime).toMatch(/onnxruntime-node/);
    expect(def.accuracy?.web).toBeDefined();
  });
});
