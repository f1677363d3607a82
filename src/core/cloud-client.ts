/**
 * Client for a KServe v2 / Open Inference Protocol endpoint (Triton, KServe,
 * Seldon MLServer, or this project's reference server). Plain fetch, so it runs
 * in the offscreen document, the options page and Node tests alike. Every
 * failure becomes a CloudError with a sentence a user can act on.
 */
import { v2 } from './cloud-endpoint';
import { readLimited } from './read-limited';
import { errorMessageOf, parseHeaderLength } from './kserve/body';
import { encodeInferRequest } from './kserve/request';
import { decodeInferResponse } from './kserve/response';
import { HEADER_LENGTH_HEADER } from './kserve/types';

export class CloudError extends Error {
  /** How many requests were sent before giving up (set by inferRemote). */
  attempts = 1;
}

export interface CloudTarget {
  /** Validated base URL (see validateEndpoint). */
  base: string;
  /** Model name on the server. */
  model: string;
  token?: string;
  timeoutMs: number;
}

export interface RemoteLogits {
  logits: Float32Array;
  roundTripMs: number;
  computeMs?: number;
  requestBytes: number;
  responseBytes: number;
  attempts: number;
}

/** No CIFAR logits response is anywhere near this; a bigger body is refused unread. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

function headers(token: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, ...(token ? { Authorization: `Bearer ${token}` } : {}) };
}

function readBody(res: Response): Promise<Uint8Array> {
  return readLimited(res, MAX_RESPONSE_BYTES, (n) => new CloudError(`the cloud endpoint sent ${n} bytes or more (limit ${MAX_RESPONSE_BYTES})`));
}

/** `compute;dur=12.3` from Server-Timing, else `parameters.compute_ms`. */
export function serverComputeMs(serverTiming: string | null, parameters: Record<string, unknown> | undefined): number | undefined {
  const m = serverTiming?.match(/(?:^|,)\s*compute\s*;(?:[^,]*;)?\s*dur=([0-9.]+)/);
  const v = m ? Number(m[1]) : Number(parameters?.compute_ms ?? Number.NaN);
  return Number.isFinite(v) && v >= 0 ? v : undefined;
}

function describeFailure(e: unknown, timeoutMs: number): CloudError {
  if (e instanceof CloudError) return e;
  if (e instanceof DOMException && e.name === 'TimeoutError') return new CloudError(`the cloud endpoint did not answer within ${(timeoutMs / 1000).toFixed(1)} s`);
  return new CloudError(`the cloud endpoint is unreachable (${e instanceof Error ? e.message : String(e)})`);
}

/**
 * The endpoint the user chose is the only place data goes: a redirect is an
 * error, never followed (browsers report it as an opaque redirect, Node as the 3xx itself).
 */
function refuseRedirect(res: Response): void {
  if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
    throw new CloudError(`the cloud endpoint answered with a redirect${res.status ? ` (HTTP ${res.status})` : ''}: refused, data is only sent to the endpoint you set`);
  }
}

/** A failure worth one more try: the network or a 5xx, not a 4xx (our request is wrong) or a timeout (budget spent). */
class Retryable extends CloudError {}

async function attempt(t: CloudTarget, body: Uint8Array, head: Record<string, string>, classes: number, rows: number): Promise<Omit<RemoteLogits, 'attempts' | 'requestBytes'>> {
  const t0 = performance.now();
  let res: Response;
  try {
    // redirect 'manual': a 307/308 would re-POST the tensor (and the token) to wherever it points, plain http included.
    res = await fetch(v2.infer(t.base, t.model), {
      method: 'POST', body: body as BodyInit, headers: headers(t.token, head), credentials: 'omit', redirect: 'manual', signal: AbortSignal.timeout(t.timeoutMs),
    });
  } catch (e) {
    const err = describeFailure(e, t.timeoutMs);
    throw e instanceof DOMException && e.name === 'TimeoutError' ? err : new Retryable(err.message);
  }
  refuseRedirect(res);
  const bytes = await readBody(res).catch((e: unknown) => {
    throw describeFailure(e, t.timeoutMs);
  });
  if (res.status !== 200) {
    const detail = errorMessageOf(bytes) ?? res.statusText;
    const msg = `the cloud endpoint answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`;
    throw res.status >= 500 ? new Retryable(msg) : new CloudError(msg);
  }
  let logits: Float32Array;
  let computeMs: number | undefined;
  try {
    const decoded = decodeInferResponse(bytes, parseHeaderLength(res.headers.get(HEADER_LENGTH_HEADER)));
    const out = decoded.outputs[0];
    if (!out) throw new Error('no output tensor');
    const [n, c] = out.shape;
    if (out.shape.length !== 2 || n !== rows || c !== classes) throw new Error(`output shape [${out.shape.join(', ')}], expected [${rows}, ${classes}]`);
    if (!out.data.every(Number.isFinite)) throw new Error('output contains NaN or infinite values');
    logits = out.data;
    computeMs = serverComputeMs(res.headers.get('server-timing'), decoded.parameters);
  } catch (e) {
    throw new CloudError(`the cloud endpoint sent a malformed response: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { logits, roundTripMs: performance.now() - t0, ...(computeMs !== undefined ? { computeMs } : {}), responseBytes: bytes.byteLength };
}

/**
 * Run one input tensor remotely (binary tensor extension: JSON floats would
 * be ~3x larger). Retries once after a network error or 5xx; the caller stores
 * one record per request whatever happens, so a retry never duplicates one.
 */
export async function inferRemote(t: CloudTarget, inputName: string, data: Float32Array, dims: number[], classes: number): Promise<RemoteLogits> {
  const { body, headers: head } = encodeInferRequest({ name: inputName, shape: dims, data }, { binary: true });
  const rows = dims[0] ?? 1;
  for (let attempts = 1; ; attempts++) {
    try {
      return { ...(await attempt(t, body, head, classes, rows)), attempts, requestBytes: body.byteLength };
    } catch (e) {
      if (!(e instanceof Retryable) || attempts >= 2) {
        const err = e instanceof CloudError ? new CloudError(e.message) : new CloudError(String(e));
        err.attempts = attempts;
        throw err;
      }
    }
  }
}

export interface EndpointReport {
  checks: { name: string; ok: boolean; detail: string }[];
  ok: boolean;
}

/** What the options page's "Test connection" shows: live, ready, and each model's metadata. */
export async function checkEndpoint(base: string, token: string | undefined, models: readonly string[], timeoutMs = 5000): Promise<EndpointReport> {
  const checks: EndpointReport['checks'] = [];
  const get = async (name: string, url: string, describe: (json: unknown) => string) => {
    try {
      const res = await fetch(url, { headers: headers(token), credentials: 'omit', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      refuseRedirect(res);
      const bytes = await readBody(res);
      if (!res.ok) {
        checks.push({ name, ok: false, detail: `HTTP ${res.status}${errorMessageOf(bytes) ? `: ${errorMessageOf(bytes)}` : ''}` });
        return;
      }
      const text = new TextDecoder().decode(bytes);
      checks.push({ name, ok: true, detail: describe(text ? JSON.parse(text) : {}) });
    } catch (e) {
      checks.push({ name, ok: false, detail: describeFailure(e, timeoutMs).message });
    }
  };
  await get('live', v2.live(base), () => 'server is live');
  await get('ready', v2.ready(base), () => 'server is ready');
  await get('server', v2.server(base), (j) => {
    const m = j as { name?: string; version?: string; extensions?: string[] };
    return `${m.name ?? 'unnamed server'} ${m.version ?? ''}`.trim() + (m.extensions?.includes('binary_tensor_data') ? ' · binary tensors' : '');
  });
  for (const model of models) {
    await get(`model ${model}`, v2.model(base, model), (j) => {
      const m = j as { inputs?: { name: string; datatype: string; shape: number[] }[]; platform?: string };
      const input = m.inputs?.[0];
      return input ? `${m.platform ?? 'model'} · input ${input.name} ${input.datatype} [${input.shape.join(', ')}]` : 'found';
    });
  }
  return { checks, ok: checks.every((c) => c.ok) };
}
