/**
 * User settings, declared once: key, default and validation live here and
 * nowhere else (storage access is in lib/settings.ts).
 */
import * as v from 'valibot';
import { validateEndpoint } from './cloud-endpoint';

export const SETTINGS_VERSION = 1;

export const SettingsSchema = v.object({
  /** Catalog model id; '' means "the catalog's default". */
  modelId: v.optional(v.string(), ''),
  backend: v.optional(v.picklist(['wasm', 'webgpu']), 'wasm'),
  /** WASM threads; 0 = automatic (available cores up to 4 when cross-origin isolated). */
  threads: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(16)), 0),
  /** Send each classified image (as its 32x32 input tensor) to the endpoint too. Off unless the user turns it on. */
  cloudEnabled: v.optional(v.boolean(), false),
  /** KServe v2 / Open Inference Protocol base URL, e.g. https://models.example.com (see core/cloud-endpoint.ts). */
  cloudEndpoint: v.optional(v.pipe(v.string(), v.maxLength(2048)), ''),
  /** The exact origin the user agreed to send tensors to; a changed endpoint needs a new consent (core/cloud-endpoint.ts). */
  cloudConsentOrigin: v.optional(v.pipe(v.string(), v.maxLength(2048)), ''),
  /** Optional bearer token sent as `Authorization: Bearer …`. */
  cloudToken: v.optional(v.pipe(v.string(), v.maxLength(4096)), ''),
  cloudTimeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(500), v.maxValue(60_000)), 5000),
  /** Local catalog id -> the name the server knows the model by (when they differ). */
  cloudModelMap: v.optional(v.record(v.string(), v.pipe(v.string(), v.maxLength(200))), {}),
  /** Tag new images automatically, but only on the sites listed in autoTagSites. Off by default. */
  autoTag: v.optional(v.boolean(), false),
  /** Host names (exact, e.g. "www.example.com") where auto-tagging may run. */
  autoTagSites: v.optional(v.array(v.pipe(v.string(), v.maxLength(253))), []),
  /** Auto-tag takes at most this many new images a minute from one site: a page that mints image URLs cannot make endless work. */
  autoTagPerMinute: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)), 60),
  /** Images rendered smaller than this (CSS px, either side) are not collected. */
  minImageSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1024)), 32),
  /** Label chips on tagged images. */
  showChips: v.optional(v.boolean(), true),
  /**
   * Below this (calibrated) top-1 probability the overlay and chips say "unsure". Absent: the model's own
   * threshold, chosen on the shift benchmark (catalog `calibration.unsureBelow`). Replaces `unsureBelow`,
   * which applied to uncalibrated probabilities and so is not carried over.
   */
  unsureThreshold: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  /** History retention, enforced automatically; 0 = no limit. */
  retentionMaxCount: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 5000),
  retentionMaxDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 180),
});

export type Settings = v.InferOutput<typeof SettingsSchema>;
export const DEFAULT_SETTINGS: Settings = v.parse(SettingsSchema, {});

/**
 * Whatever is stored (older versions, hand edits, corruption) becomes valid
 * settings: each invalid or unknown field falls back to its default, the
 * valid ones are kept. Never throws. The cloud comparison reads as on only
 * with the user's consent to the endpoint's exact origin (settings from before
 * consent was bound to an origin say off: nothing is sent for them, and the
 * Options page must not claim otherwise).
 */
export function coerceSettings(raw: unknown): Settings {
  if (typeof raw !== 'object' || raw === null) return { ...DEFAULT_SETTINGS };
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(raw)) {
    const field = (SettingsSchema.entries as Record<string, v.GenericSchema>)[k];
    if (field && v.safeParse(field, val).success) out[k] = val;
  }
  const s = v.parse(SettingsSchema, out);
  if (s.cloudEnabled) {
    const ep = validateEndpoint(s.cloudEndpoint);
    if (!ep.ok || ep.origin !== s.cloudConsentOrigin) s.cloudEnabled = false;
  }
  return s;
}
