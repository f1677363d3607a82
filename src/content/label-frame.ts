/**
 * The "Wrong label?" type-ahead, as an extension page in an iframe inside the
 * overlay's closed shadow root. Typing happens here, in the extension's own
 * origin: keyboard and input events of the overlay itself are composed and
 * reach the web page's capture listeners, these never leave this frame. The
 * choice goes to the worker, which tells the page's content script the result
 * (it learns the label only to draw "You said: …", inside the closed root).
 */
import { byId as $ } from '../lib/dom';
import { labelName, t } from '../lib/i18n';
import { send } from '../lib/messaging';
import { matchLabel } from '../lib/label-match';

const q = new URLSearchParams(location.hash.slice(1));
const requestId = q.get('requestId') ?? '';
const modelId = q.get('modelId') ?? '';

async function main(): Promise<void> {
  const input = $<HTMLInputElement>('label');
  const err = $('err');
  $('save').textContent = t('fixSave');
  $('cancel').textContent = t('fixCancel');
  // Through the worker: this frame sits in a web page, where its own storage may be partitioned.
  const { labels } = await send('background:label-names', { modelId }, 10_000);
  $('labels').replaceChildren(...labels.map((l) => new Option(labelName(l))));
  input.setAttribute('list', 'labels');
  input.placeholder = t('fixPlaceholder');
  input.setAttribute('aria-label', t('fixInputAria', labels.length));
  input.focus();
  // The overlay focuses this frame once it loaded: pass the focus on to the input.
  addEventListener('focus', () => input.focus());
  $('form').addEventListener('submit', (e) => {
    e.preventDefault();
    const label = matchLabel(input.value, labels);
    if (!label) {
      err.textContent = t('fixPickOne', labels.length);
      return;
    }
    void send('background:correct', { requestId, label }, 10_000)
      .then((r) => send('background:label-done', { requestId, userLabel: r.userLabel }, 10_000))
      .catch((e2: unknown) => {
        err.textContent = e2 instanceof Error ? e2.message : String(e2);
      });
  });
  $('cancel').addEventListener('click', () => void send('background:label-done', { requestId, cancelled: true }, 10_000).catch(() => undefined));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') void send('background:label-done', { requestId, cancelled: true }, 10_000).catch(() => undefined);
  });
}

main().catch((e: unknown) => {
  $('err').textContent = t('fixLoadFailed', e instanceof Error ? e.message : String(e));
});
