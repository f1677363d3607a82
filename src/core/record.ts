/**
 * One stored inference: what was classified, with which model/backend, the
 * result (or the error) and where the time went. Written by the offscreen
 * document, stored by `src/lib/db.ts`, read by the popup.
 */
export type Backend = 'wasm' | 'webgpu';

export interface Prediction {
  /** Index into the model's label set. */
  index: number;
  label: string;
  /** Softmax probability, 0..1. */
  prob: number;
}

/**
 * Milliseconds spent in each step of one request (performance.now deltas).
 * For a click, the phases from `dispatch` to `postprocess` add up to about
 * `total`: the wait the user had from the click to the label.
 */
export interface Timings {
  /** Click → the offscreen document starts the request (worker, pending overlay, document creation, messaging). */
  dispatch?: number;
  /** Getting the image bytes (network, cache, or the page's canvas). */
  fetch: number;
  /** createImageBitmap + draw + area-average down to the model's input size. */
  decodeResize: number;
  /** Normalisation and tensor layout. */
  preprocess: number;
  /** Waiting for the model's session: ORT and model loading on a cold start, ~0 when warm. */
  session?: number;
  /** `session.run` alone. */
  inference: number;
  /** Softmax, top-k. */
  postprocess: number;
  /**
   * Whole request: for a click, from the click to the result handed back for
   * the overlay (dispatch, queue waits and session creation included); for a
   * tagged image, from its job's start of loading it to its result.
   */
  total: number;
  /** Time spent waiting in the queue behind other requests. */
  queue: number;
  /** After the result was delivered: the thumbnail encode (not part of `total`). */
  thumbnail?: number;
}

/** The same image through the optional cloud endpoint (KServe v2), next to the local result. */
export interface CloudResult {
  /** Endpoint origin (never the token). */
  endpoint: string;
  /** Model name on the server. */
  model: string;
  /** fetch() start to decoded response, ms, of the attempt that answered. */
  roundTripMs: number;
  /** Server's own compute time (response parameters or Server-Timing), when it reports one. */
  computeMs?: number;
  /** roundTripMs - computeMs: network, queueing and (de)serialisation. */
  overheadMs?: number;
  requestBytes: number;
  responseBytes: number;
  /** 1 unless a network error or 5xx was retried. */
  attempts: number;
  top5: Prediction[];
  error?: string;
}

/** What started a classification: a right-click, "Tag this page", or auto-tagging of an allowed site. */
export type RecordSource = 'click' | 'page' | 'auto';

export interface InferenceRecord {
  /** Auto-increment key assigned by IndexedDB. */
  id?: number;
  source?: RecordSource;
  /** Host name of the page (library filter; '' for pages without one). */
  site?: string;
  /** Unique request id (crypto.randomUUID) so retries never duplicate a record. */
  requestId: string;
  /** Epoch ms when the request was received. */
  time: number;
  pageUrl: string;
  /** The image URL as the page shows it (data: URLs are truncated for storage). */
  imageUrl: string;
  modelId: string;
  /** Backend actually used (after any fallback). */
  backend: Backend;
  /** Backend the user asked for, when it differs (e.g. webgpu without an adapter). */
  requestedBackend?: Backend;
  /** Why the requested backend was not used. */
  fallbackReason?: string;
  threads: number;
  batchSize: number;
  /** Calibrated (softmax of logits / the model's temperature): what the overlay, chips, library and exports show. */
  top5: Prediction[];
  /** The top-5 as the model's raw logits give it, when a calibration applied (for studies; never shown). */
  rawTop5?: Prediction[];
  timings: Timings;
  /** The session had to be created for this request (or for the batch it ran in): not a warm figure. */
  coldStart: boolean;
  /** Session-creation time in ms, on the one record of a cold request or batch that carries it. */
  sessionCreateMs?: number;
  /** Small JPEG data URL of the 32x32 model input... or a thumbnail, for the popup list. */
  thumbnail?: string;
  /** Set when the request failed; top5 is then empty. */
  error?: string;
  /** Which step failed: fetch, decode, model, inference... */
  errorStage?: string;
  /** Present when the cloud comparison was on for this request. */
  cloud?: CloudResult;
  /**
   * What the user says the image shows (Wrong label? / Right): the ground truth
   * of their personal accuracy. Absent until they check it; removed by Undo.
   */
  userLabel?: UserLabel;
}

export interface UserLabel {
  /** Index into the model's label set (the 100 CIFAR-100 classes). */
  index: number;
  label: string;
  /** Epoch ms of the choice. */
  at: number;
}

/** What every new record starts from (a ClassifyRequest has these fields). */
export interface RecordSeed {
  requestId: string;
  image: { srcUrl: string; pageUrl: string };
  modelId: string;
  backend: Backend;
  source?: RecordSource;
}

export function siteOf(pageUrl: string): string {
  try {
    return new URL(pageUrl).hostname;
  } catch {
    return '';
  }
}

const MAX_URL = 512;

/** FNV-1a, 2 x 32 bits: cheap, synchronous, and plenty to tell two images apart (not a security hash). */
function fnv64(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 ^ 0x5bd1e995) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/**
 * data: URLs can be megabytes; the history keeps a recognisable prefix plus a
 * hash of the whole URL, so two images whose files start alike (same encoder,
 * same size) stay two entries.
 */
export function storedUrl(url: string): string {
  if (url.length <= MAX_URL) return url;
  const tag = `...#${fnv64(url)}`;
  return url.slice(0, MAX_URL - tag.length) + tag;
}

/** A record before anything ran: no result yet, zero timings. */
export function newRecord(seed: RecordSeed, threads: number, now = Date.now()): InferenceRecord {
  return {
    requestId: seed.requestId, time: now, source: seed.source ?? 'click', site: siteOf(seed.image.pageUrl),
    pageUrl: seed.image.pageUrl, imageUrl: storedUrl(seed.image.srcUrl),
    modelId: seed.modelId, backend: seed.backend, threads, batchSize: 1, top5: [],
    timings: { fetch: 0, decodeResize: 0, preprocess: 0, inference: 0, postprocess: 0, total: 0, queue: 0 },
    coldStart: false,
  };
}
