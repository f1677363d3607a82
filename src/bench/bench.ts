/**
 * Bench page entry. Every load exposes `pitBench` (measureJob, pageInfo, parityBatch, throughputJob) for
 * the CLI (tools/bench, through Playwright) and for the page's own hidden
 * frames; a top-level load without `?frame` also shows the form.
 * Nothing outside the extension can reach this global: web pages cannot script
 * extension pages.
 */
import { startUi } from './bench-ui';
import { t } from '../lib/i18n';
import { measureJob, pageInfo, parityBatch, throughputJob } from './measure-web';

Object.assign(globalThis, { pitBench: { measureJob, pageInfo, parityBatch, throughputJob } });

if (!new URLSearchParams(location.search).has('frame')) {
  startUi().catch((e: unknown) => {
    document.body.textContent = t('benchStartFailed', e instanceof Error ? e.message : String(e));
  });
}
