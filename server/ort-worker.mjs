/**
 * One onnxruntime-node session on its own thread. onnxruntime-node's run() is
 * synchronous on the calling thread (its dist/backend.js only defers it with
 * setImmediate), so on the main thread a 30 ms batch would stall every socket:
 * no 503s, no disconnect handling, arrivals not even timestamped.
 * Plain JavaScript because worker threads load files with Node's own loader
 * (under vitest too), and Node 20 cannot strip TypeScript types.
 *
 * workerData: { bytes: Uint8Array (already sha256-verified), threads, inputName, outputName }
 * in:  { id, input: Float32Array, dims: number[] }
 * out: { ready: true } once, then { id, output: Float32Array } or { id, error: string }
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const ort = createRequire(import.meta.url)('onnxruntime-node');
const { bytes, threads, inputName, outputName } = workerData;
// Created from the verified bytes, not the path: the file cannot change between check and load.
const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });

parentPort.on('message', async ({ id, input, dims }) => {
  try {
    const out = await session.run({ [inputName]: new ort.Tensor('float32', input, dims) });
    const t = out[outputName];
    if (t === undefined || t.type !== 'float32') throw new Error(`no float32 output "${outputName}"`);
    // Transfer, never share: copy only when the tensor is a view into a larger buffer.
    const data = t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength ? t.data : t.data.slice();
    parentPort.postMessage({ id, output: data }, [data.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
});
parentPort.postMessage({ ready: true });
