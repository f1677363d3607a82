/**
 * Reach what Playwright does not attach to: the offscreen document (a
 * `background_page` target, which Playwright 1.65 detaches from) and the
 * dedicated workers it starts. CDP's non-flat target sessions, nested: the
 * document through a CDP session of an ordinary page, its workers through
 * the document's own auto-attach (a worker attached from outside never
 * answers).
 */
import type { CDPSession, Page } from 'playwright-core';

type Params = Record<string, unknown>;
type Listener = (params: Params) => void;

interface Channel {
  send(method: string, params?: Params): Promise<Params>;
  on(event: string, listener: Listener): void;
  /** Rejects what is still unanswered (the session is going away). */
  abandon(): void;
}

function rootChannel(cdp: CDPSession): Channel {
  return {
    send: (method, params) => cdp.send(method as never, params as never) as Promise<Params>,
    on: (event, listener) => cdp.on(event as never, listener as never),
    abandon: () => undefined,
  };
}

/** A target session inside `parent`: commands and events travel wrapped in Target.sendMessageToTarget / receivedMessageFromTarget. */
function childChannel(parent: Channel, sessionId: string, timeoutMs: number): Channel {
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: Params) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  const listeners = new Map<string, Listener[]>();
  parent.on('Target.receivedMessageFromTarget', (p) => {
    if (p.sessionId !== sessionId) return;
    const m = JSON.parse(String(p.message)) as { id?: number; result?: Params; error?: { message?: string }; method?: string; params?: Params };
    if (m.id !== undefined) {
      const w = pending.get(m.id);
      pending.delete(m.id);
      if (w) clearTimeout(w.timer);
      if (m.error) w?.reject(new Error(m.error.message ?? 'CDP error'));
      else w?.resolve(m.result ?? {});
    } else if (m.method) {
      for (const l of listeners.get(m.method) ?? []) l(m.params ?? {});
    }
  });
  return {
    send(method, params = {}) {
      const id = nextId++;
      const answer = new Promise<Params>((resolve, reject) => {
        const timer = setTimeout(() => {
          if (pending.delete(id)) reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
      });
      return parent.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).then(() => answer);
    },
    on(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    },
    abandon() {
      for (const w of pending.values()) {
        clearTimeout(w.timer);
        w.reject(new Error('the CDP session was closed'));
      }
      pending.clear();
    },
  };
}

export interface OffscreenWorker {
  url: string;
  /** Evaluates `expression` in the worker (awaiting a returned promise) and returns its value; throws what it threw. */
  evaluate(expression: string): Promise<unknown>;
}

async function evaluateOn(channel: Channel, expression: string): Promise<unknown> {
  const r = (await channel.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })) as {
    result?: { value?: unknown }; exceptionDetails?: { text?: string; exception?: { description?: string } };
  };
  if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text ?? 'exception');
  return r.result?.value;
}

/** A session into the offscreen document (through `page`'s CDP session), and how to end it. */
async function attachOffscreen(page: Page, timeoutMs: number): Promise<{ doc: Channel; channels: Channel[]; close(): Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  const root = rootChannel(cdp);
  const { targetInfos } = (await root.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
  const target = targetInfos.find((t) => t.type === 'background_page' && t.url.endsWith('/src/offscreen/offscreen.html'));
  if (!target) {
    await cdp.detach();
    throw new Error('no offscreen document is open');
  }
  const channels: Channel[] = [];
  let sessionId: string | undefined;
  const close = async () => {
    for (const c of channels) c.abandon();
    if (sessionId) await root.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
    await cdp.detach().catch(() => undefined);
  };
  try {
    ({ sessionId } = (await root.send('Target.attachToTarget', { targetId: target.targetId, flatten: false })) as { sessionId: string });
    const doc = childChannel(root, sessionId, timeoutMs);
    channels.push(doc);
    return { doc, channels, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Evaluate in the offscreen document itself (awaiting a returned promise); `page` is any page of the browser. */
export async function offscreenDocument(page: Page, timeoutMs = 10_000): Promise<{ evaluate(expression: string): Promise<unknown>; close(): Promise<void> }> {
  const { doc, close } = await attachOffscreen(page, timeoutMs);
  return { evaluate: (expression) => evaluateOn(doc, expression), close };
}

/**
 * The dedicated workers the extension's offscreen document runs now, each with
 * its script URL and an evaluate. `page` is any page of the browser (only its
 * CDP session is used); the sessions close with `close()`.
 */
export async function offscreenWorkers(page: Page, timeoutMs = 10_000): Promise<{ workers: OffscreenWorker[]; close(): Promise<void> }> {
  const { doc, channels, close } = await attachOffscreen(page, timeoutMs);
  try {
    const workers: OffscreenWorker[] = [];
    doc.on('Target.attachedToTarget', (p) => {
      const info = p.targetInfo as { type: string; url: string };
      if (info.type !== 'worker') return;
      const channel = childChannel(doc, String(p.sessionId), timeoutMs);
      channels.push(channel);
      workers.push({ url: info.url, evaluate: (expression) => evaluateOn(channel, expression) });
    });
    // Auto-attach reports the workers already running before it answers.
    await doc.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    return { workers, close };
  } catch (e) {
    await close();
    throw e;
  }
}
