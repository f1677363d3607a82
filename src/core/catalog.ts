/**
 * The model catalog (models/catalog.json, schema in models/README.md): shape
 * validated with valibot, cross-references (unique ids, label sets, default)
 * checked by hand afterwards because they span several fields.
 */
import * as v from 'valibot';

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const dim = v.pipe(v.number(), v.integer(), v.minValue(1, 'expected a positive integer'));
/** -1 is a dynamic batch dimension; otherwise a fixed batch size. */
const batchDim = v.union([v.literal(-1), dim], 'expected -1 (dynamic) or a positive integer');
const rgb = (check: v.GenericSchema<number, number>) => v.pipe(v.array(check), v.length(3, 'expected 3 values (R, G, B)'));
const percent = v.pipe(v.number(), v.minValue(0), v.maxValue(100));

const LabelSetSchema = v.object({
  fine: v.pipe(v.array(v.string()), v.nonEmpty('expected at least one label')),
  coarse: v.array(v.string()),
  fineToCoarse: v.array(count),
});

const AccuracySchema = v.object({
  top1: percent,
  top5: percent,
  images: dim,
  dataset: v.string(),
  runtime: v.string(),
  measuredAt: v.string(),
  web: v.nullish(v.object({ top1: percent, top5: percent, runtime: v.string() })),
});

/**
 * How far the model's probabilities can be trusted and what the product does
 * about it (core/calibration.ts): logits are divided by `temperature` before
 * softmax everywhere a probability is shown or stored, and labels below
 * `unsureBelow` are shown as "unsure" unless the user set their own threshold.
 * Fitted by `npm run eval:shift -- --write` / `npm run calibrate -- ID`.
 */
const CalibrationSchema = v.object({
  temperature: v.pipe(v.number(), v.gtValue(0, 'expected a value > 0'), v.finite()),
  unsureBelow: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  fittedOn: v.string(),
  measuredAt: v.string(),
  /** The shift benchmark's report half, calibrated: what the Settings text quotes. */
  shift: v.nullish(v.object({
    images: dim,
    top1: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
    ece: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
    sureRight: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
    sureCoverage: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  })),
});

const ModelSchema = v.object({
  id: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]*$/, 'expected lowercase letters, digits and "-", not starting with "-"')),
  name: v.pipe(v.string(), v.nonEmpty('expected a non-empty name')),
  arch: v.string(),
  // The file is fetched relative to models/; a path could escape that folder.
  file: v.pipe(
    v.string(),
    v.nonEmpty('expected a file name'),
    v.check((f) => !/[/\\]/.test(f) && !f.includes('..'), 'expected a plain file name without "/", "\\" or ".."'),
  ),
  sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'expected 64 hex chars (lowercase)')),
  bytes: dim,
  input: v.object({
    name: v.pipe(v.string(), v.nonEmpty()),
    shape: v.strictTuple([batchDim, v.literal(3, 'expected 3 channels'), dim, dim], 'expected [batch, 3, height, width]'),
    // Preprocessing produces Float32Array, so that is the only input type we can feed.
    dtype: v.literal('float32', 'expected "float32"'),
    layout: v.literal('NCHW', 'expected "NCHW"'),
  }),
  output: v.object({
    name: v.pipe(v.string(), v.nonEmpty()),
    shape: v.strictTuple([batchDim, dim], 'expected [batch, classes]'),
    /** Absent: logits (softmax applied here). "probabilities": the model ends in its own softmax. */
    kind: v.optional(v.picklist(['logits', 'probabilities'])),
  }),
  mean: rgb(v.pipe(v.number(), v.finite())),
  std: rgb(v.pipe(v.number(), v.gtValue(0, 'expected a value > 0'), v.finite())),
  labelSet: v.string(),
  trained: v.boolean(),
  /** Added by the user from the Options page: its bytes live in IndexedDB, not in the package. */
  userAdded: v.optional(v.boolean()),
  params: v.optional(count),
  madds: v.optional(count),
  accuracy: v.nullish(AccuracySchema),
  calibration: v.nullish(CalibrationSchema),
  /**
   * What the model is fed for each image, in order; their logits are averaged (accurate mode). "centre": the
   * centred square (the only view when absent); "mirror": the same, mirrored left to right; "frame": the whole
   * picture resized to the input size, aspect not kept (an object off-centre, a frame far from square).
   */
  views: v.optional(v.pipe(v.array(v.picklist(['centre', 'mirror', 'frame'])), v.minLength(1), v.maxLength(3))),
  provenance: v.object({
    source: v.picklist(['trained', 'imported', 'random-init']),
    recipe: v.optional(v.string()),
    epochs: v.optional(count),
    trainMinutes: v.optional(v.number()),
    tool: v.optional(v.string()),
    torch: v.optional(v.string()),
    opset: v.optional(count),
    createdAt: v.optional(v.string()),
  }),
});

const CatalogSchema = v.object({
  schemaVersion: v.literal(1, 'expected 1 (the only schema version this build understands)'),
  labelSets: v.record(v.string(), LabelSetSchema),
  default: v.string(),
  models: v.array(ModelSchema),
});

export type Catalog = v.InferOutput<typeof CatalogSchema>;
export type ModelEntry = v.InferOutput<typeof ModelSchema>;
export type LabelSet = v.InferOutput<typeof LabelSetSchema>;
export type ModelCalibration = v.InferOutput<typeof CalibrationSchema>;

/** `catalog.models[0].sha256` from a valibot issue path. */
function pathOf(issue: v.BaseIssue<unknown>): string {
  return 'catalog' + (issue.path ?? []).map((item) => keyPath(item.key)).join('');
}

function describe(issue: v.BaseIssue<unknown>): string {
  // valibot reports an absent key as "Invalid key: Expected "x" but received undefined".
  const missing = issue.type === 'object' && issue.received === 'undefined';
  return `${pathOf(issue)}: ${missing ? 'required field is missing' : issue.message}`;
}

function keyPath(key: unknown): string {
  if (typeof key === 'number') return `[${key}]`;
  if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) return `.${key}`;
  return `[${JSON.stringify(key)}]`;
}

/** Checks that span fields; returns "path: message" strings. */
function crossCheck(c: Catalog): string[] {
  const problems: string[] = [];
  for (const [name, set] of Object.entries(c.labelSets)) {
    const at = `catalog.labelSets${keyPath(name)}`;
    if (set.fineToCoarse.length !== set.fine.length) {
      problems.push(`${at}.fineToCoarse: expected ${set.fine.length} entries (one per fine label), got ${set.fineToCoarse.length}`);
    }
    set.fineToCoarse.forEach((ci, i) => {
      if (ci >= set.coarse.length) problems.push(`${at}.fineToCoarse[${i}]: coarse index ${ci} out of range (${set.coarse.length} coarse labels)`);
    });
  }
  const firstIndex = new Map<string, number>();
  c.models.forEach((m, i) => {
    const at = `catalog.models[${i}]`;
    const prev = firstIndex.get(m.id);
    if (prev !== undefined) problems.push(`${at}.id: duplicate id "${m.id}" (also models[${prev}])`);
    else firstIndex.set(m.id, i);
    const set = c.labelSets[m.labelSet];
    if (set === undefined) {
      problems.push(`${at}.labelSet: unknown label set "${m.labelSet}" (known: ${Object.keys(c.labelSets).join(', ') || 'none'})`);
    } else if (set.fine.length !== m.output.shape[1]) {
      problems.push(`${at}.output.shape[1]: model has ${m.output.shape[1]} classes but label set "${m.labelSet}" has ${set.fine.length} fine labels`);
    }
  });
  if (!firstIndex.has(c.default)) {
    problems.push(`catalog.default: no model with id "${c.default}" (known: ${knownIds(c)})`);
  }
  return problems;
}

function knownIds(c: Catalog): string {
  return c.models.map((m) => m.id).join(', ') || 'none';
}

/**
 * Validates parsed catalog.json. Throws an Error listing every problem as
 * `path: message`, e.g. `catalog.models[0].sha256: expected 64 hex chars (lowercase)`.
 */
export function parseCatalog(json: unknown): Catalog {
  const result = v.safeParse(CatalogSchema, json);
  const problems = result.success ? crossCheck(result.output) : result.issues.map(describe);
  if (problems.length > 0 || !result.success) {
    // Cap the list: a wholly wrong file would otherwise produce a wall of text.
    const more = problems.length > 10 ? `; … and ${problems.length - 10} more` : '';
    throw new Error(`Invalid model catalog: ${problems.slice(0, 10).join('; ')}${more}`);
  }
  return result.output;
}

/** The model with this id; throws naming the known ids (e.g. a stale setting). */
export function findModel(catalog: Catalog, id: string): ModelEntry {
  const model = catalog.models.find((m) => m.id === id);
  if (model === undefined) throw new Error(`Unknown model "${id}" (known: ${knownIds(catalog)})`);
  return model;
}

/** A model the product can use, and why it is not exactly the one asked for (when it is not). */
export interface ResolvedModel {
  model: ModelEntry;
  /** Short texts for the user: a stale id replaced by the default, an untrained model. */
  notes: string[];
}

/**
 * The one model choice of the product: the wanted id ('' = the catalog's
 * default), else the default with a note (a setting naming a model that no
 * longer ships must not break classification). Throws only when the catalog
 * names no usable model at all.
 */
export function resolveModel(catalog: Catalog, wanted: string): ResolvedModel {
  const id = wanted || catalog.default;
  const notes: string[] = [];
  const model = catalog.models.find((m) => m.id === id) ?? catalog.models.find((m) => m.id === catalog.default) ?? catalog.models[0];
  if (!model) throw new Error('the model catalog names no usable model');
  if (model.id !== id) notes.push(`model "${id}" is not installed: used ${model.id} instead`);
  if (!model.trained) notes.push(`${modelDisplayName(model)}: labels are meaningless`);
  return { model, notes };
}

/** The label tables of a model (fine labels in output index order). */
export function labelsOf(catalog: Catalog, model: ModelEntry): { fine: string[]; coarse: string[]; fineToCoarse: number[] } {
  const set = catalog.labelSets[model.labelSet];
  if (set === undefined) throw new Error(`Model "${model.id}" uses unknown label set "${model.labelSet}"`);
  return { fine: set.fine, coarse: set.coarse, fineToCoarse: set.fineToCoarse };
}

/** Name for menus; untrained (random-weight) models are flagged so nobody trusts their labels. */
export function modelDisplayName(m: ModelEntry): string {
  return m.trained ? m.name : `${m.name} — untrained, for timing only`;
}
