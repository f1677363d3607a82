/**
 * Launch Debian's Chromium headless with the built extension (dist/) loaded,
 * and reach its service worker. See ../shared/docs/PLATFORM.md for the flags.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';

export const DIST = resolve(import.meta.dirname, '../../dist');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface ExtensionHandle {
  context: BrowserContext;
  extensionId: string;
  worker(): Promise<Worker>;
  page(path: string): Promise<Page>;
  close(): Promise<void>;
}

/**
 * `executablePath` defaults to CHROMIUM (CHROMIUM_PATH or /usr/bin/chromium). `handleSignals: false` leaves
 * Ctrl-C and SIGTERM to the caller (Playwright would otherwise close the browser and exit 130 itself,
 * leaving the temporary profile behind); by default Playwright handles them.
 */
export async function launchExtension(opts: { headless?: boolean; args?: string[]; executablePath?: string; handleSignals?: boolean } = {}): Promise<ExtensionHandle> {
  if (!existsSync(join(DIST, 'manifest.json'))) throw new Error(`${DIST}/manifest.json missing: run \`npm run build\` first`);
  const userDir = mkdtempSync(join(tmpdir(), 'pit-chromium-'));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: opts.executablePath ?? CHROMIUM,
    ...(opts.handleSignals === false ? { handleSIGINT: false, handleSIGTERM: false } : {}),
    headless: false, // '--headless=new' below: the old headless mode cannot load extensions
    args: [
      ...(opts.headless === false ? [] : ['--headless=new']),
      '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic', '--disable-gpu',
      `--disable-extensions-except=${DIST}`, `--load-extension=${DIST}`,
      ...(opts.args ?? []),
    ],
  });
  const first = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
  const extensionId = new URL(first.url()).host;
  const worker = async (): Promise<Worker> => {
    const alive = context.serviceWorkers().find((w) => w.url().includes(extensionId));
    if (alive) return alive;
    return context.waitForEvent('serviceworker', { timeout: 30_000 });
  };
  return {
    context, extensionId, worker,
    async page(path: string) {
      const p = await context.newPage();
      await p.goto(`chrome-extension://${extensionId}/${path}`);
      return p;
    },
    async close() {
      try {
        await context.close();
      } finally {
        // Also when the browser is already gone (Playwright closes it itself on Ctrl-C).
        rmSync(userDir, { recursive: true, force: true });
      }
    },
  };
}
