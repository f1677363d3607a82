/**
 * "Right" / "Wrong label?" on the overlay's detail panel: the user confirms
 * the label or types the right one (a type-ahead of the model's labels), and
 * can undo. The choice is stored by the worker on the record (lib/corrections).
 */
import type { UserLabel } from '../core/record';
import { send } from '../lib/messaging';

let names: Promise<string[]> | undefined;
const shown = (label: string) => label.replaceAll('_', ' ');

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

/** One of `labels` from what the user typed ("aquarium fish", "Aquarium_Fish"), or undefined. */
export function matchLabel(typed: string, labels: readonly string[]): string | undefined {
  const t = typed.trim().toLowerCase().replaceAll('_', ' ').replace(/\s+/g, ' ');
  return labels.find((l) => shown(l).toLowerCase() === t);
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
      row.append(el('span', 'said', right ? '✓ You said this is right' : `You said: ${shown(user.label)}`), button('Undo', () => void save(null)));
    } else {
      row.append(button('✓ Right', () => void save(predicted)), button('Wrong label?', () => void pick()));
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
      render(undefined, `Could not load the labels: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const listId = `pit-labels-${requestId}`;
    const list = el('datalist');
    list.id = listId;
    for (const l of labels) list.append(new Option(shown(l)));
    const input = el('input');
    input.setAttribute('list', listId);
    input.placeholder = 'Type the right label…';
    input.setAttribute('aria-label', `The right label (one of ${labels.length})`);
    const err = el('span', 'err');
    const submit = () => {
      const label = matchLabel(input.value, labels);
      if (!label) {
        err.textContent = `Pick one of the ${labels.length} labels from the list.`;
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
    row.replaceChildren(input, list, button('Save', submit), button('Cancel', () => render(undefined)), err);
    input.focus();
  };
  render(initial);
  return row;
}
