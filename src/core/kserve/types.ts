/**
 * Plain data types of the v2 inference protocol as this project uses it: FP32
 * tensors only (images in, logits out). JSON field names (snake_case) live only
 * in the codec; callers see these camelCase shapes.
 */

/** A named FP32 tensor, row-major; `data.length` is the product of `shape`. */
export interface Fp32Tensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** `parameters` of a request, response or tensor: the spec allows string, number and boolean values. */
export type Parameters = Record<string, unknown>;

/** An entry of a request's `outputs`; `binary` is its `parameters.binary_data`, if given. */
export interface RequestedOutput {
  name: string;
  binary?: boolean;
}

export interface InferRequest {
  id?: string;
  inputs: Fp32Tensor[];
  /** Absent: the client wants every output of the model. */
  outputs?: RequestedOutput[];
  /** Top-level `parameters.binary_data_output`; a per-output `binary` overrides it. */
  binaryOutput: boolean;
  parameters?: Parameters;
}

export interface InferResponse {
  modelName: string;
  modelVersion?: string;
  id?: string;
  parameters?: Parameters;
  outputs: Fp32Tensor[];
}

/** An encoded message: the HTTP body and the headers that must travel with it. */
export interface EncodedBody {
  /** ArrayBuffer-backed, as fetch() and Response take it. */
  body: Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

/** Length of the JSON part of a body that carries binary tensor data (binary tensor data extension). */
export const HEADER_LENGTH_HEADER = 'Inference-Header-Content-Length';

/** Every datatype the v2 protocol names; only FP32 is accepted here, the rest get a precise error. */
export const V2_DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES', 'BF16'];
