/**
 * The cloud part of a request: present only when the user turned the
 * comparison on, the endpoint is valid, and its origin is exactly the one the
 * user consented to (an endpoint changed by any other means sends nothing).
 */
import { validateEndpoint } from '../core/cloud-endpoint';
import type { Settings } from '../core/settings-schema';
import type { CloudRequest } from '../lib/messages';

export function cloudRequest(s: Settings): { cloud?: CloudRequest } {
  if (!s.cloudEnabled) return {};
  const ep = validateEndpoint(s.cloudEndpoint);
  if (!ep.ok || ep.origin !== s.cloudConsentOrigin) return {};
  return {
    cloud: {
      base: ep.base, origin: ep.origin, modelMap: s.cloudModelMap, timeoutMs: s.cloudTimeoutMs,
      ...(s.cloudToken ? { token: s.cloudToken } : {}),
    },
  };
}
