/**
 * What a user's .onnx file says about itself, read straight from its protobuf
 * (onnx.proto3 ModelProto) before any runtime sees it: opsets, the graph's
 * real inputs (initializers listed as inputs by older exporters excluded), its
 * outputs, and the operators it uses. `asClassifier` then decides whether the
 * file can be a CIFAR-100 classifier here, with a message a user can act on.
 *
 * Only the fields needed are decoded; everything else (weights included) is
 * skipped by length, so a 100 MB file costs one pass and no copies.
 */

export const MAX_MODEL_BYTES = 100 * 1024 * 1024;

export interface TensorInfo {
  name: string;
  /** TensorProto.DataType: 1 = float32. */
  elemType: number;
  /** Each dimension: a positive size, or the symbolic name / '?' of a free one. */
  dims: (number | string)[];
  /** False when the file declares no shape at all (dims is then empty, not rank 0). */
  shaped: boolean;
}

export interface OnnxInfo {
  irVersion: number;
  /** Default-domain ('' or 'ai.onnx') opset version, 0 if none is declared. */
  opset: number;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Distinct "domain::OpType" (domain '' for the default one). */
  ops: string[];
  /** Number of weight values (initializer elements). */
  params: number;
}

export class OnnxError extends Error {}

/** Larger than any real tensor dimension; a negative int64 reads as ~1.8e19. */
const MAX_DIM = 2 ** 31;

/** A bounded protobuf reader over one byte range (shared with onnx-graph.ts). */
export class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array, readonly end = b.length, start = 0) {
    this.pos = start;
  }
  varint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new OnnxError('truncated');
      const x = this.b[this.pos++]!;
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 128;
    }
    throw new OnnxError('bad varint');
  }
  /** A signed int64 varint (negative values take ten bytes), as a Number. */
  int64(): number {
    let v = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new OnnxError('truncated');
      const x = this.b[this.pos++]!;
      v |= BigInt(x & 0x7f) << shift;
      if (x < 0x80) return Number(BigInt.asIntN(64, v));
      shift += 7n;
    }
    throw new OnnxError('bad varint');
  }
  /** Field number and wire type of the next key. */
  key(): [number, number] {
    const k = this.varint();
    return [Math.floor(k / 8), k & 7];
  }
  /** A length-delimited field's bounds. */
  sub(): Reader {
    const n = this.varint();
    if (this.pos + n > this.end) throw new OnnxError('truncated');
    const r = new Reader(this.b, this.pos + n, this.pos);
    this.pos += n;
    return r;
  }
  string(): string {
    const r = this.sub();
    return new TextDecoder('utf-8', { fatal: false }).decode(this.b.subarray(r.pos, r.end));
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.sub();
    else if (wire === 5) this.pos += 4;
    else throw new OnnxError(`unknown wire type ${wire}`);
    if (this.pos > this.end) throw new OnnxError('truncated');
  }
  *fields(): Generator<[number, number]> {
    while (this.pos < this.end) yield this.key();
  }
}

export function valueInfo(r: Reader): TensorInfo {
  const info: TensorInfo = { name: '', elemType: 0, dims: [], shaped: false };
  for (const [f, w] of r.fields()) {
    if (f === 1 && w === 2) info.name = r.string();
    else if (f === 2 && w === 2) {
      const type = r.sub();
      for (const [tf, tw] of type.fields()) {
        if (tf !== 1 || tw !== 2) { type.skip(tw); continue; } // tensor_type only
        const tt = type.sub();
        for (const [ef, ew] of tt.fields()) {
          if (ef === 1 && ew === 0) info.elemType = tt.varint();
          else if (ef === 2 && ew === 2) {
            info.shaped = true;
            const shape = tt.sub();
            for (const [sf, sw] of shape.fields()) {
              if (sf !== 1 || sw !== 2) { shape.skip(sw); continue; }
              const dim = shape.sub();
              let d: number | string = '?';
              for (const [df, dw] of dim.fields()) {
                if (df === 1 && dw === 0) d = dim.varint();
                else if (df === 2 && dw === 2) d = dim.string() || '?';
                else dim.skip(dw);
              }
              // 0, or a negative int64 (read as a huge unsigned varint): not a size.
              info.dims.push(d === 0 || (typeof d === 'number' && d > MAX_DIM) ? '?' : d);
            }
          } else tt.skip(ew);
        }
      }
    } else r.skip(w);
  }
  return info;
}

/** A weight's dimension as a count; a negative or absurd one counts as 0 (the weight count stays finite). */
const dimSize = (d: number) => (d > MAX_DIM ? 0 : d);

/** A weight count that stays a safe integer, whatever dims a crafted file declares. */
const capped = (n: number) => Math.min(n, Number.MAX_SAFE_INTEGER);

function initializer(r: Reader): { name: string; size: number; external: boolean } {
  let name = '';
  let size = 1;
  let hasDims = false;
  let external = false;
  for (const [f, w] of r.fields()) {
    if (f === 1 && w === 0) { size = capped(size * dimSize(r.varint())); hasDims = true; }
    else if (f === 1 && w === 2) {
      const p = r.sub(); // packed dims
      while (p.pos < p.end) { size = capped(size * dimSize(p.varint())); hasDims = true; }
    } else if (f === 8 && w === 2) name = r.string();
    else if (f === 13 && w === 2) { external = true; r.skip(w); } // external_data entries
    else if (f === 14 && w === 0) external = r.varint() === 1 || external; // data_location: EXTERNAL
    else r.skip(w);
  }
  return { name, size: hasDims ? size : 1, external };
}

/** An OperatorSetIdProto's version when it is the default domain's ('' or 'ai.onnx'), else null. */
export function defaultOpset(o: Reader): number | null {
  let domain = '';
  let version = 0;
  for (const [of, ow] of o.fields()) {
    if (of === 1 && ow === 2) domain = o.string();
    else if (of === 2 && ow === 0) version = o.varint();
    else o.skip(ow);
  }
  return domain === '' || domain === 'ai.onnx' ? version : null;
}

/** Decode the parts of a ModelProto this product needs; throws OnnxError on anything that is not one. */
export function inspectOnnx(bytes: Uint8Array): OnnxInfo {
  if (bytes.length === 0) throw new OnnxError('the file is empty');
  if (bytes.length > MAX_MODEL_BYTES) throw new OnnxError(`the file is ${(bytes.length / 1048576).toFixed(0)} MB; at most ${MAX_MODEL_BYTES / 1048576} MB`);
  const info: OnnxInfo = { irVersion: 0, opset: 0, inputs: [], outputs: [], ops: [], params: 0 };
  const ops = new Set<string>();
  const inits = new Set<string>();
  let graphs = 0;
  let externalWeight: string | undefined;
  const r = new Reader(bytes);
  try {
    for (const [f, w] of r.fields()) {
      if (f === 1 && w === 0) info.irVersion = r.varint();
      else if (f === 8 && w === 2) {
        const version = defaultOpset(r.sub());
        if (version !== null) info.opset = version;
      } else if (f === 7 && w === 2) {
        graphs++;
        const g = r.sub();
        for (const [gf, gw] of g.fields()) {
          if (gf === 1 && gw === 2) {
            const n = g.sub();
            let op = '';
            let domain = '';
            for (const [nf, nw] of n.fields()) {
              if (nf === 4 && nw === 2) op = n.string();
              else if (nf === 7 && nw === 2) domain = n.string();
              else n.skip(nw);
            }
            ops.add(`${domain === 'ai.onnx' ? '' : domain}::${op}`);
          } else if (gf === 5 && gw === 2) {
            const t = initializer(g.sub());
            inits.add(t.name);
            info.params = capped(info.params + t.size);
            externalWeight ??= t.external ? t.name : undefined;
          } else if (gf === 11 && gw === 2) info.inputs.push(valueInfo(g.sub()));
          else if (gf === 12 && gw === 2) info.outputs.push(valueInfo(g.sub()));
          else g.skip(gw);
        }
      } else r.skip(w);
    }
  } catch (e) {
    if (e instanceof OnnxError) throw new OnnxError(`not a readable ONNX model (truncated or corrupt: ${e.message})`);
    throw e;
  }
  if (graphs !== 1 || info.irVersion === 0 || ops.size === 0) throw new OnnxError('not an ONNX model (no graph found)');
  // As the CLI importer says it: the browser gets one file, and ORT Web cannot read the weights' other files.
  if (externalWeight !== undefined) {
    throw new OnnxError(`weights are stored in external data files (tensor '${externalWeight}'); save the model as one self-contained .onnx file`);
  }
  info.inputs = info.inputs.filter((i) => !inits.has(i.name));
  info.ops = [...ops].sort();
  return info;
}

export interface ClassifierShape {
  inputName: string;
  outputName: string;
  /** -1 when the batch dimension is free. */
  batch: number;
}

const fmt = (t: TensorInfo) => `[${t.dims.map((d) => (typeof d === 'number' ? d : 'N')).join(',')}]`;

/** Can this file be a CIFAR-100 classifier here: one float32 N×3×32×32 input, one float32 N×100 output? */
export function asClassifier(info: OnnxInfo, classes = 100): ClassifierShape {
  if (info.inputs.length !== 1) throw new OnnxError(`the model has ${info.inputs.length} inputs (${info.inputs.map((i) => `'${i.name}'`).join(', ')}); expected one image input`);
  if (info.outputs.length !== 1) throw new OnnxError(`the model has ${info.outputs.length} outputs (${info.outputs.map((o) => `'${o.name}'`).join(', ')}); expected one`);
  const i = info.inputs[0]!;
  const o = info.outputs[0]!;
  if (i.elemType !== 1) throw new OnnxError(`input '${i.name}' is not float32 (ONNX type ${i.elemType})`);
  if (!i.shaped) throw new OnnxError(`input '${i.name}' has no declared shape; expected [N,3,32,32]`);
  if (i.dims.length !== 4) throw new OnnxError(`input '${i.name}' has rank ${i.dims.length} ${fmt(i)}; expected [N,3,32,32]`);
  const [n, c, h, w] = i.dims;
  // A free (symbolic) C, H or W is allowed, as the CLI importer allows it: the self-check runs 3×32×32.
  const fits = (d: number | string | undefined, want: number) => typeof d === 'string' || d === want;
  if (!fits(c, 3) || !fits(h, 32) || !fits(w, 32)) throw new OnnxError(`input '${i.name}' is ${fmt(i)}; expected [N,3,32,32]`);
  if (o.elemType !== 1) throw new OnnxError(`output '${o.name}' is not float32 (ONNX type ${o.elemType})`);
  // No declared output shape: left to the self-check, as the CLI importer leaves it.
  if (!o.shaped) return { inputName: i.name, outputName: o.name, batch: typeof n === 'number' ? n : -1 };
  if (o.dims.length !== 2) throw new OnnxError(`output '${o.name}' has rank ${o.dims.length} ${fmt(o)}; expected [N,${classes}]`);
  // A free class count is left to the self-check too.
  if (typeof o.dims[1] === 'number' && o.dims[1] !== classes) throw new OnnxError(`output '${o.name}' gives ${o.dims[1]} values per image; expected ${classes} (the CIFAR-100 classes)`);
  return { inputName: i.name, outputName: o.name, batch: typeof n === 'number' ? n : -1 };
}

/** The normalisation presets offered when a model is added. */
export const NORMALISATION_PRESETS = {
  cifar100: { label: 'CIFAR-100 mean/std', mean: [0.507, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762] },
  unit: { label: '[0, 1]', mean: [0, 0, 0], std: [1, 1, 1] },
  symmetric: { label: '[-1, 1]', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
} as const;

/**
 * What a self-check run says about the outputs: refuses NaN/Inf, tells
 * probabilities (every row ≥ 0 summing to 1) from logits.
 */
export function judgeOutputs(data: Float32Array, rows: number, classes = 100): 'logits' | 'probabilities' {
  if (data.length !== rows * classes) throw new OnnxError(`the self-check gave ${data.length} values for ${rows} images; expected ${rows * classes}`);
  let probs = true;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let k = 0; k < classes; k++) {
      const x = data[r * classes + k]!;
      if (!Number.isFinite(x)) throw new OnnxError('the self-check gave NaN or infinite outputs');
      if (x < 0) probs = false;
      sum += x;
    }
    if (Math.abs(sum - 1) > 1e-3) probs = false;
  }
  return probs ? 'probabilities' : 'logits';
}

/**
 * Whether two runs of the same images (rows of `classes`) agree, row by row,
 * to float rounding: a batched GEMM sums in another order than a single
 * image's. The tolerance scales with each row's largest magnitude, so one
 * image's large logits never loosen the check of another's.
 */
export function sameOutputs(a: Float32Array, b: Float32Array, classes = 100): boolean {
  if (a.length !== b.length) return false;
  for (let row = 0; row < a.length; row += classes) {
    let scale = 0;
    for (let k = row; k < row + classes; k++) scale = Math.max(scale, Math.abs(a[k]!));
    const tol = 1e-4 * (1 + scale);
    for (let k = row; k < row + classes; k++) if (!(Math.abs(a[k]! - b[k]!) <= tol)) return false;
  }
  return true;
}
