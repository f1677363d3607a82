/**
 * Runs benchmark jobs in a hidden same-origin frame of the bench page: ORT
 * fixes its WASM thread count once per document, so the page measures each
 * thread setting in a fresh document (`bench.html?frame=1&threads=…`) and
 * drops it afterwards, releasing the runtime and its worker threads.
 */
import { t } from '../lib/i18n';
import type { PageInfo, WebJob, WebJobResult } from './measure-web';

export interface BenchApi {
  measureJob(job: WebJob): Promise<WebJobResult>;
  pageInfo(): Promise<PageInfo>;
}

export interface BenchFrame {
  api: BenchApi;
  close(): void;
}

export async function openFrame(threads: 1 | 'all', timeoutMs = 30_000): Promise<BenchFrame> {
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.src = `bench.html?frame=1&threads=${threads}`;
  const loaded = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(t('benchFrameTimeout', timeoutMs / 1000))), timeoutMs);
    frame.addEventListener('load', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
  document.body.append(frame);
  try {
    await loaded;
  } catch (e) {
    frame.remove();
    throw e;
  }
  // Module scripts run before the load event, so the API exists by now.
  const api = (frame.contentWindow as unknown as { pitBench?: BenchApi } | null)?.pitBench;
  if (!api) {
    frame.remove();
    throw new Error(t('benchFrameNoApi'));
  }
  return { api, close: () => frame.remove() };
}
