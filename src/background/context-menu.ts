/** The "Classify image" context-menu item and its click handler. */
import browser, { type Menus, type Tabs } from 'webextension-polyfill';
import { epochNow } from '../core/clock';
import { t } from '../lib/i18n';
import { classifyForTab } from './classify-for-tab';

export const MENU_ID = 'pit-classify-image';

/** Menus persist across worker restarts; (re)create them once per install/update. */
export async function createContextMenu(): Promise<void> {
  await browser.contextMenus.removeAll();
  browser.contextMenus.create({
    id: MENU_ID,
    title: t('menuClassify'),
    contexts: ['image'],
    documentUrlPatterns: ['http://*/*', 'https://*/*'],
  });
}

export async function onContextMenuClick(info: Menus.OnClickData, tab?: Tabs.Tab, clickedAt = epochNow()): Promise<void> {
  if (info.menuItemId !== MENU_ID || !info.srcUrl || tab?.id === undefined) return;
  await classifyForTab({
    clickedAt,
    srcUrl: info.srcUrl,
    pageUrl: info.frameUrl ?? info.pageUrl ?? tab.url ?? '',
    tabId: tab.id,
    frameId: info.frameId ?? 0,
  });
}
