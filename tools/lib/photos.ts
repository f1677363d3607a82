/** A folder of the user's own labelled photos for `npm run eval:shift -- --photos DIR`: DIR/<CIFAR-100 label>/<image>. */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif', '.bmp': 'image/bmp', '.avif': 'image/avif',
};

export const mimeOf = (path: string): string => MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';

/**
 * Every image under a folder named by a CIFAR-100 label (English; spaces, "-" or "_", any case:
 * "Maple Tree", "maple-tree" and "maple_tree" are the same), with its label index. Other folders are
 * named in `log` and skipped; no image at all is an error that says how to lay the folder out.
 */
export function listPhotos(dir: string, labels: readonly string[], log: (s: string) => void = () => undefined): { path: string; label: number }[] {
  const norm = (s: string) => s.trim().toLowerCase().replace(/[\s-]+/g, '_');
  const index = new Map(labels.map((l, i) => [norm(l), i]));
  const out: { path: string; label: number }[] = [];
  const unknown: string[] = [];
  for (const sub of readdirSync(dir).sort()) {
    const p = join(dir, sub);
    if (!statSync(p).isDirectory()) continue;
    const label = index.get(norm(sub));
    if (label === undefined) {
      unknown.push(sub);
      continue;
    }
    for (const f of readdirSync(p).sort()) if (MIME[extname(f).toLowerCase()]) out.push({ path: join(p, f), label });
  }
  if (unknown.length) log(`skipped folders that are not CIFAR-100 labels: ${unknown.join(', ')}`);
  if (out.length === 0) throw new Error(`${dir}: no images found in folders named by CIFAR-100 labels (e.g. ${join(dir, 'tiger', 'photo.jpg')})`);
  return out;
}
