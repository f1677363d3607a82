/**
 * Runtime shapes of the payloads that start work. Even messages from our own
 * contexts are checked: a malformed one gets a clear error instead of a
 * TypeError deep inside the pipeline.
 */
import * as v from 'valibot';

const backend = v.picklist(['wasm', 'webgpu']);
const threads = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(16));

/** What a content script or the worker knows about the image to classify. */
const ImageRefSchema = v.object({
  /** URL as the page reports it (http(s), data:, blob:). */
  srcUrl: v.pipe(v.string(), v.minLength(1)),
  pageUrl: v.string(),
  /** Image bytes as a data: URL when only the page could read them (blob:). */
  dataUrl: v.optional(v.string()),
  /** Set when the page could not hand over the bytes; the request then fails with this reason. */
  readError: v.optional(v.string()),
});

/** Set only when the user turned the cloud comparison on: where to send the tensor too. */
const CloudRequestSchema = v.object({
  /** Validated base URL (core/cloud-endpoint.ts). */
  base: v.pipe(v.string(), v.url()),
  origin: v.string(),
  /** Local catalog id -> server model name, where they differ. */
  modelMap: v.record(v.string(), v.string()),
  token: v.optional(v.string()),
  timeoutMs: v.pipe(v.number(), v.minValue(100), v.maxValue(120_000)),
});

export const ClassifyRequestSchema = v.object({
  requestId: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
  image: ImageRefSchema,
  modelId: v.string(),
  backend,
  /** 0 = automatic (cores up to 4 when cross-origin isolated). */
  threads,
  /**
   * Epoch ms (performance.timeOrigin + now(), sub-ms) when the user clicked:
   * every phase and the overlay's figure are measured from here.
   */
  clickedAt: v.optional(v.pipe(v.number(), v.finite())),
  /** Where to deliver the result (absent when the caller awaits it, e.g. tests). */
  replyTo: v.optional(v.object({ tabId: v.number(), frameId: v.number() })),
  cloud: v.optional(CloudRequestSchema),
  /** The user's own "unsure" threshold (Settings); absent: the model's. */
  unsureThreshold: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
});

export const TensorRequestSchema = v.object({
  modelId: v.string(),
  backend,
  threads,
  dims: v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(1))), v.length(4)),
  data: v.string(),
});

/** One image of a page-tagging job (data: URL bytes for page-only blob: images). */
const TagImageSchema = v.object({
  srcUrl: v.pipe(v.string(), v.minLength(1), v.maxLength(64 * 1024 * 1024)),
  dataUrl: v.optional(v.string()),
  readError: v.optional(v.string()),
  /**
   * Too big to travel inline with the others: `srcUrl` is then the key the
   * records use (record.storedUrl) and the bytes are asked of the page's
   * content script when the job reaches the image, one at a time.
   */
  deferred: v.optional(v.boolean()),
});

export const TagJobSchema = v.object({
  jobId: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
  tabId: v.number(),
  pageUrl: v.string(),
  images: v.pipe(v.array(TagImageSchema), v.maxLength(5000)),
  modelId: v.string(),
  backend,
  threads,
  source: v.picklist(['page', 'auto']),
  unsureThreshold: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
});

export const PreprocessSchema = v.object({
  srcUrl: v.pipe(v.string(), v.minLength(1), v.maxLength(64 * 1024 * 1024)),
  size: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1024)),
  prefer: v.picklist(['auto', 'bitmap']),
  /** Also return the whole-frame view (a model's `frame` view). */
  frame: v.optional(v.boolean()),
});

export const WarmUpSchema = v.object({ modelId: v.pipe(v.string(), v.maxLength(100)), backend, threads });

/** From a content script (untrusted): a bounded list of image URLs. */
const AUTO_TAG_URL = /^(https?:|data:image\/)/;
const AUTO_TAG_MAX_URL = 8 * 1024 * 1024;

export const AutoTagSchema = v.object({
  images: v.pipe(v.array(v.object({ srcUrl: v.pipe(v.string(), v.regex(AUTO_TAG_URL), v.maxLength(AUTO_TAG_MAX_URL)) })), v.maxLength(200)),
});

/** Whether the worker takes this image URL in an auto-tag offer (the schema above): one it would refuse must not sink a whole offer. */
export const autoTagOfferable = (url: string): boolean => url.length <= AUTO_TAG_MAX_URL && AUTO_TAG_URL.test(url);

function check<T>(schema: v.GenericSchema<unknown, T>, what: string, payload: unknown): T {
  const r = v.safeParse(schema, payload);
  if (r.success) return r.output;
  const issue = r.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  throw new Error(`malformed ${what}: ${path ? `${path}: ` : ''}${issue.message}`);
}

export type ImageRef = v.InferOutput<typeof ImageRefSchema>;
export type CloudRequest = v.InferOutput<typeof CloudRequestSchema>;
export type ClassifyRequest = v.InferOutput<typeof ClassifyRequestSchema>;
/** A raw tensor through the extension's own sessions (fidelity tests, accuracy eval, benchmarks): N x C x H x W, float32 base64. */
export type TensorRequest = v.InferOutput<typeof TensorRequestSchema>;
export type TagImage = v.InferOutput<typeof TagImageSchema>;
export type TagJobRequest = v.InferOutput<typeof TagJobSchema>;

export const parseClassifyRequest = (p: unknown): ClassifyRequest => check(ClassifyRequestSchema, 'classify request', p);
export const parseTensorRequest = (p: unknown): TensorRequest => check(TensorRequestSchema, 'tensor request', p);
export const parseTagJob = (p: unknown): TagJobRequest => check(TagJobSchema, 'tag job', p);
export const parsePreprocess = (p: unknown): v.InferOutput<typeof PreprocessSchema> => check(PreprocessSchema, 'preprocess request', p);
export const parseWarmUp = (p: unknown): v.InferOutput<typeof WarmUpSchema> => check(WarmUpSchema, 'warm-up request', p);
export const parseAutoTag = (p: unknown): { images: TagImage[] } => check(AutoTagSchema, 'auto-tag request', p);
