/**
 * Offscreen document: owns inference. The worker creates it on demand; after
 * a quiet spell it asks the worker to close it (the WASM runtime holds tens of
 * MB that an idle browser should not keep). See lifecycle.ts.
 */
import { parseClassifyRequest, parsePreprocess, parseTagJob, parseTensorRequest, parseWarmUp } from '../lib/message-schemas';
import type { ClassifyResult } from '../lib/messages';
import { loadShippedCatalog, onUserModelsChanged } from '../lib/catalog-loader';
import { listUserModels } from '../lib/db';
import { isExtensionContext, listen, send } from '../lib/messaging';
import { releaseSessions, sessionKeys } from '../lib/ort-runtime';
import { checkUserModel } from './check-model';
import { classifyOnce } from './classify';
import { inferTensor } from './infer-tensor';
import { isClosing, prepareClose, setOnIdle, track } from './lifecycle';
import { makePlan, warmUp } from './pipeline';
import { preprocess } from './preprocess';
import { inference, loading } from './queues';
import { cancelTagJobs, startTagJob, tagStatus } from './tag-jobs';
import { releaseLanes } from './worker-lanes';

setOnIdle(() => void send('background:offscreen-idle', undefined).catch(() => undefined));

// A model the user removed (in Options, another context) lets go of its session and worker lanes here. Models
// still being added (not yet checked, so not in the catalog) are kept: their self-check may be running here.
onUserModelsChanged(() => void (async () => {
  const [shipped, mine] = await Promise.all([loadShippedCatalog(), listUserModels()]);
  const kept = new Set([...shipped.models.map((m) => `${m.id}|${m.sha256}`), ...mine.map((u) => `${u.id}|${u.entry.sha256}`)]);
  const gone = (id: string, sha: string) => !kept.has(`${id}|${sha}`);
  releaseSessions(gone);
  releaseLanes(gone);
})().catch(() => undefined));

listen('offscreen', {
  'offscreen:classify': (payload) => {
    const req = parseClassifyRequest(payload);
    if (isClosing()) throw new Error('offscreen document is closing'); // the worker retries on a fresh one
    // Accept now, answer later: the result travels back as its own message,
    // which wakes the worker if it was stopped in the meantime.
    const deliver = (res: ClassifyResult) =>
      void send('background:classified', { ...res, ...(req.replyTo ? { replyTo: req.replyTo } : {}) }).catch(() => undefined);
    void track(() => classifyOnce(req, deliver));
    return { queued: loading.size + inference.size };
  },
  'offscreen:infer-tensor': (payload) => track(() => inferTensor(parseTensorRequest(payload))),
  'offscreen:tag-job': (payload) => {
    if (isClosing()) throw new Error('offscreen document is closing');
    return startTagJob(parseTagJob(payload));
  },
  'offscreen:tag-cancel': ({ tabId }) => cancelTagJobs(tabId),
  'offscreen:tag-status': ({ tabId }) => tagStatus(tabId),
  'offscreen:preprocess': (payload) => track(() => preprocess(parsePreprocess(payload))),
  'offscreen:warm-up': (payload) => {
    const w = parseWarmUp(payload);
    if (isClosing()) return { warm: false };
    return track(async () => {
      await warmUp(await makePlan(w.modelId, w.backend, w.threads));
      return { warm: true };
    });
  },
  'offscreen:prepare-close': ({ wait }) => prepareClose(wait),
  'offscreen:check-model': ({ id, threads }) => track(() => checkUserModel(String(id), Number(threads) || 0)),
}, (_name, sender) => isExtensionContext(sender));

// Reachable from this document's console (and so from tests) for debugging, like the worker's `pit`;
// nothing on a web page can reach an extension document's global scope.
Object.assign(globalThis, { pitOffscreen: { sessionKeys } });
