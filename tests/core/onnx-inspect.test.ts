import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asClassifier, inspectOnnx, judgeOutputs, MAX_MODEL_BYTES, sameOutputs } from '../../src/core/onnx-inspect';
import { buildOnnx, tinyClassifier, type ValueSpec } from '../support/onnx-builder';

/** Pool → flatten → Gemm with its interface and weights as given: shapes left out, weights in another file, absurd dims. */
function model(o: { input?: ValueSpec['dims']; output?: ValueSpec['dims']; external?: boolean; extraInitDims?: number[] } = {}): Uint8Array {
  const w = Array.from({ length: 300 }, (_, i) => Math.sin(i));
  return buildOnnx({
    inputs: [{ name: 'x', dims: o.input === undefined ? ['N', 3, 32, 32] : o.input }],
    outputs: [{ name: 'y', dims: o.output === undefined ? ['N', 100] : o.output }],
    inits: [
      { name: 'W', dims: [3, 100], values: w, ...(o.external ? { external: true } : {}) },
      ...(o.extraInitDims ? [{ name: 'Z', dims: o.extraInitDims, values: [] }] : []),
    ],
    nodes: [
      { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['p'] },
      { op: 'Flatten', inputs: ['p'], outputs: ['f'], attrs: { axis: 1 } },
      { op: 'Gemm', inputs: ['f', 'W'], outputs: ['y'] },
    ],
  });
}

const shipped = new Uint8Array(readFileSync(new URL('../../models/resnet20-pit.onnx', import.meta.url)));

describe('inspectOnnx reads what a user needs to know from the file itself', () => {
  it('the shipped model: names, shapes, opset and operators as exported', () => {
    const info = inspectOnnx(shipped);
    expect(info.opset).toBeGreaterThanOrEqual(13);
    expect(info.inputs.map((i) => i.name)).toEqual(['input']);
    expect(info.inputs[0]!.dims.slice(1)).toEqual([3, 32, 32]);
    expect(typeof info.inputs[0]!.dims[0]).toBe('string'); // a free batch dimension
    expect(info.outputs.map((o) => [o.name, o.dims[1]])).toEqual([['logits', 100]]);
    expect(info.ops).toContain('::Conv');
    expect(info.params).toBeGreaterThan(270_000);
    expect(asClassifier(info)).toEqual({ inputName: 'input', outputName: 'logits', batch: -1 });
  });

  it('initializers an old exporter lists as inputs are not inputs', () => {
    const m = tinyClassifier({ inputName: 'images', outputName: 'scores', initsAsInputs: true });
    const info = inspectOnnx(m);
    expect(info.inputs.map((i) => i.name)).toEqual(['images']);
    expect(asClassifier(info)).toEqual({ inputName: 'images', outputName: 'scores', batch: -1 });
  });

  it('free height and width are left to the self-check, as the CLI importer does', () => {
    const m = tinyClassifier({ hw: 'H' });
    expect(asClassifier(inspectOnnx(m)).inputName).toBe('x');
  });

  it('a fixed batch of 1 is read as such', () => {
    expect(asClassifier(inspectOnnx(tinyClassifier({ batch: 1 }))).batch).toBe(1);
  });
});

describe('refusals say what is wrong with the file', () => {
  it('bytes that are not ONNX', () => {
    expect(() => inspectOnnx(new TextEncoder().encode('<!doctype html><title>not a model</title>'))).toThrow(/not (a readable )?ONNX model/);
    expect(() => inspectOnnx(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toThrow(/ONNX model/);
    expect(() => inspectOnnx(new Uint8Array(0))).toThrow(/empty/);
  });

  it('a truncated file', () => {
    expect(() => inspectOnnx(shipped.subarray(0, Math.floor(shipped.length / 2)))).toThrow(/truncated or corrupt/);
  });

  it('wrong input rank or size', () => {
    expect(() => asClassifier(inspectOnnx(tinyClassifier({ rank: 3 })))).toThrow(/input 'x' has rank 3 \[N,3,32\]; expected \[N,3,32,32\]/);
    expect(() => asClassifier(inspectOnnx(tinyClassifier({ hw: 64 })))).toThrow(/input 'x' is \[N,3,64,64\]; expected \[N,3,32,32\]/);
  });

  it('10 or 1,000 outputs instead of 100', () => {
    expect(() => asClassifier(inspectOnnx(tinyClassifier({ classes: 10 })))).toThrow(/gives 10 values per image; expected 100/);
    expect(() => asClassifier(inspectOnnx(tinyClassifier({ classes: 1000 })))).toThrow(/gives 1000 values per image; expected 100/);
  });

  it('an input without a declared shape is refused as such; an output without one is left to the self-check, as the CLI does', () => {
    expect(() => asClassifier(inspectOnnx(model({ input: null })))).toThrow("input 'x' has no declared shape; expected [N,3,32,32]");
    expect(asClassifier(inspectOnnx(model({ output: null })))).toEqual({ inputName: 'x', outputName: 'y', batch: -1 });
  });

  it('weights kept in external data files (which the browser never gets), in the CLI importer\'s words', () => {
    expect(() => inspectOnnx(model({ external: true }))).toThrow("weights are stored in external data files (tensor 'W'); save the model as one self-contained .onnx file");
  });

  it('absurd weight dimensions keep the parameter count a finite number', () => {
    const info = inspectOnnx(model({ extraInitDims: Array.from({ length: 40 }, () => 2 ** 30) }));
    expect(Number.isSafeInteger(info.params)).toBe(true);
  });

  it('a file over 100 MB', () => {
    // A view claiming the size: the check comes before any byte is decoded.
    const huge = { length: MAX_MODEL_BYTES + 1 } as Uint8Array;
    expect(() => inspectOnnx(huge)).toThrow(/at most 100 MB/);
  });
});

describe('judgeOutputs', () => {
  it('tells probabilities from logits and refuses NaN', () => {
    const probs = new Float32Array(200).fill(0.01);
    expect(judgeOutputs(probs, 2)).toBe('probabilities');
    const logits = new Float32Array(200).map((_, i) => Math.sin(i) * 3);
    expect(judgeOutputs(logits, 2)).toBe('logits');
    logits[150] = Number.NaN;
    expect(() => judgeOutputs(logits, 2)).toThrow(/NaN or infinite/);
    expect(() => judgeOutputs(new Float32Array(10), 2)).toThrow(/gave 10 values for 2 images/);
  });
});

describe('sameOutputs (a batch against each image alone)', () => {
  const rows = (...r: number[][]) => Float32Array.from(r.flat());
  it('accepts float rounding, relative to each row', () => {
    expect(sameOutputs(rows([10, -3, 0.5], [0.1, 0.2, 0.3]), rows([10.0005, -3, 0.5], [0.10005, 0.2, 0.3]), 3)).toBe(true);
  });
  it('refuses a real difference, even beside a row of large logits that would widen a shared tolerance', () => {
    expect(sameOutputs(rows([1000, 0, 0], [0.1, 0.2, 0.3]), rows([1000, 0, 0], [0.15, 0.2, 0.3]), 3)).toBe(false);
  });
  it('refuses NaN and a length mismatch', () => {
    expect(sameOutputs(rows([NaN, 0, 0]), rows([NaN, 0, 0]), 3)).toBe(false);
    expect(sameOutputs(rows([1, 2, 3]), rows([1, 2, 3], [1, 2, 3]), 3)).toBe(false);
  });
});
