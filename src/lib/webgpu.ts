/**
 * The WebGPU adapter, described once for every context that asks (the
 * offscreen runtime, the options page, the bench page). A fallback adapter
 * (SwiftShader, a CPU emulation) is marked as software, never as GPU speed.
 */
export type WebGpuProbe =
  | { ok: true; adapter: string; software: boolean; vendor?: string; architecture?: string }
  | { ok: false; reason: string };

/** Describe the WebGPU adapter, or say why there is none. */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) return { ok: false, reason: 'this browser has no WebGPU' };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { ok: false, reason: 'no WebGPU adapter is available' };
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const software = Boolean(adapter.isFallbackAdapter || info.isFallbackAdapter || /swiftshader/i.test(name));
  return {
    ok: true, adapter: software ? `${name} (software, not GPU speed)` : name, software,
    ...(info.vendor ? { vendor: info.vendor } : {}), ...(info.architecture ? { architecture: info.architecture } : {}),
  };
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; isFallbackAdapter?: boolean };
}

