/**
 * `npm run parity`: does TensorFlow.js (through the project's ONNX translator)
 * give the same answers as ORT Web for a catalog model? Both run in the built
 * extension's bench page (one document, WASM, 1 thread) on the official
 * CIFAR-100 test set; compared image by image: the largest |logit difference|
 * over the largest |logit| of the batch, and whether top-1 agrees. Exits 1 if
 * the largest relative difference exceeds 1e-4 or any top-1 differs.
 *
 *   npm run parity -- [modelId] [--limit N] [--batch N]
 */
import { parseArgs } from 'node:util';
import { findModel, labelsOf } from '../src/core/catalog';
import { base64ToFloats, floatsToBase64 } from '../src/core/float-codec';
import type { ParityJob } from '../src/bench/measure-web';
import { compareLogits } from '../src/core/tfjs/compare';
import { batchTensor, hasCifar, readCifar, scoreBatch } from './lib/cifar';
import { readCatalog } from './lib/catalog-file';
import { launchExtension } from './lib/extension';

const { values: o, positionals } = parseArgs({ allowPositionals: true, options: { limit: { type: 'string' }, batch: { type: 'string', default: '250' } } });
if (!hasCifar('test')) {
  console.error('parity: no CIFAR-100 test set (../shared/data/cifar-100 or CIFAR100_DIR; `npm run data` fetches it)');
  process.exit(2);
}
const catalog = readCatalog();
const model = findModel(catalog, positionals[0] ?? catalog.default);
const classes = labelsOf(catalog, model).fine.length;
const set = readCifar('test', o.limit ? Number(o.limit) : undefined);
const batch = Number(o.batch);

type ParityGlobal = { pitBench: { parityBatch(j: ParityJob): Promise<{ ort: string; tfjs: string }> } };
const ext = await launchExtension({ headless: true });
let worst = 0;
let agree = 0;
let ortTop1 = 0;
let tfjsTop1 = 0;
const t0 = performance.now();
try {
  const page = await ext.page('src/bench/bench.html?frame=1&threads=1');
  await page.waitForFunction(() => 'pitBench' in globalThis, undefined, { timeout: 30_000 });
  const url = `chrome-extension://${ext.extensionId}/models/${model.file}`;
  for (let s = 0; s < set.count; s += batch) {
    const n = Math.min(batch, set.count - s);
    const job = { url, sha256: model.sha256 ?? null, data: floatsToBase64(batchTensor(set, s, n, model.mean, model.std)), dims: [n, 3, 32, 32] };
    const res = await page.evaluate((j) => (globalThis as unknown as ParityGlobal).pitBench.parityBatch(j), job);
    const ort = base64ToFloats(res.ort);
    const tfjs = base64ToFloats(res.tfjs);
    // Per image, so one image's large logits do not hide another's difference.
    for (let i = 0; i < n; i++) {
      const c = compareLogits(tfjs.subarray(i * classes, (i + 1) * classes), ort.subarray(i * classes, (i + 1) * classes), classes);
      worst = Math.max(worst, c.maxRelDiff);
      agree += c.top1Agree;
    }
    ortTop1 += scoreBatch(ort, classes, set.fine, s).top1;
    tfjsTop1 += scoreBatch(tfjs, classes, set.fine, s).top1;
    process.stdout.write(`  ${s + n}/${set.count}\r`);
  }
} finally {
  await ext.close();
}
const pct = (k: number) => ((100 * k) / set.count).toFixed(2);
console.log(`${model.id}: ${set.count} CIFAR-100 test images, batch ${batch}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log(`top-1 accuracy: ORT Web ${pct(ortTop1)} %, TensorFlow.js ${pct(tfjsTop1)} %`);
console.log(`same top-1 class on ${agree}/${set.count} images; largest |logit difference| ${worst.toExponential(2)} of the image's largest |logit| (limit 1e-4)`);
const ok = worst <= 1e-4 && agree === set.count;
console.log(ok ? 'parity: OK' : 'parity: FAILED');
process.exit(ok ? 0 : 1);
