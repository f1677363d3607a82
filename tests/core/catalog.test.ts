import { describe, expect, it } from 'vitest';
import { findModel, labelsOf, modelDisplayName, parseCatalog, resolveModel } from '../../src/core/catalog';

const SHA = 'a'.repeat(64);

function model(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'tiny-net', name: 'Tiny net', arch: 'resnet20', file: 'tiny-net.onnx', sha256: SHA, bytes: 1234,
    input: { name: 'input', shape: [-1, 3, 32, 32], dtype: 'float32', layout: 'NCHW' },
    output: { name: 'logits', shape: [-1, 3] },
    mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25],
    labelSet: 'mini', trained: true, params: 10, madds: 20, accuracy: null,
    provenance: { source: 'trained', recipe: 'test', epochs: 1 },
    ...overrides,
  };
}

type Draft = { labelSets: Record<string, Record<string, unknown>>; models: Record<string, unknown>[]; [k: string]: unknown };

/** A fresh valid catalog; `edit` mutates it into the case under test. */
function catalog(edit: (c: Draft) => void = () => {}): unknown {
  const c = {
    schemaVersion: 1,
    labelSets: { mini: { fine: ['apple', 'bear', 'cat'], coarse: ['fruit', 'animal'], fineToCoarse: [0, 1, 1] } },
    default: 'tiny-net',
    models: [model(), model({ id: 'tiny-random', trained: false, provenance: { source: 'random-init' } })],
  };
  edit(c);
  return c;
}

describe('parseCatalog', () => {
  it('accepts a valid minimal catalog', () => {
    const c = parseCatalog(catalog());
    expect(c.default).toBe('tiny-net');
    expect(c.models.map((m) => m.id)).toEqual(['tiny-net', 'tiny-random']);
    expect(c.models[0]?.input.shape).toEqual([-1, 3, 32, 32]);
  });

  it('accepts a fixed batch size and an accuracy block', () => {
    const acc = { top1: 67.1, top5: 89.9, images: 10000, dataset: 'CIFAR-100 test', runtime: 'ort', measuredAt: 'now', web: { top1: 67, top5: 89.8, runtime: 'web' } };
    const c = parseCatalog(catalog((c) => { c.models[0] = model({ input: { name: 'x', shape: [8, 3, 32, 32], dtype: 'float32', layout: 'NCHW' }, accuracy: acc }); }));
    expect(c.models[0]?.accuracy?.top1).toBe(67.1);
  });

  const invalid: [string, (c: Draft) => void, string][] = [
    ['bad sha256', (c) => { c.models[0] = model({ sha256: 'ABC' }); }, 'catalog.models[0].sha256: expected 64 hex chars'],
    ['uppercase sha256', (c) => { c.models[1] = model({ id: 'x', sha256: SHA.toUpperCase() }); }, 'catalog.models[1].sha256:'],
    ['duplicate id', (c) => { c.models[1] = model(); }, 'catalog.models[1].id: duplicate id "tiny-net"'],
    ['id with capitals', (c) => { c.models[0] = model({ id: 'Tiny' }); }, 'catalog.models[0].id:'],
    ['id starting with -', (c) => { c.models[0] = model({ id: '-tiny' }); }, 'catalog.models[0].id:'],
    ['file with a slash', (c) => { c.models[0] = model({ file: 'sub/tiny.onnx' }); }, 'catalog.models[0].file:'],
    ['file with a backslash', (c) => { c.models[0] = model({ file: 'sub\\tiny.onnx' }); }, 'catalog.models[0].file:'],
    ['file with ..', (c) => { c.models[0] = model({ file: '..onnx' }); }, 'catalog.models[0].file:'],
    ['mean of 2 values', (c) => { c.models[0] = model({ mean: [0.5, 0.5] }); }, 'catalog.models[0].mean: expected 3 values'],
    ['std of 4 values', (c) => { c.models[0] = model({ std: [1, 1, 1, 1] }); }, 'catalog.models[0].std: expected 3 values'],
    ['zero std', (c) => { c.models[0] = model({ std: [0.2, 0, 0.2] }); }, 'catalog.models[0].std[1]: expected a value > 0'],
    ['input with 1 channel', (c) => { c.models[0] = model({ input: { name: 'x', shape: [-1, 1, 32, 32], dtype: 'float32', layout: 'NCHW' } }); }, 'catalog.models[0].input.shape[1]: expected 3 channels'],
    ['input of rank 3', (c) => { c.models[0] = model({ input: { name: 'x', shape: [3, 32, 32], dtype: 'float32', layout: 'NCHW' } }); }, 'catalog.models[0].input.shape'],
    ['input batch 0', (c) => { c.models[0] = model({ input: { name: 'x', shape: [0, 3, 32, 32], dtype: 'float32', layout: 'NCHW' } }); }, 'catalog.models[0].input.shape[0]'],
    ['input height 31.5', (c) => { c.models[0] = model({ input: { name: 'x', shape: [-1, 3, 31.5, 32], dtype: 'float32', layout: 'NCHW' } }); }, 'catalog.models[0].input.shape[2]'],
    ['unknown label set', (c) => { c.models[0] = model({ labelSet: 'cifar10' }); }, 'catalog.models[0].labelSet: unknown label set "cifar10" (known: mini)'],
    ['class count mismatch', (c) => { c.models[1] = model({ id: 'x', output: { name: 'y', shape: [-1, 100] } }); }, 'catalog.models[1].output.shape[1]: model has 100 classes but label set "mini" has 3 fine labels'],
    ['default names no model', (c) => { c.default = 'gone'; }, 'catalog.default: no model with id "gone" (known: tiny-net, tiny-random)'],
    ['fineToCoarse out of range', (c) => { c.labelSets['mini'] = { fine: ['a', 'b', 'c'], coarse: ['x'], fineToCoarse: [0, 0, 1] }; }, 'catalog.labelSets.mini.fineToCoarse[2]: coarse index 1 out of range'],
    ['label set missing coarse', (c) => { c.labelSets['mini'] = { fine: ['a', 'b', 'c'], fineToCoarse: [0, 0, 0] }; }, 'catalog.labelSets.mini.coarse:'],
    ['missing models', (c) => { Reflect.deleteProperty(c, 'models'); }, 'catalog.models: required field is missing'],
    ['wrong schemaVersion', (c) => { c.schemaVersion = 2; }, 'catalog.schemaVersion: expected 1'],
  ];

  it.each(invalid)('rejects %s, naming the path', (_name, edit, message) => {
    expect(() => parseCatalog(catalog(edit))).toThrow(message);
  });

  it('rejects a non-object', () => {
    expect(() => parseCatalog(null)).toThrow(/^Invalid model catalog: catalog: /);
  });
});

describe('catalog helpers', () => {
  const c = parseCatalog(catalog());

  it('finds models by id and lists the known ids otherwise', () => {
    expect(findModel(c, 'tiny-random').trained).toBe(false);
    expect(() => findModel(c, 'nope')).toThrow('Unknown model "nope" (known: tiny-net, tiny-random)');
  });

  it('returns the label tables of a model', () => {
    expect(labelsOf(c, findModel(c, 'tiny-net'))).toEqual({ fine: ['apple', 'bear', 'cat'], coarse: ['fruit', 'animal'], fineToCoarse: [0, 1, 1] });
  });

  it('flags untrained models in their display name', () => {
    expect(modelDisplayName(findModel(c, 'tiny-net'))).toBe('Tiny net');
    expect(modelDisplayName(findModel(c, 'tiny-random'))).toBe('Tiny net — untrained, for timing only');
  });

  it('resolves the wanted model, the default for "", and the default with a note for a stale id', () => {
    expect(resolveModel(c, 'tiny-net')).toEqual({ model: findModel(c, 'tiny-net'), notes: [] });
    expect(resolveModel(c, '').model.id).toBe('tiny-net');
    expect(resolveModel(c, 'gone-model')).toEqual({ model: findModel(c, 'tiny-net'), notes: ['model "gone-model" is not installed: used tiny-net instead'] });
    expect(resolveModel(c, 'tiny-random').notes).toEqual(['Tiny net — untrained, for timing only: labels are meaningless']);
  });
});
