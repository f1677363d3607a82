/**
 * The overlay layer lives in a closed shadow root, which no page script (and
 * no Playwright selector) can enter. Tests reach it the way DevTools does:
 * CDP's DOM.getDocument with `pierce` sees closed roots; the root is then
 * resolved to a JS object and handed to the test. Test-side only.
 */
import type { JSHandle, Page } from 'playwright-core';

interface CdpNode { nodeId: number; backendNodeId: number; nodeName: string; attributes?: string[]; children?: CdpNode[]; shadowRoots?: (CdpNode & { shadowRootType?: string })[] }

function findLayerRoot(n: CdpNode): CdpNode | undefined {
  const attrs = n.attributes ?? [];
  if (attrs.includes('data-pit-layer')) return n.shadowRoots?.[0];
  for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) {
    const r = findLayerRoot(c);
    if (r) return r;
  }
  return undefined;
}

/** The layer's shadow root as a handle (null when no overlay was drawn yet), and its mode as CDP reports it. */
export async function layerRoot(page: Page): Promise<{ root: JSHandle<ShadowRoot | null>; mode: string | undefined }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root: doc } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true }) as { root: CdpNode };
    const found = findLayerRoot(doc) as (CdpNode & { shadowRootType?: string }) | undefined;
    if (!found) return { root: await page.evaluateHandle(() => null), mode: undefined };
    const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: found.backendNodeId }) as { object: { objectId: string } };
    // Park it on a symbol-free global of the main world only for this call: the handle below keeps it.
    await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, functionDeclaration: 'function () { globalThis.__pitTestLayer = this; }' });
    const root = await page.evaluateHandle(() => {
      const g = globalThis as unknown as { __pitTestLayer?: ShadowRoot };
      const r = g.__pitTestLayer ?? null;
      delete g.__pitTestLayer;
      return r;
    });
    return { root, mode: found.shadowRootType };
  } finally {
    await cdp.detach();
  }
}

/** Run `fn` on the layer's shadow root (null when there is none). */
export async function inLayer<T, A>(page: Page, fn: (root: ShadowRoot | null, arg: A) => T, arg: A): Promise<T> {
  const { root } = await layerRoot(page);
  try {
    // Playwright cannot type a generic argument through evaluate: the call itself is checked by inLayer's signature.
    return (await root.evaluate(fn as never, arg as never)) as T;
  } finally {
    await root.dispose();
  }
}

/** Text of the first element matching `selector` in the layer, or null. */
export function layerText(page: Page, selector: string): Promise<string | null> {
  return inLayer(page, (r, sel) => (r?.querySelector(sel) as HTMLElement | null)?.innerText ?? null, selector);
}

export function layerCount(page: Page, selector: string): Promise<number> {
  return inLayer(page, (r, sel) => r?.querySelectorAll(sel).length ?? 0, selector);
}

/** Bounding box of the first element matching `selector`, or null. */
export function layerBox(page: Page, selector: string): Promise<{ x: number; y: number; width: number; height: number } | null> {
  return inLayer(page, (r, sel) => {
    const e = r?.querySelector(sel);
    if (!e) return null;
    const b = e.getBoundingClientRect();
    return { x: b.x, y: b.y, width: b.width, height: b.height };
  }, selector);
}

/** Click the centre of the first element matching `selector` with the real mouse. */
export async function layerClick(page: Page, selector: string): Promise<void> {
  const b = await layerBox(page, selector);
  if (!b) throw new Error(`nothing in the overlay layer matches ${selector}`);
  await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
}

export function layerAttr(page: Page, selector: string, name: string): Promise<string | null> {
  return inLayer(page, (r, [sel, n]) => r?.querySelector(sel!)?.getAttribute(n!) ?? null, [selector, name] as const);
}

/** Is the first match rendered (has a box and is not display:none / visibility:hidden)? */
export function layerVisible(page: Page, selector: string): Promise<boolean> {
  return inLayer(page, (r, sel) => {
    const e = r?.querySelector(sel) as HTMLElement | null;
    if (!e) return false;
    const s = getComputedStyle(e);
    const b = e.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && b.width > 0 && b.height > 0;
  }, selector);
}
