/** Writing answers: CORS on every one, JSON and error bodies, and never a throw into a closed socket. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProtocolError } from '../src/core/kserve/protocol-error';
import { HEADER_LENGTH_HEADER } from '../src/core/kserve/types';

/**
 * On every answer of a server that has a token. `*` is safe then because auth
 * is a bearer token, never a cookie: a web page can reach the server only by
 * knowing the secret. A server without a token grants no CORS and no Private
 * Network Access: any page the user visits could otherwise run models on it
 * (the extension needs neither, it has host permission). Expose-Headers lets
 * page scripts read Server-Timing and the binary header length;
 * Timing-Allow-Origin lets the Resource Timing API report serverTiming.
 */
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': `Server-Timing, ${HEADER_LENGTH_HEADER}`,
  'Timing-Allow-Origin': '*',
};

/** Answers of these responses carry CORS (their server has a token). */
export const corsAllowed = new WeakSet<ServerResponse>();
const cors = (res: ServerResponse) => (corsAllowed.has(res) ? CORS : {});

export function sendPreflight(req: IncomingMessage, res: ServerResponse): void {
  if (!corsAllowed.has(res)) {
    send(res, 204, new Uint8Array(), {});
    return;
  }
  const headers: Record<string, string> = {
    ...CORS,
    'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
    'Access-Control-Allow-Headers': `Authorization, Content-Type, ${HEADER_LENGTH_HEADER}`,
    'Access-Control-Max-Age': '600',
  };
  // Chrome's Private Network Access asks before a public page may call a
  // loopback server like this one: https://developer.chrome.com/blog/private-network-access-preflight
  if (req.headers['access-control-request-private-network'] === 'true') headers['Access-Control-Allow-Private-Network'] = 'true';
  send(res, 204, new Uint8Array(), headers);
}

export function send(res: ServerResponse, status: number, body: Uint8Array, headers: Record<string, string>): void {
  // The client may be gone (it disconnected while its batch ran): nothing to say, nothing to crash.
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { ...cors(res), 'Content-Length': String(body.byteLength), 'Cache-Control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export function sendJson(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void {
  send(res, status, new TextEncoder().encode(JSON.stringify(json)), { 'Content-Type': 'application/json', ...headers });
}

/** `{"error": "..."}` with the error's status: ProtocolError carries one, anything else is our fault (500). */
export function sendError(res: ServerResponse, error: unknown, headers: Record<string, string> = {}): void {
  const status = error instanceof ProtocolError ? error.status : 500;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 500) console.error('[server] internal error:', error);
  sendJson(res, status, { error: status === 500 ? `internal error: ${message}` : message }, headers);
}
