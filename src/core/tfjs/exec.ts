/**
 * The translator's running half: a plan (plan.ts) executed with TensorFlow.js
 * ops. The TensorFlow.js module comes in as an argument, so the same code runs
 * in the browser (lib/tfjs-runtime.ts) and in the Node tests, both on
 * TensorFlow.js's WebAssembly backend. Weights become tensors once; each run
 * is one tf.tidy, so no intermediate tensor outlives it.
 */
import type * as Tf from '@tensorflow/tfjs-core';
import { decodeGraph, type OnnxGraph } from '../onnx-graph';
import { planGraph, type Step, type TfPlan } from './plan';

export type TfModule = typeof Tf;

export interface TfModel {
  /** Logits for `data` (NCHW float32, `dims`); plans for a new batch size are made on first use. */
  run(data: Float32Array, dims: number[]): Promise<Float32Array>;
  /** The plan used for `dims` (made if needed): for tests and the bench's description. */
  plan(dims: number[]): TfPlan;
  dispose(): void;
}

function runSteps(tf: TfModule, plan: TfPlan, weights: Map<string, Tf.Tensor>, input: Tf.Tensor): Tf.Tensor {
  const env = new Map<string, Tf.Tensor>([[plan.input, input], ...weights]);
  const get = (name: string): Tf.Tensor => {
    const t = env.get(name);
    if (!t) throw new Error(`plan: "${name}" used before it was computed`);
    return t;
  };
  for (const s of plan.steps) env.set(s.out, apply(tf, s, get));
  return get(plan.output);
}

/**
 * Equal padding on every side as the number the fused ops' types take; uneven
 * padding as TensorFlow.js's explicit NHWC form, which its shape computation
 * (and so every backend) also accepts.
 */
function padArg(p: [[number, number], [number, number]]): number {
  const [[t, b], [l, r]] = p;
  if (t === b && b === l && l === r) return t;
  return [[0, 0], [t, b], [l, r], [0, 0]] as unknown as number;
}

function apply(tf: TfModule, s: Step, get: (n: string) => Tf.Tensor): Tf.Tensor {
  switch (s.op) {
    case 'transpose':
      return s.perm.every((p, i) => p === i) ? get(s.x).clone() : tf.transpose(get(s.x), s.perm);
    case 'reshape':
      return tf.reshape(get(s.x), s.shape);
    case 'conv': {
      const x = get(s.x) as Tf.Tensor4D;
      const common = { x, strides: s.strides, pad: padArg(s.pad), dilations: s.dilations, activation: s.activation, ...(s.bias ? { bias: get(s.bias) } : {}) };
      return s.depthwise
        ? tf.fused.depthwiseConv2d({ ...common, filter: get(s.filter) as Tf.Tensor4D })
        : tf.fused.conv2d({ ...common, filter: get(s.filter) as Tf.Tensor4D });
    }
    case 'clip':
      if (s.min === 0 && s.max === Number.POSITIVE_INFINITY) return tf.relu(get(s.x));
      return tf.clipByValue(get(s.x), s.min, s.max);
    case 'binary': {
      const a = get(s.a);
      const b = get(s.b);
      return s.kind === 'add' ? tf.add(a, b) : s.kind === 'sub' ? tf.sub(a, b) : s.kind === 'mul' ? tf.mul(a, b) : tf.div(a, b);
    }
    case 'maxPool':
      return tf.maxPool(get(s.x) as Tf.Tensor4D, s.kernel, s.strides, padArg(s.pad));
    case 'mean':
      return tf.mean(get(s.x), s.axes, s.keepDims);
    case 'concat':
      return tf.concat(s.xs.map(get), s.axis);
    case 'slice':
      return tf.slice(get(s.x), s.begin, s.size);
    case 'matMul': {
      // Not tf.fused.matMul: the WebAssembly backend 4.22 drops its bias (measured: off by the bias itself, on the CPU
      // backend right), so this is a plain matMul, an add and the activation.
      let y = tf.matMul(get(s.x) as Tf.Tensor2D, get(s.weight) as Tf.Tensor2D, false, true) as Tf.Tensor;
      if (s.bias) y = tf.add(y, get(s.bias));
      return s.activation === 'relu' ? tf.relu(y) : s.activation === 'relu6' ? tf.relu6(y) : y;
    }
  }
}

/** Translate ONNX bytes (or an already decoded graph) into a runnable TensorFlow.js model. */
export function compileOnnx(tf: TfModule, source: Uint8Array | OnnxGraph): TfModel {
  const graph = source instanceof Uint8Array ? decodeGraph(source) : source;
  const plans = new Map<string, { plan: TfPlan; weights: Map<string, Tf.Tensor> }>();
  const compiled = (dims: number[]) => {
    const key = dims.join('x');
    let c = plans.get(key);
    if (!c) {
      const plan = planGraph(graph, dims);
      const weights = new Map([...plan.weights].map(([k, w]) => [k, tf.tensor(w.data, w.shape, 'float32')] as const));
      c = { plan, weights };
      plans.set(key, c);
    }
    return c;
  };
  return {
    plan: (dims) => compiled(dims).plan,
    async run(data, dims) {
      const { plan, weights } = compiled(dims);
      // clone(): a graph whose output is a constant must not hand out (and then dispose) the weight itself.
      const out = tf.tidy(() => runSteps(tf, plan, weights, tf.tensor(data, dims, 'float32')).clone());
      try {
        return (await out.data()) as Float32Array;
      } finally {
        out.dispose();
      }
    },
    dispose() {
      for (const c of plans.values()) for (const w of c.weights.values()) w.dispose();
      plans.clear();
    },
  };
}
