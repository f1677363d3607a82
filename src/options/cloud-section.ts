/**
 * The options page's cloud-comparison section. Turning the comparison on is an
 * explicit, explained step: the user sees where the tensors will go, confirms
 * with a button (a user gesture, which permissions.request needs), and the
 * extension asks for that origin only then.
 */
import { byId } from '../lib/dom';
import browser from 'webextension-polyfill';
import type { Catalog } from '../core/catalog';
import { checkEndpoint } from '../core/cloud-client';
import { remoteModelName, validateEndpoint } from '../core/cloud-endpoint';
import { t } from '../lib/i18n';
import { loadSettings, saveSettings, type Settings } from '../lib/settings';

const $ = byId;

/** Wires the cloud section; `setCatalog` redraws what lists the models (a model added or removed on this page). */
export async function initCloudSection(first: Catalog, saved: (s: Settings) => void): Promise<{ setCatalog(c: Catalog): void }> {
  let catalog = first;
  const s = await loadSettings();
  const endpoint = $<HTMLInputElement>('cloud-endpoint');
  const token = $<HTMLInputElement>('cloud-token');
  const timeout = $<HTMLInputElement>('cloud-timeout');
  const enabled = $<HTMLInputElement>('cloud-enabled');
  const consent = $('cloud-consent');
  endpoint.value = s.cloudEndpoint;
  token.value = s.cloudToken;
  timeout.value = String(s.cloudTimeoutMs / 1000);
  enabled.checked = s.cloudEnabled;

  const save = async (patch: Partial<Settings>) => saved(await saveSettings(patch));
  const showState = (on: boolean, origin?: string) => {
    const el = $('cloud-state');
    el.textContent = on ? t('optCloudOn', origin ?? '') : t('optCloudOff');
    el.classList.toggle('on', on);
  };
  const check = () => {
    const r = validateEndpoint(endpoint.value);
    $('cloud-endpoint-msg').textContent = endpoint.value.trim() === '' ? '' : r.ok ? t('optCloudRequestsGo', r.base) : r.reason;
    return r;
  };
  const initial = check();
  showState(s.cloudEnabled, initial.ok ? initial.origin : s.cloudEndpoint);

  endpoint.addEventListener('change', () => {
    const r = check();
    // A new destination needs a new consent: switch the comparison off until the user confirms again.
    void save({ cloudEndpoint: endpoint.value.trim(), ...(enabled.checked ? { cloudEnabled: false } : {}) });
    if (enabled.checked) {
      enabled.checked = false;
      showState(false);
    }
    void r;
  });
  token.addEventListener('change', () => void save({ cloudToken: token.value }));
  timeout.addEventListener('change', () => {
    const sec = Number(timeout.value);
    if (Number.isFinite(sec) && sec >= 0.5 && sec <= 60) void save({ cloudTimeoutMs: Math.round(sec * 1000) });
  });

  const map = $('cloud-map');
  const renderMap = (modelMap: Record<string, string>) => {
    map.replaceChildren(...catalog.models.map((m) => {
      const label = document.createElement('label');
      label.textContent = `${m.id} → `;
      const input = document.createElement('input');
      input.dataset.model = m.id;
      input.placeholder = m.id;
      input.value = modelMap[m.id] ?? '';
      input.addEventListener('change', async () => {
        const current = (await loadSettings()).cloudModelMap;
        const next = { ...current, [m.id]: input.value.trim() };
        if (!next[m.id]) delete next[m.id];
        void save({ cloudModelMap: next });
      });
      label.append(input);
      return label;
    }));
  };
  renderMap(s.cloudModelMap);

  $('cloud-test').addEventListener('click', async () => {
    const r = check();
    const list = $('cloud-report');
    if (!r.ok) {
      list.replaceChildren(Object.assign(document.createElement('li'), { className: 'fail', textContent: r.reason }));
      return;
    }
    list.replaceChildren(Object.assign(document.createElement('li'), { textContent: t('optCloudTesting') }));
    const current = await loadSettings();
    const models = catalog.models.map((m) => remoteModelName(current.cloudModelMap, m.id));
    const report = await checkEndpoint(r.base, token.value || undefined, models, current.cloudTimeoutMs);
    list.replaceChildren(...report.checks.map((c) =>
      Object.assign(document.createElement('li'), { className: c.ok ? 'ok' : 'fail', textContent: `${c.name}: ${c.detail}` })));
  });

  enabled.addEventListener('change', () => {
    if (!enabled.checked) {
      consent.hidden = true;
      showState(false);
      void save({ cloudEnabled: false });
      return;
    }
    const r = check();
    if (!r.ok) {
      enabled.checked = false;
      $('cloud-endpoint-msg').textContent = t('optCloudSetUrlFirst', r.reason);
      return;
    }
    enabled.checked = false; // not on until confirmed
    $('cloud-consent-text').textContent = t('optCloudConsent', r.origin);
    consent.hidden = false;
  });
  $('cloud-consent-no').addEventListener('click', () => {
    consent.hidden = true;
  });
  $('cloud-consent-yes').addEventListener('click', async () => {
    const r = check();
    if (!r.ok) return;
    // Host access for this origin only, asked for now (our broad image-fetch access may already cover it).
    const granted = await browser.permissions.request({ origins: [`${r.origin}/*`] }).catch(() => false);
    consent.hidden = true;
    if (!granted) {
      $('cloud-state').textContent = t('optCloudNotGranted', r.origin);
      return;
    }
    enabled.checked = true;
    await save({ cloudEnabled: true, cloudEndpoint: endpoint.value.trim(), cloudConsentOrigin: r.origin });
    showState(true, r.origin);
  });
  return {
    setCatalog(c: Catalog) {
      catalog = c;
      void loadSettings().then((now) => renderMap(now.cloudModelMap));
    },
  };
}
