/**
 * Bring your own ONNX model, through the real Options page: its file input,
 * inspection, normalisation choice, IndexedDB storage and self-check in the
 * offscreen document; then a right-click classification and CIFAR-100 test
 * images through it, against onnxruntime-node on the same file; then removal.
 * The model is exported by the project's second exporter (ml/pitml/export_alt.py):
 * opset 9, other input/output names, BatchNorm not folded, Softmax at the end.
 * Every refusal the Options page owes a user is tried too.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64ToFloats, floatsToBase64 } from '../../src/core/float-codec';
import { normalize } from '../../src/core/normalize';
import { findModel } from '../../src/core/catalog';
import { readCatalog } from '../../tools/lib/catalog-file';
import { batchTensor, cifarDir, hasCifar, readCifar, REPO } from '../../tools/lib/cifar';
import { launchExtension, type ExtensionHandle } from '../../tools/lib/extension';
import { nodeSession, runNode } from '../../tools/lib/ort-node';
import { tinyClassifier } from '../support/onnx-builder';
import { clickClassify, readRecords, waitFor } from '../support/context-menu';
import { offscreenDocument, offscreenWorkers } from '../support/cdp-targets';
import { encodeJpeg, synthetic } from '../../tools/lib/images';
import { startFixture, type Fixture } from './fixtures';

const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
/** The id Options gives the second exporter's model, named "ResNet-20 opset 9". */
const userModelId = 'user-resnet-20-opset-9';
const catalog = readCatalog();
const shipped = findModel(catalog, catalog.default);
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
let ext: ExtensionHandle;
let fx: Fixture;
let sw: Worker;
let options: Page;
let dir: string;
let altPath: string;

function hasTorch(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import torch, onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const reason = hasTorch() ? '' : `${PYTHON} has no torch/onnx (apt-get install python3-torch python3-onnx)`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pit-user-models-'));
  altPath = join(dir, 'resnet20-alt.onnx');
  if (!reason) {
    execFileSync(PYTHON, ['-m', 'pitml.export_alt', '--from', join(REPO, 'models', shipped.file), '--out', altPath, '--probabilities'],
      { cwd: REPO, env: { ...process.env, PYTHONPATH: join(REPO, 'ml') }, stdio: 'pipe' });
  }
  fx = await startFixture();
  ext = await launchExtension();
  sw = await ext.worker();
  options = await ext.page('src/options/options.html');
  await options.waitForFunction(() => document.documentElement.dataset.ready === '1');
}, 180_000);

afterAll(async () => {
  await ext?.close();
  await fx?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Status { text: string; kind: string }
const status = async (): Promise<Status> => options.$eval('#add-model-msg', (el) => ({ text: el.textContent ?? '', kind: el.className }));
/**
 * One operation on the extension's `userModels` store, run in the Options page: every key, one record's
 * input shape, or the rewrite that makes a record look stored by a version without the batch comparison.
 */
type StoreOp = { op: 'keys' } | { op: 'shape'; id: string } | { op: 'forgetBatchCheck'; id: string };
const onUserModels = (what: StoreOp) => options.evaluate((w) => new Promise<unknown>((resolve, reject) => {
  const open = indexedDB.open('private-image-tagger');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const store = db.transaction('userModels', w.op === 'forgetBatchCheck' ? 'readwrite' : 'readonly').objectStore('userModels');
    const done = (v: unknown) => {
      db.close();
      resolve(v);
    };
    const req = w.op === 'keys' ? store.getAllKeys() : store.get(w.id);
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      if (w.op === 'keys') return done((req.result as IDBValidKey[]).map(String));
      const rec = req.result as { batchChecked?: boolean; entry: { input: { shape: unknown } } } | undefined;
      if (w.op === 'shape') return done(rec?.entry.input.shape);
      if (!rec) return reject(new Error(`no user model ${w.id}`));
      const { batchChecked: _dropped, ...old } = rec;
      store.put(old).onsuccess = () => done(undefined);
    };
  };
}), what);
const storedIds = async () => (await onUserModels({ op: 'keys' })) as string[];
/** The ORT sessions the offscreen document holds now (`id|sha256|backend`): a model's weights in memory. */
async function heldSessions(): Promise<string[]> {
  const doc = await offscreenDocument(options);
  try {
    return (await doc.evaluate('globalThis.pitOffscreen.sessionKeys()')) as string[];
  } finally {
    await doc.close();
  }
}
/** The offscreen document's inference workers (page tagging's lanes) running now. */
async function lanes(): Promise<number> {
  const { workers, close } = await offscreenWorkers(options);
  try {
    return workers.filter((w) => w.url.includes('infer-worker')).length;
  } finally {
    await close();
  }
}

/** Tag the page at `url` (open in a tab) from its popup; the records of the images it labelled, all by the user model chosen. */
async function tagWithUserModel(url: string): Promise<{ modelId: string; batchSize: number }[]> {
  const tabId = await sw.evaluate(async (u) => (await chrome.tabs.query({ url: u }))[0]?.id ?? -1, url);
  const n0 = (await readRecords(options)).length;
  const popup = await ext.page(`src/popup/popup.html?tab=${tabId}`);
  await popup.locator('#tag-page').click();
  await expect.poll(() => popup.locator('#tag-status').innerText(), { timeout: 60_000 }).toMatch(/^Done: /);
  await popup.close();
  const recs = (await readRecords(options)).slice(n0) as unknown as { modelId: string; source: string; batchSize: number; error?: string }[];
  const tagged = recs.filter((r) => r.source === 'page' && !r.error);
  expect(tagged.length).toBeGreaterThan(2);
  expect(new Set(tagged.map((r) => r.modelId))).toEqual(new Set([userModelId]));
  return tagged;
}
/** The input shape stored for user model `id`: what the pipeline runs it at. */
const storedShape = (id: string) => onUserModels({ op: 'shape', id });

/** Remove the only user model through its Remove button; nothing is left stored. */
async function removeOnly(): Promise<void> {
  options.once('dialog', (d) => void d.accept());
  await options.click('#user-models button.remove');
  await options.waitForFunction(() => /^Removed/.test(document.getElementById('add-model-msg')!.textContent ?? ''));
  expect(await storedIds()).toEqual([]);
}
const modelOptions = () => options.$$eval('#model option', (os) => os.map((o) => ({ id: (o as HTMLOptionElement).value, name: o.textContent ?? '' })));

/** Pick a file in the real <input type=file>; returns the message the page then shows. */
async function pick(file: string | { name: string; buffer: Buffer }): Promise<Status> {
  await options.click('#add-model-open');
  const before = await options.$eval('#add-model-found', (el) => el.textContent);
  await options.setInputFiles('#add-model-file', typeof file === 'string' ? file : { name: file.name, mimeType: 'application/octet-stream', buffer: file.buffer });
  await options.waitForFunction((b) => document.getElementById('add-model-msg')!.textContent !== '' || document.getElementById('add-model-found')!.textContent !== b, before);
  return status();
}

async function addPicked(name: string, preset: string): Promise<Status> {
  await options.fill('#add-model-name', name);
  await options.check(`input[name=norm][value=${preset}]`);
  await options.click('#add-model-save');
  await options.waitForFunction(() => /^(Added|Not added)/.test(document.getElementById('add-model-msg')!.textContent ?? ''), undefined, { timeout: 120_000 });
  return status();
}

describe('refusals: each names the problem and stores nothing', () => {
  const refusals: [string, () => string | { name: string; buffer: Buffer }, RegExp][] = [
    ['not an ONNX file', () => ({ name: 'photo.onnx', buffer: Buffer.from('<!doctype html><p>not a model</p>') }), /Cannot use photo\.onnx: not .*ONNX model/],
    ['a truncated file', () => ({ name: 'half.onnx', buffer: readFileSync(join(REPO, 'models', shipped.file)).subarray(0, 400_000) }), /Cannot use half\.onnx: .*truncated or corrupt/],
    ['wrong input rank', () => ({ name: 'rank3.onnx', buffer: Buffer.from(tinyClassifier({ rank: 3 })) }), /input 'x' has rank 3/],
    ['wrong input size', () => ({ name: 'big-input.onnx', buffer: Buffer.from(tinyClassifier({ hw: 64 })) }), /input 'x' is \[N,3,64,64\]; expected \[N,3,32,32\]/],
    ['10 outputs', () => ({ name: 'cifar10.onnx', buffer: Buffer.from(tinyClassifier({ classes: 10 })) }), /gives 10 values per image; expected 100/],
    ['1,000 outputs', () => ({ name: 'imagenet.onnx', buffer: Buffer.from(tinyClassifier({ classes: 1000 })) }), /gives 1000 values per image; expected 100/],
    ['a file over 100 MB', () => {
      const p = join(dir, 'huge.onnx');
      writeFileSync(p, '');
      truncateSync(p, 101 * 1024 * 1024); // sparse: nothing is written, the page must refuse by size
      return p;
    }, /Cannot use huge\.onnx: huge\.onnx is 101 MB; at most 100 MB/],
    // The shipped default, named as the catalog names it (a new default brings a new name).
    ['a duplicate of an installed model', () => join(REPO, 'models', shipped.file), new RegExp(`already installed as "${escapeRegExp(shipped.name)}" \\(${shipped.id}\\)`)],
  ];
  it.each(refusals)('%s', async (_name, file, expected) => {
    const s = await pick(file());
    expect(s.text).toMatch(expected);
    expect(s.kind).toContain('fail');
    expect(await options.isHidden('#add-model-form')).toBe(true);
    expect(await storedIds()).toEqual([]);
  });

  it.each([
    ['an operator ONNX Runtime Web lacks', tinyClassifier({ tail: [{ op: 'NoSuchOp', domain: 'com.example', inputs: ['logits'], outputs: ['y'] }], extraOpsets: [{ domain: 'com.example', version: 1 }] }),
      /Not added: ONNX Runtime Web cannot load this model: .*NoSuchOp/],
    ['NaN outputs on the self-check', tinyClassifier({ tail: [{ op: 'Sub', inputs: ['logits', 'C'], outputs: ['neg'] }, { op: 'Log', inputs: ['neg'], outputs: ['y'] }], inits: [{ name: 'C', dims: [1], values: [1e6] }] }),
      /Not added: the self-check gave NaN or infinite outputs/],
  ] as const)('%s: refused by the self-check, nothing kept', async (_name, bytes, expected) => {
    const s = await pick({ name: 'broken.onnx', buffer: Buffer.from(bytes) });
    expect(s.text).toMatch(/^$/); // inspection passed: the form is offered
    expect(await options.isVisible('#add-model-form')).toBe(true);
    const r = await addPicked('Broken', 'unit');
    expect(r.text).toMatch(expected);
    expect(await storedIds()).toEqual([]);
    expect((await modelOptions()).map((o) => o.id)).not.toContain('user-broken');
    // Its session (a model that loads but gives NaN has one) is released, not kept until the document closes.
    expect((await heldSessions()).filter((k) => k.startsWith('user-broken|'))).toEqual([]);
  });
});

describe('a model whose outputs for a batch mix its images', () => {
  it('is kept as a batch-1 model (one image per session.run, as a click runs it), and the message says so', async () => {
    // y = logits + the batch's mean logits: alone, an image gets 2 × its logits; in a batch, the others' show through.
    const mixer = tinyClassifier({ tail: [
      { op: 'ReduceMean', inputs: ['logits'], outputs: ['mean'], attrs: { axes: [0], keepdims: 1 } },
      { op: 'Add', inputs: ['logits', 'mean'], outputs: ['y'] },
    ] });
    await options.reload();
    await options.waitForFunction(() => document.documentElement.dataset.ready === '1');
    const s = await pick({ name: 'mixer.onnx', buffer: Buffer.from(mixer) });
    expect(s.text).toBe('');
    expect(await options.textContent('#add-model-found')).toMatch(/input 'x' \[N,3,32,32\]/); // it declares any batch size
    const r = await addPicked('Mixer', 'unit');
    expect(r.text).toMatch(/^Added "Mixer" \(logits, one image per run: its outputs for a batch were not each image's own, self-check \d+ ms\)/);
    await options.locator('#add-model-msg').screenshot({ path: 'test-results/options-batch-one.png' });
    expect(await storedShape('user-mixer')).toEqual([1, 3, 32, 32]); // the pipeline runs it one image per session.run
    await removeOnly();
  });

  it('a model whose batch of two fails outright (a graph only batch 1 fits) is kept as batch-1, not refused', async () => {
    // y = logits + (logitsᵀ × K)ᵀ with K 1×1 zero: [100, N] × [1, 1] multiplies only for N = 1.
    const single = tinyClassifier({ tail: [
      { op: 'Transpose', inputs: ['logits'], outputs: ['t'], attrs: { perm: [1, 0] } },
      { op: 'MatMul', inputs: ['t', 'K'], outputs: ['m'] },
      { op: 'Transpose', inputs: ['m'], outputs: ['mt'], attrs: { perm: [1, 0] } },
      { op: 'Add', inputs: ['logits', 'mt'], outputs: ['y'] },
    ], inits: [{ name: 'K', dims: [1, 1], values: [0] }] });
    await options.reload();
    await options.waitForFunction(() => document.documentElement.dataset.ready === '1');
    expect((await pick({ name: 'single.onnx', buffer: Buffer.from(single) })).text).toBe('');
    const r = await addPicked('Single', 'unit');
    expect(r.text).toMatch(/^Added "Single" \(logits, one image per run: a batch of two failed \(.+\), self-check \d+ ms\)/);
    expect(await storedShape('user-single')).toEqual([1, 3, 32, 32]);
    await removeOnly();
  });
});

describe('"Check again" on a model removed while it is checked', () => {
  it('leaves "Removed …" on screen, not the failed check of a model that is gone', async () => {
    await options.reload();
    await options.waitForFunction(() => document.documentElement.dataset.ready === '1');
    expect((await pick({ name: 'plain.onnx', buffer: Buffer.from(tinyClassifier()) })).text).toBe('');
    expect((await addPicked('Plain', 'unit')).text).toMatch(/^Added "Plain"/);
    await onUserModels({ op: 'forgetBatchCheck', id: 'user-plain' });
    // A second Options page whose check request waits at the door until the model is removed.
    const held = await ext.context.newPage();
    await held.addInitScript(() => {
      const g = globalThis as unknown as { checkSent: boolean; checkDone: boolean; releaseCheck: () => void };
      const send = chrome.runtime.sendMessage.bind(chrome.runtime) as (...a: unknown[]) => Promise<unknown>;
      const gate = new Promise<void>((r) => {
        g.releaseCheck = r;
      });
      Object.assign(g, { checkSent: false, checkDone: false });
      chrome.runtime.sendMessage = ((...a: unknown[]) => {
        if ((a[0] as { name?: string } | undefined)?.name !== 'background:check-model') return send(...a);
        g.checkSent = true;
        return gate.then(() => send(...a)).finally(() => {
          g.checkDone = true;
        });
      }) as typeof chrome.runtime.sendMessage;
    });
    await held.goto(`chrome-extension://${ext.extensionId}/src/options/options.html`);
    await held.waitForFunction(() => document.documentElement.dataset.ready === '1');
    await held.click('#user-models .check-again');
    await held.waitForFunction(() => (globalThis as unknown as { checkSent: boolean }).checkSent);
    held.once('dialog', (d) => void d.accept());
    await held.click('#user-models button.remove');
    await held.waitForFunction(() => /^Removed/.test(document.getElementById('add-model-msg')!.textContent ?? ''));
    expect(await storedIds()).toEqual([]);
    await held.evaluate(() => (globalThis as unknown as { releaseCheck: () => void }).releaseCheck());
    await held.waitForFunction(() => (globalThis as unknown as { checkDone: boolean }).checkDone);
    // The check of a model that no longer exists fails ("no model … is stored"); its answer has come back, and the
    // page reads the store before it speaks: a second is ample for that one IndexedDB read.
    await held.waitForTimeout(1_000);
    expect(await held.textContent('#add-model-msg')).toBe('Removed "Plain".');
    expect(await held.locator('#user-models li').count()).toBe(0);
    await held.close();
  });
});

describe.skipIf(reason !== '')(`a model exported differently from ours${reason ? ` — skipped: ${reason}` : ''}`, () => {
  const id = userModelId;

  it('is inspected, named, self-checked and offered in Settings', async () => {
    await options.reload();
    await options.waitForFunction(() => document.documentElement.dataset.ready === '1');
    const s = await pick(altPath);
    expect(s.text).toBe('');
    const found = await options.textContent('#add-model-found');
    expect(found).toMatch(/input 'images' \[N,3,32,32\] → output 'probs' \[N,100\]; opset 9/);
    const r = await addPicked('ResNet-20 opset 9', 'cifar100');
    expect(r.text).toMatch(/^Added "ResNet-20 opset 9" \(probabilities, self-check \d+ ms\)/); // batches agree with single images: batched
    expect(await storedIds()).toEqual([id]);
    expect(await modelOptions()).toContainEqual({ id, name: 'ResNet-20 opset 9' });
    expect(await options.textContent('#user-models')).toMatch(/images → probs \(probabilities\)/);
    // The same page's other lists of models follow without a reload: the cloud comparison's model names.
    expect(await options.$$eval('#cloud-map input', (els) => els.map((e) => (e as HTMLInputElement).dataset.model))).toContain(id);
  });

  it.skipIf(!hasCifar('test'))(`classifies CIFAR-100 test images with the same top-1 as onnxruntime-node on the same file${hasCifar('test') ? '' : ` — skipped: no test.bin in ${cifarDir()}`}`, async () => {
    const n = 1000;
    const set = readCifar('test', n);
    const data = batchTensor(set, 0, n, [0.507, 0.4865, 0.4409], [0.2673, 0.2564, 0.2762]);
    const session = await nodeSession(altPath, 1);
    const native = await runNode(session, 'images', 'probs', data, [n, 3, 32, 32]);
    const web = await sw.evaluate(async (req) => (globalThis as unknown as { pit: { sendOffscreen(n: string, p: unknown, t?: number): Promise<{ logits: string }> } }).pit
      .sendOffscreen('offscreen:infer-tensor', req, 120_000), { modelId: id, backend: 'wasm', threads: 0, dims: [n, 3, 32, 32], data: floatsToBase64(data) });
    const webOut = base64ToFloats(web.logits);
    const argmax = (a: Float32Array, i: number) => {
      const row = a.subarray(i * 100, (i + 1) * 100);
      return row.indexOf(Math.max(...row));
    };
    let same = 0;
    let right = 0;
    for (let i = 0; i < n; i++) {
      if (argmax(webOut, i) === argmax(native, i)) same++;
      if (argmax(webOut, i) === set.fine[i]) right++;
    }
    console.log(`user model ${id}: same top-1 as onnxruntime-node on ${same}/${n}; top-1 ${(100 * right / n).toFixed(1)} %`);
    expect(same).toBe(n);
    expect(right / n).toBeGreaterThan(0.6); // it is the shipped ResNet-20, re-exported: it still knows CIFAR-100
  });

  it('labels a right-clicked image when chosen in Settings, and the popup names it', async () => {
    await options.selectOption('#model', id);
    await expect.poll(() => sw.evaluate(async () => ((await chrome.storage.local.get('settings')).settings as { value?: { modelId?: string } } | undefined)?.value?.modelId)).toBe(id);
    const page = await ext.context.newPage();
    await page.goto(fx.pageUrl);
    await page.waitForFunction(() => [...document.images].every((i) => i.complete));
    const n0 = (await readRecords(options)).length;
    await clickClassify(sw, fx.pageUrl, [fx.images.png]);
    const recs = await waitFor(() => readRecords(options), (r) => r.length > n0, 60_000, 'a record from the user model');
    const rec = recs.at(-1) as unknown as { modelId: string; error?: string; top5: { label: string; prob: number }[] };
    expect(rec.error, rec.error).toBeUndefined();
    expect(rec.modelId).toBe(id);
    expect(rec.top5).toHaveLength(5);
    // The model's own probabilities, not softmaxed again: the top-1 equals onnxruntime-node's on the same 32×32 input
    // (a second softmax over values in [0, 1] could not exceed 0.03).
    const pre = await sw.evaluate(async (u) => (globalThis as unknown as { pit: { sendOffscreen(n: string, p: unknown, t?: number): Promise<{ chw: string }> } }).pit
      .sendOffscreen('offscreen:preprocess', { srcUrl: u, size: 32, prefer: 'auto' }, 60_000), fx.images.png);
    const input = normalize(base64ToFloats(pre.chw), [0.507, 0.4865, 0.4409], [0.2673, 0.2564, 0.2762]);
    const native = await runNode(await nodeSession(altPath, 1), 'images', 'probs', input, [1, 3, 32, 32]);
    expect(rec.top5[0]!.prob).toBeCloseTo(Math.max(...native), 3);
    const popup = await ext.page('src/popup/popup.html');
    await expect.poll(() => popup.textContent('body'), { timeout: 20_000 }).toContain('ResNet-20 opset 9');
    await popup.close();
    await page.close();
  });

  it('added before batches were checked, it tags one image per run until "Check again" finds its batches sound', async () => {
    // What a model stored by a version without the batch comparison looks like: checked, no batchChecked.
    await onUserModels({ op: 'forgetBatchCheck', id });
    // As the extension says it (lib/catalog-loader.ts): every context drops its cached catalog.
    await options.evaluate(() => {
      const ch = new BroadcastChannel('pit-user-models');
      ch.postMessage('changed');
      ch.close();
    });
    await options.reload();
    await options.waitForFunction(() => document.documentElement.dataset.ready === '1');
    expect(await options.textContent('#user-models')).toContain('added before batches were checked: one image per run until checked again');
    await options.locator('#user-models').screenshot({ path: 'test-results/options-check-again.png' });

    const page = await ext.context.newPage();
    await page.goto(fx.pageUrl);
    await page.waitForFunction(() => [...document.images].every((i) => i.complete) && (document.getElementById('blob') as HTMLImageElement).src.startsWith('blob:'));
    expect(Math.max(...(await tagWithUserModel(fx.pageUrl)).map((r) => r.batchSize))).toBe(1); // a label must not depend on which images share its batch, until that is known

    await options.click('#user-models .check-again');
    await options.waitForFunction(() => /^(Checked|The check)/.test(document.getElementById('add-model-msg')!.textContent ?? ''), undefined, { timeout: 120_000 });
    expect(await options.textContent('#add-model-msg')).toMatch(/^Checked "ResNet-20 opset 9" again: a batch gives each image its own outputs: pages are tagged in batches \(self-check \d+ ms\)/);
    expect(await options.textContent('#user-models')).not.toContain('added before batches were checked');
    expect(await options.locator('#user-models .check-again').count()).toBe(0);
    expect(Math.max(...(await tagWithUserModel(fx.pageUrl)).map((r) => r.batchSize))).toBeGreaterThan(1);
    await page.close();
  });

  it('tags a long page on two worker lanes at 2 threads', async () => {
    await options.selectOption('#threads', '2');
    await options.waitForFunction(() => (document.getElementById('saved')?.textContent ?? '') !== '');
    const tags: string[] = [];
    for (let i = 0; i < 40; i++) {
      fx.site.routes.set(`/many/${i}.jpg`, { type: 'image/jpeg', body: encodeJpeg(96, 64, synthetic(96, 64, 300 + i)) });
      tags.push(`<img src="/many/${i}.jpg" width="96" height="64" alt="">`);
    }
    fx.site.routes.set('/many.html', { type: 'text/html', body: `<!doctype html><html><body>${tags.join('')}</body></html>` });
    const url = `${fx.site.origin}/many.html`;
    const page = await ext.context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => [...document.images].every((i) => i.complete));
    const recs = await tagWithUserModel(url);
    expect(recs).toHaveLength(40);
    expect(Math.max(...recs.map((r) => r.batchSize))).toBeGreaterThan(1);
    expect(await lanes()).toBe(2); // each holds a copy of the model's weights
    // A right-click runs on the document's own session (the thread change gave it a fresh document).
    const n0 = (await readRecords(options)).length;
    await clickClassify(sw, url, [`${fx.site.origin}/many/0.jpg`]);
    await waitFor(() => readRecords(options), (r) => r.length > n0, 60_000, 'a right-click record');
    await page.close();
  });

  it('can be removed: gone from Settings, storage, the offscreen document\'s session and its worker lanes, the default model chosen again', async () => {
    expect((await heldSessions()).filter((k) => k.startsWith(`${id}|`))).toHaveLength(1); // it labelled images: its session is held
    expect(await lanes()).toBe(2);
    options.once('dialog', (d) => void d.accept());
    await options.click('#user-models button.remove');
    await options.waitForFunction(() => /^Removed/.test(document.getElementById('add-model-msg')!.textContent ?? ''));
    expect(await storedIds()).toEqual([]);
    await expect.poll(async () => (await heldSessions()).filter((k) => k.startsWith(`${id}|`))).toEqual([]);
    await expect.poll(lanes).toBe(0);
    expect((await modelOptions()).map((o) => o.id)).not.toContain(id);
    await expect.poll(() => options.$$eval('#cloud-map input', (els) => els.map((e) => (e as HTMLInputElement).dataset.model))).not.toContain(id);
    await expect.poll(() => sw.evaluate(async () => ((await chrome.storage.local.get('settings')).settings as { value?: { modelId?: string } } | undefined)?.value?.modelId ?? '')).toBe('');
  });
});
