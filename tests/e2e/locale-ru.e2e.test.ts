/**
 * The UI in Russian: Chromium started in Russian makes chrome.i18n pick
 * _locales/ru (--lang=ru; on Linux Chromium ignores --lang and reads LANGUAGE,
 * and either needs the locale's ru.pak: Debian's chromium-l10n). After one right-click classification the popup and the library
 * speak Russian, name the label and its superclass in Russian, and the
 * library's search finds the image by its Russian label.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type ExtensionHandle } from '../../tools/lib/extension';
import { clickClassify, readRecords, waitFor } from '../support/context-menu';
import { startFixture, type Fixture } from './fixtures';

interface Rec { requestId: string; imageUrl: string; top5: { label: string; index: number }[]; error?: string }
type Messages = Record<string, { message: string }>;

const ROOT = resolve(import.meta.dirname, '../..');
const json = <T>(path: string) => JSON.parse(readFileSync(resolve(ROOT, path), 'utf8')) as T;
const ruLabels = json<Messages>('src/locales/ru/labels.json');
const ruPopup = json<Messages>('src/locales/ru/popup.json');
const ruLibrary = json<Messages>('src/locales/ru/library.json');
const cifar = json<{ labelSets: { cifar100: { fine: string[]; coarse: string[]; fineToCoarse: number[] } } }>('models/catalog.json').labelSets.cifar100;
const key = (s: string) => s.replace(/[^A-Za-z0-9_]/g, '_');

let ext: ExtensionHandle;
let fx: Fixture;
let sw: Worker;
let page: Page;
let extPage: Page;
let rec: Rec;
let ruLabel: string;
let ruSuper: string;
let savedLanguage: string | undefined;

beforeAll(async () => {
  fx = await startFixture();
  // Playwright hands the browser this process's environment.
  savedLanguage = process.env.LANGUAGE;
  process.env.LANGUAGE = 'ru';
  ext = await launchExtension({ args: ['--lang=ru'] });
  sw = await ext.worker();
  page = await ext.context.newPage();
  await page.goto(fx.pageUrl);
  await page.waitForFunction(() => [...document.images].every((i) => i.complete));
  extPage = await ext.page('src/options/options.html');
  // Chromium runs in a language only when it ships that locale (locales/ru.pak).
  const lang = await extPage.evaluate(() => chrome.i18n.getUILanguage());
  if (!lang.startsWith('ru')) throw new Error(`asked for Russian, Chromium runs in ${lang}: it lacks locales/ru.pak (install Debian's chromium-l10n)`);
  await clickClassify(sw, fx.pageUrl, [fx.images.png]);
  const recs = await waitFor(async () => (await readRecords(extPage)) as unknown as Rec[], (r) => r.length >= 1, 60_000, 'one record');
  rec = recs[0]!;
  expect(rec.error).toBeUndefined();
  const label = rec.top5[0]!.label;
  ruLabel = ruLabels[`label_${key(label)}`]!.message;
  ruSuper = ruLabels[`super_${key(cifar.coarse[cifar.fineToCoarse[cifar.fine.indexOf(label)]!]!)}`]!.message;
});

afterAll(async () => {
  await ext?.close();
  await fx?.close();
  if (savedLanguage === undefined) delete process.env.LANGUAGE;
  else process.env.LANGUAGE = savedLanguage;
});

const cyrillic = /[а-яё]/i;

describe('the UI in Russian (--lang=ru)', () => {
  it('the popup: lang="ru", Russian headings, the recent classification under its Russian label', async () => {
    const popup = await ext.page('src/popup/popup.html');
    await expect.poll(() => popup.evaluate(() => document.documentElement.lang)).toBe('ru');
    // textContent: the page's CSS may set headings in capitals.
    expect(await popup.locator('#recent-h').textContent()).toBe(ruPopup.popRecent!.message);
    expect(await popup.locator('#tag-page').textContent()).toBe(ruPopup.popTagPage!.message);
    expect(await popup.locator('#stats-h').textContent()).toMatch(cyrillic);
    await expect.poll(() => popup.locator('#status').innerText()).toMatch(/^Модель: .* · бэкенд: WASM$/);
    await expect.poll(() => popup.locator(`#recent li[data-request-id="${rec.requestId}"] .top`).innerText()).toMatch(new RegExp(`^(не уверен: ${ruLabel}\\?|${ruLabel}) \\d+,\\d%$`));
    expect(await popup.locator('#recent li .sub').first().innerText()).toMatch(/ с назад| мин назад/);
    expect(await popup.locator('#recent li .ms').first().innerText()).toMatch(/ мс$/);
    await popup.close();
  });

  it('the library: Russian label, superclass and count, and the search finds the Russian label', async () => {
    const lib = await ext.page('src/library/library.html');
    await expect.poll(() => lib.evaluate(() => document.documentElement.lang)).toBe('ru');
    expect(await lib.title()).toBe(ruLibrary.libTitle!.message);
    expect(await lib.locator('h1').textContent()).toBe(ruLibrary.libHeading!.message);
    await expect.poll(() => lib.locator('#count').innerText()).toBe('1 изображение');
    const card = lib.locator('.card');
    expect(await card.locator('.label').innerText()).toMatch(new RegExp(`^(не уверен: ${ruLabel}\\?|${ruLabel}) \\d+,\\d%$`)); // "unsure" in Russian below the threshold
    expect(await card.locator('img').getAttribute('alt')).toBe(ruLabel);
    expect((await card.locator('.meta.superclass').innerText()).startsWith(`${ruSuper} · `)).toBe(true);
    expect(await card.locator('button', { hasText: 'Удалить' }).count()).toBe(1);
    // The superclass filter names the 20 superclasses in Russian.
    expect(await lib.locator('#superclass option').allInnerTexts()).toContain(ruSuper);

    await lib.locator('#q').fill('несуществующая подпись');
    await expect.poll(() => card.count()).toBe(0);
    expect(await lib.locator('#count').innerText()).toBe('0 изображений');
    await lib.locator('#q').fill(ruLabel.toUpperCase());
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.locator('.meta.when').getAttribute('title')).toBe(fx.images.png);
    // English still finds it.
    await lib.locator('#q').fill(rec.top5[0]!.label.replaceAll('_', ' '));
    await expect.poll(() => card.count()).toBe(1);
    await lib.close();
  });
});
