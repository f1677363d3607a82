/**
 * The ONNX → TensorFlow.js translator against onnxruntime-node, on
 * TensorFlow.js's WebAssembly backend (the one the bench page runs: it is where
 * the fused-matMul bias bug showed): the shipped model, and one random-weight
 * model of each of the five CIFAR families the zoo exports (when Debian's
 * PyTorch is here to export them; CI installs it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGraph } from '../../src/core/onnx-graph';
import { OnnxError } from '../../src/core/onnx-inspect';
import { compileOnnx } from '../../src/core/tfjs/exec';
import { planGraph, reshapeLayout, transposeData, UnsupportedGraph } from '../../src/core/tfjs/plan';
import { compareLogits } from '../../src/core/tfjs/compare';
import { buildOnnx, tinyClassifier } from '../support/onnx-builder';

const REPO = new URL('../..', import.meta.url).pathname;
const shipped = new Uint8Array(readFileSync(join(REPO, 'models/resnet20-pit.onnx')));

/** Deterministic input in the normalised range the models see. */
const input = (n: number) => Float32Array.from({ length: n * 3072 }, (_, i) => Math.sin(i * 0.37) * 2);

async function reference(bytes: Uint8Array, data: Float32Array, n: number): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes);
  try {
    const out = await s.run({ [s.inputNames[0]!]: new ort.Tensor('float32', data, [n, 3, 32, 32]) });
    return out[s.outputNames[0]!]!.data as Float32Array;
  } finally {
    await s.release();
  }
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('the translator runs the CIFAR models as onnxruntime does', () => {
  it('the shipped ResNet-20: logits within 1e-4 of the largest, same top-1, batch 1 and 3; one transpose, activations fused', async () => {
    const m = compileOnnx(tf, shipped);
    try {
      for (const n of [1, 3]) {
        const got = await m.run(input(n), [n, 3, 32, 32]);
        const cmp = compareLogits(got, await reference(shipped, input(n), n), 100);
        expect(cmp.maxRelDiff).toBeLessThan(1e-4);
        expect(cmp.top1Agree).toBe(1);
      }
      const plan = m.plan([1, 3, 32, 32]);
      expect(plan.steps.filter((s) => s.op === 'transpose')).toHaveLength(1); // the NCHW input only
      const convs = plan.steps.filter((s) => s.op === 'conv');
      expect(convs).toHaveLength(21);
      expect(convs.filter((s) => s.op === 'conv' && s.activation === 'relu')).toHaveLength(10); // each block's first conv and the stem
      expect(plan.outputDims).toEqual([1, 100]);
    } finally {
      m.dispose();
    }
  });

  it('no tensor outlives a run (weights excepted)', async () => {
    const m = compileOnnx(tf, shipped);
    await m.run(input(1), [1, 3, 32, 32]);
    const after = tf.memory().numTensors;
    await m.run(input(1), [1, 3, 32, 32]);
    await m.run(input(2), [2, 3, 32, 32]);
    const weights = m.plan([2, 3, 32, 32]).weights.size;
    expect(tf.memory().numTensors).toBe(after + weights); // the batch-2 plan's weights, nothing else
    m.dispose();
  });
});

const FAMILIES = ['resnet20', 'vgg11_bn', 'mobilenetv2_x0_5', 'shufflenetv2_x0_5', 'repvgg_a0'];
const PY = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasTorch)('every CIFAR family the zoo exports (random weights, via `npm run zoo`)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(os.tmpdir(), 'pit-tfjs-zoo-'));
    const r = spawnSync(PY, ['-m', 'pitml.zoo', '--arch', FAMILIES.join(','), '--out', dir], { cwd: REPO, env: { ...process.env, PYTHONPATH: join(REPO, 'ml') }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`zoo export failed: ${r.stderr}`);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const arch of FAMILIES) {
    it(`${arch}: logits within 1e-4 of the largest, same top-1`, async () => {
      const bytes = new Uint8Array(readFileSync(join(dir, `${arch}.onnx`)));
      const m = compileOnnx(tf, bytes);
      try {
        const got = await m.run(input(2), [2, 3, 32, 32]);
        const cmp = compareLogits(got, await reference(bytes, input(2), 2), 100);
        expect(cmp.maxRelDiff).toBeLessThan(1e-4);
        expect(cmp.top1Agree).toBe(1);
        if (arch.startsWith('shufflenet')) {
          // The channel shuffle (unsqueeze, concat, reshape, slice) stays in NHWC: no transpose but the input's.
          expect(m.plan([2, 3, 32, 32]).steps.filter((s) => s.op === 'transpose')).toHaveLength(1);
        }
      } finally {
        m.dispose();
      }
    }, 60_000);
  }
});

describe('edge cases run as onnxruntime does', () => {
  it('a Relu reading an alias of a conv that another node also reads is not fused into it', async () => {
    const w = { name: 'w', dims: [2, 3, 1, 1], values: [0.5, -1, 0.25, -0.5, 1, 0.75] };
    const bytes = buildOnnx({
      inputs: [{ name: 'x', dims: ['N', 3, 4, 4] }], outputs: [{ name: 'y', dims: ['N', 2, 4, 4] }],
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] }, { op: 'Identity', inputs: ['c'], outputs: ['a'] },
        { op: 'Relu', inputs: ['a'], outputs: ['r'] }, { op: 'Add', inputs: ['r', 'a'], outputs: ['y'] },
      ],
      inits: [w],
    });
    const data = Float32Array.from({ length: 48 }, (_, i) => Math.sin(i));
    const m = compileOnnx(tf, bytes);
    try {
      const got = await m.run(data, [1, 3, 4, 4]);
      const s = await ort.InferenceSession.create(bytes);
      const want = (await s.run({ x: new ort.Tensor('float32', data, [1, 3, 4, 4]) })).y!.data as Float32Array;
      await s.release();
      expect(compareLogits(got, want, 32).maxRelDiff).toBeLessThan(1e-6); // relu(c) + c: negative values survive
      expect(m.plan([1, 3, 4, 4]).steps.find((st) => st.op === 'conv')).toMatchObject({ activation: 'linear' });
    } finally {
      m.dispose();
    }
  });
});

describe('layouts', () => {
  const NHWC = [0, 2, 3, 1];
  it('a channel shuffle ([N,C,2,H,W] held as N,H,W,C,2 → [N,2C,H,W]) keeps NHWC without moving data', () => {
    expect(reshapeLayout([4, 8, 2, 5, 5], [0, 3, 4, 1, 2], [4, 16, 5, 5])).toEqual(NHWC);
  });
  it('flattening [N,C,1,1] in NHWC needs no transpose; flattening [N,C,H,W] does', () => {
    expect(reshapeLayout([4, 64, 1, 1], NHWC, [4, 64])).toEqual([0, 1]);
    expect(reshapeLayout([4, 64, 2, 2], NHWC, [4, 256])).toBeNull();
  });
  it('transposeData matches index arithmetic', () => {
    const dims = [2, 3, 4];
    const data = Float32Array.from({ length: 24 }, (_, i) => i);
    const out = transposeData(data, dims, [2, 0, 1]); // out[k][i][j] = in[i][j][k]
    for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expect(out[k * 6 + i * 3 + j]).toBe(data[i * 12 + j * 4 + k]);
  });
});

describe('what the translator cannot map, it refuses by name', () => {
  it('an operator outside the CIFAR set', () => {
    const m = tinyClassifier({ tail: [{ op: 'Softsign', inputs: ['logits'], outputs: ['y'] }] });
    expect(() => planGraph(decodeGraph(m), [1, 3, 32, 32])).toThrow(UnsupportedGraph);
    expect(() => planGraph(decodeGraph(m), [1, 3, 32, 32])).toThrow(/Softsign/);
  });
  it('a grouped (not depthwise) convolution', () => {
    const w = { name: 'w', dims: [4, 2, 1, 1], values: new Array(8).fill(0.5) };
    const m = buildOnnx({
      inputs: [{ name: 'x', dims: ['N', 4, 8, 8] }], outputs: [{ name: 'y', dims: ['N', 4, 8, 8] }],
      nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { group: 2 } }], inits: [w],
    });
    expect(() => planGraph(decodeGraph(m), [1, 4, 8, 8])).toThrow(/grouped convolution \(group 2 of 4 channels\)/);
  });
  it('a constant that does not broadcast against the tensor', () => {
    const m = buildOnnx({
      inputs: [{ name: 'x', dims: ['N', 3, 4, 4] }], outputs: [{ name: 'y', dims: ['N', 3, 4, 4] }],
      nodes: [{ op: 'Add', inputs: ['x', 'k'], outputs: ['y'] }], inits: [{ name: 'k', dims: [1, 3, 8, 8], values: new Array(192).fill(1) }],
    });
    expect(() => planGraph(decodeGraph(m), [1, 3, 4, 4])).toThrow(/does not broadcast to \[1,3,4,4\]/);
  });
  it('a truncated file', () => {
    expect(() => decodeGraph(shipped.subarray(0, 5000))).toThrow(OnnxError);
  });
});
