/**
 * The shift benchmark: how right the labels are, and how honest the shown
 * probability is, when CIFAR-100 test images reach the model the way web
 * photos do (tools/lib/shift-set.ts). Per model and mode: top-1, top-5, NLL,
 * Brier, ECE (15 bins), AURC, and the accuracy and coverage of the labels
 * shown as sure. Calibration (a temperature) is fitted on the `fit` half of
 * the test set only and every figure is measured on the `report` half.
 *
 *   npm run eval:shift                         every shipped model, both halves, tables
 *   npm run eval:shift -- --models a,b         those models
 *   npm run eval:shift -- --write              also store each model's fitted calibration and threshold in models/catalog.json
 *   npm run eval:shift -- --json               one line for the default model as the extension shows it
 *   npm run eval:shift -- --photos DIR [--json]  your own labelled photos (DIR/<label>/*.jpg), default model
 *   npm run calibrate -- ID                    fit and store ID's calibration (= --models ID --write)
 *   --quick                                    a fifth of the images (a smoke run; never --write)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { aurc, atThreshold, brier, calibratedSoftmax, ece, fitTemperature, nll, thresholdFor, type Scored } from '../src/core/calibration';
import { findModel, labelsOf, type Catalog, type ModelEntry } from '../src/core/catalog';
import { normalize } from '../src/core/normalize';
import { readCatalog, writeCalibration } from './lib/catalog-file';
import { readCifar } from './lib/cifar';
import { listPhotos, mimeOf } from './lib/photos';
import { decodeInExtension } from './lib/shift-images';
import { balanced, buildShiftSet, DEFAULT_SIZES, flip, type Part, SHIFTED, type ShiftItem } from './lib/shift-set';
import { DIST } from './lib/extension';
import { startWebRunner, type WebRunner } from './lib/web-runner';

/** Labels shown as sure must be right this often on the fit half (a margin over the 75 % promised on the report half). */
export const SURE_PRECISION_FIT = 0.78;

const { values: o } = parseArgs({
  options: {
    models: { type: 'string' }, write: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
    photos: { type: 'string' }, quick: { type: 'boolean', default: false }, seed: { type: 'string', default: '20231208' },
    calibrate: { type: 'string' }, tta: { type: 'boolean', default: false }, 'no-cache': { type: 'boolean', default: false },
    'fit-parts': { type: 'string' },
  },
});

const catalog = readCatalog();
const log = (s: string) => {
  if (!o.json) console.log(s);
  else process.stderr.write(`${s}\n`);
};

interface Eval {
  probs: Float32Array[];
  labels: number[];
  scored: Scored[];
}

/**
 * The shift sets and each model's logits on them are kept in .cache/shift (re-running for another model, or
 * --write after a look, then costs seconds); the key holds the seed, the sizes and the build's asset names
 * (Vite puts content hashes in them, so a changed decoder makes everything again). --no-cache ignores it.
 */
const CACHE = resolve(import.meta.dirname, '../.cache/shift');

function cacheKey(seed: number, sizes: object): string {
  const assets = existsSync(resolve(DIST, 'assets')) ? readdirSync(resolve(DIST, 'assets')).sort().join(',') : '';
  return createHash('sha256').update(JSON.stringify({ seed, sizes, assets, v: 1 })).digest('hex').slice(0, 16);
}

function saveSets(key: string, sets: Record<'fit' | 'report', ShiftItem[]>): void {
  mkdirSync(CACHE, { recursive: true });
  for (const [half, items] of Object.entries(sets)) {
    const meta = items.map(({ chw: _c, frame, ...m }) => ({ ...m, hasFrame: frame !== undefined }));
    const buf = new Float32Array(items.length * 2 * 3072);
    items.forEach((it, i) => {
      buf.set(it.chw, i * 6144);
      buf.set(it.frame ?? it.chw, i * 6144 + 3072);
    });
    writeFileSync(join(CACHE, `${key}-${half}.json`), JSON.stringify(meta));
    writeFileSync(join(CACHE, `${key}-${half}.f32`), Buffer.from(buf.buffer));
  }
}

function loadSets(key: string): Record<'fit' | 'report', ShiftItem[]> | undefined {
  const read = (half: string): ShiftItem[] | undefined => {
    const m = join(CACHE, `${key}-${half}.json`);
    if (!existsSync(m)) return undefined;
    const meta = JSON.parse(readFileSync(m, 'utf8')) as (Omit<ShiftItem, 'chw' | 'frame'> & { hasFrame: boolean })[];
    const raw = readFileSync(join(CACHE, `${key}-${half}.f32`));
    const buf = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    return meta.map(({ hasFrame, ...it }, i) => ({ ...it, chw: buf.slice(i * 6144, i * 6144 + 3072), ...(hasFrame ? { frame: buf.slice(i * 6144 + 3072, (i + 1) * 6144) } : {}) }));
  };
  const fit = read('fit');
  const report = read('report');
  return fit && report ? { fit, report } : undefined;
}

/** logitsOf, kept on disk per model file (sha256), set and view. */
async function cachedLogits(runner: WebRunner, model: ModelEntry, inputs: readonly Float32Array[], name: string): Promise<Float32Array[]> {
  const classes = model.output.shape[1];
  const path = join(CACHE, `${name}-${model.sha256.slice(0, 16)}.f32`);
  if (!o['no-cache'] && existsSync(path)) {
    const raw = readFileSync(path);
    if (raw.byteLength === inputs.length * classes * 4) {
      const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
      return inputs.map((_, i) => all.slice(i * classes, (i + 1) * classes));
    }
  }
  const rows = await logitsOf(runner, model, inputs);
  const all = new Float32Array(rows.length * classes);
  for (const [i, r] of rows.entries()) all.set(r, i * classes);
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(path, Buffer.from(all.buffer));
  return rows;
}

/** Rows of logits (or probabilities) for normalised inputs, in batches through the extension's own inference path. */
async function logitsOf(runner: WebRunner, model: ModelEntry, inputs: readonly Float32Array[]): Promise<Float32Array[]> {
  const batch = model.input.shape[0] === 1 ? 1 : 500;
  const classes = model.output.shape[1];
  const out: Float32Array[] = [];
  for (let s = 0; s < inputs.length; s += batch) {
    const n = Math.min(batch, inputs.length - s);
    const data = new Float32Array(n * 3072);
    for (let j = 0; j < n; j++) data.set(normalize(inputs[s + j] as Float32Array, model.mean, model.std), j * 3072);
    const r = await runner.run(model.id, data, [n, 3, 32, 32]);
    for (let j = 0; j < n; j++) out.push(r.values.slice(j * classes, (j + 1) * classes));
  }
  return out;
}

/**
 * Probabilities as the product shows them: softmax(z / T), z the mean logits over the rowsets (views, flip TTA;
 * already averaged rows pass as one rowset), as runBatch and the ensemble graphs of pitml.ensemble do.
 */
function combine(rowsets: readonly Float32Array[][], temperature: number): Float32Array[] {
  return meanLogits(rowsets, false).map((z) => calibratedSoftmax(z, temperature));
}

function score(probs: Float32Array[], labels: number[]): Eval {
  const scored = probs.map((p, i) => {
    let best = 0;
    for (let c = 1; c < p.length; c++) if ((p[c] as number) > (p[best] as number)) best = c;
    return { conf: p[best] as number, correct: best === labels[i] };
  });
  return { probs, labels, scored };
}

function metrics(e: Eval, threshold: number) {
  const top5 = e.probs.filter((p, i) => {
    const y = e.labels[i] as number;
    let above = 0;
    for (let c = 0; c < p.length; c++) if ((p[c] as number) > (p[y] as number)) above++;
    return above < 5;
  }).length;
  const sure = atThreshold(e.scored, threshold);
  return {
    n: e.labels.length,
    top1: e.scored.filter((s) => s.correct).length / e.labels.length,
    top5: top5 / e.labels.length,
    nll: nll(e.probs, e.labels), brier: brier(e.probs, e.labels), ece: ece(e.scored, 15), aurc: aurc(e.scored),
    meanConf: e.scored.reduce((a, s) => a + s.conf, 0) / e.labels.length,
    sureRight: sure.accuracy, sureCoverage: sure.coverage,
  };
}
type Metrics = ReturnType<typeof metrics>;

/** Per image, the mean over views of the logits (of log-probabilities for a probability output): what the pipeline ranks. */
function meanLogits(rowsets: readonly Float32Array[][], fromProbabilities: boolean): Float32Array[] {
  const first = rowsets[0] as Float32Array[];
  return first.map((_, i) => {
    const z = new Float32Array(first[i]?.length ?? 0);
    for (const rows of rowsets) {
      const r = rows[i] as Float32Array;
      for (let c = 0; c < z.length; c++) z[c] = (z[c] as number) + (fromProbabilities ? Math.log(Math.max(r[c] as number, 1e-30)) : (r[c] as number)) / rowsets.length;
    }
    return z;
  });
}


const pct = (v: number) => (Number.isNaN(v) ? '—' : `${(100 * v).toFixed(1)}`);
const f3 = (v: number) => (Number.isNaN(v) ? '—' : v.toFixed(3));
function table(title: string, rows: [string, Metrics][], threshold: number): void {
  log(`\n${title}`);
  log(`| mode | images | top-1 % | top-5 % | NLL | Brier | ECE | AURC | mean shown % | sure (≥ ${Math.round(threshold * 100)} %) right % | shown as sure % |`);
  log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [mode, m] of rows) log(`| ${mode} | ${m.n} | ${pct(m.top1)} | ${pct(m.top5)} | ${f3(m.nll)} | ${f3(m.brier)} | ${f3(m.ece)} | ${f3(m.aurc)} | ${pct(m.meanConf)} | ${pct(m.sureRight)} | ${pct(m.sureCoverage)} |`);
}

function subset(e: Eval, ks: readonly number[]): Eval {
  return { probs: ks.map((k) => e.probs[k] as Float32Array), labels: ks.map((k) => e.labels[k] as number), scored: ks.map((k) => e.scored[k] as Scored) };
}

function shipped(m: ModelEntry) {
  return { temperature: m.calibration?.temperature ?? 1, threshold: m.calibration?.unsureBelow ?? 0.5 };
}

async function photos(runner: WebRunner, dir: string, cat: Catalog): Promise<void> {
  const model = findModel(cat, cat.default);
  const list = listPhotos(resolve(dir), labelsOf(cat, model).fine, log);
  log(`${list.length} photos of ${new Set(list.map((p) => p.label)).size} labels in ${dir}; ${model.id}, as the extension shows it`);
  const sw = await runner.ext.worker();
  const inputs: Float32Array[] = [];
  const frames: Float32Array[] = [];
  const failed: string[] = [];
  const kept: number[] = [];
  for (const [k, p] of list.entries()) {
    const url = `data:${mimeOf(p.path)};base64,${readFileSync(p.path).toString('base64')}`;
    try {
      const [d] = await decodeInExtension(sw, [url]);
      inputs.push(d!.chw);
      frames.push(d!.frame);
      kept.push(k);
    } catch (e) {
      failed.push(`${p.path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (failed.length) log(`could not decode ${failed.length}: ${failed.slice(0, 5).join('; ')}`);
  const { temperature, threshold } = shipped(model);
  const labels = kept.map((k) => list[k]?.label as number);
  const fromP = model.output.kind === 'probabilities';
  const byView = { centre: inputs, mirror: inputs.map((x) => flip(x)), frame: frames };
  const rowsets: Float32Array[][] = [];
  for (const v of model.views ?? ['centre']) rowsets.push(await logitsOf(runner, model, byView[v]));
  const logits = meanLogits(rowsets, fromP);
  const raw = metrics(score(combine([logits], 1), labels), threshold);
  const cal = metrics(score(combine([logits], temperature), labels), threshold);
  if (o.json) {
    console.log(JSON.stringify({ model: model.id, images: cal.n, top1: cal.top1, top5: cal.top5, ece: cal.ece, sureRight: cal.sureRight, sureCoverage: cal.sureCoverage, threshold, temperature }));
  } else {
    table(`${model.id} on your photos (T = ${temperature.toFixed(3)}; "unsure" below ${Math.round(threshold * 100)} %)`, [['as the model gives it', raw], ['calibrated (as shown)', cal]], threshold);
  }
}

async function shift(runner: WebRunner, cat: Catalog): Promise<void> {
  const ids = o.calibrate ? [o.calibrate] : o.models ? o.models.split(',') : cat.models.map((m) => m.id);
  const models = ids.map((id) => findModel(cat, id));
  const set = readCifar('test');
  const sizes = o.quick ? { clean: 500, web: 300, perCorruption: 4, perGeometry: 100 } : DEFAULT_SIZES;
  const seed = Number(o.seed);
  const page = await runner.ext.page('src/options/options.html');
  const sw = await runner.ext.worker();
  const t0 = performance.now();
  // The sets depend on the seed, the sizes and the extension's decoder: a new build (new asset hashes) makes them again.
  const key = cacheKey(seed, sizes);
  const cached = o['no-cache'] ? undefined : loadSets(key);
  const fitSet = cached?.fit ?? await buildShiftSet(set, 'fit', sizes, seed, page, sw, log);
  const repSet = cached?.report ?? await buildShiftSet(set, 'report', sizes, seed, page, sw, log);
  if (!cached) saveSets(key, { fit: fitSet, report: repSet });
  log(`shift sets ${cached ? `read from ${CACHE}` : 'made'} in ${((performance.now() - t0) / 1000).toFixed(0)} s: fit ${fitSet.length} images (test 0–4999), report ${repSet.length} (test 5000–9999)`);
  // What the temperature and threshold are fitted on (--fit-parts): by default every shifted part, equally.
  const fitParts = (o['fit-parts'] ? o['fit-parts'].split(',') : SHIFTED) as Part[];
  const fitKs = balanced(fitSet, seed + 101, fitParts);
  const repKs = balanced(repSet, seed + 202);
  const fitLabels = fitSet.map((it) => it.label);
  const repLabels = repSet.map((it) => it.label);
  const summary: Record<string, { top1: number; top5: number; ece: number; sureRight: number; sureCoverage: number; clean: number }> = {};

  for (const model of models) {
    const t1 = performance.now();
    const fromP = model.output.kind === 'probabilities';
    // A multi-view model sees each image as its catalog `views` and averages the logits, as the pipeline does.
    const view = (it: ShiftItem, v: 'centre' | 'mirror' | 'frame') => (v === 'mirror' ? flip(it.chw) : v === 'frame' ? (it.frame ?? it.chw) : it.chw);
    const views = async (items: ShiftItem[], half: string) => {
      const out: Float32Array[][] = [];
      for (const v of model.views ?? ['centre']) out.push(await cachedLogits(runner, model, items.map((it) => view(it, v)), `${key}-${half}-${v}`));
      return out;
    };
    const fit = [meanLogits(await views(fitSet, 'fit'), fromP)];
    const rep = [meanLogits(await views(repSet, 'report'), fromP)];
    if (o.tta && !model.views) rep.push(meanLogits([await cachedLogits(runner, model, repSet.map((it) => flip(it.chw)), `${key}-report-flip`)], fromP));
    const fitRows = fitKs.map((k) => fit[0]?.[k] as Float32Array);
    const temperature = fitTemperature(fitRows, fitKs.map((k) => fitLabels[k] as number));
    const fitCal = score(combine([fit[0] as Float32Array[]], temperature), fitLabels);
    const threshold = Math.round(100 * thresholdFor(subset(fitCal, fitKs).scored, SURE_PRECISION_FIT)) / 100;
    const raw = score(combine([rep[0] as Float32Array[]], 1), repLabels);
    const cal = score(combine([rep[0] as Float32Array[]], temperature), repLabels);
    const rows = (e: Eval): [string, Metrics][] => [
      ...(['clean', ...SHIFTED] as const).map((p): [string, Metrics] => [p, metrics(subset(e, repSet.flatMap((it, k) => (it.part === p ? [k] : []))), threshold)]),
      ['**shifted total**', metrics(subset(e, repKs), threshold)],
    ];
    log(`\n## ${model.id} (${((performance.now() - t1) / 1000).toFixed(0)} s): temperature fitted on the fit half T = ${temperature.toFixed(3)}; "unsure" below ${Math.round(threshold * 100)} % (sure labels right ≥ ${SURE_PRECISION_FIT * 100} % on the fit half)`);
    table('as the model gives it (T = 1)', rows(raw), threshold);
    table(`calibrated (T = ${temperature.toFixed(3)}), as the extension shows it`, rows(cal), threshold);
    if (rep.length > 1) table('with flip test-time augmentation (mean logits of the image and its mirror, same T)', rows(score(combine(rep, temperature), repLabels)).slice(-1), threshold);
    const detail = new Map<string, number[]>();
    repSet.forEach((it, k) => {
      if (it.part === 'corruptions' || it.part === 'geometry') detail.set(it.variant.split('/')[0] as string, [...(detail.get(it.variant.split('/')[0] as string) ?? []), k]);
    });
    log(`per corruption / geometry (calibrated): ${[...detail].map(([v, ks]) => { const m = metrics(subset(cal, ks), threshold); return `${v} ${pct(m.top1)} % (ECE ${f3(m.ece)})`; }).join(', ')}`);
    const tot = metrics(subset(cal, repKs), threshold);
    summary[model.id] = { top1: tot.top1, top5: tot.top5, ece: tot.ece, sureRight: tot.sureRight, sureCoverage: tot.sureCoverage, clean: metrics(subset(cal, repSet.flatMap((it, k) => (it.part === 'clean' ? [k] : []))), threshold).top1 };
    if (o.write || o.calibrate) {
      if (o.quick) throw new Error('--quick runs are never written to the catalog');
      writeCalibration(model.id, {
        temperature: Number(temperature.toFixed(4)), unsureBelow: threshold,
        fittedOn: `shift benchmark fit half (CIFAR-100 test 0–4999, ${fitKs.length} images: ${fitParts.join(', ')}, seed ${seed})`,
        measuredAt: new Date().toISOString(),
        shift: { images: tot.n, top1: round4(tot.top1), ece: round4(tot.ece), sureRight: round4(tot.sureRight), sureCoverage: round4(tot.sureCoverage) },
      });
      log(`wrote the calibration of ${model.id} to models/catalog.json`);
    }
  }
  if (o.json) {
    const d = summary[cat.default] ?? Object.values(summary)[0];
    console.log(JSON.stringify({ model: cat.default, ...d }));
  } else {
    log('\n## shifted total, calibrated, per model (report half)');
    log('| model | clean top-1 % | shifted top-1 % | top-5 % | ECE | sure right % | shown as sure % |');
    log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [id, s] of Object.entries(summary)) log(`| ${id} | ${pct(s.clean)} | ${pct(s.top1)} | ${pct(s.top5)} | ${f3(s.ece)} | ${pct(s.sureRight)} | ${pct(s.sureCoverage)} |`);
  }
}

const round4 = (v: number) => Number(v.toFixed(4));

const runner = await startWebRunner();
try {
  if (o.photos) await photos(runner, o.photos, catalog);
  else await shift(runner, catalog);
} finally {
  await runner.close();
}
