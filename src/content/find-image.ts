/**
 * Which element did the user right-click? The context-menu event only tells
 * the worker the image URL, so remember the last contextmenu target and fall
 * back to searching the document (and open shadow roots) by URL.
 */
let lastTarget: Element | null = null;

/** `onImage` runs when the right-clicked element is an image (the classifier warms up meanwhile). */
export function trackContextMenuTarget(doc: Document, onImage: () => void = () => undefined): void {
  doc.addEventListener('contextmenu', (e) => {
    lastTarget = e.composedPath().find((n): n is Element => n instanceof Element) ?? null;
    // Only a real right-click warms up: a page dispatching synthetic events must not keep the model loaded forever.
    if (e.isTrusted && (lastTarget instanceof HTMLImageElement || (lastTarget instanceof HTMLVideoElement && lastTarget.poster))) onImage();
  }, { capture: true, passive: true });
}

function sameUrl(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return new URL(a, location.href).href === new URL(b, location.href).href;
  } catch {
    return false;
  }
}

function matches(el: Element, srcUrl: string): boolean {
  if (el instanceof HTMLImageElement) return sameUrl(el.currentSrc || el.src, srcUrl) || sameUrl(el.src, srcUrl);
  if (el instanceof HTMLVideoElement) return sameUrl(el.poster, srcUrl);
  return false;
}

function* allImages(root: Document | ShadowRoot): Generator<Element> {
  for (const el of root.querySelectorAll('img, video[poster]')) yield el;
  for (const host of root.querySelectorAll('*')) if (host.shadowRoot) yield* allImages(host.shadowRoot);
}

export function findImage(srcUrl: string): Element | null {
  if (lastTarget?.isConnected && matches(lastTarget, srcUrl)) return lastTarget;
  for (const el of allImages(document)) if (matches(el, srcUrl)) return el;
  return null;
}
