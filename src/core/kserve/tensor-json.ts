/** One tensor <-> its JSON object, with its data either inline or in the binary part of the body. */
import type { BinaryReader } from './body';
import { ProtocolError } from './protocol-error';
import type { TensorJson } from './schema';
import { bytesFromFloats, checkDatatype, checkFinite, elementCount, flattenData, floatsFromBytes } from './tensor-data';
import type { Fp32Tensor } from './types';

/** The tensor's JSON; in binary mode its bytes are appended to `chunks` (their order is the body's order). */
export function encodeTensor(t: Fp32Tensor, binary: boolean, chunks: Uint8Array[]): Record<string, unknown> {
  const head = { name: t.name, shape: t.shape, datatype: 'FP32' };
  if (!binary) return { ...head, data: Array.from(t.data) };
  const bytes = bytesFromFloats(t.data);
  chunks.push(bytes);
  return { ...head, parameters: { binary_data_size: bytes.byteLength } };
}

/** A validated FP32 tensor from its JSON (and, with `binary_data_size`, the next bytes of the binary part). */
export function decodeTensor(t: TensorJson, reader: BinaryReader, what: string): Fp32Tensor {
  checkDatatype(t.datatype, what);
  const count = elementCount(t.shape, what);
  const shape = t.shape as number[];
  const size = t.parameters?.binary_data_size;
  let data: Float32Array;
  if (size !== undefined) {
    if (t.data !== undefined) throw new ProtocolError(`${what}: has both data and binary_data_size`);
    if (size !== count * 4) throw new ProtocolError(`${what}: binary_data_size is ${size} but shape ${JSON.stringify(shape)} of FP32 needs ${count * 4} bytes`);
    data = floatsFromBytes(reader.take(size, what));
    checkFinite(data, what);
  } else {
    if (t.data === undefined) throw new ProtocolError(`${what}: has neither data nor parameters.binary_data_size`);
    data = flattenData(t.data, count, what);
  }
  return { name: t.name, shape, data };
}
