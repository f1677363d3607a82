/**
 * The offscreen document never renders, so it has no idle periods: an API
 * that runs its work in idle time waits for Chrome's fallback timer instead
 * (OffscreenCanvas.convertToBlob cost ~1 s per call, requestIdleCallback fires
 * only at its timeout; ../shared/docs/PLATFORM.md). This test walks every
 * module the offscreen entry imports and fails on any such call.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const IDLE_APIS = /\b(convertToBlob|requestIdleCallback|toBlob)\s*\(/;

/** The entry and every module it reaches through relative imports (static and dynamic). */
function moduleGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const spec = m[1] ?? '';
      visit(resolve(dirname(file), spec.endsWith('.ts') ? spec : `${spec}.ts`));
    }
  };
  visit(entry);
  return [...seen];
}

/** Code without comments: the docs may name the APIs they avoid. */
const code = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');

describe('offscreen document: nothing waits for idle time', () => {
  const files = moduleGraph(resolve(ROOT, 'src/offscreen/index.ts'));

  it('reaches the whole pipeline', () => {
    const names = files.map((f) => f.slice(ROOT.length + 1));
    for (const f of ['src/offscreen/pipeline.ts', 'src/offscreen/image-decode.ts', 'src/offscreen/thumbnail.ts', 'src/core/run-batch.ts', 'src/lib/ort-runtime.ts']) {
      expect(names).toContain(f);
    }
  });

  it('calls no idle-time API in any module it loads', () => {
    const offenders = files.filter((f) => IDLE_APIS.test(code(readFileSync(f, 'utf8')))).map((f) => f.slice(ROOT.length + 1));
    expect(offenders).toEqual([]);
  });

  it('would catch one', () => {
    expect(IDLE_APIS.test(code('const b = await canvas.convertToBlob({ type: "image/jpeg" });'))).toBe(true);
    expect(IDLE_APIS.test(code('requestIdleCallback(() => save())'))).toBe(true);
    expect(IDLE_APIS.test(code('// convertToBlob( is slow here\nconst x = 1;'))).toBe(false);
  });
});
