/** Options page: model and backend choice (declared in lib/settings.ts), history reset. */
import { byId } from '../lib/dom';
import { modelDisplayName, resolveModel, type Catalog } from '../core/catalog';
import { loadCatalog } from '../lib/catalog-loader';
import { probeWebGpu } from '../lib/webgpu';
import { clearRecords, countRecords } from '../lib/db';
import { loadSettings, saveSettings, type Settings } from '../lib/settings';
import { initCloudSection } from './cloud-section';
import { initModelsSection } from './models-section';
import { initTaggingSection } from './tagging-section';

const $ = byId;

function describe(catalog: Catalog, id: string): string {
  const { model: m } = resolveModel(catalog, id);
  const acc = m.accuracy ? `top-1 ${m.accuracy.top1.toFixed(2)} %, top-5 ${m.accuracy.top5.toFixed(2)} % on the CIFAR-100 test set` : 'accuracy not measured';
  const src = m.userAdded ? 'your ONNX file, on this device only' : m.provenance.source === 'trained' ? 'trained by this project' : m.provenance.source === 'imported' ? 'imported checkpoint' : 'random weights — for timing only';
  return `${m.arch} · ${acc} · ${src} · ${(m.bytes / 1024).toFixed(0)} KB`;
}

async function describeGpu(): Promise<string> {
  const p = await probeWebGpu();
  if (!p.ok) return `${p.reason[0]?.toUpperCase()}${p.reason.slice(1)}: classification will fall back to WebAssembly (and say so).`;
  return p.software ? `WebGPU adapter: ${p.adapter} — slower than WebAssembly.` : `WebGPU adapter: ${p.adapter}.`;
}

async function main(): Promise<void> {
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
    $('saved').textContent = `Saved at ${new Date().toLocaleTimeString()}.`;
  };
  const save = (patch: Partial<Settings>) => void saveSettings(patch).then(saved);
  await initCloudSection(catalog, saved);
  await initTaggingSection(saved);
  await initModelsSection((c) => void loadSettings().then((s) => renderModels(c, s.modelId || c.default)));
  select.addEventListener('change', () => {
    $('model-info').textContent = describe(catalog, select.value);
    save({ modelId: select.value === catalog.default ? '' : select.value });
  });
  for (const r of document.querySelectorAll<HTMLInputElement>('input[name=backend]')) {
    r.addEventListener('change', () => save({ backend: r.value as Settings['backend'] }));
  }
  $<HTMLSelectElement>('threads').addEventListener('change', (e) => save({ threads: Number((e.target as HTMLSelectElement).value) }));

  const info = $('history-info');
  const refresh = async () => {
    info.textContent = `${await countRecords()} classifications stored in this browser (IndexedDB).`;
  };
  await refresh();
  $('clear').addEventListener('click', () => {
    if (!confirm('Delete every stored classification? This cannot be undone.')) return;
    void clearRecords().then(refresh);
  });
}

main().catch((e: unknown) => {
  $('saved').textContent = `Could not load settings: ${e instanceof Error ? e.message : String(e)}`;
});
