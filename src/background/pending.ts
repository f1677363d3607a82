/**
 * No accepted click is lost. The worker writes each classification request to
 * chrome.storage.session before forwarding it, and forgets it once both the
 * offscreen document reported the record stored (`background:stored`) and the
 * page's overlay took the result (or the tab is gone, or the result could not
 * be delivered within 15 s of the click). What a dead worker or a
 * closed offscreen document left behind is sent again: at worker start, and by
 * a sweep a few seconds after activity. Unanswered 120 s after the click, a
 * request ends as an error record and an error on the page. Requests are
 * idempotent by requestId (offscreen/classify.ts joins a running job or
 * returns the stored record), so a resend never duplicates a record.
 * storage.session is memory-only, cleared with the browser session, and not
 * readable by content scripts. It holds 10 MB in all, so page-only bytes over
 * 512 KB (a big blob: or data: image) are not kept: if such a request must be
 * sent again, it ends as an error asking the user to classify the image again.
 */
import { epochNow } from '../core/clock';
import { addRecord } from '../lib/db';
import { errorMessage, type ClassifyRequest } from '../lib/messages';
import { sendToTab } from '../lib/messaging';
import { errorRecord } from './error-record';
import { sendOffscreen } from './offscreen-client';

const PREFIX = 'pending:';
/** Markers, one key each so that concurrent handlers never overwrite each other's news. */
const STORED = 'stored:';
const SHOWN = 'shown:';
/** Resend a request not acknowledged after this long (resending a running one is harmless). */
export const STALE_MS = 5_000;
/** Unanswered this long after the click, a request ends as an error record rather than being retried forever. */
const GIVE_UP_MS = 120_000;
/** storage.session holds 10 MB in all: page-only bytes bigger than this are not kept for a replay. */
const MAX_KEPT_BYTES = 512 * 1024;

interface Pending {
  req: ClassifyRequest;
  /** When it was accepted, and when it was last sent. */
  first: number;
  at: number;
}

/**
 * Persist before forwarding. Bytes too big for storage.session (a page-only
 * blob: image read as a data: URL, a huge data: URL named by the page) are not
 * kept: a replay of such a request ends as a clear error instead. Never throws:
 * if the store is full, the request still goes out, only without the replay.
 */
export async function remember(req: ClassifyRequest): Promise<void> {
  const tooBig = (u: string | undefined) => u !== undefined && u.length > MAX_KEPT_BYTES;
  const lost = 'the image was too large to keep while the extension restarted; classify it again';
  const kept: ClassifyRequest = tooBig(req.image.dataUrl) || tooBig(req.image.srcUrl)
    ? { ...req, image: { ...req.image, srcUrl: req.image.srcUrl.slice(0, 256), dataUrl: undefined, readError: lost } }
    : req;
  await chrome.storage.session.set({ [PREFIX + req.requestId]: { req: kept, first: Date.now(), at: Date.now() } satisfies Pending })
    .catch((e: unknown) => console.warn('could not persist a request; it is sent without a replay copy', errorMessage(e)));
}

export async function forget(requestId: string): Promise<void> {
  await chrome.storage.session.remove([PREFIX + requestId, STORED + requestId, SHOWN + requestId]);
}

/** One half of the acknowledgement; the request is forgotten when both halves are in (or no overlay is wanted). */
async function mark(requestId: string, marker: string, other: string): Promise<void> {
  const key = PREFIX + requestId;
  const p = (await chrome.storage.session.get(key))[key] as Pending | undefined;
  if (!p) return; // already forgotten, or never ours
  if (!p.req.replyTo) {
    await forget(requestId);
    return;
  }
  // Write our half first, then look for the other: of two handlers racing, at
  // least one sees both halves (forgetting twice is harmless).
  await chrome.storage.session.set({ [marker + requestId]: 1 });
  if ((await chrome.storage.session.get(other))[other] !== undefined) await forget(requestId);
}

/** The offscreen document stored the record. */
export const markStored = (requestId: string): Promise<void> => mark(requestId, STORED, SHOWN + requestId);
/** The page's overlay has the result (or the tab can no longer show it). */
export const markShown = (requestId: string): Promise<void> => mark(requestId, SHOWN, STORED + requestId);

export async function pendingCount(): Promise<number> {
  return Object.keys(await chrome.storage.session.get(null)).filter((k) => k.startsWith(PREFIX)).length;
}

let sweeping: Promise<number> | undefined;

/** Send again every request older than `olderThanMs` that no record has acknowledged. */
export function replay(olderThanMs = STALE_MS): Promise<number> {
  sweeping ??= (async () => {
    const all = await chrome.storage.session.get(null);
    const now = Date.now();
    const stale = Object.entries(all).filter(([k, v]) => k.startsWith(PREFIX) && now - (v as Pending).at >= olderThanMs) as [string, Pending][];
    for (const [key, p] of stale) {
      if (now - p.first > GIVE_UP_MS) {
        const record = errorRecord(p.req, 'offscreen', `no answer from the classifier within ${GIVE_UP_MS / 1000} s, across restarts`);
        if (p.req.clickedAt !== undefined) record.timings.total = epochNow() - p.req.clickedAt;
        await addRecord(record).catch(() => undefined);
        await forget(p.req.requestId);
        // The page's spinner ends with this error (a real answer arriving later replaces the record, db.addRecord).
        const to = p.req.replyTo;
        if (to) {
          const result = { requestId: p.req.requestId, srcUrl: p.req.image.srcUrl, ...(p.req.clickedAt !== undefined ? { clickedAt: p.req.clickedAt } : {}), record, notes: [] };
          await sendToTab(to.tabId, to.frameId, 'content:result', result, 5_000).catch(() => undefined);
        }
        continue;
      }
      await chrome.storage.session.set({ [key]: { ...p, at: now } satisfies Pending });
      await sendOffscreen('offscreen:classify', p.req).catch((e: unknown) => console.warn('replay failed', p.req.requestId, errorMessage(e)));
    }
    return stale.length;
  })().finally(() => {
    sweeping = undefined;
  });
  return sweeping;
}

let timer: ReturnType<typeof setTimeout> | undefined;

/** A sweep shortly after activity: catches requests a closed offscreen document took with it. */
export function scheduleSweep(): void {
  // Never re-armed while armed: a user clicking every few seconds must not postpone it forever.
  if (timer !== undefined) return;
  timer = setTimeout(() => {
    timer = undefined;
    void replay().then(async () => {
      if ((await pendingCount()) > 0) scheduleSweep();
    });
  }, STALE_MS + 500);
}
