/**
 * A Triton model repository for the catalog: <dir>/<id>/config.pbtxt,
 * <dir>/<id>/labels.txt and <dir>/<id>/1/model.onnx, so Triton serves the very
 * files (checked against their sha256) that the extension and server/ run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Catalog, labelsOf, type ModelEntry } from '../../src/core/catalog';
import { sha256Hex } from '../../src/core/sha256';

/** Triton's max_batch_size and dynamic-batching delay; the same defaults as `npm run server`. */
export const TRITON_MAX_BATCH = 32;
export const TRITON_QUEUE_DELAY_US = 2000;

const dims = (d: readonly number[]) => `[ ${d.join(', ')} ]`;

/**
 * config.pbtxt text. With a dynamic batch axis (-1) Triton wants dims without
 * it and max_batch_size > 0; a model with a fixed batch gets its full shape,
 * max_batch_size 0 and no dynamic batching (Triton could not merge requests).
 */
export function tritonConfig(model: ModelEntry): string {
  const dynamic = model.input.shape[0] === -1;
  const inDims = dynamic ? model.input.shape.slice(1) : model.input.shape;
  const outDims = dynamic ? model.output.shape.slice(1) : model.output.shape;
  return [
    `name: "${model.id}"`,
    'platform: "onnxruntime_onnx"',
    `max_batch_size: ${dynamic ? TRITON_MAX_BATCH : 0}`,
    'input [',
    `  { name: "${model.input.name}", data_type: TYPE_FP32, dims: ${dims(inDims)} }`,
    ']',
    'output [',
    // label_filename lets clients use Triton's classification extension ("classification": k) as well as raw logits.
    `  { name: "${model.output.name}", data_type: TYPE_FP32, dims: ${dims(outDims)}, label_filename: "labels.txt" }`,
    ']',
    ...(dynamic ? [`dynamic_batching { max_queue_delay_microseconds: ${TRITON_QUEUE_DELAY_US} }`] : []),
    '',
  ].join('\n');
}

/** Writes the repository for every catalog model; throws before writing a model whose file fails its sha256. */
export async function writeTritonRepo(catalog: Catalog, modelsDir: string, outDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const model of catalog.models) {
    const bytes = readFileSync(resolve(modelsDir, model.file));
    const actual = await sha256Hex(bytes);
    if (actual !== model.sha256) throw new Error(`${model.file}: sha256 ${actual} does not match the catalog's ${model.sha256}`);
    const dir = join(outDir, model.id);
    mkdirSync(join(dir, '1'), { recursive: true });
    writeFileSync(join(dir, 'config.pbtxt'), tritonConfig(model));
    writeFileSync(join(dir, 'labels.txt'), `${labelsOf(catalog, model).fine.join('\n')}\n`);
    writeFileSync(join(dir, '1', 'model.onnx'), bytes);
    written.push(dir);
  }
  return written;
}
