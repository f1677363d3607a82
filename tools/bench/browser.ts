/**
 * The browser side: the built extension in Chromium (headless unless
 * --headed). Each browser backend gets a fresh bench page
 * (`src/bench/bench.html?frame=1&threads=1|all`), because ORT fixes its WASM
 * thread count per document; jobs go to the page's `pitBench.measureJob`. Zoo
 * models reach the page from a 127.0.0.1 server (extension pages may fetch
 * http://*, and the headers keep them loadable under COEP). The product's cold
 * start is measured in the offscreen document through the worker's `pit` global.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { LeverSettings } from '../../src/core/bench/levers';
import type { PageInfo, WebBackend, WebJob, WebJobResult } from '../../src/bench/measure-web';
import { backendThreads } from '../../src/core/bench/types';
import type { CellPlan, ColdStart } from '../../src/core/bench/types';
import { summarize } from '../../src/core/stats';
import { floatsToBase64 } from '../../src/core/float-codec';
import { seededTensor } from '../../src/core/bench/protocol';
import { launchExtension, type ExtensionHandle } from '../lib/extension';
import { startServer, type TestServer } from '../lib/http-server';
import type { ModelSpec } from './models';

/** Chromium's software WebGPU adapter (as in tests/e2e/webgpu.e2e.test.ts). */
const SWIFTSHADER_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader'];

export interface BackendPage {
  /** `lever`: the settings of a `npm run bench:levers` configuration (absent: as `npm run bench`). */
  measure(spec: ModelSpec, plan: CellPlan, lever?: LeverSettings): Promise<WebJobResult>;
  /** Levers: `count` batches of `batch` on this document's warm session, timed in the page. */
  throughput(spec: ModelSpec, batch: number, count: number, seed: number): Promise<{ ms: number; threads: number }>;
  close(): Promise<void>;
}

export interface BrowserBench {
  info(): Promise<PageInfo>;
  /** `doc` (levers only): a document with its own thread count, and/or ORT in a proxy worker. */
  open(backend: WebBackend, doc?: { threads?: number; proxy?: boolean }): Promise<BackendPage>;
  coldStart(modelId: string, runs: number): Promise<ColdStart>;
  close(): Promise<void>;
}

type PitGlobal = { pit: { sendOffscreen(n: string, p: unknown, t?: number): Promise<{ sessionCreateMs?: number }>; closeOffscreen(wait: boolean): Promise<void> } };
type ThroughputJob = { url: string; sha256: string | null; batch: number; count: number; seed: number };
type BenchGlobal = { pitBench: { measureJob(j: WebJob): Promise<WebJobResult>; pageInfo(): Promise<PageInfo>; throughputJob(j: ThroughputJob): Promise<{ ms: number; threads: number }> } };

export async function startBrowserBench(opts: { headed: boolean; webgpuSwiftshader: boolean }): Promise<BrowserBench> {
  const ext: ExtensionHandle = await launchExtension({ headless: !opts.headed, args: opts.webgpuSwiftshader ? SWIFTSHADER_ARGS : [] });
  let zoo: TestServer | undefined;
  try {
    zoo = await startServer();
  } catch (e) {
    await ext.close();
    throw e;
  }
  const zooServer = zoo;
  const openPage = async (threads: number | 'all', proxy = false): Promise<Page> => {
    const page = await ext.page(`src/bench/bench.html?frame=1&threads=${threads}${proxy ? '&proxy=1' : ''}`);
    await page.waitForFunction(() => 'pitBench' in globalThis, undefined, { timeout: 30_000 });
    return page;
  };

  /** Catalog files come from the extension itself (dist/models); zoo files from the CLI's server, one at a time. */
  function source(spec: ModelSpec): string {
    if (spec.model.source === 'catalog' && !spec.serve) return `chrome-extension://${ext.extensionId}/models/${spec.file}`;
    const route = `/zoo/${encodeURIComponent(spec.file)}`;
    zooServer.routes.clear();
    zooServer.routes.set(route, {
      type: 'application/octet-stream', body: readFileSync(spec.path),
      headers: { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' },
    });
    return `${zooServer.origin}${route}`;
  }

  return {
    async info() {
      const page = await openPage('all');
      try {
        return await page.evaluate(() => (globalThis as unknown as BenchGlobal).pitBench.pageInfo());
      } finally {
        await page.close();
      }
    },
    async open(backend, doc = {}) {
      const page = await openPage(doc.threads ?? backendThreads(backend), doc.proxy === true);
      return {
        async throughput(spec, batch, count, seed) {
          const job: ThroughputJob = { url: source(spec), sha256: spec.model.sha256, batch, count, seed };
          return page.evaluate((j) => (globalThis as unknown as BenchGlobal).pitBench.throughputJob(j), job);
        },
        async measure(spec, plan, lever) {
          const job: WebJob = { model: spec.model, url: source(spec), backend, plan, ...(lever ? { lever } : {}) };
          try {
            return await page.evaluate((j) => (globalThis as unknown as BenchGlobal).pitBench.measureJob(j), job);
          } finally {
            zooServer.routes.clear();
          }
        },
        close: () => page.close(),
      };
    },
    async coldStart(modelId, runs) {
      const req = { modelId, backend: 'wasm', threads: 0, dims: [1, 3, 32, 32], data: floatsToBase64(seededTensor(1, 1)) };
      const create: number[] = [];
      const whole: number[] = [];
      // The extension warms its default model up at install, i.e. just as this browser started: let that
      // finish first, or it can race a cold run into the same fresh document and make it warm.
      await (await ext.worker()).evaluate(async (m) => {
        await (globalThis as unknown as PitGlobal).pit.sendOffscreen('offscreen:warm-up', { modelId: m, backend: 'wasm', threads: 0 }, 300_000);
      }, modelId);
      for (let i = 0, warm = 0; i < runs; ) {
        const sw = await ext.worker();
        const r = await sw.evaluate(async (q) => {
          const { pit } = globalThis as unknown as PitGlobal;
          await pit.closeOffscreen(true); // the next request creates a fresh document, runtime and session
          const t0 = performance.now();
          const res = await pit.sendOffscreen('offscreen:infer-tensor', q, 300_000);
          return { sessionCreateMs: res.sessionCreateMs, ms: performance.now() - t0 };
        }, req);
        if (r.sessionCreateMs === undefined) {
          // Once may be a stray warm-up; every time means closing the document does not give a cold start.
          if (++warm > 2) throw new Error(`cold start: the offscreen document reused a warm session ${warm} times`);
          console.warn(`cold start: run ${i + 1} found its session already made (not counted); measuring it again`);
          continue;
        }
        create.push(r.sessionCreateMs);
        whole.push(r.ms);
        i++;
      }
      const c = summarize(create);
      const w = summarize(whole);
      if (!c || !w) throw new Error('cold start: nothing measured');
      return { model: modelId, runs, sessionCreateMs: { median: c.median, min: c.min, max: c.max, values: create }, firstRequestMs: { median: w.median, values: whole } };
    },
    async close() {
      await zooServer.close();
      await ext.close();
    },
  };
}
