/** A tiny static HTTP server on 127.0.0.1 (ephemeral port by default) for the demo page and browser tests. */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  status?: number;
  type: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  /** Answer late, to keep a request in flight. */
  delayMs?: number;
  /** Send the headers at once, then the body one byte every `dripMs` (a slow drip; no Content-Length). */
  dripMs?: number;
}

export interface TestServer {
  origin: string;
  server: Server;
  routes: Map<string, Route>;
  hits: Map<string, number>;
  /** Every request, in order: its path and headers (which cookies, which Sec-Fetch-Dest). */
  log: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, Route> = {}, listenPort = 0): Promise<TestServer> {
  const map = new Map(Object.entries(routes));
  const hits = new Map<string, number>();
  const log: TestServer['log'] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    log.push({ path, headers: req.headers });
    const r = map.get(path);
    if (!r) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    // Content-Length as a static file server sends it (a route's own headers may drop or fake it).
    const answer = () => res.writeHead(r.status ?? 200, { 'content-type': r.type, 'content-length': String(Buffer.byteLength(r.body)), 'cache-control': 'no-store', ...r.headers }).end(r.body);
    if (r.dripMs) {
      const body = Buffer.from(r.body);
      res.writeHead(r.status ?? 200, { 'content-type': r.type, 'cache-control': 'no-store' });
      let at = 0;
      const timer = setInterval(() => {
        if (at >= body.length || res.destroyed) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write(body.subarray(at, ++at));
      }, r.dripMs);
      res.on('close', () => clearInterval(timer));
    } else if (r.delayMs) setTimeout(answer, r.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`, server, routes: map, hits, log,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
