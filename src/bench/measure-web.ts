/**
 * Browser side of the benchmark: times one model on one ORT Web backend in
 * this document, through the extension's own runtime module (ort-runtime.ts:
 * same ORT entry points, same session options as the offscreen document).
 *
 * ORT reads `numThreads` once per document, so each document serves one thread
 * setting, chosen by its URL (`bench.html?threads=1` or `?threads=all`); the
 * CLI opens one page per backend and the page UI one hidden frame per backend.
 */
import type { Tensor } from 'onnxruntime-web';
import { sha256Hex, verifySha256 } from '../core/sha256';
import { summarize } from '../core/stats';
import { base64ToFloats, floatsToBase64 } from '../core/float-codec';
import { compareLogits } from '../core/tfjs/compare';
import { probeWebGpu } from '../lib/webgpu';
import { createSessionFromBytes, type SessionTuning, type WarmSession } from '../lib/ort-runtime';
import { inspectOnnx } from '../core/onnx-inspect';
import type { TfjsSession } from '../lib/tfjs-runtime';
import { type LeverSettings, prepareIo } from '../core/bench/levers';
import { measureBatches, seededTensor } from '../core/bench/protocol';
import { failedRows, toRows } from '../core/bench/rows';
import { type BackendId, type BenchModel, type BenchRow, backendThreads, type CellPlan, type WebGpuInfo } from '../core/bench/types';

export type WebBackend = Extract<BackendId, 'wasm-1' | 'wasm-all' | 'tfjs-1' | 'tfjs-all' | 'webgpu'>;

export const isTfjs = (b: WebBackend): b is 'tfjs-1' | 'tfjs-all' => b === 'tfjs-1' || b === 'tfjs-all';

export interface WebJob {
  model: BenchModel;
  /** Where the model bytes are: an extension URL (catalog) or the CLI's 127.0.0.1 server (zoo). */
  url?: string;
  /** Bytes the user picked (copied into this document's realm before use). */
  bytes?: Uint8Array;
  backend: WebBackend;
  plan: CellPlan;
  /**
   * `npm run bench:levers` only: session options, input/output handling and
   * repeated session creation. Absent, the job runs exactly as `npm run bench`.
   */
  lever?: LeverSettings;
}

export interface WebJobResult {
  rows: BenchRow[];
  /** Set by the first session this document created: it also loaded and compiled ORT's WebAssembly. */
  runtimeInitMs?: number;
  ortWeb?: string;
  /** TensorFlow.js jobs: its version, and whether the SIMD build runs. */
  tfjs?: string;
  /** Every timed session creation, when the job asked for several (`lever.createRuns`); rows carry their median. */
  createMs?: number[];
}

/**
 * This document's thread setting, from its URL: `?threads=1`, `?threads=N`
 * (2–16, `npm run bench:levers` only), else all cores.
 */
export function threadSetting(search: string = location.search): number | 'all' {
  const n = Number(new URLSearchParams(search).get('threads'));
  return Number.isInteger(n) && n >= 1 && n <= 16 ? n : 'all';
}

export function documentThreads(search: string = location.search): number {
  const s = threadSetting(search);
  return s === 'all' ? navigator.hardwareConcurrency || 1 : s;
}

/** `?proxy=1` (levers only): ORT runs in its own proxy worker, so two such documents infer in parallel. */
export const documentProxy = (search: string = location.search) => new URLSearchParams(search).get('proxy') === '1';

export { backendThreads };

let runtimeLoaded = false;

async function modelBytes(job: WebJob): Promise<Uint8Array> {
  // `new Uint8Array` of this realm: ORT checks `instanceof Uint8Array`, which a
  // parent page's array fails.
  if (job.bytes) return new Uint8Array(job.bytes);
  if (!job.url) throw new Error(`${job.model.key}: no URL or bytes`);
  return fetchModel(job.url, job.model.sha256, job.model.key);
}

/** A model file from `url`, checked against `sha256` when one is known. */
async function fetchModel(url: string, sha256: string | null | undefined, key: string = url): Promise<Uint8Array> {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (sha256) await verifySha256(bytes, sha256, key);
  return bytes;
}

async function createSession(bytes: Uint8Array, job: WebJob, threads: number): Promise<WarmSession> {
  const level = job.lever?.graphOptimizationLevel;
  const l = job.lever;
  const tuning: SessionTuning = {
    ...(level ? { graphOptimizationLevel: level } : {}), ...(documentProxy() ? { proxy: true } : {}),
    ...(job.backend === 'webgpu' && l?.preferredLayout ? { preferredLayout: l.preferredLayout } : {}),
    ...(job.backend === 'webgpu' && l?.outputOnGpu ? { outputOnGpu: true } : {}),
  };
  if ((l?.preferredLayout || l?.outputOnGpu) && job.backend !== 'webgpu') throw new Error('preferredLayout and GPU outputs are WebGPU settings');
  if (job.lever?.staticBatch) {
    // The graph's free batch dimension, by its symbolic name, fixed to the one batch size measured.
    const dim = inspectOnnx(bytes).inputs[0]?.dims[0];
    if (typeof dim !== 'string' || dim === '?') throw new Error('the model has no named free batch dimension to fix');
    tuning.freeDimensionOverrides = { [dim]: job.lever.staticBatch };
  }
  return createSessionFromBytes(bytes, job.backend === 'webgpu' ? 'webgpu' : 'wasm', threads, tuning);
}

/** Every batch size of one model on one backend; failures become rows with `error`, never a throw. */
export async function measureJob(job: WebJob): Promise<WebJobResult> {
  const threads = documentThreads();
  const ctx = { model: job.model, backend: job.backend, threads };
  // A levers job may pin its own thread count (a document opened with ?threads=N).
  if (job.lever?.threads !== undefined ? job.lever.threads !== threads : backendThreads(job.backend) !== threadSetting()) {
    return { rows: failedRows(ctx, job.plan.batches, `this document runs ORT with ${threads} thread(s); open bench.html?threads=${backendThreads(job.backend)}`) };
  }
  if (isTfjs(job.backend)) return measureTfjs(job, threads);
  let ws: WarmSession | undefined;
  let runtimeInitMs: number | undefined;
  try {
    const bytes = await modelBytes(job);
    if (!runtimeLoaded) {
      // The first create in a document also instantiates ORT's WebAssembly:
      // report that on its own and time a second, runtime-warm creation.
      const first = await createSession(bytes, job, threads);
      runtimeInitMs = first.createMs;
      await first.session.release();
      runtimeLoaded = true;
    }
    const creates: number[] = [];
    for (let i = 0; i < Math.max(1, job.lever?.createRuns ?? 1); i++) {
      await ws?.session.release();
      ws = undefined;
      ws = await createSession(bytes, job, threads);
      creates.push(ws.createMs);
    }
    if (!ws) throw new Error('no session was created');
    const { session, ort } = ws;
    const input = session.inputNames[0];
    const output = session.outputNames[0];
    if (!input || !output) throw new Error('the model has no input or no output');
    const io = job.lever?.io;
    const cells = await measureBatches(async (batch) => {
      const dims = [batch, 3, 32, 32];
      if (job.lever?.outputOnGpu) {
        // The timed call leaves the output on the GPU and releases it; one untimed call checks that reading it back
        // gives what a CPU-output session of the same model gives (equal outputs, or no figure).
        const feeds = () => ({ [input]: new ort.Tensor('float32', seededTensor(batch, job.plan.seed), dims) });
        const check = (await session.run(feeds()))[output]!;
        if (check.location !== 'gpu-buffer') throw new Error(`the output stayed on "${check.location}", not in a GPU buffer`);
        const got = (await check.getData(true)) as Float32Array;
        const ref = await createSessionFromBytes(bytes, 'webgpu', threads, {});
        try {
          const want = (await ref.session.run(feeds()))[output]!.data as Float32Array;
          const cmp = compareLogits(got, want, want.length / batch);
          if (!(cmp.maxRelDiff <= 1e-4)) throw new Error(`GPU-buffer output differs from a CPU-output run (${cmp.maxRelDiff.toExponential(2)})`);
        } finally {
          await ref.session.release();
        }
        // run() resolves once the work is submitted; the timed call waits until the GPU has done it (no read-back).
        const device = (await ort.env.webgpu.device) as unknown as { queue: { onSubmittedWorkDone(): Promise<void> } };
        return async () => {
          const f = feeds();
          const t0 = performance.now();
          const out = (await session.run(f))[output];
          await device.queue.onSubmittedWorkDone();
          const ms = performance.now() - t0;
          out?.dispose();
          return { ms };
        };
      }
      if (io) {
        const ports = {
          tensor: (d: Float32Array, s: number[]) => new ort.Tensor('float32', d, s),
          run: (f: Record<string, Tensor>, o?: Record<string, Tensor>) => (o ? session.run(f, o) : session.run(f)),
          data: (t: Tensor) => t.data as Float32Array,
          dims: (t: Tensor) => t.dims,
        };
        return prepareIo(ports, input, output, io, seededTensor(batch, job.plan.seed), dims);
      }
      const feeds = { [input]: new ort.Tensor('float32', seededTensor(batch, job.plan.seed), dims) };
      return async () => {
        const t0 = performance.now();
        await session.run(feeds);
        return { ms: performance.now() - t0 };
      };
    }, job.plan, job.model.madds);
    const createMs = summarize(creates)?.median ?? ws.createMs;
    const rows = toRows({ ...ctx, threads: ws.threads, sessionCreateMs: createMs, ...(ws.adapter ? { adapter: ws.adapter } : {}) }, cells);
    return {
      rows, ...(runtimeInitMs !== undefined ? { runtimeInitMs } : {}), ortWeb: ws.ort.env.versions.web ?? ws.ort.env.versions.common,
      ...(creates.length > 1 ? { createMs: creates } : {}),
    };
  } catch (e) {
    return { rows: failedRows(ctx, job.plan.batches, e instanceof Error ? e.message : String(e)), ...(runtimeInitMs !== undefined ? { runtimeInitMs } : {}) };
  } finally {
    await ws?.session.release().catch(() => undefined);
  }
}

/**
 * One model on TensorFlow.js (WebAssembly backend) through the translator,
 * timed with the same protocol as ORT Web; then ORT Web, in this document,
 * runs the largest batch's seeded input once, and every row records how far
 * the two runtimes' logits are apart.
 */
async function measureTfjs(job: WebJob, threads: number): Promise<WebJobResult> {
  const ctx = { model: job.model, backend: job.backend, threads };
  const { createTfjsSession, loadTfjs } = await import('../lib/tfjs-runtime');
  let session: TfjsSession | undefined;
  let runtimeInitMs: number | undefined;
  try {
    const bytes = await modelBytes(job);
    if (!tfjsLoaded) {
      runtimeInitMs = (await loadTfjs(threads)).initMs;
      tfjsLoaded = true;
    }
    const creates: number[] = [];
    for (let i = 0; i < Math.max(1, job.lever?.createRuns ?? 1); i++) {
      session?.model.dispose();
      session = undefined;
      session = await createTfjsSession(bytes, threads, [1, 3, 32, 32]);
      creates.push(session.createMs);
    }
    if (!session) throw new Error('no session was created');
    const { model, rt } = session;
    const cells = await measureBatches((batch) => {
      const dims = [batch, 3, 32, 32];
      const data = seededTensor(batch, job.plan.seed);
      return async () => {
        const t0 = performance.now();
        await model.run(data, dims);
        return { ms: performance.now() - t0 };
      };
    }, job.plan, job.model.madds);
    const batch = Math.max(...job.plan.batches);
    const data = seededTensor(batch, job.plan.seed);
    const dims = [batch, 3, 32, 32];
    const mine = await model.run(data, dims);
    const ort = await createSessionFromBytes(bytes, 'wasm', threads, {});
    let parity: BenchRow['parity'];
    try {
      const feeds = { [ort.session.inputNames[0]!]: new ort.ort.Tensor('float32', data, dims) };
      const ref = (await ort.session.run(feeds))[ort.session.outputNames[0]!]!.data as Float32Array;
      parity = { batch, ...compareLogits(mine, ref, ref.length / batch) };
    } finally {
      await ort.session.release();
    }
    const createMs = summarize(creates)?.median ?? session.createMs;
    const rows = toRows({ ...ctx, threads: rt.threads, sessionCreateMs: createMs }, cells).map((r) => ({ ...r, parity }));
    return {
      rows, ...(runtimeInitMs !== undefined ? { runtimeInitMs } : {}), tfjs: `${rt.version}${rt.simd ? ' (SIMD)' : ''}`,
      ...(creates.length > 1 ? { createMs: creates } : {}),
    };
  } catch (e) {
    return { rows: failedRows(ctx, job.plan.batches, e instanceof Error ? e.message : String(e)), ...(runtimeInitMs !== undefined ? { runtimeInitMs } : {}) };
  } finally {
    session?.model.dispose();
  }
}

let tfjsLoaded = false;

let throughputSession: { url: string; ws: WarmSession } | undefined;

/**
 * `npm run bench:levers`, page-tagging throughput: `count` batches of `batch`
 * images, one after another, on one warm WASM session of this document (made
 * on first use and kept). The CLI times two proxy documents doing this at
 * once against one document with all threads doing twice as many.
 */
export async function throughputJob(job: { url: string; sha256: string | null; batch: number; count: number; seed: number }): Promise<{ ms: number; threads: number }> {
  if (throughputSession?.url !== job.url) {
    await throughputSession?.ws.session.release();
    const bytes = await fetchModel(job.url, job.sha256);
    throughputSession = { url: job.url, ws: await createSessionFromBytes(bytes, 'wasm', documentThreads(), documentProxy() ? { proxy: true } : {}) };
  }
  const { session, ort, threads } = throughputSession.ws;
  const input = seededTensor(job.batch, job.seed);
  const dims = [job.batch, 3, 32, 32];
  const t0 = performance.now();
  // A fresh tensor per batch, as page tagging makes one (and ORT's proxy transfers, so detaches, what it is given).
  for (let i = 0; i < job.count; i++) await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', new Float32Array(input), dims) });
  return { ms: performance.now() - t0, threads };
}

export interface ParityJob {
  /** The model's extension URL (sha256-checked when given). */
  url: string;
  sha256?: string | null;
  /** NCHW float32 batch, base64 (core/float-codec). */
  data: string;
  dims: number[];
}

let parityModels: { url: string; ort: WarmSession; tfjs: TfjsSession } | undefined;

/**
 * `npm run parity`: one batch through both ORT Web (WASM) and TensorFlow.js
 * (through the translator) in this document, logits of both returned, so the
 * CLI can compare them image by image on the whole test set. Both sessions stay
 * warm for the next batch of the same model.
 */
export async function parityBatch(job: ParityJob): Promise<{ ort: string; tfjs: string }> {
  const threads = documentThreads();
  if (parityModels?.url !== job.url) {
    await parityModels?.ort.session.release();
    parityModels?.tfjs.model.dispose();
    parityModels = undefined;
    const bytes = await fetchModel(job.url, job.sha256);
    const { createTfjsSession } = await import('../lib/tfjs-runtime');
    const tfjs = await createTfjsSession(bytes, threads, job.dims);
    try {
      parityModels = { url: job.url, ort: await createSessionFromBytes(bytes, 'wasm', threads, {}), tfjs };
    } catch (e) {
      tfjs.model.dispose();
      throw e;
    }
  }
  const { ort, tfjs } = parityModels;
  const data = base64ToFloats(job.data);
  const out = await ort.session.run({ [ort.session.inputNames[0]!]: new ort.ort.Tensor('float32', data, job.dims) });
  const ref = out[ort.session.outputNames[0]!]!.data as Float32Array;
  return { ort: floatsToBase64(ref), tfjs: floatsToBase64(await tfjs.model.run(data, job.dims)) };
}

export async function webGpuInfo(): Promise<WebGpuInfo> {
  const p = await probeWebGpu();
  if (!p.ok) return { available: false, reason: p.reason };
  return { available: true, software: p.software, ...(p.vendor ? { vendor: p.vendor } : {}), ...(p.architecture ? { architecture: p.architecture } : {}) };
}

export interface PageInfo {
  userAgent: string;
  /** e.g. "Chromium 156.0.7500.12" (full version from User-Agent Client Hints where available). */
  browser: string | null;
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
  threads: number;
  webgpu: WebGpuInfo;
}

export async function pageInfo(): Promise<PageInfo> {
  const uaData = (navigator as unknown as { userAgentData?: { getHighEntropyValues(h: string[]): Promise<{ fullVersionList?: { brand: string; version: string }[] }> } }).userAgentData;
  const list = (await uaData?.getHighEntropyValues(['fullVersionList']).catch(() => undefined))?.fullVersionList ?? [];
  const brand = list.find((b) => b.brand === 'Chromium') ?? list.find((b) => b.brand === 'Google Chrome') ?? list.find((b) => !/not.a.brand/i.test(b.brand));
  return {
    userAgent: navigator.userAgent, browser: brand ? `${brand.brand} ${brand.version}` : null,
    hardwareConcurrency: navigator.hardwareConcurrency || 1, crossOriginIsolated: globalThis.crossOriginIsolated === true,
    threads: documentThreads(), webgpu: await webGpuInfo(),
  };
}

/** Model description of a file the user picked (no catalog entry: MAdds unknown, so no GFLOP/s). */
export async function pickedModel(file: File): Promise<{ model: BenchModel; bytes: Uint8Array }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  return {
    model: { key: `file:${file.name}`, source: 'file', arch: null, params: null, madds: null, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) },
    bytes,
  };
}
