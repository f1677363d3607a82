/**
 * The JSON structure of v2 inference requests and responses, checked with
 * valibot. Tensor contents (shape arithmetic, datatype, `data`) are checked by
 * hand in tensor-data.ts: they span fields and the binary part of the body.
 * Objects are loose: the spec lets peers add fields and parameters we ignore.
 */
import * as v from 'valibot';
import { ProtocolError } from './protocol-error';

const name = v.pipe(v.string(), v.nonEmpty('expected a non-empty name'));
const byteSize = v.pipe(v.number(), v.integer(), v.minValue(0, 'expected a non-negative integer'));

const TensorSchema = v.looseObject({
  name,
  shape: v.array(v.unknown()),
  datatype: v.unknown(),
  parameters: v.optional(v.looseObject({ binary_data_size: v.optional(byteSize) })),
  data: v.optional(v.unknown()),
});

export const RequestSchema = v.looseObject({
  id: v.optional(v.string()),
  parameters: v.optional(v.looseObject({ binary_data_output: v.optional(v.boolean()) })),
  inputs: v.pipe(v.array(TensorSchema), v.minLength(1, 'expected at least one input')),
  outputs: v.optional(
    v.array(
      v.looseObject({
        name,
        parameters: v.optional(v.looseObject({ binary_data: v.optional(v.boolean()) })),
      }),
    ),
  ),
});

export const ResponseSchema = v.looseObject({
  model_name: v.string(),
  model_version: v.optional(v.string()),
  id: v.optional(v.string()),
  parameters: v.optional(v.looseObject({})),
  outputs: v.array(TensorSchema),
});

export type TensorJson = v.InferOutput<typeof TensorSchema>;

function describe(issue: v.BaseIssue<unknown>, root: string): string {
  const path = (issue.path ?? []).map((p) => (typeof p.key === 'number' ? `[${p.key}]` : `.${String(p.key)}`)).join('');
  const missing = issue.received === 'undefined';
  return `${root}${path}: ${missing ? 'required field is missing' : issue.message}`;
}

/** Parses `json` with `schema`, or throws a 400 naming the first problem by path (`request.inputs[0].name: ...`). */
export function parseWith<S extends v.GenericSchema>(schema: S, json: unknown, root: string): v.InferOutput<S> {
  const result = v.safeParse(schema, json);
  if (result.success) return result.output;
  const first = result.issues[0];
  throw new ProtocolError(first ? describe(first, root) : `invalid ${root}`);
}
