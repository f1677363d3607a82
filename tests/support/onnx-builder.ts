/**
 * Writes small ONNX models (ModelProto protobuf) from a description, for tests
 * that need files no exporter would produce on purpose: wrong shapes, unknown
 * operators, NaN outputs. Only the fields those tests need are encoded.
 */

type Dim = number | string;
/** `dims: null`: no shape declared at all. */
export interface ValueSpec { name: string; dims: Dim[] | null; elemType?: number }
export interface NodeSpec { op: string; inputs: string[]; outputs: string[]; domain?: string; attrs?: Record<string, number | number[]> }
/** `external`: the weights live in a separate file (data_location EXTERNAL), as onnx.save(save_as_external_data=True) writes them. */
export interface InitSpec { name: string; dims: number[]; values: number[]; external?: boolean }
export interface ModelSpec {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  inits?: InitSpec[];
  opset?: number;
  extraOpsets?: { domain: string; version: number }[];
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}
const key = (field: number, wire: number) => varint(field * 8 + wire);
const int = (field: number, v: number) => [...key(field, 0), ...varint(v)];
const bytes = (field: number, b: number[] | Uint8Array) => [...key(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string) => bytes(field, [...new TextEncoder().encode(s)]);

function valueInfo(v: ValueSpec): number[] {
  const dims = v.dims?.flatMap((d) => bytes(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  const tensorType = [...int(1, v.elemType ?? 1), ...(dims ? bytes(2, dims) : [])];
  return [...str(1, v.name), ...bytes(2, bytes(1, tensorType))];
}

function attribute(name: string, v: number | number[]): number[] {
  // AttributeProto: name 1, i 3, ints 8, type 20 (INT = 2, INTS = 7)
  return Array.isArray(v)
    ? [...str(1, name), ...v.flatMap((x) => int(8, x)), ...int(20, 7)]
    : [...str(1, name), ...int(3, v), ...int(20, 2)];
}

function node(n: NodeSpec): number[] {
  return [
    ...n.inputs.flatMap((i) => str(1, i)), ...n.outputs.flatMap((o) => str(2, o)), ...str(4, n.op),
    ...Object.entries(n.attrs ?? {}).flatMap(([k, v]) => bytes(5, attribute(k, v))),
    ...(n.domain ? str(7, n.domain) : []),
  ];
}

function initializer(t: InitSpec): number[] {
  const raw = new Uint8Array(new Float32Array(t.values).buffer);
  const head = [...t.dims.flatMap((d) => int(1, d)), ...int(2, 1), ...str(8, t.name)];
  // external_data (13): StringStringEntryProto { key 1, value 2 }; data_location (14) = EXTERNAL (1).
  if (t.external) return [...head, ...bytes(13, [...str(1, 'location'), ...str(2, `${t.name}.bin`)]), ...int(14, 1)];
  return [...head, ...bytes(9, raw)];
}

export function buildOnnx(m: ModelSpec): Uint8Array {
  const graph = [
    ...m.nodes.flatMap((n) => bytes(1, node(n))), ...str(2, 'g'),
    ...(m.inits ?? []).flatMap((t) => bytes(5, initializer(t))),
    ...m.inputs.flatMap((v) => bytes(11, valueInfo(v))), ...m.outputs.flatMap((v) => bytes(12, valueInfo(v))),
  ];
  const opsets = [{ domain: '', version: m.opset ?? 13 }, ...(m.extraOpsets ?? [])];
  return new Uint8Array([
    ...int(1, 8), ...str(2, 'pit-test'),
    ...bytes(7, graph),
    ...opsets.flatMap((o) => bytes(8, [...str(1, o.domain), ...int(2, o.version)])),
  ]);
}

/**
 * A working "classifier": global average pool → flatten → Gemm to `classes`
 * outputs (weights from a fixed formula), optionally followed by `tail` nodes
 * (e.g. a Softmax) that end in the output `out`.
 */
export function tinyClassifier(o: { classes?: number; hw?: Dim; rank?: number; batch?: Dim; inputName?: string; outputName?: string; tail?: NodeSpec[]; inits?: InitSpec[]; extraOpsets?: ModelSpec['extraOpsets']; initsAsInputs?: boolean } = {}): Uint8Array {
  const classes = o.classes ?? 100;
  const hw = o.hw ?? 32;
  const input = o.inputName ?? 'x';
  const output = o.outputName ?? 'y';
  const batch = o.batch ?? 'N';
  const dims: Dim[] = o.rank === 3 ? [batch, 3, hw] : [batch, 3, hw, hw];
  const w = Array.from({ length: 3 * classes }, (_, i) => Math.sin(i * 0.37));
  const b = Array.from({ length: classes }, (_, i) => Math.cos(i * 0.11) * 0.1);
  const gemmOut = o.tail?.length ? 'logits' : output;
  return buildOnnx({
    // Old exporters (keep_initializers_as_inputs) list every weight as a graph input too.
    inputs: [{ name: input, dims }, ...(o.initsAsInputs ? [{ name: 'W', dims: [3, classes] }, { name: 'B', dims: [classes] }] : [])],
    outputs: [{ name: output, dims: [batch, classes] }],
    inits: [{ name: 'W', dims: [3, classes], values: w }, { name: 'B', dims: [classes], values: b }, ...(o.inits ?? [])],
    nodes: [
      { op: 'GlobalAveragePool', inputs: [input], outputs: ['pooled'] },
      { op: 'Flatten', inputs: ['pooled'], outputs: ['flat'], attrs: { axis: 1 } },
      { op: 'Gemm', inputs: ['flat', 'W', 'B'], outputs: [gemmOut] },
      ...(o.tail ?? []),
    ],
    ...(o.extraOpsets ? { extraOpsets: o.extraOpsets } : {}),
  });
}
