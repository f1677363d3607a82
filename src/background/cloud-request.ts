/** The cloud part of a request: present only when the user turned the comparison on and the endpoint is valid. */
import { validateEndpoint } from '../core/cloud-endpoint';
import type { Settings } from '../core/settings-schema';
import type { CloudRequest } from '../lib/messages';

export function cloudRequest(s: Settings): { cloud?: CloudRequest } {
  if (!s.cloudEnabled) return {};
  const ep = validateEndpoint(s.cloudEndpoint);
  if (!ep.ok) return {};
  return {
    cloud: {
      base: ep.base, origin: ep.origin, modelMap: s.cloudModelMap, timeoutMs: s.cloudTimeoutMs,
      ...(s.cloudToken ? { token: s.cloudToken } : {}),
    },
  };
}
