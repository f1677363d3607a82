/**
 * Which endpoints the cloud comparison may talk to, and the v2 URLs on them.
 * Tensors must not cross the network in clear text, so https is required; the
 * exception is this machine (a reference server on localhost never leaves it).
 */
export type EndpointCheck = { ok: true; base: string; origin: string } | { ok: false; reason: string };

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function validateEndpoint(input: string): EndpointCheck {
  const text = input.trim();
  if (!text) return { ok: false, reason: 'enter the server URL, e.g. https://models.example.com' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: `"${text}" is not a URL` };
  }
  if (url.username || url.password) return { ok: false, reason: 'put credentials in the token field, not in the URL' };
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    return { ok: false, reason: 'use https:// (plain http:// is allowed only for localhost and 127.0.0.1)' };
  }
  if (url.search || url.hash) return { ok: false, reason: 'the URL must not have a query or fragment' };
  // Accept ".../v2" or ".../" and keep the path prefix (KServe ingresses often add one).
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v2$/, '');
  return { ok: true, base: `${url.origin}${path}`, origin: url.origin };
}

/** The name the server uses for a local catalog model. */
export function remoteModelName(map: Readonly<Record<string, string>>, localId: string): string {
  const mapped = map[localId]?.trim();
  return mapped ? mapped : localId;
}

export const v2 = {
  live: (base: string) => `${base}/v2/health/live`,
  ready: (base: string) => `${base}/v2/health/ready`,
  server: (base: string) => `${base}/v2`,
  model: (base: string, name: string) => `${base}/v2/models/${encodeURIComponent(name)}`,
  modelReady: (base: string, name: string) => `${base}/v2/models/${encodeURIComponent(name)}/ready`,
  infer: (base: string, name: string) => `${base}/v2/models/${encodeURIComponent(name)}/infer`,
};
