// Activation ranges for static quantization (ml/pitml/quantize.py): run a model
// whose graph outputs were extended with the tensors to calibrate, batch by
// batch, and keep each output's running min and max. Reducing here, not in
// Python, keeps the traffic to a few numbers per tensor instead of every
// intermediate activation of every calibration image.
// Usage: node ort_ranges.mjs MODEL.onnx IN.bin:1000x3x32x32 BATCH
// Prints one JSON line: {version, images, ranges: {tensorName: [min, max]}}.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ort from 'onnxruntime-node';

const [model, spec, batchText] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const version = require('onnxruntime-node/package.json').version;
// Graph optimizations off: a fused graph (Conv+Relu) would no longer compute
// some of the tensors we ask for; one thread, as in ort_run.mjs.
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
const [file, dimText] = spec.split(':');
const dims = dimText.split('x').map(Number);
const buf = readFileSync(file);
const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
const per = dims.slice(1).reduce((a, b) => a * b, 1);
const batch = Math.max(1, Number(batchText) || 64);
const ranges = {};
for (let s = 0; s < dims[0]; s += batch) {
  const n = Math.min(batch, dims[0] - s);
  const x = new ort.Tensor('float32', all.subarray(s * per, (s + n) * per), [n, ...dims.slice(1)]);
  const out = await session.run({ [session.inputNames[0]]: x });
  for (const [name, t] of Object.entries(out)) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of t.data) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const r = ranges[name];
    ranges[name] = r ? [Math.min(r[0], lo), Math.max(r[1], hi)] : [lo, hi];
  }
}
console.log(JSON.stringify({ version, images: dims[0], ranges }));
