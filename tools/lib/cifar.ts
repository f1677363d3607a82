/**
 * Node reader for the official CIFAR-100 binary test/train files (read in
 * place, never copied): 1 coarse byte, 1 fine byte, 3072 planar RGB bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { normalize } from '../../src/core/normalize';

export const RECORD = 3074;
export const REPO = resolve(import.meta.dirname, '../..');

export function cifarDir(): string {
  return process.env.CIFAR100_DIR ?? resolve(REPO, '../shared/data/cifar-100');
}

export function hasCifar(split: 'train' | 'test' = 'test'): boolean {
  return existsSync(resolve(cifarDir(), `${split}.bin`));
}

export interface CifarSet {
  count: number;
  fine: Uint8Array;
  /** Raw 3x32x32 planes of image i. */
  pixels(i: number): Uint8Array;
}

export function readCifar(split: 'train' | 'test', limit?: number): CifarSet {
  const path = resolve(cifarDir(), `${split}.bin`);
  if (!existsSync(path)) throw new Error(`${path} not found: set CIFAR100_DIR or run \`npm run data\``);
  const buf = readFileSync(path);
  if (buf.length % RECORD !== 0) throw new Error(`${path}: ${buf.length} bytes is not a whole number of records`);
  const count = Math.min(buf.length / RECORD, limit ?? Number.POSITIVE_INFINITY);
  const fine = new Uint8Array(count);
  for (let i = 0; i < count; i++) fine[i] = buf[i * RECORD + 1] ?? 0;
  return { count, fine, pixels: (i) => buf.subarray(i * RECORD + 2, (i + 1) * RECORD) };
}

/** Normalised N x 3 x 32 x 32 batch of images [start, start+n). */
export function batchTensor(set: CifarSet, start: number, n: number, mean: readonly number[], std: readonly number[]): Float32Array {
  const out = new Float32Array(n * 3072);
  for (let j = 0; j < n; j++) out.set(normalize(Float32Array.from(set.pixels(start + j)), mean, std), j * 3072);
  return out;
}

/** Count top-1 / top-5 hits for a batch of logits. */
export function scoreBatch(logits: Float32Array, classes: number, labels: Uint8Array, start: number): { top1: number; top5: number; argmax: number[] } {
  let top1 = 0, top5 = 0;
  const argmax: number[] = [];
  const n = logits.length / classes;
  for (let j = 0; j < n; j++) {
    const row = logits.subarray(j * classes, (j + 1) * classes);
    const y = labels[start + j] ?? -1;
    const target = row[y] ?? Number.NEGATIVE_INFINITY;
    // rank = how many classes score strictly higher than the true one (ties favour the lower index, as topK does)
    let rank = 0;
    let best = 0;
    for (let c = 0; c < classes; c++) {
      const v = row[c] ?? Number.NEGATIVE_INFINITY;
      if (v > target || (v === target && c < y)) rank++;
      if (v > (row[best] ?? Number.NEGATIVE_INFINITY)) best = c;
    }
    argmax.push(best);
    if (rank === 0) top1++;
    if (rank < 5) top5++;
  }
  return { top1, top5, argmax };
}
