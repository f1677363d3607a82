/**
 * Runtime shapes of the payloads that start work. Even messages from our own
 * contexts are checked: a malformed one gets a clear error instead of a
 * TypeError deep inside the pipeline.
 */
import * as v from 'valibot';
import type { ClassifyRequest, TagImage, TagJobRequest, TensorRequest } from './messages';

const backend = v.picklist(['wasm', 'webgpu']);
const threads = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(16));

export const ClassifyRequestSchema = v.object({
  requestId: v.pipe(v.string(), v.minLength(1), v.maxLength(100)),
  image: v.object({
    srcUrl: v.pipe(v.string(), v.minLength(1)),
    pageUrl: v.string(),
    dataUrl: v.optional(v.string()),
    readError: v.optional(v.string()),
  }),
  modelId: v.string(),
  backend,
  threads,
  replyTo: v.optional(v.object({ tabId: v.number(), frameId: v.number() })),
  cloud: v.optional(v.object({
    base: v.pipe(v.string(), v.url()),
    origin: v.string(),
    modelMap: v.record(v.string(), v.string()),
    token: v.optional(v.string()),
    timeoutMs: v.pipe(v.number(), v.minValue(100), v.maxValue(120_000)),
  })),
});

export const TensorRequestSchema = v.object({
  modelId: v.string(),
  backend,
  threads,
  dims: v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(1))), v.length(4)),
  data: v.string(),
});

const TagImageSchema = v.object({
  srcUrl: v.pipe(v.string(), v.minLength(1), v.maxLength(64 * 1024 * 1024)),
  dataUrl: v.optional(v.string()),
  readError: v.optional(v.string()),
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
});

/** From a content script (untrusted): a bounded list of image URLs. */
export const AutoTagSchema = v.object({
  images: v.pipe(v.array(v.object({ srcUrl: v.pipe(v.string(), v.regex(/^(https?:|data:image\/)/), v.maxLength(8 * 1024 * 1024)) })), v.maxLength(200)),
});

function check<T>(schema: v.GenericSchema<unknown, T>, what: string, payload: unknown): T {
  const r = v.safeParse(schema, payload);
  if (r.success) return r.output;
  const issue = r.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  throw new Error(`malformed ${what}: ${path ? `${path}: ` : ''}${issue.message}`);
}

export const parseClassifyRequest = (p: unknown): ClassifyRequest => check(ClassifyRequestSchema, 'classify request', p);
export const parseTensorRequest = (p: unknown): TensorRequest => check(TensorRequestSchema, 'tensor request', p);
export const parseTagJob = (p: unknown): TagJobRequest => check(TagJobSchema, 'tag job', p);
export const parseAutoTag = (p: unknown): { images: TagImage[] } => check(AutoTagSchema, 'auto-tag request', p);
