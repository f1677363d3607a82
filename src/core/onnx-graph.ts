/**
 * The whole computation graph of an .onnx file (nodes, attributes, weights),
 * decoded from its protobuf for the project's own ONNX → TensorFlow.js
 * translator (tfjs/plan.ts). onnx-inspect.ts reads only the header fields and
 * skips the weights; this one keeps them, as views into the file's bytes where
 * the file stores them raw (no copy of the weights).
 *
 * Field numbers: onnx.proto3 (ModelProto 7 graph, 8 opset_import; GraphProto 1
 * node, 5 initializer, 11 input, 12 output; NodeProto 1 input, 2 output, 4
 * op_type, 5 attribute, 7 domain; AttributeProto 1 name, 2 f, 3 i, 5 t, 7
 * floats, 8 ints; TensorProto 1 dims, 2 data_type, 4 float_data, 7 int64_data,
 * 8 name, 9 raw_data, 14 data_location).
 */
import { defaultOpset, MAX_MODEL_BYTES, OnnxError, Reader, type TensorInfo, valueInfo } from './onnx-inspect';

/** TensorProto.DataType values this translator reads. */
const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;

/** A constant tensor: weights (float32) or shape arithmetic (int64, kept as Numbers). */
export interface ConstTensor {
  dims: number[];
  type: 'float32' | 'int64';
  data: Float32Array | number[];
}

export type AttrValue = number | number[] | ConstTensor | string;

export interface OnnxNode {
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttrValue>;
}

export interface OnnxGraph {
  opset: number;
  /** Real inputs (initializers an old exporter also listed as inputs are excluded). */
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  nodes: OnnxNode[];
  initializers: Map<string, ConstTensor>;
}

function packedOrOne(r: Reader, w: number, read: (x: Reader) => number, out: number[]): void {
  if (w === 2) {
    const p = r.sub();
    while (p.pos < p.end) out.push(read(p));
  } else out.push(read(r));
}

function floatsOf(r: Reader, w: number, out: number[]): void {
  const one = (x: Reader) => {
    if (x.pos + 4 > x.end) throw new OnnxError('truncated');
    const v = new DataView(x.b.buffer, x.b.byteOffset + x.pos, 4).getFloat32(0, true);
    x.pos += 4;
    return v;
  };
  packedOrOne(r, w, one, out);
}

export function readTensor(r: Reader): ConstTensor & { name: string } {
  const dims: number[] = [];
  let type = 0;
  let name = '';
  let raw: Uint8Array | null = null;
  const floats: number[] = [];
  const ints: number[] = [];
  let external = false;
  for (const [f, w] of r.fields()) {
    if (f === 1) packedOrOne(r, w, (x) => x.int64(), dims);
    else if (f === 2 && w === 0) type = r.varint();
    else if (f === 4) floatsOf(r, w, floats);
    else if (f === 5 || f === 7) packedOrOne(r, w, (x) => x.int64(), ints);
    else if (f === 8 && w === 2) name = r.string();
    else if (f === 9 && w === 2) {
      const s = r.sub();
      raw = r.b.subarray(s.pos, s.end);
    } else if (f === 14 && w === 0) external = r.varint() === 1;
    else r.skip(w);
  }
  if (external) throw new OnnxError(`tensor "${name}" keeps its data in an external file; save the model as one file`);
  const count = dims.reduce((a, d) => a * d, 1);
  if (dims.some((d) => d < 0)) throw new OnnxError(`tensor "${name}" has a negative dimension`);
  if (type === FLOAT) {
    let data: Float32Array;
    if (raw) {
      if (raw.byteLength !== count * 4) throw new OnnxError(`tensor "${name}": ${raw.byteLength} bytes for ${count} floats`);
      // Aligned: a view; otherwise one copy.
      data = raw.byteOffset % 4 === 0 ? new Float32Array(raw.buffer, raw.byteOffset, count) : new Float32Array(raw.slice().buffer);
    } else data = Float32Array.from(floats);
    if (data.length !== count) throw new OnnxError(`tensor "${name}": ${data.length} values for shape [${dims.join(', ')}]`);
    return { name, dims, type: 'float32', data };
  }
  if (type === INT64 || type === INT32) {
    let data: number[];
    if (raw) {
      const size = type === INT64 ? 8 : 4;
      if (raw.byteLength !== count * size) throw new OnnxError(`tensor "${name}": ${raw.byteLength} bytes for ${count} integers`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      data = Array.from({ length: count }, (_, i) => (size === 8 ? Number(view.getBigInt64(i * 8, true)) : view.getInt32(i * 4, true)));
    } else data = ints;
    if (data.length !== count) throw new OnnxError(`tensor "${name}": ${data.length} values for shape [${dims.join(', ')}]`);
    return { name, dims, type: 'int64', data };
  }
  throw new OnnxError(`tensor "${name}" has data type ${type}; only float32 and int64 constants are supported`);
}

function readAttribute(r: Reader): [string, AttrValue] {
  let name = '';
  let value: AttrValue | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  let list: 'floats' | 'ints' | null = null;
  for (const [f, w] of r.fields()) {
    if (f === 1 && w === 2) name = r.string();
    else if (f === 2 && w === 5) {
      const one: number[] = [];
      floatsOf(r, w, one);
      value = one[0]!;
    } else if (f === 3 && w === 0) value = r.int64();
    else if (f === 4 && w === 2) value = r.string();
    else if (f === 5 && w === 2) value = readTensor(r.sub());
    else if (f === 7) { floatsOf(r, w, floats); list = 'floats'; }
    else if (f === 8) { packedOrOne(r, w, (x) => x.int64(), ints); list = 'ints'; }
    else r.skip(w);
  }
  if (list === 'floats') value = floats;
  if (list === 'ints') value = ints;
  return [name, value ?? []];
}

function readNode(r: Reader): OnnxNode {
  const node: OnnxNode = { op: '', domain: '', inputs: [], outputs: [], attrs: new Map() };
  for (const [f, w] of r.fields()) {
    if (f === 1 && w === 2) node.inputs.push(r.string());
    else if (f === 2 && w === 2) node.outputs.push(r.string());
    else if (f === 4 && w === 2) node.op = r.string();
    else if (f === 5 && w === 2) {
      const [k, v] = readAttribute(r.sub());
      node.attrs.set(k, v);
    } else if (f === 7 && w === 2) node.domain = r.string();
    else r.skip(w);
  }
  if (node.domain === 'ai.onnx') node.domain = '';
  return node;
}

/** Decode an ONNX model's graph; throws OnnxError with a readable reason on anything else. */
export function decodeGraph(bytes: Uint8Array): OnnxGraph {
  if (bytes.length === 0) throw new OnnxError('the file is empty');
  if (bytes.length > MAX_MODEL_BYTES) throw new OnnxError(`the file is ${(bytes.length / 1048576).toFixed(0)} MB; at most ${MAX_MODEL_BYTES / 1048576} MB`);
  const g: OnnxGraph = { opset: 0, inputs: [], outputs: [], nodes: [], initializers: new Map() };
  let graphs = 0;
  const r = new Reader(bytes);
  try {
    for (const [f, w] of r.fields()) {
      if (f === 8 && w === 2) {
        const version = defaultOpset(r.sub());
        if (version !== null) g.opset = version;
      } else if (f === 7 && w === 2) {
        graphs++;
        const gr = r.sub();
        for (const [gf, gw] of gr.fields()) {
          if (gf === 1 && gw === 2) g.nodes.push(readNode(gr.sub()));
          else if (gf === 5 && gw === 2) {
            const t = readTensor(gr.sub());
            g.initializers.set(t.name, { dims: t.dims, type: t.type, data: t.data });
          } else if (gf === 11 && gw === 2) g.inputs.push(valueInfo(gr.sub()));
          else if (gf === 12 && gw === 2) g.outputs.push(valueInfo(gr.sub()));
          else gr.skip(gw);
        }
      } else r.skip(w);
    }
  } catch (e) {
    if (e instanceof OnnxError) throw new OnnxError(`not a readable ONNX model (${e.message})`);
    throw e;
  }
  if (graphs !== 1 || g.nodes.length === 0) throw new OnnxError('not an ONNX model (no graph found)');
  g.inputs = g.inputs.filter((i) => !g.initializers.has(i.name));
  return g;
}
