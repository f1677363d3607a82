/** Writes a report as <stem>.json, .csv, .md and .svg (the chart) into the results folder. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv, toMarkdown } from '../../src/core/bench/report-format';
import type { BenchReport } from '../../src/core/bench/types';
import { chartSvg } from './chart';

export interface Written {
  json: string;
  csv: string;
  md: string;
  svg: string;
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** Six significant digits: timer noise past that only makes diffs of committed results unreadable. */
function roundTimes(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v;
}

export async function writeReport(report: BenchReport, dir: string, stem: string): Promise<Written> {
  mkdirSync(dir, { recursive: true });
  const m = report.machine;
  const files: Written = { json: join(dir, `${stem}.json`), csv: join(dir, `${stem}.csv`), md: join(dir, `${stem}.md`), svg: join(dir, `${stem}.svg`) };
  writeAtomic(files.json, `${JSON.stringify(report, roundTimes, 2)}\n`);
  writeAtomic(files.csv, toCsv(report.rows));
  writeAtomic(files.md, toMarkdown(report));
  writeAtomic(files.svg, await chartSvg(report.rows, `${m.cpuModel}, ${m.cores} cores · ${m.browser ?? ''} · ${report.createdAt.slice(0, 10)}`));
  return files;
}
