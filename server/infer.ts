/** `POST /v2/models/{name}[/versions/{v}]/infer`: decode, check against the model, batch, answer with timings. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseHeaderLength } from '../src/core/kserve/body';
import { ProtocolError } from '../src/core/kserve/protocol-error';
import { decodeInferRequest, wantsBinaryOutput } from '../src/core/kserve/request';
import { encodeInferResponse } from '../src/core/kserve/response';
import type { Fp32Tensor, InferRequest } from '../src/core/kserve/types';
import { send } from './http-io';
import { readBody, type BodyBudget } from './limits';
import { MODEL_VERSION, type ServedModel } from './registry';

const ms = (x: number) => Math.round(x * 1000) / 1000;

/** The one input as `count` rows, or a 400 saying how it differs from what the model takes. */
export function checkInput(request: InferRequest, model: ServedModel): { data: Float32Array; count: number } {
  const { entry, maxBatch } = model;
  const [input, ...extra] = request.inputs;
  if (input === undefined || extra.length > 0) throw new ProtocolError(`model "${entry.id}" takes exactly one input, "${entry.input.name}"; got ${request.inputs.length}`);
  if (input.name !== entry.input.name) throw new ProtocolError(`unexpected input "${input.name}": model "${entry.id}" takes "${entry.input.name}"`);
  const [batch, ...rest] = input.shape;
  const [fixed, ...want] = entry.input.shape;
  if (batch === undefined || rest.length !== want.length || rest.some((d, i) => d !== want[i]) || (fixed !== -1 && batch !== fixed)) {
    throw new ProtocolError(`input "${input.name}": shape ${JSON.stringify(input.shape)} does not match the model's ${JSON.stringify(entry.input.shape)}`);
  }
  if (batch < 1) throw new ProtocolError(`input "${input.name}": empty batch`);
  if (batch > maxBatch) throw new ProtocolError(`input "${input.name}": batch size ${batch} exceeds the maximum ${maxBatch}; split the request`);
  return { data: input.data, count: batch };
}

function checkOutputs(request: InferRequest, model: ServedModel): void {
  for (const o of request.outputs ?? []) {
    if (o.name !== model.entry.output.name) throw new ProtocolError(`unknown output "${o.name}": model "${model.entry.id}" gives "${model.entry.output.name}"`);
  }
}

export async function handleInfer(req: IncomingMessage, res: ServerResponse, model: ServedModel, maxBodyBytes: number, budget: BodyBudget): Promise<void> {
  const { batcher, entry } = model;
  if (batcher === undefined) throw new ProtocolError(`model "${entry.id}" is not ready yet`, 503);
  const header = req.headers['inference-header-content-length'];
  // Checked before the body is read: a malformed header fails fast.
  const headerLength = parseHeaderLength(Array.isArray(header) ? header.join(',') : header);
  const release = budget.reserve(req, maxBodyBytes);
  try {
    await answer(res, model, batcher, await readBody(req, maxBodyBytes), headerLength);
  } finally {
    release();
  }
}

async function answer(res: ServerResponse, model: ServedModel, batcher: NonNullable<ServedModel['batcher']>, body: Uint8Array, headerLength: number | undefined): Promise<void> {
  const { entry } = model;
  const start = performance.now();
  const request = decodeInferRequest(body, headerLength);
  const { data, count } = checkInput(request, model);
  checkOutputs(request, model);
  const result = await batcher.submit(data, count);
  const output: Fp32Tensor = { name: entry.output.name, shape: [count, entry.output.shape[1]], data: result.output };
  const parameters = { compute_ms: ms(result.computeMs), queue_ms: ms(result.queueMs), batch_size: result.batchSize };
  const encoded = encodeInferResponse(
    { modelName: entry.id, modelVersion: MODEL_VERSION, ...(request.id === undefined ? {} : { id: request.id }), parameters, outputs: [output] },
    { binary: wantsBinaryOutput(request, output.name) },
  );
  // total: from the whole body being in memory to the answer being encoded (decode + queue + compute + encode).
  const timing = `queue;dur=${parameters.queue_ms}, compute;dur=${parameters.compute_ms}, total;dur=${ms(performance.now() - start)}`;
  send(res, 200, encoded.body, { ...encoded.headers, 'Server-Timing': timing });
}
