/**
 * User settings, declared once: key, default, validation and migration live
 * here and nowhere else. Stored in browser.storage.local (sync would send the
 * settings to Google's servers: not for a privacy product).
 */
import browser from 'webextension-polyfill';
import * as v from 'valibot';

export const SETTINGS_VERSION = 1;

export const SettingsSchema = v.object({
  /** Catalog model id; '' means "the catalog's default". */
  modelId: v.optional(v.string(), ''),
  backend: v.optional(v.picklist(['wasm', 'webgpu']), 'wasm'),
  /** WASM threads; 0 = automatic (available cores up to 4 when cross-origin isolated). */
  threads: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(16)), 0),
});

export type Settings = v.InferOutput<typeof SettingsSchema>;
export const DEFAULT_SETTINGS: Settings = v.parse(SettingsSchema, {});

const KEY = 'settings';

/** Parse whatever is stored, dropping (not crashing on) invalid fields. */
export function coerceSettings(raw: unknown): Settings {
  if (typeof raw !== 'object' || raw === null) return { ...DEFAULT_SETTINGS };
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(raw)) {
    const field = (SettingsSchema.entries as Record<string, v.GenericSchema>)[k];
    if (field && v.safeParse(field, val).success) out[k] = val;
  }
  return v.parse(SettingsSchema, out);
}

export async function loadSettings(): Promise<Settings> {
  const stored = await browser.storage.local.get(KEY);
  return coerceSettings((stored[KEY] as { value?: unknown } | undefined)?.value);
}

export async function saveSettings(patch: Partial<Settings>): Promise<Settings> {
  const next = coerceSettings({ ...(await loadSettings()), ...patch });
  await browser.storage.local.set({ [KEY]: { version: SETTINGS_VERSION, value: next } });
  return next;
}
