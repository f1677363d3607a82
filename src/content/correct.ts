/**
 * "Right" / "Wrong label?" on the overlay's detail panel: the user confirms
 * the label or types the right one (a type-ahead of the model's labels), and
 * can undo. The choice is stored by the worker on the record (lib/corrections).
 */
import type { UserLabel } from '../core/record';
import { labelName, t } from '../lib/i18n';
import type { LabelDone } from '../lib/messages';
import { send } from '../lib/messaging';

/** Overlays whose label frame is open, by requestId: the worker relays the frame's answer (labelDone). */
const waiting = new Map<string, (done: LabelDone) => void>();

/** The label frame's answer, relayed by the worker to every frame of the tab: the overlay that asked redraws. */
export function labelDone(done: LabelDone): boolean {
  const f = waiting.get(done.requestId);
  if (!f) return false;
  waiting.delete(done.requestId);
  f(done);
  return true;
}

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
  // The type-ahead is an extension page in an iframe: what the user types there never reaches the page.
  const pick = () => {
    const frame = el('iframe', 'label-frame');
    frame.title = t('fixInputAria', 100);
    frame.src = `${chrome.runtime.getURL('src/content/label-frame.html')}#${new URLSearchParams({ requestId, modelId })}`;
    let loads = 0;
    frame.addEventListener('load', () => {
      // A second load means the frame was navigated away from our page (a page can navigate frames it can name).
      if (++loads > 1) {
        frame.remove();
        render(undefined, t('fixFrameNavigated'));
        return;
      }
      // Keys must land in the frame, not in the page: focus it (the frame then focuses its input).
      frame.focus();
    });
    row.replaceChildren(frame);
    waiting.set(requestId, (done) => {
      if (done.cancelled) render(undefined);
      else render(done.userLabel ?? undefined);
    });
  };
  render(initial);
  return row;
}
