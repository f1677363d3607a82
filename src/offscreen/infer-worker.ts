/**
 * One single-threaded ORT Web session in a dedicated worker: a lane of page
 * tagging (worker-lanes.ts). `npm run bench:levers` measured two such lanes
 * running batches side by side at 1.22x the throughput of one two-thread
 * session on two cores (WASM's intra-op threads scale poorly; two sessions do
 * not share work). ORT is imported dynamically, as in ort-runtime.ts.
 *
 * Messages: { kind: 'load', bytes } → { kind: 'loaded', createMs } | { kind: 'error' };
 * { kind: 'run', id, input, output, data, dims } → { kind: 'result', id, data, dims } | { kind: 'error', id }.
 */
type Ort = typeof import('onnxruntime-web');
type In =
  | { kind: 'load'; bytes: ArrayBuffer }
  | { kind: 'run'; id: number; input: string; output: string; data: Float32Array; dims: number[] };

let session: import('onnxruntime-web').InferenceSession | undefined;
let ort: Ort | undefined;

const reply = (m: unknown, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

self.onmessage = async (e: MessageEvent<In>) => {
  const m = e.data;
  try {
    if (m.kind === 'load') {
      ort ??= (await import('onnxruntime-web/wasm')) as unknown as Ort;
      ort.env.wasm.numThreads = 1;
      ort.env.wasm.proxy = false;
      ort.env.logLevel = 'error';
      const t0 = performance.now();
      session = await ort.InferenceSession.create(new Uint8Array(m.bytes), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      reply({ kind: 'loaded', createMs: performance.now() - t0 });
      return;
    }
    if (!session || !ort) throw new Error('no model loaded in this worker');
    const out = (await session.run({ [m.input]: new ort.Tensor('float32', m.data, m.dims) }))[m.output];
    if (!out) throw new Error(`the model has no output named ${m.output}`);
    if (out.type !== 'float32') throw new Error(`output ${m.output} is ${out.type}, not float32`);
    const data = Float32Array.from(out.data as Float32Array);
    reply({ kind: 'result', id: m.id, data, dims: [...out.dims] }, [data.buffer]);
  } catch (err) {
    reply({ kind: 'error', ...(m.kind === 'run' ? { id: m.id } : {}), message: err instanceof Error ? err.message : String(err) });
  }
};
