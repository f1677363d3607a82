/**
 * Content script → worker: the user right-clicked an image. Choosing "Classify
 * image" from the menu takes a person a few hundred milliseconds; loading the
 * offscreen document, ORT's WebAssembly and the model in that time makes the
 * first click of a session warm instead of cold. Harmless to repeat (every
 * step is idempotent) and it sends nothing anywhere.
 */
import { loadSettings } from '../lib/settings';
import { sendOffscreen } from './offscreen-client';

export async function warmUp(): Promise<{ started: boolean }> {
  const s = await loadSettings();
  void sendOffscreen('offscreen:warm-up', { modelId: s.modelId, backend: s.backend, threads: s.threads }, 60_000).catch(() => undefined);
  return { started: true };
}
