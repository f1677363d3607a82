/**
 * The project's ONNX → TensorFlow.js translator, planning half: turns a decoded
 * ONNX graph (onnx-graph.ts), for one input shape, into a flat list of
 * TensorFlow.js operations (exec.ts runs them) and the weights in the layouts
 * those operations take. Pure: no TensorFlow.js, no browser API.
 *
 * - **Static shapes.** A plan is made per batch size. Every shape computation
 *   in the graph (Shape, Gather, Unsqueeze, Concat, Slice, arithmetic on int64
 *   constants: what PyTorch exports for ShuffleNet's channel shuffle) is folded
 *   here, so only tensor operations remain.
 * - **Layouts.** ONNX is NCHW; TensorFlow.js convolutions and pools take NHWC.
 *   Each runtime value carries its logical (ONNX) dims and a permutation
 *   `perm` (physical axis i holds logical axis perm[i]). Convolutions and pools
 *   need NHWC; element-wise ops, concat, slice, reductions and transposes work in
 *   any layout by mapping axes; a reshape keeps the layout when the axes it
 *   merges or splits are contiguous in memory (those of the channel shuffle
 *   as exported here, an unsqueeze, concat and reshape, are), and
 *   otherwise transposes to plain order first. So a ResNet transposes once, at
 *   its input.
 * - **Fusion.** A Relu or Clip(0, 6) whose input is a convolution (or Gemm) used
 *   nowhere else becomes that operation's fused activation.
 *
 * An operator or attribute outside what the 19 CIFAR architectures need is
 * refused with its name, never approximated.
 */
import type { AttrValue, ConstTensor, OnnxGraph, OnnxNode } from '../onnx-graph';

export class UnsupportedGraph extends Error {}

export type Activation = 'linear' | 'relu' | 'relu6';

export type Step =
  | { op: 'transpose'; x: string; out: string; perm: number[] }
  | { op: 'reshape'; x: string; out: string; shape: number[] }
  | {
      op: 'conv'; x: string; out: string; filter: string; bias: string | null; depthwise: boolean;
      strides: [number, number]; dilations: [number, number]; pad: [[number, number], [number, number]]; activation: Activation;
    }
  | { op: 'clip'; x: string; out: string; min: number; max: number }
  | { op: 'binary'; kind: 'add' | 'sub' | 'mul' | 'div'; a: string; b: string; out: string }
  | { op: 'maxPool'; x: string; out: string; kernel: [number, number]; strides: [number, number]; pad: [[number, number], [number, number]] }
  | { op: 'mean'; x: string; out: string; axes: number[]; keepDims: boolean }
  | { op: 'concat'; xs: string[]; out: string; axis: number }
  | { op: 'slice'; x: string; out: string; begin: number[]; size: number[] }
  | { op: 'matMul'; x: string; out: string; weight: string; bias: string | null; activation: Activation };

export interface Weight {
  data: Float32Array;
  shape: number[];
}

export interface TfPlan {
  input: string;
  inputDims: number[];
  output: string;
  outputDims: number[];
  steps: Step[];
  /** Constant tensors the steps name (filters HWIO / HWC1, Gemm weights, biases, other constants), in their physical layout. */
  weights: Map<string, Weight>;
}

const NHWC = [0, 2, 3, 1];

type Runtime = { kind: 'tensor'; name: string; dims: number[]; perm: number[] };
type Const = { kind: 'const'; t: ConstTensor };
type Value = Runtime | Const;

const prod = (a: readonly number[]) => a.reduce((x, y) => x * y, 1);
const identity = (n: number) => Array.from({ length: n }, (_, i) => i);
const sameArr = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Row-major strides of `dims`. */
function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1]! * dims[i + 1]!;
  return s;
}

/** out[i] is the source axis perm[i]: the same data, axes reordered (numpy.transpose). */
export function transposeData(data: Float32Array, dims: readonly number[], perm: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  const outDims = perm.map((p) => dims[p]!);
  const src = strides(dims);
  const step = perm.map((p) => src[p]!);
  const idx = new Array<number>(outDims.length).fill(0);
  let from = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[from]!;
    for (let k = outDims.length - 1; k >= 0; k--) {
      idx[k]!++;
      from += step[k]!;
      if (idx[k]! < outDims[k]!) break;
      from -= step[k]! * outDims[k]!;
      idx[k] = 0;
    }
  }
  return out;
}

/**
 * The layout a reshape from `dims` (held in `perm`) to `to` can keep without
 * moving data, or null. Size-1 axes are free; the other axes are matched into
 * groups of equal element count, and each group's input axes must sit next to
 * each other, in order, in memory. The output keeps the groups in memory order.
 */
export function reshapeLayout(dims: readonly number[], perm: readonly number[], to: readonly number[]): number[] | null {
  const inAx = identity(dims.length).filter((a) => dims[a] !== 1);
  const outAx = identity(to.length).filter((a) => to[a] !== 1);
  const groups: { ins: number[]; outs: number[] }[] = [];
  let i = 0;
  let j = 0;
  while (i < inAx.length && j < outAx.length) {
    const ins = [inAx[i++]!];
    const outs = [outAx[j++]!];
    let pi = dims[ins[0]!]!;
    let po = to[outs[0]!]!;
    while (pi !== po) {
      if (pi < po) {
        if (i >= inAx.length) return null;
        ins.push(inAx[i]!);
        pi *= dims[inAx[i++]!]!;
      } else {
        if (j >= outAx.length) return null;
        outs.push(outAx[j]!);
        po *= to[outAx[j++]!]!;
      }
    }
    groups.push({ ins, outs });
  }
  if (i !== inAx.length || j !== outAx.length) return null;
  const memOrder = perm.filter((a) => dims[a] !== 1);
  const rank = new Map(memOrder.map((a, k) => [a, k]));
  for (const g of groups) {
    for (let k = 1; k < g.ins.length; k++) if (rank.get(g.ins[k]!)! !== rank.get(g.ins[k - 1]!)! + 1) return null;
  }
  groups.sort((a, b) => rank.get(a.ins[0]!)! - rank.get(b.ins[0]!)!);
  const order = groups.flatMap((g) => g.outs);
  // Each size-1 output axis goes right after the axis before it in logical order (or first).
  for (let a = 0; a < to.length; a++) {
    if (to[a] !== 1) continue;
    const at = a === 0 ? 0 : order.indexOf(a - 1) + 1;
    order.splice(at, 0, a);
  }
  return order;
}

function attr(node: OnnxNode, name: string): AttrValue | undefined {
  return node.attrs.get(name);
}
function intAttr(node: OnnxNode, name: string, fallback: number): number {
  const v = attr(node, name);
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new UnsupportedGraph(`${node.op}: attribute ${name} is not an integer`);
  return v;
}
function intsAttr(node: OnnxNode, name: string, fallback: number[] | null): number[] | null {
  const v = attr(node, name);
  if (v === undefined) return fallback;
  if (!Array.isArray(v)) throw new UnsupportedGraph(`${node.op}: attribute ${name} is not a list of integers`);
  return v;
}
function floatAttr(node: OnnxNode, name: string, fallback: number): number {
  const v = attr(node, name);
  return typeof v === 'number' ? v : fallback;
}

function ints(t: ConstTensor): number[] {
  return Array.from(t.data as ArrayLike<number>);
}

/** Broadcast arithmetic on constants (numpy rules); int64 division truncates as ONNX does. */
function foldBinary(kind: 'add' | 'sub' | 'mul' | 'div', a: ConstTensor, b: ConstTensor): ConstTensor {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (d: number[]) => [...new Array<number>(rank - d.length).fill(1), ...d];
  const da = pad(a.dims);
  const db = pad(b.dims);
  const dims = da.map((x, i) => {
    const y = db[i]!;
    if (x !== y && x !== 1 && y !== 1) throw new UnsupportedGraph(`constants of shapes [${a.dims}] and [${b.dims}] do not broadcast`);
    return Math.max(x, y);
  });
  const n = prod(dims);
  const sa = strides(da).map((s, i) => (da[i] === 1 ? 0 : s));
  const sb = strides(db).map((s, i) => (db[i] === 1 ? 0 : s));
  const so = strides(dims);
  const isInt = a.type === 'int64' && b.type === 'int64';
  const out = isInt ? new Array<number>(n) : new Float32Array(n);
  for (let k = 0; k < n; k++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      const c = Math.floor(k / so[d]!) % dims[d]!;
      ia += c * sa[d]!;
      ib += c * sb[d]!;
    }
    const x = (a.data as ArrayLike<number>)[ia]!;
    const y = (b.data as ArrayLike<number>)[ib]!;
    let v = kind === 'add' ? x + y : kind === 'sub' ? x - y : kind === 'mul' ? x * y : x / y;
    if (isInt && kind === 'div') v = Math.trunc(v);
    out[k] = v;
  }
  return { dims, type: isInt ? 'int64' : 'float32', data: out };
}

/** Clamp ONNX Slice bounds (negative, or INT64_MAX meaning "to the end") to [0, size]. */
function sliceBounds(start: number, end: number, size: number): [number, number] {
  const norm = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = norm(start);
  return [s, Math.max(norm(end), s)];
}

function convPads(node: OnnxNode, spatial: number[], kernel: number[], stride: number[], dil: number[]): [[number, number], [number, number]] {
  const autoPad = attr(node, 'auto_pad');
  if (typeof autoPad === 'string' && autoPad !== 'NOTSET') {
    if (autoPad === 'VALID') return [[0, 0], [0, 0]];
    // SAME_UPPER / SAME_LOWER: total padding so that out = ceil(in / stride).
    const pads = spatial.map((size, i) => {
      const out = Math.ceil(size / stride[i]!);
      const total = Math.max(0, (out - 1) * stride[i]! + (kernel[i]! - 1) * dil[i]! + 1 - size);
      const small = Math.floor(total / 2);
      return autoPad === 'SAME_LOWER' ? [total - small, small] : [small, total - small];
    });
    return [pads[0] as [number, number], pads[1] as [number, number]];
  }
  const p = intsAttr(node, 'pads', [0, 0, 0, 0])!;
  if (p.length !== 4) throw new UnsupportedGraph(`${node.op}: pads [${p}] (2-D only)`);
  return [[p[0]!, p[2]!], [p[1]!, p[3]!]];
}

/** Plan `graph` for an input of exactly `inputDims` (NCHW). Throws UnsupportedGraph naming the operator it cannot map. */
export function planGraph(graph: OnnxGraph, inputDims: number[]): TfPlan {
  const [input] = graph.inputs;
  const [output] = graph.outputs;
  if (!input || !output || graph.inputs.length !== 1 || graph.outputs.length !== 1) throw new UnsupportedGraph('the model must have exactly one input and one output');
  const values = new Map<string, Value>();
  const weights = new Map<string, Weight>();
  const steps: Step[] = [];
  for (const [name, t] of graph.initializers) values.set(name, { kind: 'const', t });
  values.set(input.name, { kind: 'tensor', name: input.name, dims: [...inputDims], perm: identity(inputDims.length) });

  // How many nodes read each value: an activation fuses only into a producer nobody else reads.
  const readers = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) if (i) readers.set(i, (readers.get(i) ?? 0) + 1);
  readers.set(output.name, (readers.get(output.name) ?? 0) + 1);

  let tmp = 0;
  const fresh = (base: string) => `${base}#${tmp++}`;
  const get = (name: string, node: OnnxNode): Value => {
    const v = values.get(name);
    if (!v) throw new UnsupportedGraph(`${node.op}: input "${name}" is not produced by any earlier node`);
    return v;
  };
  const constOf = (name: string | undefined, node: OnnxNode, what: string): ConstTensor => {
    if (!name) throw new UnsupportedGraph(`${node.op}: missing ${what}`);
    const v = get(name, node);
    if (v.kind !== 'const') throw new UnsupportedGraph(`${node.op}: ${what} must be a constant (it is computed at run time)`);
    return v.t;
  };
  const runtimeOf = (name: string, node: OnnxNode): Runtime => {
    const v = get(name, node);
    if (v.kind === 'const') return constToRuntime(v.t);
    return v;
  };
  /** A constant used as an operand of a runtime op becomes a weight, in plain layout. */
  const constToRuntime = (t: ConstTensor): Runtime => {
    const name = fresh('const');
    weights.set(name, { data: t.type === 'float32' ? (t.data as Float32Array) : Float32Array.from(t.data as number[]), shape: [...t.dims] });
    return { kind: 'tensor', name, dims: [...t.dims], perm: identity(t.dims.length) };
  };
  const withPerm = (v: Runtime, perm: number[]): Runtime => {
    if (sameArr(v.perm, perm)) return v;
    const out = fresh(v.name);
    // physical target axis k holds logical perm[k], which sits at physical v.perm.indexOf(perm[k]) now
    steps.push({ op: 'transpose', x: v.name, out, perm: perm.map((a) => v.perm.indexOf(a)) });
    return { kind: 'tensor', name: out, dims: v.dims, perm };
  };
  const reshapeTo = (v: Runtime, to: number[], out: string): Runtime => {
    if (prod(to) !== prod(v.dims)) throw new UnsupportedGraph(`cannot reshape [${v.dims}] to [${to}]`);
    let src = v;
    let perm = reshapeLayout(v.dims, v.perm, to);
    if (!perm) {
      src = withPerm(v, identity(v.dims.length));
      perm = identity(to.length);
    }
    const shape = perm.map((a) => to[a]!);
    const phys = src.perm.map((a) => src.dims[a]!);
    if (sameArr(shape, phys)) {
      steps.push({ op: 'transpose', x: src.name, out, perm: identity(shape.length) });
    } else steps.push({ op: 'reshape', x: src.name, out, shape });
    return { kind: 'tensor', name: out, dims: to, perm };
  };
  const set = (name: string | undefined, v: Value) => {
    if (name) values.set(name, v);
  };
  /** Fold a following Relu / Clip(0, 6) into the step that produced `name`, when only that node reads it. */
  const fusible = (name: string) => readers.get(name) === 1;

  for (const node of graph.nodes) {
    if (node.domain !== '') throw new UnsupportedGraph(`operator ${node.domain}::${node.op} (custom domain) is not supported`);
    const [x0, x1, x2] = node.inputs;
    const out = node.outputs[0]!;
    switch (node.op) {
      case 'Constant': {
        const t = attr(node, 'value');
        if (!t || typeof t !== 'object' || Array.isArray(t)) throw new UnsupportedGraph('Constant: only the "value" tensor form is supported');
        set(out, { kind: 'const', t });
        break;
      }
      case 'Identity':
      case 'Dropout':
        set(out, get(x0!, node));
        break;
      case 'Shape': {
        const v = get(x0!, node);
        const dims = v.kind === 'const' ? v.t.dims : v.dims;
        const start = intAttr(node, 'start', 0);
        const end = intAttr(node, 'end', dims.length);
        const [s, e] = sliceBounds(start, end, dims.length);
        set(out, { kind: 'const', t: { dims: [e - s], type: 'int64', data: dims.slice(s, e) } });
        break;
      }
      case 'Gather': {
        const data = constOf(x0, node, 'Gather data (a run-time Gather)');
        const idx = constOf(x1, node, 'Gather indices');
        const axis = intAttr(node, 'axis', 0);
        if (data.dims.length !== 1 || axis !== 0) throw new UnsupportedGraph('Gather: only on 1-D constants (shape arithmetic)');
        const size = data.dims[0]!;
        const picked = ints(idx).map((i) => {
          const at = i < 0 ? i + size : i;
          if (at < 0 || at >= size) throw new UnsupportedGraph(`Gather: index ${i} outside [${-size}, ${size})`);
          return (data.data as ArrayLike<number>)[at]!;
        });
        set(out, { kind: 'const', t: { dims: [...idx.dims], type: data.type, data: data.type === 'int64' ? picked : Float32Array.from(picked) } });
        break;
      }
      case 'Unsqueeze':
      case 'Squeeze': {
        const v = get(x0!, node);
        const dims = v.kind === 'const' ? v.t.dims : v.dims;
        const axesIn = x1 ? ints(constOf(x1, node, 'axes')) : intsAttr(node, 'axes', null);
        let to: number[];
        if (node.op === 'Unsqueeze') {
          if (!axesIn) throw new UnsupportedGraph('Unsqueeze: no axes');
          const rank = dims.length + axesIn.length;
          const axes = axesIn.map((a) => (a < 0 ? a + rank : a));
          to = [];
          let k = 0;
          for (let a = 0; a < rank; a++) to.push(axes.includes(a) ? 1 : dims[k++]!);
        } else {
          const axes = (axesIn ?? identity(dims.length).filter((a) => dims[a] === 1)).map((a) => (a < 0 ? a + dims.length : a));
          to = dims.filter((_, a) => !axes.includes(a));
        }
        if (v.kind === 'const') set(out, { kind: 'const', t: { ...v.t, dims: to } });
        else set(out, reshapeTo(v, to, out));
        break;
      }
      case 'Reshape': {
        const v = get(x0!, node);
        const dims = v.kind === 'const' ? v.t.dims : v.dims;
        const want = ints(constOf(x1, node, 'shape'));
        const allowZero = intAttr(node, 'allowzero', 0) === 1;
        const to = want.map((d, i) => (d === 0 && !allowZero ? dims[i]! : d));
        const free = to.indexOf(-1);
        if (free >= 0) to[free] = prod(dims) / prod(to.filter((d) => d !== -1));
        if (!Number.isInteger(to[free] ?? 0) || prod(to) !== prod(dims)) throw new UnsupportedGraph(`Reshape: [${dims}] to [${want}]`);
        if (v.kind === 'const') set(out, { kind: 'const', t: { ...v.t, dims: to } });
        else set(out, reshapeTo(v, to, out));
        break;
      }
      case 'Flatten': {
        const v = runtimeOf(x0!, node);
        const axis0 = intAttr(node, 'axis', 1);
        const axis = axis0 < 0 ? axis0 + v.dims.length : axis0;
        set(out, reshapeTo(v, [prod(v.dims.slice(0, axis)), prod(v.dims.slice(axis))], out));
        break;
      }
      case 'Transpose': {
        const v = get(x0!, node);
        const rank = v.kind === 'const' ? v.t.dims.length : v.dims.length;
        const p = intsAttr(node, 'perm', identity(rank).reverse())!;
        if (v.kind === 'const') {
          if (v.t.type !== 'float32') throw new UnsupportedGraph('Transpose: integer constants');
          set(out, { kind: 'const', t: { dims: p.map((a) => v.t.dims[a]!), type: 'float32', data: transposeData(v.t.data as Float32Array, v.t.dims, p) } });
        } else {
          // No data moves: the same memory, read with another logical order.
          set(out, { kind: 'tensor', name: v.name, dims: p.map((a) => v.dims[a]!), perm: v.perm.map((a) => p.indexOf(a)) });
        }
        break;
      }
      case 'Concat': {
        const vs = node.inputs.map((n) => get(n, node));
        const axis0 = intAttr(node, 'axis', 0);
        if (vs.every((v) => v.kind === 'const')) {
          const ts = vs.map((v) => (v as Const).t);
          if (ts.some((t) => t.dims.length !== 1)) throw new UnsupportedGraph('Concat: of constants, only 1-D ones (shape arithmetic)');
          const data = ts.flatMap((t) => Array.from(t.data as ArrayLike<number>));
          const type = ts[0]!.type;
          set(out, { kind: 'const', t: { dims: [data.length], type, data: type === 'int64' ? data : Float32Array.from(data) } });
          break;
        }
        const rs = vs.map((v) => (v.kind === 'const' ? constToRuntime(v.t) : v));
        const first = rs[0]!;
        const axis = axis0 < 0 ? axis0 + first.dims.length : axis0;
        const aligned = rs.map((r) => withPerm(r, first.perm));
        const dims = [...first.dims];
        dims[axis] = rs.reduce((s, r) => s + r.dims[axis]!, 0);
        steps.push({ op: 'concat', xs: aligned.map((r) => r.name), out, axis: first.perm.indexOf(axis) });
        set(out, { kind: 'tensor', name: out, dims, perm: first.perm });
        break;
      }
      case 'Slice': {
        const v = get(x0!, node);
        const dims = v.kind === 'const' ? v.t.dims : v.dims;
        const starts = ints(constOf(x1, node, 'starts'));
        const ends = ints(constOf(x2, node, 'ends'));
        const axes = node.inputs[3] ? ints(constOf(node.inputs[3], node, 'axes')) : identity(starts.length);
        const stepsIn = node.inputs[4] ? ints(constOf(node.inputs[4], node, 'steps')) : starts.map(() => 1);
        if (stepsIn.some((s) => s !== 1)) throw new UnsupportedGraph('Slice: steps other than 1');
        const begin = dims.map(() => 0);
        const size = [...dims];
        axes.forEach((a0, k) => {
          const a = a0 < 0 ? a0 + dims.length : a0;
          const [s, e] = sliceBounds(starts[k]!, ends[k]!, dims[a]!);
          begin[a] = s;
          size[a] = e - s;
        });
        if (v.kind === 'const') {
          if (dims.length !== 1) throw new UnsupportedGraph('Slice: of constants, only 1-D ones (shape arithmetic)');
          const d = Array.from(v.t.data as ArrayLike<number>).slice(begin[0]!, begin[0]! + size[0]!);
          set(out, { kind: 'const', t: { dims: [d.length], type: v.t.type, data: v.t.type === 'int64' ? d : Float32Array.from(d) } });
          break;
        }
        steps.push({ op: 'slice', x: v.name, out, begin: v.perm.map((a) => begin[a]!), size: v.perm.map((a) => size[a]!) });
        set(out, { kind: 'tensor', name: out, dims: size, perm: v.perm });
        break;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        const kind = node.op.toLowerCase() as 'add' | 'sub' | 'mul' | 'div';
        const a = get(x0!, node);
        const b = get(x1!, node);
        if (a.kind === 'const' && b.kind === 'const') {
          set(out, { kind: 'const', t: foldBinary(kind, a.t, b.t) });
          break;
        }
        const ref = (a.kind === 'tensor' ? a : b) as Runtime;
        const operand = (v: Value): string => {
          if (v.kind === 'tensor') {
            if (!sameArr(v.dims, ref.dims)) throw new UnsupportedGraph(`${node.op}: run-time operands of shapes [${v.dims}] and [${ref.dims}] (broadcast only from constants)`);
            return withPerm(v, ref.perm).name;
          }
          // A constant broadcast against the run-time operand: pad to its rank, store in its layout.
          const rank = ref.dims.length;
          if (v.t.dims.length > rank) throw new UnsupportedGraph(`${node.op}: constant of rank ${v.t.dims.length} against a rank-${rank} tensor`);
          const dims = [...new Array<number>(rank - v.t.dims.length).fill(1), ...v.t.dims];
          if (dims.some((d, i) => d !== 1 && d !== ref.dims[i])) throw new UnsupportedGraph(`${node.op}: a constant of shape [${v.t.dims}] does not broadcast to [${ref.dims}]`);
          const data = v.t.type === 'float32' ? (v.t.data as Float32Array) : Float32Array.from(v.t.data as number[]);
          const name = fresh('const');
          weights.set(name, { data: transposeData(data, dims, ref.perm), shape: ref.perm.map((p) => dims[p]!) });
          return name;
        };
        steps.push({ op: 'binary', kind, a: operand(a), b: operand(b), out });
        set(out, { kind: 'tensor', name: out, dims: [...ref.dims], perm: ref.perm });
        break;
      }
      case 'Relu':
      case 'Clip': {
        const v = runtimeOf(x0!, node);
        let min = 0;
        let max = Number.POSITIVE_INFINITY;
        if (node.op === 'Clip') {
          min = x1 ? Number((constOf(x1, node, 'min').data as ArrayLike<number>)[0]) : floatAttr(node, 'min', Number.NEGATIVE_INFINITY);
          max = x2 ? Number((constOf(x2, node, 'max').data as ArrayLike<number>)[0]) : floatAttr(node, 'max', Number.POSITIVE_INFINITY);
        }
        const act: Activation | null = min === 0 && max === Number.POSITIVE_INFINITY ? 'relu' : min === 0 && max === 6 ? 'relu6' : null;
        const last = steps[steps.length - 1];
        // Only when this node reads the producer's output itself (not an alias others may also read).
        if (act && last && (last.op === 'conv' || last.op === 'matMul') && last.out === v.name && x0 === v.name && last.activation === 'linear' && fusible(v.name)) {
          last.activation = act;
          last.out = out;
        } else steps.push({ op: 'clip', x: v.name, out, min, max });
        set(out, { kind: 'tensor', name: out, dims: v.dims, perm: v.perm });
        break;
      }
      case 'Conv': {
        const v = runtimeOf(x0!, node);
        const w = constOf(x1, node, 'weight');
        if (v.dims.length !== 4 || w.dims.length !== 4) throw new UnsupportedGraph('Conv: 2-D convolutions only');
        const [n, c, h, wd] = v.dims as [number, number, number, number];
        const [o, ci, kh, kw] = w.dims as [number, number, number, number];
        const group = intAttr(node, 'group', 1);
        const stride = intsAttr(node, 'strides', [1, 1])!;
        const dil = intsAttr(node, 'dilations', [1, 1])!;
        const pad = convPads(node, [h, wd], [kh, kw], stride, dil);
        const depthwise = group > 1;
        if (depthwise && !(group === c && ci === 1 && o % c === 0)) throw new UnsupportedGraph(`Conv: grouped convolution (group ${group} of ${c} channels); only depthwise or group 1`);
        if (!depthwise && ci !== c) throw new UnsupportedGraph(`Conv: weight expects ${ci} input channels, the input has ${c}`);
        const fname = fresh(`${out}.filter`);
        if (depthwise) {
          // [C*M, 1, KH, KW] → [KH, KW, C, M]
          weights.set(fname, { data: transposeData(w.data as Float32Array, [c, o / c, kh, kw], [2, 3, 0, 1]), shape: [kh, kw, c, o / c] });
        } else {
          weights.set(fname, { data: transposeData(w.data as Float32Array, [o, ci, kh, kw], [2, 3, 1, 0]), shape: [kh, kw, ci, o] });
        }
        let bias: string | null = null;
        if (x2) {
          const b = constOf(x2, node, 'bias');
          bias = fresh(`${out}.bias`);
          weights.set(bias, { data: b.data as Float32Array, shape: [o] });
        }
        const x = withPerm(v, NHWC);
        const outHW = [h, wd].map((size, i) => {
          const p = pad[i]!;
          return Math.floor((size + p[0] + p[1] - dil[i]! * ([kh, kw][i]! - 1) - 1) / stride[i]!) + 1;
        });
        steps.push({
          op: 'conv', x: x.name, out, filter: fname, bias, depthwise, strides: [stride[0]!, stride[1]!], dilations: [dil[0]!, dil[1]!], pad,
          activation: 'linear',
        });
        set(out, { kind: 'tensor', name: out, dims: [n, o, outHW[0]!, outHW[1]!], perm: NHWC });
        break;
      }
      case 'MaxPool': {
        const v = runtimeOf(x0!, node);
        if (v.dims.length !== 4) throw new UnsupportedGraph('MaxPool: 2-D pools only');
        if (intAttr(node, 'ceil_mode', 0) !== 0) throw new UnsupportedGraph('MaxPool: ceil_mode 1');
        if (node.outputs.length > 1 && node.outputs[1]) throw new UnsupportedGraph('MaxPool: the indices output');
        const k = intsAttr(node, 'kernel_shape', null);
        if (k?.length !== 2) throw new UnsupportedGraph('MaxPool: kernel_shape');
        const dil = intsAttr(node, 'dilations', [1, 1])!;
        if (dil.some((d) => d !== 1)) throw new UnsupportedGraph('MaxPool: dilations');
        const stride = intsAttr(node, 'strides', [1, 1])!;
        const [n, c, h, wd] = v.dims as [number, number, number, number];
        const pad = convPads(node, [h, wd], k, stride, [1, 1]);
        const x = withPerm(v, NHWC);
        steps.push({ op: 'maxPool', x: x.name, out, kernel: [k[0]!, k[1]!], strides: [stride[0]!, stride[1]!], pad });
        const outHW = [h, wd].map((size, i) => Math.floor((size + pad[i]![0] + pad[i]![1] - k[i]!) / stride[i]!) + 1);
        set(out, { kind: 'tensor', name: out, dims: [n, c, outHW[0]!, outHW[1]!], perm: NHWC });
        break;
      }
      case 'GlobalAveragePool':
      case 'ReduceMean': {
        const v = runtimeOf(x0!, node);
        const rank = v.dims.length;
        let axes: number[];
        let keep = true;
        if (node.op === 'GlobalAveragePool') axes = identity(rank).slice(2);
        else {
          axes = (x1 ? ints(constOf(x1, node, 'axes')) : intsAttr(node, 'axes', null)) ?? identity(rank);
          axes = axes.map((a) => (a < 0 ? a + rank : a));
          keep = intAttr(node, 'keepdims', 1) === 1;
        }
        steps.push({ op: 'mean', x: v.name, out, axes: axes.map((a) => v.perm.indexOf(a)).sort((p, q) => p - q), keepDims: keep });
        const dims = v.dims.map((d, a) => (axes.includes(a) ? 1 : d));
        if (keep) set(out, { kind: 'tensor', name: out, dims, perm: v.perm });
        else {
          const kept = identity(rank).filter((a) => !axes.includes(a));
          set(out, { kind: 'tensor', name: out, dims: kept.map((a) => v.dims[a]!), perm: v.perm.filter((a) => !axes.includes(a)).map((a) => kept.indexOf(a)) });
        }
        break;
      }
      case 'Gemm': {
        const v = withPerm(runtimeOf(x0!, node), [0, 1]);
        if (v.dims.length !== 2) throw new UnsupportedGraph('Gemm: input must be 2-D');
        if (intAttr(node, 'transA', 0) !== 0) throw new UnsupportedGraph('Gemm: transA');
        const transB = intAttr(node, 'transB', 0) === 1;
        const alpha = floatAttr(node, 'alpha', 1);
        const beta = floatAttr(node, 'beta', 1);
        const b = constOf(x1, node, 'B');
        // Stored as [out, in] (transposeB), the layout PyTorch's Linear exports.
        const [k, m] = transB ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!];
        if (k !== v.dims[1]) throw new UnsupportedGraph(`Gemm: B expects ${k} inputs, the input has ${v.dims[1]}`);
        let data = transB ? (b.data as Float32Array) : transposeData(b.data as Float32Array, b.dims, [1, 0]);
        if (alpha !== 1) data = data.map((x) => x * alpha);
        const weight = fresh(`${out}.weight`);
        weights.set(weight, { data, shape: [m, k] });
        let bias: string | null = null;
        if (x2) {
          const c = constOf(x2, node, 'C');
          if (prod(c.dims) !== m) throw new UnsupportedGraph('Gemm: C must be a vector of the output size');
          bias = fresh(`${out}.bias`);
          const cd = c.data as Float32Array;
          weights.set(bias, { data: beta === 1 ? cd : cd.map((x) => x * beta), shape: [m] });
        }
        steps.push({ op: 'matMul', x: v.name, out, weight, bias, activation: 'linear' });
        set(out, { kind: 'tensor', name: out, dims: [v.dims[0]!, m], perm: [0, 1] });
        break;
      }
      default:
        throw new UnsupportedGraph(`operator ${node.op} is not supported by the TensorFlow.js translator`);
    }
  }
  const result = values.get(output.name);
  if (!result) throw new UnsupportedGraph(`the output "${output.name}" is never produced`);
  const r = result.kind === 'const' ? constToRuntime(result.t) : result;
  const plain = withPerm(r, identity(r.dims.length));
  return { input: input.name, inputDims: [...inputDims], output: plain.name, outputDims: plain.dims, steps, weights };
}
