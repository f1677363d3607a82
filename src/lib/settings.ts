/**
 * Settings storage. Stored in browser.storage.local, never sync: sync would
 * send them to Google's servers, which a privacy product must not do.
 */
import browser from 'webextension-polyfill';
import { coerceSettings, SETTINGS_VERSION, type Settings } from '../core/settings-schema';

export type { Settings } from '../core/settings-schema';

const KEY = 'settings';

export async function loadSettings(): Promise<Settings> {
  const stored = await browser.storage.local.get(KEY);
  return coerceSettings((stored[KEY] as { value?: unknown } | undefined)?.value);
}

export async function saveSettings(patch: Partial<Settings>): Promise<Settings> {
  const next = coerceSettings({ ...(await loadSettings()), ...patch });
  await browser.storage.local.set({ [KEY]: { version: SETTINGS_VERSION, value: next } });
  return next;
}
