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
import { compareLogits } from '../core/tfjs/compare';
import { probeWebGpu } from '../lib/webgpu';
import { createSessionFromBytes, type WarmSession } from '../lib/ort-runtime';
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

/** This document's thread setting, from its URL: `?threads=1`, else all cores. */
export function threadSetting(search: string = location.search): 1 | 'all' {
  return new URLSearchParams(search).get('threads') === '1' ? 1 : 'all';
}

export function documentThreads(search: string = location.search): number {
  return threadSetting(search) === 1 ? 1 : navigator.hardwareConcurrency || 1;
}

export { backendThreads };

let runtimeLoaded = false;

async function modelBytes(job: WebJob): Promise<Uint8Array> {
  // `new Uint8Array` of this realm: ORT checks `instanceof Uint8Array`, which a
  // parent page's array fails.
  if (job.bytes) return new Uint8Array(job.bytes);
  if (!job.url) throw new Error(`${job.model.key}: no URL or bytes`);
  const res = await fetch(job.url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${job.url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (job.model.sha256) await verifySha256(bytes, job.model.sha256, job.model.key);
  return bytes;
}

async function createSession(bytes: Uint8Array, job: WebJob, threads: number): Promise<WarmSession> {
  const level = job.lever?.graphOptimizationLevel;
  return createSessionFromBytes(bytes, job.backend === 'webgpu' ? 'webgpu' : 'wasm', threads, level ? { graphOptimizationLevel: level } : {});
}

/** Every batch size of one model on one backend; failures become rows with `error`, never a throw. */
export async function measureJob(job: WebJob): Promise<WebJobResult> {
  const threads = documentThreads();
  const ctx = { model: job.model, backend: job.backend, threads };
  if (backendThreads(job.backend) !== threadSetting()) {
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
    const cells = await measureBatches((batch) => {
      const dims = [batch, 3, 32, 32];
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
  let session: Awaited<ReturnType<typeof createTfjsSession>> | undefined;
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
