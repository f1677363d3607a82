/**
 * The one message contract shared by every extension context.
 *
 * Each message is namespaced by the context that handles it (`offscreen:*` is
 * handled only by the offscreen document, `background:*` only by the service
 * worker, `content:*` only by content scripts). `ProtocolMap` maps each name
 * to `(payload) => response`; `send`/`sendToTab` and `handle` are typed from it,
 * and `tests/lib/messages.test.ts` proves every name has exactly one handler.
 */
import type { Backend, InferenceRecord, UserLabel } from '../core/record';
import type { ClassifyRequest, TagImage, TagJobRequest, TensorRequest } from './message-schemas';

// The request shapes are declared once, as the valibot schemas that check them.
export type { ClassifyRequest, CloudRequest, ImageRef, TagImage, TagJobRequest, TensorRequest } from './message-schemas';

/** Why the collector left an image out. */
export interface SkippedImage {
  url: string;
  reason: string;
}

/** A chip to draw: top-1 of one image. */
export interface ChipData {
  srcUrl: string;
  label: string;
  /** Calibrated top-1 probability. */
  prob: number;
  /** prob is below the "unsure" threshold of the model that labelled it (or the user's own). */
  unsure: boolean;
}

export interface TagProgress {
  jobId: string;
  tabId: number;
  total: number;
  /** Images finished (tagged or failed). */
  done: number;
  failed: number;
  /** End to end, since the job started. */
  imagesPerSecond: number;
  /** session.run alone, images per second of inference time, at `batchSize`. */
  inferenceImagesPerSecond: number;
  batchSize: number;
  finished: boolean;
  cancelled: boolean;
  /** Images labelled (their chips shown) whose records could not be written to the history, and why (the first error). */
  unsaved: number;
  saveError?: string;
  /** Chips for the images finished since the previous progress message. */
  chips: ChipData[];
}

/** Delivered to the page's overlay. */
/** What the label frame reports: the stored user label (null: none), or that the user cancelled. */
export interface LabelDone {
  requestId: string;
  userLabel?: UserLabel | null;
  cancelled?: boolean;
}

export interface ClassifyResult {
  requestId: string;
  srcUrl: string;
  /** The click's time (ClassifyRequest.clickedAt): the overlay shows the wait from there to the label. */
  clickedAt?: number;
  record: InferenceRecord;
  /** Short human text for an unusual situation (backend fallback, untrained model). */
  notes: string[];
  /** Below this calibrated probability the overlay says "unsure" (the user's threshold, else the model's). */
  unsureBelow?: number;
}

export interface TensorResult {
  /** Float32 logits, base64, N x classes. */
  logits: string;
  dims: number[];
  /** session.run alone, ms. */
  inferenceMs: number;
  backend: Backend;
  threads: number;
  /** WebGPU adapter, marked "(software, not GPU speed)" for fallback adapters such as SwiftShader. */
  adapter?: string;
  /** Session-creation time when this call created the session. */
  sessionCreateMs?: number;
}

export interface PreprocessResult {
  /** Float32 planar RGB 0..255, base64 (core/float-codec.ts). */
  chw: string;
  /** With `frame`: the whole picture at the same size (aspect not kept), the same encoding. */
  frameChw?: string;
  decoder: 'image-decoder' | 'bitmap' | 'element';
  width: number;
  height: number;
  fetchMs: number;
  decodeMs: number;
}

/**
 * All a content script is told about the settings: nothing about the cloud
 * endpoint or its token, nor other sites on the auto-tag list.
 */
export interface ContentSettings {
  showChips: boolean;
  minImageSize: number;
  /** Auto-tag is on and this page's host is on the allow-list. */
  autoTagHere: boolean;
}

export interface ProtocolMap {
  /** Worker → offscreen: queue a classification; resolves when it is queued. */
  'offscreen:classify': (req: ClassifyRequest) => { queued: number };
  /** Run a ready-made input tensor through the warm session of a catalog model. */
  'offscreen:infer-tensor': (req: TensorRequest) => TensorResult;
  /** Worker → offscreen: tag a list of images in batches; progress comes back as background:tag-progress. */
  'offscreen:tag-job': (req: TagJobRequest) => { accepted: number };
  /** Worker → offscreen: stop the tab's jobs (finished images are kept). */
  'offscreen:tag-cancel': (p: { tabId: number }) => { cancelled: number };
  /** Worker → offscreen: progress of the tab's running job, if any. */
  'offscreen:tag-status': (p: { tabId: number }) => TagProgress | null;
  /**
   * Decode one image exactly as a click would (fetch, decode, resize; no
   * model run) and return the model-size planar RGB, 0..255: the decode
   * fidelity test compares the ImageDecoder path with createImageBitmap.
   */
  'offscreen:preprocess': (p: { srcUrl: string; size: number; prefer: 'auto' | 'bitmap' }) => PreprocessResult;
  /** Worker → offscreen: load the runtime and the chosen model's session now (a right-click is on its way). */
  'offscreen:warm-up': (p: { modelId: string; backend: Backend; threads: number }) => { warm: boolean };
  /** Worker → offscreen: may the document be closed? With `wait`, stop taking work and answer when drained. */
  'offscreen:prepare-close': (p: { wait: boolean }) => { closed: boolean };
  /** Worker → offscreen: run the self-check of a model the user is adding (stored unchecked in IndexedDB), or again ("Check again"). */
  'offscreen:check-model': (p: { id: string; threads: number }) => { kind: 'logits' | 'probabilities'; ms: number; batchOne: boolean; batchError?: string };
  /** Options → worker: self-check a model the user is adding, or again (through the offscreen document). */
  'background:check-model': (p: { id: string }) => { kind: 'logits' | 'probabilities'; ms: number; batchOne: boolean; batchError?: string };
  /** Offscreen → worker: a queued classification finished (success or error). */
  'background:classified': (res: ClassifyResult & { replyTo?: { tabId: number; frameId: number } }) => void;
  /** Offscreen → worker: a classification's record is stored; the worker forgets its pending copy. */
  'background:stored': (p: { requestId: string }) => void;
  /** Offscreen → worker: tagging progress (badge, chips on the page, popup progress bar). */
  'background:tag-progress': (p: TagProgress) => void;
  /** Popup → worker: collect the tab's images and tag them. */
  'background:tag-page': (p: { tabId: number }) => { jobId: string; total: number; skipped: SkippedImage[] };
  /** Popup → worker: cancel tagging in the tab. */
  'background:tag-cancel': (p: { tabId: number }) => { cancelled: number };
  /** Popup → worker: what is tagging doing in the tab? */
  'background:tag-status': (p: { tabId: number }) => TagProgress | null;
  /** Content script → worker: the user right-clicked an image; warm the classifier up before the menu item is chosen. */
  'background:warm-up': (p: Record<string, never>) => { started: boolean };
  /** Content → worker: this page is going away (pagehide); its tagging jobs stop. */
  'background:page-gone': (p: Record<string, never>) => { cancelled: number };
  /** Content script → worker: the settings view for this page (see ContentSettings). */
  'background:content-settings': (p: Record<string, never>) => ContentSettings;
  /** Content script (auto-tag, allowed sites only) → worker: new images appeared. */
  'background:auto-tag': (p: { images: TagImage[] }) => { accepted: number };
  /** Offscreen → worker: the bytes of a deferred inline image of a tagging job, from the tab's content script. */
  'background:read-deferred': (p: { tabId: number; srcUrl: string }) => { dataUrl: string };
  /** Content script (an overlay's Wrong label? / Right / Undo) → worker: the user's label of a record on this page. */
  'background:correct': (p: { requestId: string; label: string | null }) => { userLabel: UserLabel | null };
  /** The overlay's label frame (an extension page in the page's tab) → worker → that tab's content scripts: the user chose, or cancelled. */
  'background:label-done': (p: LabelDone) => { delivered: boolean };
  'content:label-done': (p: LabelDone) => { shown: boolean };
  /** Content script → worker: the labels a record of this model can be given (the overlay's type-ahead). */
  'background:label-names': (p: { modelId: string }) => { labels: string[] };
  /** Offscreen → worker: nothing to do for a while; the worker may close the document. */
  'background:offscreen-idle': () => void;
  /** Worker → content: is a content script alive in this frame? */
  'content:ping': (p: Record<string, never>) => { alive: true };
  /** Worker → content: show a pending overlay on the image. */
  'content:pending': (p: { requestId: string; srcUrl: string; clickedAt?: number }) => { found: boolean };
  /** Worker → content: read a page-only image (blob:) and return it as a data: URL. */
  'content:read-image': (p: { srcUrl: string }) => { dataUrl: string };
  /**
   * Worker → content: the bytes of an inline image a collect reply deferred,
   * by the key it travelled as; refused if this document never deferred it.
   */
  'content:read-deferred': (p: { srcUrl: string }) => { dataUrl: string };
  /** Worker → content: collect the page's images (see content/collect.ts). */
  'content:collect': (p: { minSize: number }) => { images: TagImage[]; skipped: SkippedImage[] };
  /** Worker → content: the settings changed; here is this page's new view. */
  'content:settings': (p: ContentSettings) => { applied: true };
  /** Worker → content: draw label chips on tagged images. */
  'content:chips': (p: { chips: ChipData[]; show: boolean }) => { shown: number };
  /** Worker → content: show the result (or error) in the overlay. */
  'content:result': (r: ClassifyResult) => { shown: boolean };
}

export type MessageName = keyof ProtocolMap;
export type Payload<N extends MessageName> = Parameters<ProtocolMap[N]>[0];
export type Reply<N extends MessageName> = ReturnType<ProtocolMap[N]>;

/** Wire format. `target` is the prefix of `name`, kept separate so contexts can filter cheaply. */
export interface Envelope<N extends MessageName = MessageName> {
  target: 'offscreen' | 'background' | 'content';
  name: N;
  payload: Payload<N>;
}

export function envelope<N extends MessageName>(name: N, payload: Payload<N>): Envelope<N> {
  const target = name.slice(0, name.indexOf(':')) as Envelope['target'];
  return { target, name, payload };
}

export function isEnvelope(msg: unknown): msg is Envelope {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as Record<string, unknown>;
  return typeof m.name === 'string' && typeof m.target === 'string' && m.name.startsWith(`${m.target}:`);
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Reject after `ms` so no cross-context call can hang a caller forever. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
