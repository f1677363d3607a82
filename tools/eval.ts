/**
 * Accuracy of a catalog model on the official CIFAR-100 test set, measured
 * twice: in onnxruntime-node and in ONNX Runtime Web inside the built extension
 * (headless Chromium). Writes the catalog's `accuracy` block (only after a full
 * 10,000-image run on both, and only if they agree within 0.05 %).
 *
 *   npm run eval -- [modelId] [--limit N] [--batch N] [--no-web] [--no-write]
 */
import { parseArgs } from 'node:util';
import { findModel, labelsOf } from '../src/core/catalog';
import { batchTensor, readCifar, scoreBatch } from './lib/cifar';
import { modelPath, readCatalog, writeAccuracy } from './lib/catalog-file';
import { nodeSession, ORT_NODE_VERSION, ORT_WEB_VERSION, runNode } from './lib/ort-node';
import { startWebRunner } from './lib/web-runner';

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    limit: { type: 'string' }, batch: { type: 'string', default: '250' },
    'no-web': { type: 'boolean', default: false }, 'no-write': { type: 'boolean', default: false },
  },
});
const catalog = readCatalog();
const model = findModel(catalog, positionals[0] ?? catalog.default);
const classes = labelsOf(catalog, model).fine.length;
const set = readCifar('test', o.limit ? Number(o.limit) : undefined);
// A graph exported with a fixed batch of 1 (which `npm run import` accepts) takes one image per run.
const batch = model.input.shape[0] === 1 ? 1 : Number(o.batch);
const pct = (k: number) => (100 * k) / set.count;

console.log(`${model.id}: ${set.count} CIFAR-100 test images, batch ${batch}${batch === 1 && Number(o.batch) !== 1 ? ' (the model takes one image per run)' : ''}`);
const session = await nodeSession(modelPath(model.file), 2);
const node = { top1: 0, top5: 0, argmax: [] as number[] };
const t0 = performance.now();
for (let s = 0; s < set.count; s += batch) {
  const n = Math.min(batch, set.count - s);
  const logits = await runNode(session, model.input.name, model.output.name, batchTensor(set, s, n, model.mean, model.std), [n, 3, 32, 32]);
  const r = scoreBatch(logits, classes, set.fine, s);
  node.top1 += r.top1; node.top5 += r.top5; node.argmax.push(...r.argmax);
}
console.log(`onnxruntime-node ${ORT_NODE_VERSION}: top-1 ${pct(node.top1).toFixed(2)} %, top-5 ${pct(node.top5).toFixed(2)} % (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

let web: { top1: number; top5: number; agree: number; maxDiff: number } | undefined;
if (!o['no-web']) {
  const runner = await startWebRunner();
  try {
    web = { top1: 0, top5: 0, agree: 0, maxDiff: 0 };
    const t1 = performance.now();
    for (let s = 0; s < set.count; s += batch) {
      const n = Math.min(batch, set.count - s);
      const res = await runner.run(model.id, batchTensor(set, s, n, model.mean, model.std), [n, 3, 32, 32]);
      const r = scoreBatch(res.values, classes, set.fine, s);
      web.top1 += r.top1; web.top5 += r.top5;
      web.agree += r.argmax.filter((a, j) => a === node.argmax[s + j]).length;
      if (s % (batch * 8) === 0) process.stdout.write(`  web ${s + n}/${set.count}\r`);
    }
    console.log(`onnxruntime-web ${ORT_WEB_VERSION} (wasm, extension offscreen document): top-1 ${pct(web.top1).toFixed(2)} %, top-5 ${pct(web.top5).toFixed(2)} % (${((performance.now() - t1) / 1000).toFixed(1)} s)`);
    console.log(`agreement: same top-1 class on ${web.agree}/${set.count} images; |Δtop-1| ${Math.abs(pct(web.top1) - pct(node.top1)).toFixed(3)} points, |Δtop-5| ${Math.abs(pct(web.top5) - pct(node.top5)).toFixed(3)} points`);
  } finally {
    await runner.close();
  }
}

const agrees = web !== undefined && Math.abs(pct(web.top1) - pct(node.top1)) <= 0.05 && Math.abs(pct(web.top5) - pct(node.top5)) <= 0.05;
if (web && !agrees) {
  console.error('node and web disagree by more than 0.05 points: not writing the catalog');
  process.exitCode = 1;
} else if (!o['no-write'] && web && set.count === 10_000) {
  writeAccuracy(model.id, {
    top1: Number(pct(node.top1).toFixed(2)), top5: Number(pct(node.top5).toFixed(2)), images: set.count,
    dataset: 'CIFAR-100 test', runtime: `onnxruntime-node ${ORT_NODE_VERSION}`, measuredAt: new Date().toISOString(),
    web: { top1: Number(pct(web.top1).toFixed(2)), top5: Number(pct(web.top5).toFixed(2)), runtime: `onnxruntime-web ${ORT_WEB_VERSION} wasm` },
  });
  console.log(`wrote accuracy of ${model.id} to models/catalog.json`);
} else {
  console.log('catalog not written (needs the full 10,000 images measured in both runtimes)');
}
