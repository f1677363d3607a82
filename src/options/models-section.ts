/**
 * Options → Models: the user's own ONNX classifiers. A picked file is read
 * here (never uploaded), inspected (core/onnx-inspect), named and given its
 * normalisation, stored unchecked in IndexedDB with its sha256, then
 * self-checked in the offscreen document by the same loader every
 * classification uses; only a model that passes is offered anywhere.
 */
import { DEFAULT_UNSURE_BELOW } from '../core/calibration';
import { parseCatalog, modelDisplayName, type Catalog, type ModelEntry } from '../core/catalog';
import { asClassifier, inspectOnnx, MAX_MODEL_BYTES, NORMALISATION_PRESETS, type OnnxInfo } from '../core/onnx-inspect';
import { sha256Hex } from '../core/sha256';
import { loadCatalog, userModelsChanged } from '../lib/catalog-loader';
import { addUserModel, deleteUserModel, listUserModels, needsBatchCheck, UserModelConflict } from '../lib/db';
import { byId as $ } from '../lib/dom';
import { t, uiLanguage } from '../lib/i18n';
import { send } from '../lib/messaging';
import { loadSettings, saveSettings } from '../lib/settings';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** `v` with `digits` decimals in the UI language ("69.50" / "69,50"); no grouping, so English reads as toFixed did. */
export function fixed(v: number, digits: number): string {
  return new Intl.NumberFormat(uiLanguage(), { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(v);
}

const mb = (bytes: number, digits: number) => fixed(bytes / 1048576, digits);

/** What the self-check found about batches, for a model that declares any batch size. */
const batchVerdict = (r: { batchOne: boolean; batchError?: string }) =>
  !r.batchOne ? t('optBatchOwn') : r.batchError !== undefined ? t('optBatchFails', r.batchError) : t('optBatchMixes');

/** What a model's 100 outputs are, in the user's language. */
const kindName = (kind: 'logits' | 'probabilities' | undefined) => (kind === 'probabilities' ? t('optKindProbabilities') : t('optKindLogits'));

/** "1.0, 0.5,0.25" → three finite numbers, or an error naming the field (`what`, already in the user's language). */
export function parseTriple(text: string, what: string, positive: boolean): number[] {
  const parts = text.split(/[\s,;]+/).filter(Boolean).map(Number);
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x)) || (positive && parts.some((x) => x <= 0))) {
    throw new Error(positive ? t('optTriplePositive', what) : t('optTriple', what));
  }
  return parts;
}

function slug(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'model';
}

interface Picked {
  file: File;
  bytes: ArrayBuffer;
  info: OnnxInfo;
  sha256: string;
  inputName: string;
  outputName: string;
  batch: number;
}

/** `onChange` re-renders the model picker above (the catalog changed). */
export async function initModelsSection(onChange: (catalog: Catalog) => void): Promise<void> {
  const panel = $('add-model');
  const form = $('add-model-form');
  const found = $('add-model-found');
  const msg = $('add-model-msg');
  const fileInput = $<HTMLInputElement>('add-model-file');
  const saveBtn = $<HTMLButtonElement>('add-model-save');
  let picked: Picked | undefined;

  const say = (text: string, kind: '' | 'ok' | 'fail' = '') => {
    msg.textContent = text;
    msg.className = `hint ${kind}`.trim();
  };
  const reset = (clearFile = true) => {
    picked = undefined;
    if (clearFile) fileInput.value = '';
    found.textContent = '';
    form.hidden = true;
  };

  /** The models whose "Check again" runs now (the list is rebuilt meanwhile when another model comes or goes). */
  const checking = new Set<string>();
  const renderList = async () => {
    const mine = (await listUserModels()).filter((m) => m.checked);
    $('user-models').replaceChildren(...mine.map((m) => {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = modelDisplayName(m.entry);
      const meta = document.createElement('span');
      meta.className = 'meta';
      meta.textContent = t('optUserModelMeta', m.entry.input.name, m.entry.output.name, kindName(m.entry.output.kind), mb(m.entry.bytes, 1), m.entry.sha256.slice(0, 12));
      const remove = Object.assign(document.createElement('button'), { type: 'button', className: 'remove', textContent: t('optRemove') });
      remove.setAttribute('aria-label', t('optRemoveAria', m.entry.name));
      remove.addEventListener('click', () => void removeModel(m.entry));
      li.append(name, meta);
      // A user's model has no fitted calibration: its probabilities are its own, "unsure" at the default threshold.
      if (!m.entry.calibration) li.append(Object.assign(document.createElement('span'), { className: 'meta calibration-note', textContent: t('optUncalibrated', String(Math.round(DEFAULT_UNSURE_BELOW * 100))) }));
      if (needsBatchCheck(m)) {
        const note = Object.assign(document.createElement('span'), { className: 'meta batch-note', textContent: t('optBatchUnchecked') });
        const again = Object.assign(document.createElement('button'), { type: 'button', className: 'check-again', textContent: t('optCheckAgain'), disabled: checking.has(m.id) });
        again.setAttribute('aria-label', t('optCheckAgainAria', m.entry.name));
        again.addEventListener('click', () => void checkAgain(m.entry, again));
        li.append(note, again);
      }
      li.append(remove);
      return li;
    }));
  };
  const refresh = async () => {
    userModelsChanged();
    onChange(await loadCatalog());
    await renderList();
  };
  // A model checked before batch outputs were compared: the same self-check again, now with the comparison.
  const checkAgain = async (entry: ModelEntry, button: HTMLButtonElement) => {
    checking.add(entry.id);
    button.disabled = true;
    say(t('optChecking', entry.name));
    try {
      const r = await send('background:check-model', { id: entry.id }, 130_000);
      say(t('optCheckedAgain', entry.name, batchVerdict(r), fixed(r.ms, 0)), 'ok');
    } catch (e) {
      // Removed while it was checked: "Removed …" stands.
      if ((await listUserModels()).some((m) => m.id === entry.id)) say(t('optCheckAgainFailed', entry.name, message(e)), 'fail');
    } finally {
      checking.delete(entry.id);
      await refresh();
    }
  };
  const removeModel = async (entry: ModelEntry) => {
    if (!confirm(t('optRemoveConfirm', entry.name))) return;
    await deleteUserModel(entry.id);
    if ((await loadSettings()).modelId === entry.id) await saveSettings({ modelId: '' });
    await refresh();
    say(t('optRemoved', entry.name), 'ok');
  };

  // An entry left unchecked (its self-check failed or never answered, and this page could not delete it): drop it.
  for (const m of await listUserModels()) if (!m.checked && Date.now() - m.addedAt > 5 * 60_000) await deleteUserModel(m.id);
  await renderList();

  $('add-model-open').addEventListener('click', () => {
    panel.hidden = false;
    fileInput.focus();
  });
  $('add-model-cancel').addEventListener('click', () => {
    reset();
    say('');
    panel.hidden = true;
  });

  // Picks are numbered: a slow earlier pick (a big file still being read) must not show its result over a later one.
  let pickSeq = 0;
  fileInput.addEventListener('change', () => void (async () => {
    const mine = ++pickSeq;
    reset(false);
    const file = fileInput.files?.[0];
    say('');
    if (!file) return;
    try {
      // Judged by its size before a byte is read: a 2 GB file must not be loaded to be refused.
      if (file.size > MAX_MODEL_BYTES) throw new Error(t('optFileTooBig', file.name, mb(file.size, 0), mb(MAX_MODEL_BYTES, 0)));
      const bytes = await file.arrayBuffer();
      if (mine !== pickSeq) return;
      const info = inspectOnnx(new Uint8Array(bytes));
      const shape = asClassifier(info);
      if (shape.batch > 1) throw new Error(t('optFixedBatch', shape.inputName, shape.batch));
      const sha256 = await sha256Hex(bytes);
      const catalog = await loadCatalog();
      if (mine !== pickSeq) return;
      const same = catalog.models.find((m) => m.sha256 === sha256);
      if (same) throw new Error(t('optDuplicate', same.name, same.id));
      picked = { file, bytes, info, sha256, ...shape };
      const n = shape.batch === 1 ? '1' : 'N';
      found.textContent = t('optFound', shape.inputName, n, shape.outputName, n, info.opset || t('optOpsetUnknown'),
        info.ops.length, fixed(info.params / 1e6, 2), mb(file.size, 1));
      $<HTMLInputElement>('add-model-name').value = file.name.replace(/\.onnx$/i, '');
      form.hidden = false;
    } catch (e) {
      if (mine !== pickSeq) return;
      reset(false);
      say(t('optCannotUse', file.name, message(e)), 'fail');
    }
  })());

  saveBtn.addEventListener('click', () => void (async () => {
    const p = picked;
    if (!p) return;
    saveBtn.disabled = true;
    let id = '';
    let stored = false;
    try {
      const name = $<HTMLInputElement>('add-model-name').value.trim() || p.file.name;
      const norm = document.querySelector<HTMLInputElement>('input[name=norm]:checked')?.value ?? 'cifar100';
      const { mean, std } = norm === 'custom'
        ? { mean: parseTriple($<HTMLInputElement>('norm-mean').value, t('optNormMean'), false), std: parseTriple($<HTMLInputElement>('norm-std').value, t('optNormStd'), true) }
        : NORMALISATION_PRESETS[norm as keyof typeof NORMALISATION_PRESETS];
      const catalog = await loadCatalog();
      const taken = new Set([...catalog.models.map((m) => m.id), ...(await listUserModels()).map((m) => m.id)]);
      const base = `user-${slug(name)}`;
      id = base;
      for (let k = 2; taken.has(id); k++) id = `${base}-${k}`;
      const batch = p.batch === 1 ? 1 : -1;
      const entry: ModelEntry = {
        id, name, arch: 'onnx', file: `${id}.onnx`, sha256: p.sha256, bytes: p.file.size,
        input: { name: p.inputName, shape: [batch, 3, 32, 32], dtype: 'float32', layout: 'NCHW' },
        output: { name: p.outputName, shape: [batch, 100] },
        mean: [...mean], std: [...std], labelSet: 'cifar100', trained: true, userAdded: true,
        params: p.info.params, accuracy: null,
        provenance: { source: 'imported', recipe: `your ONNX file ${p.file.name}`, opset: p.info.opset, createdAt: new Date().toISOString() },
      };
      // The catalog's own check, before anything is stored: an entry it would refuse later must not be kept.
      parseCatalog({ ...catalog, models: [...catalog.models, entry], default: catalog.default });
      // The catalog may have gained this file since it was picked (another tab added it).
      const same = catalog.models.find((m) => m.sha256 === p.sha256);
      if (same) throw new Error(t('optDuplicate', same.name, same.id));
      say(t('optChecking', name));
      try {
        await addUserModel({ id, entry, addedAt: Date.now(), checked: false }, p.bytes);
      } catch (e) {
        if (e instanceof UserModelConflict && e.existing) throw new Error(t('optDuplicate', e.existing.entry.name, e.existing.id));
        throw e;
      }
      stored = true;
      const r = await send('background:check-model', { id }, 130_000);
      await refresh();
      reset();
      say(t('optAdded', name, r.batchOne && entry.input.shape[0] !== 1 ? `${kindName(r.kind)}, ${batchVerdict(r)}` : kindName(r.kind), fixed(r.ms, 0)), 'ok');
    } catch (e) {
      if (stored) await deleteUserModel(id).catch(() => undefined); // only our own entry: never another tab's
      say(t('optNotAdded', message(e)), 'fail');
    } finally {
      saveBtn.disabled = false;
    }
  })());
}
