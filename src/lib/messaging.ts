/**
 * Typed send/listen over browser.runtime / browser.tabs, generated from the
 * contract in `messages.ts`. webextension-polyfill turns a rejected handler
 * promise into a rejected promise at the sender, so errors cross contexts.
 */
import browser, { type Runtime } from 'webextension-polyfill';
import {
  envelope, isEnvelope, withTimeout,
  type Envelope, type MessageName, type Payload, type Reply,
} from './messages';

type NamesOf<T extends Envelope['target']> = Extract<MessageName, `${T}:${string}`>;

export type Handlers<T extends Envelope['target']> = {
  [N in NamesOf<T>]: (payload: Payload<N>, sender: Runtime.MessageSender) => Promise<Reply<N>> | Reply<N>;
};

/** Who may send a given message: decided per context, see each shell's `trust`. */
export type TrustPolicy = (name: MessageName, sender: Runtime.MessageSender) => boolean;

/**
 * Sender is one of this extension's own pages (popup, options, library,
 * offscreen — also when opened in a tab) or its worker. Content scripts share
 * our extension id but report the web page's URL, so the URL tells them apart.
 */
export function isExtensionContext(sender: Runtime.MessageSender): boolean {
  return sender.id === browser.runtime.id && sender.url !== undefined && sender.url.startsWith(browser.runtime.getURL(''));
}

/**
 * Register the handlers of one context. Must be called synchronously at the
 * context's start (a woken service worker only delivers the waking message to
 * listeners registered in its first turn).
 */
export function listen<T extends Envelope['target']>(target: T, handlers: Handlers<T>, trust: TrustPolicy): void {
  browser.runtime.onMessage.addListener((msg: unknown, sender: Runtime.MessageSender) => {
    if (!isEnvelope(msg) || msg.target !== target) return undefined; // not ours: let others answer
    const name = msg.name as NamesOf<T>;
    const handler = handlers[name] as ((p: unknown, s: Runtime.MessageSender) => unknown) | undefined;
    if (!handler) return Promise.reject(new Error(`${target}: unknown message ${String(msg.name)}`));
    if (!trust(name, sender)) return Promise.reject(new Error(`${name}: sender not allowed`));
    try {
      return Promise.resolve(handler(msg.payload, sender));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}

/** Send to the worker or an extension page (runtime channel). */
export async function send<N extends MessageName>(name: N, payload: Payload<N>, timeoutMs = 30_000): Promise<Reply<N>> {
  return withTimeout(browser.runtime.sendMessage(envelope(name, payload)) as Promise<Reply<N>>, timeoutMs, name);
}

/** Send to the content script of one frame of a tab. */
export async function sendToTab<N extends NamesOf<'content'>>(
  tabId: number, frameId: number, name: N, payload: Payload<N>, timeoutMs = 30_000,
): Promise<Reply<N>> {
  return withTimeout(
    browser.tabs.sendMessage(tabId, envelope(name, payload), { frameId }) as Promise<Reply<N>>, timeoutMs, name);
}
