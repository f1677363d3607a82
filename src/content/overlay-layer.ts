/**
 * One fixed, viewport-sized, click-through layer per document that holds every
 * overlay and chip, in a CLOSED shadow root: the page's own script walks the
 * DOM and every open shadow root, and must not read our labels, probabilities,
 * timings, errors or cloud details (tests/e2e/hostile.e2e.test.ts). Only this
 * module keeps the reference; our isolated world's attachShadow cannot be
 * patched by the page. Being `position: fixed` and clipped, the layer can never
 * change the page's scroll size or layout; the shadow root keeps the page's
 * CSS out. The host is a plain <div>, not a custom element: a page could
 * pre-define a custom element name and run code on our node.
 */
import { CORRECT_CSS } from './correct-style';
import { OVERLAY_CSS } from './overlay-style';

let root: ShadowRoot | undefined;
let host: HTMLDivElement | undefined;
const placers = new Set<() => void>();
let frame = 0;

export function layer(): ShadowRoot {
  if (root && host?.isConnected) return root;
  host = document.createElement('div');
  host.setAttribute('data-pit-layer', '');
  // !important: a hostile page stylesheet (`div { display: none !important }`) must not move or hide us.
  host.style.cssText = ['all:initial', 'display:block', 'position:fixed', 'inset:0', 'width:100vw', 'height:100vh',
    'overflow:hidden', 'pointer-events:none', 'z-index:2147483647'].map((d) => `${d} !important`).join(';');
  root = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = OVERLAY_CSS + CORRECT_CSS;
  root.append(style);
  document.documentElement.append(host);
  return root;
}

/** Keep overlays on their images while the page (or any inner scroller) scrolls or resizes. */
export function trackPosition(place: () => void): () => void {
  placers.add(place);
  return () => placers.delete(place);
}

function schedule(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    for (const p of placers) p();
  });
}

addEventListener('scroll', schedule, { capture: true, passive: true });
addEventListener('resize', schedule, { passive: true });
