/**
 * Every UI string goes through chrome.i18n: each locale defines the same keys
 * with the same $1…$n placeholders, every key the code or HTML names exists,
 * and no key is defined that nothing uses (dead strings rot untranslated).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeLocales } from '../../vite.config';

const ROOT = resolve(import.meta.dirname, '../..');
const locales = mergeLocales();
const catalog = JSON.parse(readFileSync(join(ROOT, 'models/catalog.json'), 'utf8')) as { labelSets: { cifar100: { fine: string[]; coarse: string[] } } };

function* files(dir: string): Generator<string> {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|html)$/.test(f)) yield p;
  }
}

/** Keys named literally in source: t('k'), data-i18n*="k", __MSG_k__. */
function usedKeys(): Map<string, string> {
  const used = new Map<string, string>();
  const sources = [...files(join(ROOT, 'src')), join(ROOT, 'manifest.json')];
  for (const f of sources) {
    const text = readFileSync(f, 'utf8');
    for (const re of [/\bt\(\s*'([A-Za-z0-9_@]+)'/g, /data-i18n(?:-[a-z-]+)?="([A-Za-z0-9_@]+)"/g, /__MSG_([A-Za-z0-9_@]+)__/g]) {
      for (const m of text.matchAll(re)) used.set(m[1]!, relative(ROOT, f));
    }
  }
  // The label names are looked up by class (lib/i18n labelName/superclassName).
  const key = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');
  for (const l of catalog.labelSets.cifar100.fine) used.set(`label_${key(l)}`, 'models/catalog.json');
  for (const c of catalog.labelSets.cifar100.coarse) used.set(`super_${key(c)}`, 'models/catalog.json');
  return used;
}

const placeholders = (m: string) => [...new Set(m.match(/\$\d/g) ?? [])].sort();

describe('locales', () => {
  it('ships English and Russian', () => {
    expect(Object.keys(locales).sort()).toEqual(['en', 'ru']);
  });

  it('every locale has exactly the keys of English, with the same placeholders and non-empty text', () => {
    const en = locales.en!;
    for (const [lang, messages] of Object.entries(locales)) {
      expect(Object.keys(messages).filter((k) => !(k in en)), `${lang}: keys English lacks`).toEqual([]);
      expect(Object.keys(en).filter((k) => !(k in messages)), `${lang}: keys missing`).toEqual([]);
      for (const [k, v] of Object.entries(messages)) {
        expect(v.message.trim(), `${lang}.${k}`).not.toBe('');
        expect(placeholders(v.message), `${lang}.${k} placeholders`).toEqual(placeholders(en[k]!.message));
      }
    }
  });

  it('every key the code names exists, and every defined key is used', () => {
    const used = usedKeys();
    const defined = new Set(Object.keys(locales.en!));
    const missing = [...used].filter(([k]) => !k.startsWith('@@') && !defined.has(k)).map(([k, f]) => `${k} (${f})`);
    expect(missing, 'keys used but not defined').toEqual([]);
    expect([...defined].filter((k) => !used.has(k)), 'keys defined but never used').toEqual([]);
  });

  it('Russian labels are Russian words, not transliterations or copies of the English', () => {
    const ru = locales.ru!;
    const labelKeys = Object.keys(ru).filter((k) => k.startsWith('label_') || k.startsWith('super_'));
    expect(labelKeys).toHaveLength(120);
    for (const k of labelKeys) expect(ru[k]!.message, k).toMatch(/^[а-яё0-9 ,-]+$/i);
    expect(ru.label_aquarium_fish!.message).toBe('аквариумная рыбка');
    expect(ru.super_large_carnivores!.message).toBe('крупные хищники');
  });
});
