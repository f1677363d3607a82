import { flattenData } from '../../src/core/kserve/tensor-data';
import { describe, expect, it } from 'vitest';
import { errorMessageOf, parseHeaderLength } from '../../src/core/kserve/body';
import { ProtocolError } from '../../src/core/kserve/protocol-error';
import { decodeInferRequest, encodeInferRequest, wantsBinaryOutput } from '../../src/core/kserve/request';
import { decodeInferResponse, encodeInferResponse } from '../../src/core/kserve/response';
import type { Fp32Tensor } from '../../src/core/kserve/types';

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const tensor = (shape: number[], f = (i: number) => Math.sin(i) * 3): Fp32Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name: 'input', shape, data: Float32Array.from({ length: n }, (_, i) => f(i)) };
};
/** A request JSON with one input, for the error cases. */
const req = (input: Record<string, unknown>) => enc({ inputs: [{ name: 'input', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4], ...input }] });
const headerLen = (h: Record<string, string>) => parseHeaderLength(h['Inference-Header-Content-Length']);

function expectProtocolError(fn: () => unknown, message: RegExp, status = 400): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).message).toMatch(message);
    expect((e as ProtocolError).status).toBe(status);
    return;
  }
  throw new Error(`expected a ProtocolError matching ${message}`);
}

describe('inference requests', () => {
  it('round-trips as JSON, exactly, with no binary header', () => {
    const t = tensor([2, 3, 4, 4]);
    const { body, headers } = encodeInferRequest(t, { id: 'r1', outputs: ['logits'] });
    expect(headers['Content-Type']).toBe('application/json');
    expect(headers['Inference-Header-Content-Length']).toBeUndefined();
    const json = JSON.parse(new TextDecoder().decode(body));
    expect(json.inputs[0]).toMatchObject({ name: 'input', shape: [2, 3, 4, 4], datatype: 'FP32' });
    expect(json.inputs[0].data).toHaveLength(96);
    const back = decodeInferRequest(body);
    expect(back.id).toBe('r1');
    expect(back.inputs[0]!.data).toEqual(t.data);
    expect(back.outputs).toEqual([{ name: 'logits' }]);
    expect(wantsBinaryOutput(back, 'logits')).toBe(false);
  });

  it('round-trips with binary data: JSON header, then little-endian FP32 bytes', () => {
    const a = tensor([1, 3, 2, 2]);
    const b = { ...tensor([2], (i) => -i - 0.5), name: 'other' };
    const { body, headers } = encodeInferRequest([a, b], { binary: true });
    const len = headerLen(headers)!;
    const json = JSON.parse(new TextDecoder().decode(body.subarray(0, len)));
    expect(json.inputs.map((i: any) => i.parameters.binary_data_size)).toEqual([48, 8]);
    expect(json.inputs[0].data).toBeUndefined();
    expect(json.parameters).toEqual({ binary_data_output: true });
    expect(body.byteLength).toBe(len + 56);
    // The bytes after the header are the spec's layout, independent of this decoder.
    const view = new DataView(body.buffer, body.byteOffset + len);
    expect(view.getFloat32(4, true)).toBe(a.data[1]);
    expect(view.getFloat32(48 + 4, true)).toBe(-1.5);
    const back = decodeInferRequest(body, len);
    expect(back.inputs.map((t) => [t.name, t.shape, Array.from(t.data)])).toEqual([a, b].map((t) => [t.name, t.shape, Array.from(t.data)]));
    expect(back.binaryOutput).toBe(true);
  });

  it('takes nested data in row-major order, as flat', () => {
    const nested = decodeInferRequest(req({ shape: [2, 3], data: [[1, 2, 3], [4, 5, 6]] }));
    expect(Array.from(nested.inputs[0]!.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('lets a per-output binary_data override the request-wide binary_data_output', () => {
    const r = decodeInferRequest(
      enc({
        parameters: { binary_data_output: true },
        inputs: [{ name: 'input', shape: [1], datatype: 'FP32', data: [1] }],
        outputs: [{ name: 'a', parameters: { binary_data: false } }, { name: 'b' }],
      }),
    );
    expect([wantsBinaryOutput(r, 'a'), wantsBinaryOutput(r, 'b')]).toEqual([false, true]);
  });

  it('rejects data that does not fill the shape, too little or too much', () => {
    expectProtocolError(() => decodeInferRequest(req({ data: [1, 2, 3] })), /data has 3 values but its shape holds 4/);
    expectProtocolError(() => decodeInferRequest(req({ data: [[1, 2], [3, 4], [5]] })), /more than the 4 values/);
  });

  it('rejects NaN (null in JSON), strings, Infinity and values beyond FP32', () => {
    expectProtocolError(() => decodeInferRequest(enc({ inputs: [{ name: 'input', shape: [2], datatype: 'FP32', data: [1, Number.NaN] }] })), /data\[1\] is null, not a number/);
    expectProtocolError(() => decodeInferRequest(req({ data: [1, '2', 3, 4] })), /data\[1\] is "2"/);
    expectProtocolError(() => decodeInferRequest(new TextEncoder().encode('{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1e999]}]}')), /not a finite FP32/);
    expectProtocolError(() => decodeInferRequest(req({ data: [1, 2, 3, 1e39] })), /data\[3\] = 1e\+39 is not a finite FP32/);
  });

  it('rejects NaN in binary data', () => {
    const { body, headers } = encodeInferRequest(tensor([4]), { binary: true });
    new DataView(body.buffer, body.byteOffset).setFloat32(headerLen(headers)! + 8, Number.NaN, true);
    expectProtocolError(() => decodeInferRequest(body, headerLen(headers)), /value 2 is NaN/);
  });

  it('rejects other datatypes, naming them', () => {
    expectProtocolError(() => decodeInferRequest(req({ datatype: 'INT64' })), /unsupported datatype "INT64", expected "FP32"/);
    expectProtocolError(() => decodeInferRequest(req({ datatype: 'float32' })), /unknown datatype "float32"/);
  });

  it('rejects bad shapes and structure, naming the field', () => {
    expectProtocolError(() => decodeInferRequest(req({ shape: [2, -2] })), /shape\[1\] must be a non-negative integer/);
    expectProtocolError(() => decodeInferRequest(req({ shape: [2, 1.5] })), /shape\[1\]/);
    expectProtocolError(() => decodeInferRequest(enc({ inputs: [] })), /request.inputs: expected at least one input/);
    expectProtocolError(() => decodeInferRequest(enc({ inputs: [{ shape: [1], datatype: 'FP32', data: [1] }] })), /request.inputs\[0\].name: required field is missing/);
    expectProtocolError(() => decodeInferRequest(req({ data: undefined })), /neither data nor parameters.binary_data_size/);
    expectProtocolError(() => decodeInferRequest(enc([1, 2])), /must be a JSON object/);
    expectProtocolError(() => decodeInferRequest(new TextEncoder().encode('{"inputs": [')), /invalid JSON/);
  });

  it('rejects binary bodies that end early, run long, or lack the header', () => {
    const { body, headers } = encodeInferRequest(tensor([4]), { binary: true });
    const len = headerLen(headers)!;
    expectProtocolError(() => decodeInferRequest(body.subarray(0, body.byteLength - 1), len), /ends early: needs 16 bytes .* only 15 left/);
    const long = new Uint8Array(body.byteLength + 4);
    long.set(body);
    expectProtocolError(() => decodeInferRequest(long, len), /4 bytes of binary data after the last/);
    expectProtocolError(() => decodeInferRequest(body), /invalid JSON.*Inference-Header-Content-Length/);
    expectProtocolError(() => decodeInferRequest(body.subarray(0, len)), /header is missing/);
    expectProtocolError(() => decodeInferRequest(body, body.byteLength + 1), /the body has only/);
    expectProtocolError(() => decodeInferRequest(req({ data: undefined, parameters: { binary_data_size: 12 } }), 0), /invalid JSON/);
  });

  it('rejects a binary_data_size that disagrees with the shape', () => {
    const head = enc({ inputs: [{ name: 'input', shape: [4], datatype: 'FP32', parameters: { binary_data_size: 12 } }] });
    const body = new Uint8Array(head.byteLength + 12);
    body.set(head);
    expectProtocolError(() => decodeInferRequest(body, head.byteLength), /binary_data_size is 12 but shape \[4\] of FP32 needs 16 bytes/);
  });

  it('parses the header-length header strictly', () => {
    expect(parseHeaderLength(undefined)).toBeUndefined();
    expect(parseHeaderLength('120')).toBe(120);
    for (const bad of ['', '-1', '1e3', '12abc', '0x10']) expectProtocolError(() => parseHeaderLength(bad), /must be a non-negative integer/);
  });

  it('refuses to encode a tensor whose data does not fill its shape, or is not finite', () => {
    expect(() => encodeInferRequest(tensor([3]), {}).body).not.toThrow();
    expect(() => encodeInferRequest({ name: 'x', shape: [2, 2], data: new Float32Array(3) })).toThrow(/holds 4 values, data has 3/);
    expect(() => encodeInferRequest({ name: 'x', shape: [1], data: new Float32Array([Number.POSITIVE_INFINITY]) })).toThrow(/not a finite/);
  });
});

describe('inference responses', () => {
  const logits = { name: 'logits', shape: [2, 5], data: Float32Array.from({ length: 10 }, (_, i) => i / 3 - 1) };
  const other = { name: 'probs', shape: [2], data: new Float32Array([0.25, 0.75]) };
  const response = { modelName: 'm', modelVersion: '1', id: 'x', parameters: { compute_ms: 1.5 }, outputs: [logits, other] };

  it('round-trips as JSON', () => {
    const { body, headers } = encodeInferResponse(response);
    expect(headers['Inference-Header-Content-Length']).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(body))).toMatchObject({ model_name: 'm', model_version: '1', id: 'x', parameters: { compute_ms: 1.5 } });
    expect(decodeInferResponse(body)).toEqual(response);
  });

  it('round-trips with some outputs binary and some JSON', () => {
    const { body, headers } = encodeInferResponse(response, { binary: new Set(['logits']) });
    const len = headerLen(headers)!;
    const json = JSON.parse(new TextDecoder().decode(body.subarray(0, len)));
    expect(json.outputs[0]).toEqual({ name: 'logits', shape: [2, 5], datatype: 'FP32', parameters: { binary_data_size: 40 } });
    expect(json.outputs[1].data).toEqual([0.25, 0.75]);
    expect(body.byteLength - len).toBe(40);
    expect(decodeInferResponse(body, len)).toEqual(response);
  });

  it('rejects truncated binary outputs and malformed responses', () => {
    const { body, headers } = encodeInferResponse(response, { binary: true });
    expectProtocolError(() => decodeInferResponse(body.subarray(0, body.byteLength - 8), headerLen(headers)), /outputs\[1\] "probs": the body ends early/);
    expectProtocolError(() => decodeInferResponse(enc({ outputs: [] })), /response.model_name: required field is missing/);
    expectProtocolError(() => decodeInferResponse(enc({ model_name: 'm', outputs: [{ name: 'l', shape: [1], datatype: 'FP16', data: [1] }] })), /unsupported datatype "FP16"/);
  });

  it('reads error bodies', () => {
    expect(errorMessageOf(enc({ error: 'boom' }))).toBe('boom');
    expect(errorMessageOf('not json')).toBeUndefined();
    expect(errorMessageOf('{"outputs": []}')).toBeUndefined();
  });
});

describe('flattenData bounds the claimed shape by the values sent', () => {
  it('refuses a 2^31-element shape carrying 3 values without allocating 8 GB', () => {
    // Allocating first would fail with a RangeError (or take 8 GB) instead of this answer.
    expect(() => flattenData([1, 2, 3], 2 ** 31, 'inputs[0]')).toThrow('inputs[0]: data has 3 values but its shape holds 2147483648');
    expect(() => flattenData([[1, 2], [3, [4, 5]]], 4, 'x')).toThrow('x: data has more than the 4 values but its shape holds 4');
    expect(flattenData([[1, 2], [3, 4]], 4, 'x')).toEqual(Float32Array.of(1, 2, 3, 4));
  });
});
