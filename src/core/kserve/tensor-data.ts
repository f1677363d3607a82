/**
 * Tensor contents: shapes, JSON `data` arrays (flat or nested) and the binary
 * layout of the binary tensor data extension (little-endian, row-major, no padding).
 */
import { ProtocolError } from './protocol-error';
import { V2_DATATYPES } from './types';

/** Number of elements of `shape`; throws unless it is a list of non-negative integers. */
export function elementCount(shape: unknown, what: string): number {
  if (!Array.isArray(shape)) throw new ProtocolError(`${what}: shape must be an array of integers`);
  let count = 1;
  for (const [i, d] of shape.entries()) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ProtocolError(`${what}: shape[${i}] must be a non-negative integer, got ${JSON.stringify(d)}`);
    }
    count *= d;
  }
  // Past 2^31 elements no JavaScript typed array can hold the tensor anyway.
  if (count > 2 ** 31) throw new ProtocolError(`${what}: shape ${JSON.stringify(shape)} has ${count} elements, too many`);
  return count;
}

/** Throws a 400 naming the datatype unless it is FP32, the only one these models take and give. */
export function checkDatatype(datatype: unknown, what: string): void {
  if (datatype === 'FP32') return;
  const kind = typeof datatype === 'string' && V2_DATATYPES.includes(datatype) ? 'unsupported' : 'unknown';
  throw new ProtocolError(`${what}: ${kind} datatype ${JSON.stringify(datatype)}, expected "FP32"`);
}

/**
 * JSON tensor data, flat or nested to any depth (the spec allows both; either
 * way elements are in row-major order), as FP32. Rejects non-numbers — which
 * includes `null`, what JSON.stringify makes of NaN — and values that are not
 * finite once rounded to FP32 (1e39 parses as a finite double but not a float).
 */
/** Leaves of a nested array, counted iteratively, stopping once past `limit`. */
function countLeaves(data: unknown[], limit: number): number {
  let n = 0;
  const stack: unknown[][] = [data];
  while (stack.length > 0 && n <= limit) {
    for (const item of stack.pop()!) {
      if (Array.isArray(item)) stack.push(item);
      else n++;
    }
  }
  return n;
}

export function flattenData(data: unknown, count: number, what: string): Float32Array {
  if (!Array.isArray(data)) throw new ProtocolError(`${what}: data must be an array`);
  // The shape is the client's claim: count the values it actually sent before
  // allocating what the shape asks for (a 2^31-element shape with 3 values is 8 GB).
  const sent = countLeaves(data, count);
  if (sent !== count) throw new ProtocolError(`${what}: data has ${sent > count ? `more than the ${count}` : sent} values but its shape holds ${count}`);
  const out = new Float32Array(count);
  let n = 0;
  // Iterative walk: recursion depth would be attacker-controlled.
  const stack: { list: unknown[]; at: number }[] = [{ list: data, at: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.at === top.list.length) {
      stack.pop();
      continue;
    }
    const item = top.list[top.at++];
    if (Array.isArray(item)) {
      stack.push({ list: item, at: 0 });
      continue;
    }
    if (n >= count) throw new ProtocolError(`${what}: data has more than the ${count} values its shape holds`);
    if (typeof item !== 'number') throw new ProtocolError(`${what}: data[${n}] is ${JSON.stringify(item)}, not a number`);
    out[n] = item;
    if (!Number.isFinite(out[n]!)) throw new ProtocolError(`${what}: data[${n}] = ${item} is not a finite FP32 value`);
    n++;
  }
  if (n !== count) throw new ProtocolError(`${what}: data has ${n} values but its shape holds ${count}`);
  return out;
}

/** Throws unless every value is finite (binary data can carry NaN and Infinity; the models must not see them). */
export function checkFinite(data: Float32Array, what: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new ProtocolError(`${what}: value ${i} is ${data[i]}, not a finite number`);
  }
}

/** Little-endian FP32 bytes -> floats (copied, so the result does not pin the body). */
export function floatsFromBytes(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Floats -> little-endian FP32 bytes, whatever the platform's byte order. */
export function bytesFromFloats(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}

/** Throws (plain Error: a caller bug, not a peer's) unless the tensor is well-formed and finite. */
export function checkOwnTensor(t: { name: string; shape: number[]; data: Float32Array }): void {
  const count = elementCount(t.shape, `tensor "${t.name}"`);
  if (count !== t.data.length) throw new Error(`tensor "${t.name}": shape ${JSON.stringify(t.shape)} holds ${count} values, data has ${t.data.length}`);
  checkFinite(t.data, `tensor "${t.name}"`);
}
