/**
 * "Right" / "Wrong label?" on the overlay's detail panel: the user confirms
 * the label or types the right one (a type-ahead of the model's labels), and
 * can undo. The choice is stored by the worker on the record (lib/corrections).
 */
import type { UserLabel } from '../core/record';
import { labelName, t } from '../lib/i18n';
import { send } from '../lib/messaging';

let names: Promise<string[]> | undefined;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(text: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', undefined, text);
  b.type = 'button';
  b.addEventListener('click', (e) => {
    e.stopPropagation(); // clicks on our panel are not the page's business
    e.preventDefault();
    onClick();
  });
  return b;
}

/** One of `labels` from what the user typed, in English or their language ("aquarium fish", "Aquarium_Fish", "аквариумная рыбка"). */
export function matchLabel(typed: string, labels: readonly string[]): string | undefined {
  const norm = (s: string) => s.trim().toLowerCase().replaceAll('_', ' ').replaceAll('ё', 'е').replace(/\s+/g, ' ');
  const want = norm(typed);
  return labels.find((l) => norm(l) === want || norm(labelName(l)) === want);
}

export function checkRow(requestId: string, modelId: string, predicted: string, initial?: UserLabel): HTMLDivElement {
  const row = el('div', 'check');
  // Typing into our input must not trigger the page's keyboard shortcuts.
  for (const type of ['keydown', 'keyup', 'keypress', 'input']) row.addEventListener(type, (e) => e.stopPropagation());
  const save = async (label: string | null) => {
    try {
      const r = await send('background:correct', { requestId, label }, 10_000);
      render(r.userLabel ?? undefined);
    } catch (e) {
      render(undefined, e instanceof Error ? e.message : String(e));
    }
  };
  const render = (user: UserLabel | undefined, error?: string) => {
    row.replaceChildren();
    if (user) {
      const right = user.label === predicted;
      row.append(el('span', 'said', right ? t('fixSaidRight') : t('fixSaid', labelName(user.label))), button(t('fixUndo'), () => void save(null)));
    } else {
      row.append(button(t('fixRight'), () => void save(predicted)), button(t('fixWrong'), () => void pick()));
    }
    if (error) row.append(el('span', 'err', error));
  };
  const pick = async () => {
    names ??= send('background:label-names', { modelId }, 10_000).then((r) => r.labels).catch((e: unknown) => {
      names = undefined;
      throw e;
    });
    let labels: string[];
    try {
      labels = await names;
    } catch (e) {
      render(undefined, t('fixLoadFailed', e instanceof Error ? e.message : String(e)));
      return;
    }
    const listId = `pit-labels-${requestId}`;
    const list = el('datalist');
    list.id = listId;
    for (const l of labels) list.append(new Option(labelName(l)));
    const input = el('input');
    input.setAttribute('list', listId);
    input.placeholder = t('fixPlaceholder');
    input.setAttribute('aria-label', t('fixInputAria', labels.length));
    const err = el('span', 'err');
    const submit = () => {
      const label = matchLabel(input.value, labels);
      if (!label) {
        err.textContent = t('fixPickOne', labels.length);
        return;
      }
      void save(label);
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        submit();
      }
    });
    row.replaceChildren(input, list, button(t('fixSave'), submit), button(t('fixCancel'), () => render(undefined)), err);
    input.focus();
  };
  render(initial);
  return row;
}
