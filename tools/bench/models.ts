/** Which models a run measures: `--models` against the catalog and the zoo manifest (ml/zoo/zoo.json). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogBenchModel, parseZoo, ZOO_PREFIX, type ZooEntry, zooBenchModel } from '../../src/core/bench/bench-models';
import type { BenchModel } from '../../src/core/bench/types';
import type { Catalog } from '../../src/core/catalog';
import { modelPath } from '../lib/catalog-file';

export interface ModelSpec {
  model: BenchModel;
  /** The ONNX file on disk (onnxruntime-node reads it; the zoo server serves it). */
  path: string;
  /** File name as the page fetches it: under the extension's models/ (catalog) or the CLI's zoo server. */
  file: string;
  /** Input name and class count, for the cloud request (the sessions read the input name from the model). */
  input: string;
  classes: number;
  /** Serve the file from the CLI's server even for a catalog model (one outside dist/models, e.g. another catalog). */
  serve?: boolean;
}

export function readZoo(dir: string): ZooEntry[] | null {
  const path = join(dir, 'zoo.json');
  return existsSync(path) ? parseZoo(JSON.parse(readFileSync(path, 'utf8'))) : null;
}

/**
 * Tokens: `catalog`, `zoo`, `all`, a catalog id, `zoo:<arch>`, or a bare arch
 * found in the zoo. Order follows the tokens; duplicates are dropped.
 * `all` without a zoo means the catalog only (the caller warns).
 */
export function resolveModels(tokens: readonly string[], catalog: Catalog, zoo: ZooEntry[] | null, zooDir: string): ModelSpec[] {
  const fromCatalog = catalog.models.map((m): ModelSpec => ({
    model: catalogBenchModel(m), path: modelPath(m.file), file: m.file, input: m.input.name, classes: m.output.shape[1],
  }));
  // Zoo files come from the same export as catalog models: input "input", 100 CIFAR classes.
  const fromZoo = (zoo ?? []).map((z): ModelSpec => ({ model: zooBenchModel(z), path: join(zooDir, z.file), file: z.file, input: 'input', classes: 100 }));
  const out = new Map<string, ModelSpec>();
  for (const t of tokens) {
    const picked =
      t === 'all' ? [...fromCatalog, ...fromZoo]
      : t === 'catalog' ? fromCatalog
      : t === 'zoo' ? fromZoo
      : [fromCatalog.find((s) => s.model.key === t) ?? fromZoo.find((s) => s.model.key === t || s.model.key === `${ZOO_PREFIX}${t}`)];
    if (t === 'zoo' && !zoo) throw new Error(`--models zoo: ${join(zooDir, 'zoo.json')} not found (run \`npm run zoo\`)`);
    for (const s of picked) {
      if (!s) {
        const known = [...fromCatalog, ...fromZoo].map((x) => x.model.key).join(', ');
        throw new Error(`--models: unknown model "${t}"${zoo ? '' : ' (no zoo: run `npm run zoo`)'}; known: ${known}`);
      }
      out.set(s.model.key, s);
    }
  }
  if (!out.size) throw new Error('--models: nothing selected');
  return [...out.values()];
}
