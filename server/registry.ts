/**
 * The models a server serves: every entry of the catalog, each file checked
 * against its sha256 before its onnxruntime-node session is created (in a
 * worker thread, see ort-worker.mjs), each with its own batcher. Metadata is known at once; inference waits for load().
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Catalog, type ModelEntry, parseCatalog } from '../src/core/catalog';
import { ProtocolError } from '../src/core/kserve/protocol-error';
import { verifySha256 } from '../src/core/sha256';
import { Batcher } from './batcher';
import type { ServerOptions } from './options';
import { SessionWorker } from './session-worker';

/** The catalog has no model versions; each model is served as version "1", as in the exported Triton repository. */
export const MODEL_VERSION = '1';

export interface ServedModel {
  entry: ModelEntry;
  /** Set once the session exists. */
  batcher?: Batcher;
  /** Largest batch one request may carry: maxBatch, or the model's fixed batch size. */
  maxBatch: number;
}

type RegistryOptions = Pick<ServerOptions, 'maxBatch' | 'maxDelayMs' | 'maxQueue' | 'threads'>;

export class ModelRegistry {
  private readonly models = new Map<string, ServedModel>();
  private workers: SessionWorker[] = [];
  private loaded = false;

  constructor(
    readonly catalog: Catalog,
    private readonly modelsDir: string,
    private readonly options: RegistryOptions,
  ) {
    for (const entry of catalog.models) {
      const fixed = entry.input.shape[0];
      this.models.set(entry.id, { entry, maxBatch: fixed === -1 ? options.maxBatch : fixed });
    }
  }

  static async fromFile(catalogPath: string, options: RegistryOptions): Promise<ModelRegistry> {
    const catalog = parseCatalog(JSON.parse(await readFile(catalogPath, 'utf8')));
    return new ModelRegistry(catalog, dirname(catalogPath), options);
  }

  get ready(): boolean {
    return this.loaded;
  }

  /** The model with this id and version, or a 404 naming the known ones. */
  find(name: string, version?: string): ServedModel {
    const model = this.models.get(name);
    if (model === undefined) throw new ProtocolError(`unknown model "${name}" (known: ${[...this.models.keys()].join(', ') || 'none'})`, 404);
    if (version !== undefined && version !== MODEL_VERSION) throw new ProtocolError(`model "${name}" has no version "${version}" (known: ${MODEL_VERSION})`, 404);
    return model;
  }

  /** Verifies and loads every model; throws (and stays not ready) if any file is missing or corrupt. */
  async load(): Promise<void> {
    for (const model of this.models.values()) {
      const { entry } = model;
      const bytes = await readFile(resolve(this.modelsDir, entry.file));
      await verifySha256(bytes, entry.sha256, `model "${entry.id}" (${entry.file})`);
      const worker = await SessionWorker.start(bytes, { threads: this.options.threads, inputName: entry.input.name, outputName: entry.output.name });
      this.workers.push(worker);
      const [, channels, height, width] = entry.input.shape;
      const inputRow = channels * height * width;
      const run = (input: Float32Array, count: number) => worker.run(input, [count, channels, height, width]);
      const { maxDelayMs, maxQueue } = this.options;
      model.batcher = new Batcher(run, { inputRow, outputRow: entry.output.shape[1], maxBatch: model.maxBatch, maxDelayMs, maxQueue });
    }
    this.loaded = true;
  }

  async close(): Promise<void> {
    this.loaded = false;
    await Promise.all(this.workers.map((w) => w.close()));
    this.workers = [];
  }
}
