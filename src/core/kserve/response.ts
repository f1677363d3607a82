/** Inference responses: encode on the server, decode on the client. */
import { BinaryReader, joinBody, splitBody } from './body';
import { parseWith, ResponseSchema } from './schema';
import { checkOwnTensor } from './tensor-data';
import { decodeTensor, encodeTensor } from './tensor-json';
import type { EncodedBody, InferResponse } from './types';

export interface EncodeResponseOptions {
  /** Outputs to send as binary: all (true), none (false, the default) or those named. */
  binary?: boolean | ReadonlySet<string>;
}

/** Builds the body and headers of a 200 answer to `/infer`. */
export function encodeInferResponse(response: InferResponse, options: EncodeResponseOptions = {}): EncodedBody {
  const binary = options.binary ?? false;
  const chunks: Uint8Array[] = [];
  const outputs = response.outputs.map((t) => {
    checkOwnTensor(t);
    return encodeTensor(t, typeof binary === 'boolean' ? binary : binary.has(t.name), chunks);
  });
  const json: Record<string, unknown> = { model_name: response.modelName };
  if (response.modelVersion !== undefined) json.model_version = response.modelVersion;
  if (response.id !== undefined) json.id = response.id;
  if (response.parameters !== undefined) json.parameters = response.parameters;
  json.outputs = outputs;
  return joinBody(json, chunks);
}

/** Parses a 200 body of `/infer` (JSON or binary outputs); throws ProtocolError naming what is wrong. */
export function decodeInferResponse(body: Uint8Array, headerLength?: number): InferResponse {
  const { json, binary } = splitBody(body, headerLength);
  const res = parseWith(ResponseSchema, json, 'response');
  const reader = new BinaryReader(binary, headerLength !== undefined);
  const outputs = res.outputs.map((t, i) => decodeTensor(t, reader, `outputs[${i}] "${t.name}"`));
  reader.finish();
  const out: InferResponse = { modelName: res.model_name, outputs };
  if (res.model_version !== undefined) out.modelVersion = res.model_version;
  if (res.id !== undefined) out.id = res.id;
  if (res.parameters !== undefined) out.parameters = res.parameters;
  return out;
}
