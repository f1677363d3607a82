// Run an ONNX model with onnxruntime-node on raw float32 inputs, for ml/pitml/ort_node.py.
// Python has no onnxruntime here, and Node's build is the same engine family the
// extension ships (onnxruntime-web), so exports are checked with it.
// Usage: node ort_run.mjs MODEL.onnx IN.bin:8x3x32x32 [IN2.bin:1x3x32x32 ...]
// Each IN.bin holds little-endian float32 values; the output named "logits" is
// written to IN.bin.out. Prints one JSON line: {version, outputs: [{file, dims}]}.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ort from 'onnxruntime-node';

const [model, ...specs] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const version = require('onnxruntime-node/package.json').version;
// One thread: timings are not measured here, and the machine's cores are shared.
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const outputs = [];
for (const spec of specs) {
  const [file, dimText] = spec.split(':');
  const dims = dimText.split('x').map(Number);
  const buf = readFileSync(file);
  // Copy into an aligned buffer: Buffer slices may start at odd offsets.
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, dims) });
  const logits = result.logits ?? result[session.outputNames[0]];
  writeFileSync(`${file}.out`, Buffer.from(logits.data.buffer, logits.data.byteOffset, logits.data.byteLength));
  outputs.push({ file, dims: logits.dims });
}
console.log(JSON.stringify({ version, inputNames: session.inputNames, outputNames: session.outputNames, outputs }));
