/**
 * The UI's words, through chrome.i18n (messages in src/locales/<lang>/*.json,
 * merged into _locales/<lang>/messages.json by the build). Keys are literal
 * strings at every call site (t with a quoted key, or a data-i18n attribute):
 * tests/core/locales.test.ts finds them there and fails on a key missing from
 * a locale or defined but unused.
 */
import { prettyLabel } from '../core/format';

/** The message for `key` with $1…$9 filled from `subs`; the key itself when missing (visible, never blank). */
export function t(key: string, ...subs: (string | number)[]): string {
  const m = typeof chrome !== 'undefined' && chrome.i18n ? chrome.i18n.getMessage(key, subs.map(String)) : '';
  return m || key;
}

/** The browser's UI language ("en", "ru", …), for number and date formatting. */
export function uiLanguage(): string {
  // The language of the messages chrome.i18n picked (what the user reads): each locale names itself.
  // @@ui_locale is not it: Linux Chromium can pick our Russian messages while reporting en_US.
  const own = t('langCode') === 'langCode' ? '' : t('langCode');
  return own || navigator.language || 'en';
}

const keyOf = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');

/** A CIFAR-100 class in the user's language ("aquarium_fish" → "aquarium fish" / "аквариумная рыбка"). */
export function labelName(label: string): string {
  const m = typeof chrome !== 'undefined' && chrome.i18n ? chrome.i18n.getMessage(`label_${keyOf(label)}`) : '';
  return m || prettyLabel(label);
}

/** A CIFAR-100 superclass in the user's language. */
export function superclassName(coarse: string): string {
  const m = typeof chrome !== 'undefined' && chrome.i18n ? chrome.i18n.getMessage(`super_${keyOf(coarse)}`) : '';
  return m || prettyLabel(coarse);
}

/**
 * Fill a page's static text: `data-i18n` (textContent) and
 * `data-i18n-{title,placeholder,aria-label}` (those attributes). Never
 * innerHTML: a message is text, and markup stays in the HTML.
 */
export function localizePage(root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n ?? '');
  for (const attr of ['title', 'placeholder', 'aria-label'] as const) {
    for (const el of root.querySelectorAll<HTMLElement>(`[data-i18n-${attr}]`)) el.setAttribute(attr, t(el.getAttribute(`data-i18n-${attr}`) ?? ''));
  }
  if (root === document) document.documentElement.lang = uiLanguage().split('-')[0] ?? 'en';
}

/**
 * The form of a counted phrase for `n` in the UI language: Russian has one /
 * few / many (1 изображение, 2 изображения, 5 изображений); English uses one
 * and many (other). Callers pass the three messages already filled, each
 * from a literal key (plural(n, t(<one key>, s), t(<few key>, s), t(<many
 * key>, s))), so the locale test sees every key. English defines all three.
 */
export function plural(n: number, one: string, few: string, many: string): string {
  const form = new Intl.PluralRules(uiLanguage()).select(n);
  return form === 'one' ? one : form === 'few' ? few : many;
}
