/**
 * The message contract: every name in ProtocolMap is handled by exactly one
 * context's `listen(...)` call (the Handlers mapped type makes each handler map
 * exhaustive at compile time; this test checks there is one map per target and
 * no handler for a name outside the contract).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envelope, isEnvelope, withTimeout } from '../../src/lib/messages';
import { autoTagOfferable, parseAutoTag } from '../../src/lib/message-schemas';

const SRC = resolve(import.meta.dirname, '../../src');
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
  const p = join(dir, f);
  return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
});
const sources = files(SRC).map((p) => ({ p, text: readFileSync(p, 'utf8') }));
const contract = readFileSync(join(SRC, 'lib/messages.ts'), 'utf8');
const names = [...contract.matchAll(/^\s+'((?:offscreen|background|content):[a-z-]+)':/gm)].map((m) => m[1]!);

describe('message contract', () => {
  it('declares names in the three namespaces', () => {
    expect(names.length).toBeGreaterThanOrEqual(8);
    expect(new Set(names).size).toBe(names.length);
  });

  for (const target of ['offscreen', 'background', 'content']) {
    it(`${target}: exactly one context listens, and it handles every ${target}:* name`, () => {
      const listeners = sources.filter((s) => s.text.includes(`listen('${target}'`));
      expect(listeners.map((s) => s.p.replace(SRC, 'src'))).toHaveLength(1);
      const handled = [...listeners[0]!.text.matchAll(new RegExp(`'(${target}:[a-z-]+)':`, 'g'))].map((m) => m[1]);
      expect(new Set(handled)).toEqual(new Set(names.filter((n) => n.startsWith(`${target}:`))));
    });
  }

  it('envelopes carry their target and are recognised; foreign messages are not', () => {
    const e = envelope('offscreen:prepare-close', { wait: false });
    expect(e.target).toBe('offscreen');
    expect(isEnvelope(e)).toBe(true);
    expect(isEnvelope({ target: 'content', name: 'offscreen:ping' })).toBe(false);
    expect(isEnvelope('offscreen:ping')).toBe(false);
    expect(isEnvelope(null)).toBe(false);
  });

  it('withTimeout turns a hang into a clear error', async () => {
    await expect(withTimeout(new Promise(() => undefined), 20, 'offscreen:classify')).rejects.toThrow(/offscreen:classify: no answer/);
    expect(await withTimeout(Promise.resolve(3), 20, 'x')).toBe(3);
  });
});

describe('auto-tag offers', () => {
  it('the content script offers exactly the URLs the worker takes: one it would refuse never sinks the others', () => {
    const big = `data:image/png;base64,${'A'.repeat(8 * 1024 * 1024)}`;
    const urls = ['https://a.test/x.jpg', 'http://a.test/y.png', 'data:image/png;base64,AAAA', big, 'data:text/html,<b>x</b>', 'javascript:alert(1)', 'ftp://a.test/z.png'];
    for (const u of urls) {
      let taken = true;
      try {
        parseAutoTag({ images: [{ srcUrl: u }] });
      } catch {
        taken = false;
      }
      expect(autoTagOfferable(u), u.slice(0, 40)).toBe(taken);
    }
    expect(urls.filter(autoTagOfferable)).toHaveLength(3);
    // The filtered offer passes as a whole.
    expect(parseAutoTag({ images: urls.filter(autoTagOfferable).map((srcUrl) => ({ srcUrl })) }).images).toHaveLength(3);
  });
});
