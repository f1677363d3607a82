/**
 * Wall-clock milliseconds with performance.now()'s resolution. Every context
 * (worker, offscreen document, content script) has its own performance.now()
 * origin; timeOrigin + now() puts them on one clock, so a click stamped in the
 * worker can be timed to the label shown in the page.
 */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
