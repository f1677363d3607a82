import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { crx } from '@crxjs/vite-plugin';
import { defineConfig, type Plugin } from 'vite';
import manifest from './manifest.json' with { type: 'json' };

const ROOT = fileURLToPath(new URL('.', import.meta.url));

/**
 * Ship `models/catalog.json` and exactly the ONNX files it lists (not the
 * random-weight zoo or anything else lying in models/) as `dist/models/*`.
 */
function shipModels(): Plugin {
  return {
    name: 'pit-ship-models',
    generateBundle() {
      const catalogPath = resolve(ROOT, 'models/catalog.json');
      const catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as { models: { file: string }[] };
      this.emitFile({ type: 'asset', fileName: 'models/catalog.json', source: readFileSync(catalogPath) });
      for (const m of catalog.models) {
        this.emitFile({ type: 'asset', fileName: `models/${m.file}`, source: readFileSync(resolve(ROOT, 'models', m.file)) });
      }
    },
  };
}

/**
 * TensorFlow.js's threaded WebAssembly build starts its pthread workers from
 * blob: URLs (the worker script and, inside each worker, importScripts of the
 * main script). An extension page's CSP (script-src 'self', the only form MV3
 * allows) refuses both, and the workers die. Ship the two scripts as extension
 * files instead and point the backend at them: the same code, from 'self'.
 */
export const TFJS_THREADED_FILES = { worker: 'tfjs/threaded-simd-worker.js', main: 'tfjs/threaded-simd-main.js' };
export function patchTfjsThreads(code: string): string {
  const worker = /const blob = new Blob\(\[response\], \{ type: 'application\/javascript' \}\);\s*return URL\.createObjectURL\(blob\);/;
  const main = /factoryConfig\.mainScriptUrlOrBlob = new Blob\(\[`var WasmBackendModuleThreadedSimd = ` \+\s*wasmFactoryThreadedSimd\.toString\(\)\], \{ type: 'text\/javascript' \}\);/;
  if (!worker.test(code) || !main.test(code)) throw new Error('tfjs-backend-wasm changed: the threaded build\'s blob: workers were not found to patch (see vite.config.ts)');
  return code
    .replace(worker, `return new URL('/${TFJS_THREADED_FILES.worker}', self.location.href).href;`)
    .replace(main, `factoryConfig.mainScriptUrlOrBlob = new URL('/${TFJS_THREADED_FILES.main}', self.location.href).href;`);
}

function tfjsThreadsUnderCsp(): Plugin {
  const require = createRequire(import.meta.url);
  return {
    name: 'pit-tfjs-threads',
    transform(code, id) {
      if (!/tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/.test(id)) return null;
      return { code: patchTfjsThreads(code), map: null };
    },
    generateBundle() {
      const out = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd';
      const { wasmWorkerContents } = require(`${out}.worker.js`) as { wasmWorkerContents: string };
      // As the backend does before making its Blob: the template literal turned the script's "\n" escapes into newlines.
      this.emitFile({ type: 'asset', fileName: TFJS_THREADED_FILES.worker, source: wasmWorkerContents.replace(/\n/g, '\\n') });
      this.emitFile({ type: 'asset', fileName: TFJS_THREADED_FILES.main, source: readFileSync(require.resolve(`${out}.js`)) });
    },
  };
}

/**
 * `src/locales/<lang>/*.json` (one file per part of the UI, Chrome's messages
 * format) merged into `_locales/<lang>/messages.json`; a key defined twice fails the build.
 */
export function mergeLocales(dir = resolve(ROOT, 'src/locales')): Record<string, Record<string, { message: string }>> {
  const out: Record<string, Record<string, { message: string }>> = {};
  for (const lang of readdirSync(dir)) {
    const merged: Record<string, { message: string }> = {};
    for (const file of readdirSync(resolve(dir, lang)).filter((f) => f.endsWith('.json')).sort()) {
      const part = JSON.parse(readFileSync(resolve(dir, lang, file), 'utf8')) as Record<string, { message: string }>;
      for (const [k, v] of Object.entries(part)) {
        if (k in merged) throw new Error(`src/locales/${lang}/${file}: key ${k} is defined twice`);
        merged[k] = v;
      }
    }
    out[lang] = merged;
  }
  return out;
}

function shipLocales(): Plugin {
  return {
    name: 'pit-ship-locales',
    generateBundle() {
      for (const [lang, messages] of Object.entries(mergeLocales())) {
        this.emitFile({ type: 'asset', fileName: `_locales/${lang}/messages.json`, source: JSON.stringify(messages, null, 1) });
      }
    },
  };
}

export default defineConfig({
  plugins: [crx({ manifest }), shipModels(), shipLocales(), tfjsThreadsUnderCsp()],
  publicDir: 'public',
  // Page tagging's inference workers (src/offscreen/infer-worker.ts) import ORT dynamically: ES-module workers split chunks.
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'chrome116',
    // Ship readable code: extension reviewers (and users) can audit what runs.
    minify: false,
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      // The offscreen document is opened by chrome.offscreen.createDocument, not by
      // the manifest, so crxjs cannot discover it; the same holds for the bench page later.
      input: {
        offscreen: resolve(ROOT, 'src/offscreen/offscreen.html'),
        bench: resolve(ROOT, 'src/bench/bench.html'),
        library: resolve(ROOT, 'src/library/library.html'),
        labelFrame: resolve(ROOT, 'src/content/label-frame.html'),
      },
    },
  },
});
