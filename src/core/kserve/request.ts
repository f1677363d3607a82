/** Inference requests: encode on the client, decode on the server. */
import { BinaryReader, joinBody, splitBody } from './body';
import { parseWith, RequestSchema } from './schema';
import { checkOwnTensor } from './tensor-data';
import { decodeTensor, encodeTensor } from './tensor-json';
import type { EncodedBody, Fp32Tensor, InferRequest, RequestedOutput } from './types';

export interface EncodeRequestOptions {
  /** Send input data as binary after the JSON (binary tensor data extension) instead of JSON numbers. */
  binary?: boolean;
  /** Ask for binary outputs; defaults to `binary`. */
  binaryOutput?: boolean;
  /** Names of the outputs wanted; default all (then `binaryOutput` goes in the top-level parameters). */
  outputs?: readonly string[];
  id?: string;
}

/** Builds the body and headers of `POST /v2/models/{name}/infer`. */
export function encodeInferRequest(inputs: Fp32Tensor | readonly Fp32Tensor[], options: EncodeRequestOptions = {}): EncodedBody {
  const list = Array.isArray(inputs) ? inputs : [inputs as Fp32Tensor];
  if (list.length === 0) throw new Error('encodeInferRequest: no inputs');
  const binary = options.binary ?? false;
  const binaryOutput = options.binaryOutput ?? binary;
  const chunks: Uint8Array[] = [];
  const json: Record<string, unknown> = {
    inputs: list.map((t) => {
      checkOwnTensor(t);
      return encodeTensor(t, binary, chunks);
    }),
  };
  if (options.id !== undefined) json.id = options.id;
  if (options.outputs) json.outputs = options.outputs.map((name) => (binaryOutput ? { name, parameters: { binary_data: true } } : { name }));
  else if (binaryOutput) json.parameters = { binary_data_output: true };
  return joinBody(json, chunks);
}

/**
 * Parses a request body; `headerLength` is its `Inference-Header-Content-Length`
 * (see parseHeaderLength). Throws ProtocolError (400) naming what is wrong.
 */
export function decodeInferRequest(body: Uint8Array, headerLength?: number): InferRequest {
  const { json, binary } = splitBody(body, headerLength);
  const req = parseWith(RequestSchema, json, 'request');
  const reader = new BinaryReader(binary, headerLength !== undefined);
  const inputs = req.inputs.map((t, i) => decodeTensor(t, reader, `inputs[${i}] "${t.name}"`));
  reader.finish();
  const out: InferRequest = { inputs, binaryOutput: req.parameters?.binary_data_output ?? false };
  if (req.id !== undefined) out.id = req.id;
  if (req.parameters !== undefined) out.parameters = req.parameters;
  if (req.outputs !== undefined) {
    out.outputs = req.outputs.map((o): RequestedOutput => {
      const binaryData = o.parameters?.binary_data;
      return binaryData === undefined ? { name: o.name } : { name: o.name, binary: binaryData };
    });
  }
  return out;
}

/** Whether the response should carry output `name` as binary: its own `binary_data`, else the request-wide `binary_data_output`. */
export function wantsBinaryOutput(request: InferRequest, name: string): boolean {
  return request.outputs?.find((o) => o.name === name)?.binary ?? request.binaryOutput;
}
