/**
 * Offscreen document: owns inference. The worker creates it on demand; it
 * asks the worker to close it after IDLE_MS without work (the WASM runtime
 * holds tens of MB that an idle browser should not keep).
 */
import { isExtensionContext, listen, send } from '../lib/messaging';
import { classifyOnce } from './classify';
import { inferTensor } from './infer-tensor';
import { inference, setIdleHandler } from './queues';

const IDLE_MS = 5 * 60_000;

setIdleHandler(() => {
  if (inference.size === 0) void send('background:offscreen-idle', undefined).catch(() => undefined);
}, IDLE_MS);

listen('offscreen', {
  'offscreen:ping': () => ({ ready: true, crossOriginIsolated: globalThis.crossOriginIsolated }),
  'offscreen:classify': (req) => {
    // Answer at once; the result travels back as its own message, which wakes the
    // worker if it was stopped in the meantime.
    void classifyOnce(req).then((res) =>
      send('background:classified', { ...res, ...(req.replyTo ? { replyTo: req.replyTo } : {}) }).catch(() => undefined));
    return { queued: inference.size };
  },
  'offscreen:classify-sync': (req) => classifyOnce(req),
  'offscreen:infer-tensor': inferTensor,
}, (_name, sender) => isExtensionContext(sender));
