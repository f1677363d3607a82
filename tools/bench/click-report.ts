/**
 * `npm run bench:click`'s figures from the records the extension stored:
 * per image kind, median and p95 of each phase of a warm click and of the
 * whole wait (click → label), plus the cold first click and the ratio to
 * session.run alone timed in the same run. Pure, so it is unit-tested.
 */
import { fmtMs } from '../../src/core/format';
import { summarize, type Summary } from '../../src/core/stats';

export const PHASES = ['dispatch', 'fetch', 'decodeResize', 'preprocess', 'queue', 'session', 'inference', 'postprocess', 'total', 'thumbnail'] as const;
export type Phase = (typeof PHASES)[number];

export interface ClickSample {
  kind: string;
  /** 'cold': the first click of a fresh offscreen document; 'warmed': the same after a right-click warm-up; absent: warm. */
  cold?: 'cold' | 'warmed';
  error?: string;
  timings: Partial<Record<Phase, number>>;
}

export interface KindRow {
  kind: string;
  clicks: number;
  errors: number;
  phases: Record<Phase, Summary | null>;
}

export interface ClickReport {
  rows: KindRow[];
  /** The cold clicks (each on a fresh offscreen document), whole wait. */
  cold: Summary | null;
  /** Cold clicks preceded by the right-click that opens the menu (the classifier warms up meanwhile). */
  warmed: Summary | null;
  /** Median of each phase of the cold clicks. */
  coldPhases: Record<Phase, Summary | null>;
  /** session.run alone at batch 1 in the same run (offscreen:infer-tensor). */
  sessionRun: Summary | null;
  /** Warm click median over session.run median, per kind. */
  ratios: Record<string, number | null>;
}

export function clickReport(samples: readonly ClickSample[], sessionRunMs: readonly number[]): ClickReport {
  const kinds = [...new Set(samples.map((s) => s.kind))];
  const sessionRun = summarize(sessionRunMs);
  const rows = kinds.map((kind): KindRow => {
    const warm = samples.filter((s) => s.kind === kind && !s.cold);
    const ok = warm.filter((s) => !s.error);
    const phases = Object.fromEntries(PHASES.map((p) => [p, summarize(ok.map((s) => s.timings[p] ?? NaN))])) as Record<Phase, Summary | null>;
    return { kind, clicks: warm.length, errors: warm.length - ok.length, phases };
  });
  const ratios = Object.fromEntries(rows.map((r) => {
    const t = r.phases.total?.median;
    return [r.kind, t !== undefined && sessionRun ? t / sessionRun.median : null];
  }));
  const cold = samples.filter((s) => s.cold === 'cold' && !s.error);
  const warmed = samples.filter((s) => s.cold === 'warmed' && !s.error);
  return {
    rows, sessionRun, ratios,
    cold: summarize(cold.map((s) => s.timings.total ?? NaN)),
    warmed: summarize(warmed.map((s) => s.timings.total ?? NaN)),
    coldPhases: Object.fromEntries(PHASES.map((p) => [p, summarize(cold.map((s) => s.timings[p] ?? NaN))])) as Record<Phase, Summary | null>,
  };
}

const HEAD: [Phase, string][] = [
  ['total', 'click → label'], ['dispatch', 'start'], ['fetch', 'fetch'], ['decodeResize', 'decode + resize'], ['preprocess', 'normalise'],
  ['queue', 'queue'], ['session', 'model load'], ['inference', 'session.run'], ['postprocess', 'top-5'], ['thumbnail', 'thumbnail (after)'],
];

/** Markdown: one row per image kind, median (p95) ms per phase. */
export function clickMarkdown(r: ClickReport): string {
  const cell = (s: Summary | null) => (s ? `${fmtMs(s.median)} (${fmtMs(s.p95)})` : '–');
  const lines = [
    `| image | clicks | ${HEAD.map(([, h]) => h).join(' | ')} | × session.run |`,
    `| --- | ---: | ${HEAD.map(() => '---:').join(' | ')} | ---: |`,
    ...r.rows.map((row) => `| ${row.kind} | ${row.clicks}${row.errors ? ` (${row.errors} failed)` : ''} | ${HEAD.map(([p]) => cell(row.phases[p])).join(' | ')} | ${r.ratios[row.kind]?.toFixed(1) ?? '–'}× |`),
  ];
  const range = (x: Summary | null, what: string) => (x ? `median ${fmtMs(x.median)} ms (min ${fmtMs(x.min)}, max ${fmtMs(x.max)}, ${x.count} ${what})` : '–');
  lines.push('', `Median (p95) ms of warm clicks. session.run alone, batch 1, same run: ${range(r.sessionRun, 'runs')}.`, '',
    `Cold click (a fresh offscreen document: ORT, the model and the session load on the click): ${range(r.cold, 'clicks')}; ` +
    `phases (median ms): ${HEAD.filter(([p]) => p !== 'total' && p !== 'thumbnail').map(([p, h]) => `${h} ${fmtMs(r.coldPhases[p]?.median)}`).join(', ')}.`, '',
    `Cold click after the right-click that opens the menu (the classifier warms up while the user picks "Classify image"): ${range(r.warmed, 'clicks')}.`);
  return lines.join('\n');
}
