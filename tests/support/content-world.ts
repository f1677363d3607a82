/**
 * Evaluate in the extension content script's isolated world of a page (CDP
 * Runtime.evaluate in that execution context): what the content script sees,
 * its `chrome` API and its own copies of the DOM prototypes, none of them the page's.
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

export interface ContentWorld {
  /** Evaluates `expression` there (awaiting a returned promise) and returns its value. */
  evaluate(expression: string): Promise<unknown>;
  close(): Promise<void>;
}

export async function contentWorld(page: Page): Promise<ContentWorld> {
  const cdp = await page.context().newCDPSession(page);
  const contexts: { id: number; name: string; auxData?: { type?: string } }[] = [];
  cdp.on('Runtime.executionContextCreated', (e: { context: { id: number; name: string; auxData?: { type?: string } } }) => contexts.push(e.context));
  await cdp.send('Runtime.enable');
  const ours = () => contexts.find((c) => c.auxData?.type === 'isolated' && c.name === 'Private Image Tagger');
  await expect.poll(() => ours() !== undefined).toBe(true);
  const world = ours()!;
  return {
    async evaluate(expression) {
      const r = await cdp.send('Runtime.evaluate', { contextId: world.id, awaitPromise: true, returnByValue: true, expression }) as {
        result: { value?: unknown }; exceptionDetails?: { text?: string; exception?: { description?: string } };
      };
      if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text ?? 'exception');
      return r.result.value;
    },
    close: () => cdp.detach(),
  };
}
