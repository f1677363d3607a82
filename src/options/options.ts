/** Options page: model and backend choice (declared in lib/settings.ts), history reset. */
import { byId } from '../lib/dom';
import { modelDisplayName, resolveModel, type Catalog } from '../core/catalog';
import { loadCatalog } from '../lib/catalog-loader';
import { probeWebGpu } from '../lib/webgpu';
import { clearRecords, countRecords } from '../lib/db';
import { localizePage, t, uiLanguage } from '../lib/i18n';
import { loadSettings, saveSettings, type Settings } from '../lib/settings';
import { initCloudSection } from './cloud-section';
import { fixed, initModelsSection } from './models-section';
import { initTaggingSection } from './tagging-section';

const $ = byId;

function describe(catalog: Catalog, id: string): string {
  const { model: m } = resolveModel(catalog, id);
  const acc = m.accuracy ? t('optAccuracy', fixed(m.accuracy.top1, 2), fixed(m.accuracy.top5, 2)) : t('optAccuracyNone');
  const src = m.userAdded ? t('optSrcUser') : m.provenance.source === 'trained' ? t('optSrcTrained') : m.provenance.source === 'imported' ? t('optSrcImported') : t('optSrcRandom');
  return t('optModelInfo', m.arch, acc, src, fixed(m.bytes / 1024, 0));
}

async function describeGpu(): Promise<string> {
  const p = await probeWebGpu();
  // The reason comes from lib/webgpu as it is (a technical detail), capitalised to open the sentence.
  if (!p.ok) return t('optGpuFallback', `${p.reason[0]?.toUpperCase()}${p.reason.slice(1)}`);
  return p.software ? t('optGpuSoftware', p.adapter) : t('optGpuAdapter', p.adapter);
}

async function main(): Promise<void> {
  localizePage();
  let [catalog, settings] = await Promise.all([loadCatalog(), loadSettings()]);
  const select = $<HTMLSelectElement>('model');
  const renderModels = (c: Catalog, chosen: string) => {
    catalog = c;
    select.replaceChildren(...c.models.map((m) => new Option(modelDisplayName(m), m.id)));
    select.value = c.models.some((m) => m.id === chosen) ? chosen : c.default;
    $('model-info').textContent = describe(c, select.value);
  };
  renderModels(catalog, settings.modelId || catalog.default);
  for (const r of document.querySelectorAll<HTMLInputElement>('input[name=backend]')) r.checked = r.value === settings.backend;
  $<HTMLSelectElement>('threads').value = String(settings.threads);
  $('gpu-info').textContent = await describeGpu();

  // Save only the field the user changed: saving the displayed model id on a
  // backend change would pin today's default model forever.
  const saved = () => {
    $('saved').textContent = t('optSaved', new Date().toLocaleTimeString(uiLanguage()));
    document.dispatchEvent(new Event('pit:settings-saved')); // sections that depend on the chosen model follow it
  };
  const save = (patch: Partial<Settings>) => void saveSettings(patch).then(saved);
  const cloud = await initCloudSection(catalog, saved);
  await initTaggingSection(saved);
  // A model added or removed here: every list of models on this page follows.
  let current = catalog;
  await initModelsSection((c) => {
    current = c;
    cloud.setCatalog(c);
    void loadSettings().then((s) => renderModels(c, s.modelId || c.default));
  });
  select.addEventListener('change', () => {
    $('model-info').textContent = describe(current, select.value);
    save({ modelId: select.value === current.default ? '' : select.value });
  });
  for (const r of document.querySelectorAll<HTMLInputElement>('input[name=backend]')) {
    r.addEventListener('change', () => save({ backend: r.value as Settings['backend'] }));
  }
  $<HTMLSelectElement>('threads').addEventListener('change', (e) => save({ threads: Number((e.target as HTMLSelectElement).value) }));

  const info = $('history-info');
  const refresh = async () => {
    info.textContent = t('optHistoryCount', await countRecords());
  };
  await refresh();
  $('clear').addEventListener('click', () => {
    if (!confirm(t('optClearConfirm'))) return;
    void clearRecords().then(refresh);
  });
  // Every control shows its stored value and saves on change from here on (tests wait for this).
  document.documentElement.dataset.ready = '1';
}

main().catch((e: unknown) => {
  $('saved').textContent = t('optLoadFailed', e instanceof Error ? e.message : String(e));
});
