/** `npm run export:triton -- <dir> [--catalog models/catalog.json]`: a Triton model repository for the catalog (see tools/lib/triton-repo.ts). */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CATALOG_PATH, readCatalog } from './lib/catalog-file';
import { writeTritonRepo } from './lib/triton-repo';

const { values, positionals } = parseArgs({ options: { catalog: { type: 'string' } }, allowPositionals: true });
const [out] = positionals;
if (out === undefined || positionals.length > 1) {
  console.error('Usage: npm run export:triton -- <output dir> [--catalog path/to/catalog.json]');
  process.exit(2);
}
const catalogPath = resolve(values.catalog ?? CATALOG_PATH);
const dirs = await writeTritonRepo(readCatalog(catalogPath), dirname(catalogPath), resolve(out));
for (const d of dirs) console.log(`wrote ${d}/config.pbtxt, labels.txt, 1/model.onnx`);
console.log(`Serve with: tritonserver --model-repository=${resolve(out)}`);
