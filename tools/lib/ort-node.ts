/** onnxruntime-node sessions for tools and tests (the "native" side of every comparison). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type * as Ort from 'onnxruntime-node';

const require = createRequire(import.meta.url);
export const ort: typeof Ort = require('onnxruntime-node');
const version = (pkg: string): string =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../../node_modules', pkg, 'package.json'), 'utf8')).version;
export const ORT_NODE_VERSION = version('onnxruntime-node');
// onnxruntime-web does not export its package.json, hence the direct read.
export const ORT_WEB_VERSION = version('onnxruntime-web');

export async function nodeSession(path: string, threads = 1): Promise<Ort.InferenceSession> {
  // Errors only: an older exporter's initializers-as-inputs make ORT warn once per weight.
  return ort.InferenceSession.create(path, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3 });
}

export async function runNode(session: Ort.InferenceSession, input: string, output: string, data: Float32Array, dims: number[]): Promise<Float32Array> {
  const out = await session.run({ [input]: new ort.Tensor('float32', data, dims) });
  const t = out[output];
  if (!t) throw new Error(`no output ${output}`);
  return t.data as Float32Array;
}
