/** Options for page tagging, chips, auto-tag sites and retention (declared in core/settings-schema.ts). */
import { byId } from '../lib/dom';
import { enforceRetention } from '../lib/db';
import { loadSettings, saveSettings, type Settings } from '../lib/settings';

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
  num('unsure').value = String(Math.round(s.unsureBelow * 100));
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
  onNumber('unsure', (v) => ({ unsureBelow: Math.min(1, v / 100) }));
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
