/**
 * CSV and Markdown views of a benchmark report. Pure, so the CLI and the bench
 * page print the same table.
 * CSV goes through papaparse, the same writer as the library's export.
 */
import Papa from 'papaparse';
import { fmtMs } from '../format';
import type { BenchReport, BenchRow } from './types';

type Cell = string | number | null | undefined;

const COLUMNS: [string, (r: BenchRow) => Cell][] = [
  ['model', (r) => r.model], ['source', (r) => r.source], ['backend', (r) => r.backend], ['threads', (r) => r.threads],
  ['batch', (r) => r.batch], ['session_create_ms', (r) => r.sessionCreateMs], ['first_run_ms', (r) => r.firstRunMs],
  ['runs', (r) => r.runs], ['median_ms', (r) => r.medianMs], ['p90_ms', (r) => r.p90Ms], ['p99_ms', (r) => r.p99Ms],
  ['min_ms', (r) => r.minMs], ['mean_ms', (r) => r.meanMs], ['max_ms', (r) => r.maxMs],
  ['throughput_img_s', (r) => r.throughput], ['gflops', (r) => r.gflops],
  ['vs_native_ref', (r) => r.vsNative?.ref], ['vs_native_ratio', (r) => r.vsNative?.ratio],
  ['server_compute_ms', (r) => r.serverComputeMs], ['adapter', (r) => r.adapter], ['error', (r) => r.error],
];

/** Numbers with six significant digits; empty for missing values. */
function csvValue(v: Cell): string | number {
  if (v === null || v === undefined) return '';
  return typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v;
}

export function toCsv(rows: readonly BenchRow[]): string {
  const body = Papa.unparse({ fields: COLUMNS.map(([name]) => name), data: rows.map((r) => COLUMNS.map(([, get]) => csvValue(get(r)))) }, { newline: '\r\n', escapeFormulae: true });
  return `${body}\r\n`;
}


const fmtNum = (v: number | null | undefined, digits = 0): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

/** Escape what would break a Markdown table cell. */
const md = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

export const TABLE_HEADER = ['model', 'backend', 'threads', 'batch', 'create ms', 'first ms', 'median ms', 'p90 ms', 'p99 ms', 'min ms', 'img/s', 'GFLOP/s', '× native'];
/** Added when a cloud endpoint was measured: the server's own compute time (the rest of the round trip is network and queueing). */
export const SERVER_HEADER = 'server compute ms';

/** A software WebGPU adapter is named in the backend cell, so its time is never read as GPU speed. */
function backendLabel(r: BenchRow): string {
  return r.backend === 'webgpu' && r.adapter && /software/i.test(r.adapter) ? 'webgpu (software)' : r.backend;
}

/** One table row's cells, as shown by the Markdown table and the bench page; `server` adds SERVER_HEADER's cell. */
export function tableCells(r: BenchRow, server = false): string[] {
  const extra = server ? [fmtMs(r.serverComputeMs)] : [];
  if (r.error !== undefined && r.medianMs === null) {
    return [r.model, backendLabel(r), fmtNum(r.threads), String(r.batch), fmtMs(r.sessionCreateMs), '–', `error: ${r.error}`, '', '', '', '', '', '', ...extra.map(() => '')];
  }
  return [
    r.model, backendLabel(r), r.threads === null ? '–' : String(r.threads), String(r.batch), fmtMs(r.sessionCreateMs), fmtMs(r.firstRunMs),
    fmtMs(r.medianMs), fmtMs(r.p90Ms), fmtMs(r.p99Ms), fmtMs(r.minMs), fmtNum(r.throughput), fmtNum(r.gflops, 1),
    r.vsNative ? `${r.vsNative.ratio.toFixed(2)}× ${r.vsNative.ref}` : '–', ...extra,
  ];
}

/** The worst TensorFlow.js-vs-ORT parity over the measured rows (largest difference, lowest agreement), or null. */
export function worstParity(rows: readonly BenchRow[]): { maxRelDiff: number; top1Agree: number } | null {
  const p = rows.flatMap((r) => (r.parity && r.medianMs !== null ? [r.parity] : []));
  if (!p.length) return null;
  return { maxRelDiff: Math.max(...p.map((x) => x.maxRelDiff)), top1Agree: Math.min(...p.map((x) => x.top1Agree)) };
}

export function toMarkdown(report: BenchReport): string {
  const m = report.machine;
  const c = report.config;
  const out = [
    `**Machine:** ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os} · ${m.browser ?? 'no browser'} · onnxruntime-web ${m.ortWeb ?? '–'}, onnxruntime-node ${m.ortNode ?? '–'}${m.tfjs ? `, TensorFlow.js ${m.tfjs} (wasm backend, through the project's ONNX translator)` : ''} · ${report.createdAt}`,
    '',
    `Median of up to ${c.runs} warm runs per cell (after 1 first run and ${c.warmup} warm-ups; at most ${c.maxSecondsPerCell} s per cell), seeded random input.`,
  ];
  if (report.coldStart) {
    const cs = report.coldStart;
    out.push(`Cold start of ${cs.model} in the offscreen document: session creation median ${fmtMs(cs.sessionCreateMs.median)} ms (min ${fmtMs(cs.sessionCreateMs.min)}, max ${fmtMs(cs.sessionCreateMs.max)}, ${cs.runs} fresh documents); whole first request median ${fmtMs(cs.firstRequestMs.median)} ms.`);
  }
  if (report.webgpu?.available) {
    const g = report.webgpu;
    out.push(`WebGPU adapter: ${[g.vendor, g.architecture].filter(Boolean).join(' ') || 'unknown'}${g.software ? ' — software (fallback) adapter: not GPU speed' : ''}.`);
  }
  const parity = worstParity(report.rows);
  if (parity) {
    out.push(`TensorFlow.js vs ORT Web on the same input: largest |logit difference| ${parity.maxRelDiff.toExponential(1)} of the largest |logit|; top-1 agreement ${(parity.top1Agree * 100).toFixed(1)} % (worst model).`);
  }
  for (const u of report.unavailable) out.push(`${u.backend}: unavailable (${u.reason}).`);
  const server = report.rows.some((r) => r.backend === 'cloud');
  const header = server ? [...TABLE_HEADER, SERVER_HEADER] : TABLE_HEADER;
  out.push('', `| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const r of report.rows) out.push(`| ${tableCells(r, server).map(md).join(' | ')} |`);
  return `${out.join('\n')}\n`;
}
