/** Small display helpers shared by every page, the overlay and the benchmark reports. Pure. */

/** Milliseconds with about three significant digits ('–' when unknown). */
export function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
}

export function fmtPct(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

export function fmtAgo(time: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - time) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(time).toLocaleDateString();
}

export function prettyLabel(label: string): string {
  return label.replaceAll('_', ' ');
}
