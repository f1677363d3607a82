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
