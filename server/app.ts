/**
 * The HTTP server of the v2 protocol, built from options so that tests can
 * start it on port 0. Every failure becomes a protocol-shaped `{"error": ...}`
 * answer; nothing a client sends can take the process down.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { ModelMetadata, ServerMetadata } from '../src/core/kserve/metadata';
import { ProtocolError } from '../src/core/kserve/protocol-error';
import { corsAllowed, sendError, sendJson, sendPreflight } from './http-io';
import { handleInfer } from './infer';
import { BodyBudget, checkToken } from './limits';
import { DEFAULT_OPTIONS, REPO_ROOT, type ServerOptions } from './options';
import { MODEL_VERSION, ModelRegistry, type ServedModel } from './registry';
import { route } from './router';

const VERSION: string = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')).version;

export const SERVER_METADATA: ServerMetadata = { name: 'private-image-tagger', version: VERSION, extensions: ['binary_tensor_data'] };

export function modelMetadata(model: ServedModel): ModelMetadata {
  const { entry } = model;
  // The batch axis is -1 (dynamic) whatever batch the catalog fixes, as Triton reports it.
  const batch = entry.input.shape[0] === -1 ? -1 : entry.input.shape[0];
  return {
    name: entry.id,
    versions: [MODEL_VERSION],
    platform: 'onnxruntime_onnx',
    inputs: [{ name: entry.input.name, datatype: 'FP32', shape: [batch, ...entry.input.shape.slice(1)] }],
    outputs: [{ name: entry.output.name, datatype: 'FP32', shape: [batch, entry.output.shape[1]] }],
  };
}

async function dispatch(req: IncomingMessage, res: ServerResponse, options: ServerOptions, registry: ModelRegistry, budget: BodyBudget): Promise<void> {
  // Only the path matters; `new URL(req.url, base)` would read `//x/v2` as a host.
  const pathname = (req.url ?? '/').split('?')[0] ?? '/';
  const endpoint = route(req.method ?? 'GET', pathname);
  if (endpoint.kind === 'preflight') return sendPreflight(req, res);
  // Health checks stay open so that load balancers and Kubernetes probes need no secret.
  if (endpoint.kind !== 'live' && endpoint.kind !== 'ready') checkToken(req, options.token);
  const notReady = () => new ProtocolError('server is not ready: models are still loading', 503);
  switch (endpoint.kind) {
    case 'live':
      return sendJson(res, 200, { live: true });
    case 'ready':
      return registry.ready ? sendJson(res, 200, { ready: true }) : sendJson(res, 503, { ready: false });
    case 'server-metadata':
      return sendJson(res, 200, SERVER_METADATA);
    case 'model-metadata':
      return sendJson(res, 200, modelMetadata(registry.find(endpoint.model, endpoint.version)));
    case 'model-ready': {
      const model = registry.find(endpoint.model, endpoint.version);
      return model.batcher ? sendJson(res, 200, { name: model.entry.id, ready: true }) : sendJson(res, 503, { name: model.entry.id, ready: false });
    }
    case 'infer': {
      const model = registry.find(endpoint.model, endpoint.version);
      if (!registry.ready) throw notReady();
      return handleInfer(req, res, model, options.maxBodyBytes, budget);
    }
    case 'bad-method':
      throw Object.assign(new ProtocolError(`method ${req.method} not allowed here (allowed: ${endpoint.allow})`, 405), { allow: endpoint.allow });
    case 'not-found':
      throw new ProtocolError(`no such endpoint: ${req.method} ${pathname}`, 404);
  }
}

export function createApp(options: ServerOptions, registry: ModelRegistry): Server {
  // Bodies held at once: eight of the largest allowed (64 MB by default).
  const budget = new BodyBudget(8 * options.maxBodyBytes);
  const server = createServer({ requestTimeout: 30_000 }, (req, res) => {
    if (options.token) corsAllowed.add(res);
    dispatch(req, res, options, registry, budget).catch((error: unknown) => {
      // The client hung up (mid-body or while its batch ran): there is nobody to answer.
      if (req.socket.destroyed) return;
      const headers: Record<string, string> = {};
      if (error instanceof ProtocolError && error.status === 401) headers['WWW-Authenticate'] = 'Bearer';
      if (error instanceof ProtocolError && error.status === 405) headers['Allow'] = (error as ProtocolError & { allow: string }).allow;
      // Over the limit: say so and close, rather than read (and discard) the rest of a huge body.
      if (error instanceof ProtocolError && (error.status === 413 || (error.status === 503 && /bytes of request bodies/.test(error.message)))) headers['Connection'] = 'close';
      sendError(res, error, headers);
    });
  });
  // Unparseable HTTP (bad request line, oversized headers): answer 400 and close instead of Node's silent reset.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  return server;
}

export interface RunningServer {
  server: Server;
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  url: string;
  registry: ModelRegistry;
  close(): Promise<void>;
}

/** Reads the catalog, listens, then (unless `load` is false) verifies and loads every model. */
export async function startServer(overrides: Partial<ServerOptions> = {}, { load = true } = {}): Promise<RunningServer> {
  const options = { ...DEFAULT_OPTIONS, ...overrides };
  const registry = await ModelRegistry.fromFile(options.catalogPath, options);
  const server = createApp(options, registry);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => {
      server.off('error', fail);
      done();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    await registry.close();
  };
  if (load) {
    try {
      await registry.load();
    } catch (e) {
      await close();
      throw e;
    }
  }
  return { server, url: `http://${host}:${port}`, registry, close };
}
