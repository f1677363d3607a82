/** Reading request bodies under a size limit, and the bearer-token check. */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ProtocolError } from '../src/core/kserve/protocol-error';

/**
 * The whole body, or a 413 as soon as it is known to be too large: from
 * Content-Length before reading a byte, else when the count passes the limit.
 * A client that disconnects mid-body rejects with a plain Error (nobody to answer).
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = (n: number | string) => new ProtocolError(`request body of ${n} bytes exceeds the limit of ${maxBytes} bytes`, 413);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(declared));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const fail = (e: Error) => {
      req.off('data', onData);
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > maxBytes) return fail(tooLarge(`more than ${maxBytes}`));
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      const body = Buffer.concat(chunks, total);
      resolve(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    });
    req.on('aborted', () => fail(new Error('client disconnected before the body ended')));
    req.on('error', fail);
  });
}

/**
 * Bytes of request bodies this server holds at once (being read or waiting
 * for their batch). Each request reserves its declared length (the body limit
 * when undeclared) before a byte is read and releases it when answered, so a
 * crowd of slow or large uploads gets 503 instead of filling the memory.
 */
export class BodyBudget {
  private used = 0;
  constructor(readonly maxBytes: number) {}

  reserve(req: IncomingMessage, maxBody: number): () => void {
    const declared = Number(req.headers['content-length']);
    const want = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, maxBody) : maxBody;
    if (this.used + want > this.maxBytes) {
      throw new ProtocolError(`server busy: ${this.used} bytes of request bodies already held (max ${this.maxBytes}); retry later`, 503);
    }
    this.used += want;
    let released = false;
    return () => {
      if (!released) this.used -= want;
      released = true;
    };
  }
}

/** Throws 401 unless `Authorization: Bearer <token>` matches (compared in constant time). */
export function checkToken(req: IncomingMessage, token: string | undefined): void {
  if (token === undefined) return;
  const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new ProtocolError(given === '' ? 'missing bearer token (Authorization: Bearer <token>)' : 'invalid bearer token', 401);
  }
}
