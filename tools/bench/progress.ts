/** The one line printed per (model, backend) as the run goes. Pure. */
import { fmtMs } from '../../src/core/format';
import type { BenchRow } from '../../src/core/bench/types';

export function progressLine(step: number, total: number, model: string, backend: string, rows: readonly BenchRow[]): string {
  const first = rows[0];
  const threads = first?.threads === null || first?.threads === undefined ? '' : ` (${first.threads} thread${first.threads === 1 ? '' : 's'})`;
  const cells = rows.map((r) =>
    r.medianMs === null ? `batch ${r.batch}: error: ${r.error ?? 'unknown'}` : `batch ${r.batch} ${fmtMs(r.medianMs)} ms (${r.throughput?.toFixed(0)} img/s)`,
  );
  const create = first?.sessionCreateMs != null ? ` · create ${fmtMs(first.sessionCreateMs)} ms` : '';
  return `[${step}/${total}] ${model} · ${backend}${threads}: ${cells.join(', ')}${create}`;
}
