/** Maps method + path to an endpoint of the v2 protocol; pure, so every path is unit-tested. */

export type Endpoint =
  | { kind: 'live' }
  | { kind: 'ready' }
  | { kind: 'server-metadata' }
  | { kind: 'model-metadata' | 'model-ready' | 'infer'; model: string; version?: string }
  | { kind: 'preflight' }
  | { kind: 'not-found' }
  | { kind: 'bad-method'; allow: string };

const MODEL_PATH = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/;

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // malformed %-escape: no model can have that name
  }
}

export function route(method: string, pathname: string): Endpoint {
  if (method === 'OPTIONS') return { kind: 'preflight' };
  // Trailing slashes are tolerated: `/v2/` and `/v2` are the same resource to a human.
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const fixed: Record<string, Endpoint> = {
    '/v2/health/live': { kind: 'live' },
    '/v2/health/ready': { kind: 'ready' },
    '/v2': { kind: 'server-metadata' },
  };
  let endpoint = fixed[path];
  if (endpoint === undefined) {
    const m = MODEL_PATH.exec(path);
    const model = m?.[1] === undefined ? undefined : decode(m[1]);
    const version = m?.[2] === undefined ? undefined : decode(m[2]);
    if (m === null || model === undefined || (m[2] !== undefined && version === undefined)) return { kind: 'not-found' };
    const kind = m[3] === '/infer' ? 'infer' : m[3] === '/ready' ? 'model-ready' : 'model-metadata';
    endpoint = version === undefined ? { kind, model } : { kind, model, version };
  }
  const allow = endpoint.kind === 'infer' ? 'POST' : 'GET';
  if (method === allow || (allow === 'GET' && method === 'HEAD')) return endpoint;
  return { kind: 'bad-method', allow: `${allow}, OPTIONS` };
}
