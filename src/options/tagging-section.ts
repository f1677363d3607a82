/** Options for page tagging, chips, auto-tag sites and retention (declared in core/settings-schema.ts). */
import { byId } from '../lib/dom';
import { enforceRetention } from '../lib/db';
import { loadSettings, saveSettings, type Settings } from '../lib/settings';
import { DEFAULT_UNSURE_BELOW } from '../core/calibration';
import { resolveModel, type ModelEntry } from '../core/catalog';
import { loadCatalog } from '../lib/catalog-loader';
import { t } from '../lib/i18n';

/** Re-run `f` when the chosen model may have changed (the model picker saves settings; a user model may be added). */
function onCatalogOrModelChange(f: () => void): void {
  document.addEventListener('pit:settings-saved', f);
}

/**
 * What the threshold means, in plain words: how often the labels shown as sure were right on the shift
 * benchmark and how many images will say "unsure" — for the model's own threshold; for the user's own, what it is.
 */
export function unsureHint(model: ModelEntry, user: number | undefined): string {
  const cal = model.calibration;
  if (user !== undefined) return t('optUnsureHintOwn', String(Math.round(user * 100)), String(Math.round((cal?.unsureBelow ?? DEFAULT_UNSURE_BELOW) * 100)));
  if (!cal) return t('optUnsureHintNone', String(Math.round(DEFAULT_UNSURE_BELOW * 100)));
  const s = cal.shift;
  if (!s) return t('optUnsureHintNoFigures', String(Math.round(cal.unsureBelow * 100)));
  return t('optUnsureHint', String(Math.round(cal.unsureBelow * 100)), String(Math.round(s.sureRight * 100)), String(Math.round((1 - s.sureCoverage) * 10)));
}

const $ = byId;

/** "https://www.example.com/x" or "www.example.com" -> "www.example.com"; junk -> undefined. */
export function hostOf(line: string): string | undefined {
  const t = line.trim();
  if (!t) return undefined;
  try {
    return new URL(t.includes('://') ? t : `https://${t}`).hostname || undefined;
  } catch {
    return undefined;
  }
}

export async function initTaggingSection(saved: () => void): Promise<void> {
  const s = await loadSettings();
  const num = (id: string) => $<HTMLInputElement>(id);
  num('min-size').value = String(s.minImageSize);
  num('unsure').value = s.unsureThreshold === undefined ? '' : String(Math.round(s.unsureThreshold * 100));
  const hint = async () => {
    const [cat, now] = await Promise.all([loadCatalog(), loadSettings()]);
    $('unsure-hint').textContent = unsureHint(resolveModel(cat, now.modelId).model, now.unsureThreshold);
  };
  void hint().catch(() => undefined);
  onCatalogOrModelChange(() => void hint().catch(() => undefined));
  num('keep-count').value = String(s.retentionMaxCount);
  num('keep-days').value = String(s.retentionMaxDays);
  $<HTMLInputElement>('chips').checked = s.showChips;
  $<HTMLInputElement>('auto-tag').checked = s.autoTag;
  $<HTMLTextAreaElement>('auto-sites').value = s.autoTagSites.join('\n');
  num('auto-rate').value = String(s.autoTagPerMinute);

  const save = async (patch: Partial<Settings>) => {
    const next = await saveSettings(patch);
    saved();
    return next;
  };
  const onNumber = (id: string, f: (v: number) => Partial<Settings>) =>
    num(id).addEventListener('change', () => {
      const v = Number(num(id).value);
      if (Number.isFinite(v) && v >= 0) void save(f(v));
    });
  onNumber('min-size', (v) => ({ minImageSize: Math.max(1, Math.round(v)) }));
  num('unsure').addEventListener('change', () => {
    // Empty: the model's own threshold (recommended); a number: the user's, for every model.
    const raw = num('unsure').value.trim();
    const v = Number(raw);
    if (raw === '') void save({ unsureThreshold: undefined });
    else if (Number.isFinite(v) && v >= 0) void save({ unsureThreshold: Math.min(1, v / 100) });
  });
  onNumber('auto-rate', (v) => ({ autoTagPerMinute: Math.min(1000, Math.max(1, Math.round(v))) }));
  const retention = async (patch: Partial<Settings>) => {
    const next = await save(patch);
    await enforceRetention(next.retentionMaxCount, next.retentionMaxDays); // applies at once, not at the next classification
  };
  num('keep-count').addEventListener('change', () => void retention({ retentionMaxCount: Math.max(0, Math.round(Number(num('keep-count').value) || 0)) }));
  num('keep-days').addEventListener('change', () => void retention({ retentionMaxDays: Math.max(0, Math.round(Number(num('keep-days').value) || 0)) }));
  $('chips').addEventListener('change', (e) => void save({ showChips: (e.target as HTMLInputElement).checked }));
  $('auto-tag').addEventListener('change', (e) => void save({ autoTag: (e.target as HTMLInputElement).checked }));
  $('auto-sites').addEventListener('change', () => {
    const hosts = [...new Set($<HTMLTextAreaElement>('auto-sites').value.split(/\s+/).map(hostOf).filter((h): h is string => !!h))];
    $<HTMLTextAreaElement>('auto-sites').value = hosts.join('\n');
    void save({ autoTagSites: hosts });
  });
}
