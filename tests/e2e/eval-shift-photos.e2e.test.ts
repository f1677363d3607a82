/**
 * `npm run eval:shift -- --photos DIR --json` on a folder laid out as the README says (one subfolder per
 * CIFAR-100 label): the photos go through the built extension's decoder and default model, and one JSON line
 * reports what the extension shows on them.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeJpeg, encodePng, synthetic } from '../../tools/lib/images';

const dir = mkdtempSync(join(tmpdir(), 'pit-shift-photos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eval:shift --photos', () => {
  it('prints one JSON line with the default model as shown, over every photo of the labelled folders', async () => {
    mkdirSync(join(dir, 'apple'));
    mkdirSync(join(dir, 'Maple Tree'));
    mkdirSync(join(dir, 'not-a-label'));
    writeFileSync(join(dir, 'apple', 'a.jpg'), encodeJpeg(640, 480, synthetic(640, 480, 11)));
    writeFileSync(join(dir, 'apple', 'b.png'), encodePng(300, 300, synthetic(300, 300, 12)));
    writeFileSync(join(dir, 'Maple Tree', 'c.jpg'), encodeJpeg(500, 375, synthetic(500, 375, 13)));
    writeFileSync(join(dir, 'Maple Tree', 'broken.jpg'), 'not a jpeg');
    writeFileSync(join(dir, 'not-a-label', 'd.jpg'), encodeJpeg(64, 64, synthetic(64, 64, 14)));
    const repo = resolve(import.meta.dirname, '../..');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [resolve(repo, 'node_modules/tsx/dist/cli.mjs'), 'tools/eval-shift.ts', '--photos', dir, '--json'], { cwd: repo, timeout: 150_000 });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const r = JSON.parse(lines[0] as string) as Record<string, number | string>;
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['top1', 'top5', 'ece', 'sureRight', 'sureCoverage']));
    expect(r.images).toBe(3); // the corrupt file is reported, not counted; the unknown folder is skipped
    for (const k of ['top1', 'top5', 'ece', 'sureCoverage']) expect(r[k] as number).toBeGreaterThanOrEqual(0);
    expect(r.top5 as number).toBeGreaterThanOrEqual(r.top1 as number);
    expect(stderr).toMatch(/skipped folders that are not CIFAR-100 labels: not-a-label/);
    expect(stderr).toMatch(/could not decode 1: .*broken\.jpg/);
  }, 180_000);
});
