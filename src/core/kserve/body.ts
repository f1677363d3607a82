/**
 * The HTTP body of a v2 message: a JSON object, optionally followed by binary
 * tensor data whose start `Inference-Header-Content-Length` marks.
 */
import { ProtocolError } from './protocol-error';
import { type EncodedBody, HEADER_LENGTH_HEADER } from './types';

/** The header's value as a byte count; undefined when absent; a 400 when it is not a plain non-negative integer. */
export function parseHeaderLength(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  // Number('') is 0 and Number('1e3') is 1000: only plain digits are a length.
  if (!/^\d{1,15}$/.test(value.trim())) throw new ProtocolError(`${HEADER_LENGTH_HEADER} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value.trim());
}

/** Splits a body into its parsed JSON object and the binary bytes after it. */
export function splitBody(body: Uint8Array, headerLength?: number): { json: Record<string, unknown>; binary: Uint8Array } {
  const end = headerLength ?? body.byteLength;
  if (!Number.isInteger(end) || end < 0) throw new ProtocolError(`${HEADER_LENGTH_HEADER} must be a non-negative integer, got ${end}`);
  if (end > body.byteLength) {
    throw new ProtocolError(`${HEADER_LENGTH_HEADER} is ${end} but the body has only ${body.byteLength} bytes`);
  }
  // A client that sends binary data but forgets the header makes the whole body look like broken JSON.
  const hint = headerLength === undefined && body.byteLength > 0 ? ` (binary tensor data needs the ${HEADER_LENGTH_HEADER} header)` : '';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(0, end));
  } catch {
    throw new ProtocolError(`invalid JSON: not valid UTF-8${hint}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ProtocolError(`invalid JSON: ${(e as Error).message}${hint}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ProtocolError('the body must be a JSON object');
  return { json: json as Record<string, unknown>, binary: body.subarray(end) };
}

/** Hands out the binary part tensor by tensor, in order, and insists it is used up exactly. */
export class BinaryReader {
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly hasHeader: boolean,
  ) {}

  take(size: number, what: string): Uint8Array {
    if (!this.hasHeader) throw new ProtocolError(`${what}: binary_data_size given but the ${HEADER_LENGTH_HEADER} header is missing`);
    const left = this.bytes.byteLength - this.offset;
    if (size > left) throw new ProtocolError(`${what}: the body ends early: needs ${size} bytes of binary data at offset ${this.offset}, only ${left} left`);
    const part = this.bytes.subarray(this.offset, this.offset + size);
    this.offset += size;
    return part;
  }

  finish(): void {
    const left = this.bytes.byteLength - this.offset;
    if (left > 0) throw new ProtocolError(`${left} bytes of binary data after the last binary tensor`);
  }
}

/** JSON object + binary chunks -> body and headers (the header-length header only when there is binary data). */
export function joinBody(json: object, chunks: readonly Uint8Array[]): EncodedBody {
  const head = new TextEncoder().encode(JSON.stringify(json));
  if (chunks.length === 0) return { body: head, headers: { 'Content-Type': 'application/json' } };
  const total = chunks.reduce((sum, c) => sum + c.byteLength, head.byteLength);
  const body = new Uint8Array(total);
  body.set(head, 0);
  let at = head.byteLength;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return { body, headers: { 'Content-Type': 'application/octet-stream', [HEADER_LENGTH_HEADER]: String(head.byteLength) } };
}

/** The message of a protocol error body `{"error": "..."}`, or undefined when the body is not one. */
export function errorMessageOf(body: Uint8Array | string): string | undefined {
  try {
    const json: unknown = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
    const error = (json as { error?: unknown } | null)?.error;
    return typeof error === 'string' ? error : undefined;
  } catch {
    return undefined;
  }
}
