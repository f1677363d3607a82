/** Benchmark model descriptions from the catalog and from the zoo manifest (ml/zoo/zoo.json). Pure. */
import type { ModelEntry } from '../catalog';
import type { BenchModel } from './types';

export function catalogBenchModel(m: ModelEntry): BenchModel {
  return { key: m.id, source: 'catalog', arch: m.arch, params: m.params ?? null, madds: m.madds ?? null, bytes: m.bytes, sha256: m.sha256 };
}

/** One row of zoo.json as `npm run zoo` writes it. */
export interface ZooEntry {
  arch: string;
  file: string;
  params: number;
  madds: number;
  sha256: string;
  bytes: number;
}

export const ZOO_PREFIX = 'zoo:';

export function zooBenchModel(z: ZooEntry): BenchModel {
  return { key: `${ZOO_PREFIX}${z.arch}`, source: 'zoo', arch: z.arch, params: z.params, madds: z.madds, bytes: z.bytes, sha256: z.sha256 };
}

/** Validates zoo.json's shape (it is read from disk, written by another tool). */
export function parseZoo(raw: unknown): ZooEntry[] {
  const models = (raw as { models?: unknown })?.models;
  if (!Array.isArray(models)) throw new Error('zoo.json: expected {"models": [...]}');
  return models.map((m: Record<string, unknown>, i) => {
    const ok = typeof m.arch === 'string' && typeof m.file === 'string' && !/[/\\]|\.\./.test(m.file) &&
      typeof m.sha256 === 'string' && /^[0-9a-f]{64}$/.test(m.sha256) &&
      [m.params, m.madds, m.bytes].every((n) => Number.isInteger(n) && (n as number) >= 0);
    if (!ok) throw new Error(`zoo.json: model ${i} is malformed (${JSON.stringify(m).slice(0, 120)})`);
    return { arch: m.arch, file: m.file, params: m.params, madds: m.madds, sha256: m.sha256, bytes: m.bytes } as ZooEntry;
  });
}
