/** What the headless `npm start` demo prints: plain, aligned text tables. Pure. */
import { fmtMs, prettyLabel } from '../../src/core/format';

/** Columns padded to their widest cell, two spaces apart; numeric columns (every cell starts with a digit or '–') right-aligned, header too. */
export function alignTable(header: string[], rows: string[][], indent = '  '): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => /^[\d–]/.test(r[c] ?? '')));
  const line = (cells: string[]) => indent + cells
    .map((v, c) => (numeric[c] ? v.padStart(widths[c]!) : v.padEnd(widths[c]!)))
    .join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

export interface DemoImageRow {
  /** Short name: the URL's last path segment. */
  image: string;
  label?: string;
  prob?: number;
  /** Click → label, ms (the record's timings.total). */
  clickMs?: number;
  coldStart?: boolean;
  /** The first click after the extension was installed (it may still be starting its classifier). */
  first?: boolean;
  /** What the overlay on the image says (its chip's text), if one was found. */
  overlay?: string;
  error?: string;
}

export function shortName(url: string): string {
  try {
    return new URL(url).pathname.split('/').pop() || url;
  } catch {
    return url;
  }
}

export function pct(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** The wait the overlay chip shows ("worm 37.8% 1230 ms" → "1230 ms"), or '–'. */
export function overlayMs(text: string | undefined): string {
  const m = /(\d[\d.,]*) ms\b/.exec(text ?? '');
  return m ? `${m[1]} ms` : '–';
}

export function imageTable(rows: DemoImageRow[]): string[] {
  return alignTable(['image', 'label (top-1)', 'click → label', 'overlay shows', ''], rows.map((r) => [
    r.image,
    r.error !== undefined || r.label === undefined ? `FAILED: ${r.error ?? 'no label'}` : `${prettyLabel(r.label)} ${pct(r.prob ?? 0)}`,
    r.clickMs === undefined ? '–' : `${fmtMs(r.clickMs)} ms`,
    r.overlay === undefined ? 'no overlay' : overlayMs(r.overlay),
    r.first ? '(first click after install)' : r.coldStart ? '(incl. loading the model)' : '',
  ]));
}

/**
 * The popup's "Latency (ms)" table (its body cells, in the popup's column order:
 * model, backend, batch, n, whole request median/p95/min/mean, session.run
 * median/p95/min/mean, cold start) as a narrower text table.
 */
export function popupLatencyTable(cells: string[][]): string[] {
  const pick = [0, 1, 2, 3, 4, 5, 8, 9, 12];
  return alignTable(
    ['model', 'backend', 'batch', 'n', 'waited median', 'p95', 'session.run median', 'p95', 'cold start'],
    cells.map((r) => pick.map((i) => r[i] ?? '')),
  );
}
