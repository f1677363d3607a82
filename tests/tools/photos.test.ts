import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listPhotos, mimeOf } from '../../tools/lib/photos';

const labels = ['apple', 'maple_tree', 'tiger'];
const dir = mkdtempSync(join(tmpdir(), 'pit-photos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('listPhotos (eval:shift --photos DIR)', () => {
  it('labels images by their folder, however the label is spelled, and skips what is not a label or an image', () => {
    for (const [folder, files] of [['Maple Tree', ['a.JPG', 'b.png', 'notes.txt']], ['tiger', ['t.webp']], ['dog', ['d.jpg']]] as const) {
      mkdirSync(join(dir, folder));
      for (const f of files) writeFileSync(join(dir, folder, f), 'x');
    }
    writeFileSync(join(dir, 'loose.jpg'), 'x');
    const skipped: string[] = [];
    const got = listPhotos(dir, labels, (s) => skipped.push(s));
    expect(got.map((p) => [p.path.slice(dir.length + 1), p.label])).toEqual([[join('Maple Tree', 'a.JPG'), 1], [join('Maple Tree', 'b.png'), 1], [join('tiger', 't.webp'), 2]]);
    expect(skipped).toEqual(['skipped folders that are not CIFAR-100 labels: dog']);
    expect(mimeOf('x/a.JPG')).toBe('image/jpeg');
  });

  it('a folder with no labelled images says how to lay it out', () => {
    const empty = mkdtempSync(join(tmpdir(), 'pit-photos-empty-'));
    try {
      expect(() => listPhotos(empty, labels)).toThrow(/no images found in folders named by CIFAR-100 labels \(e\.g\. .*tiger/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
