import { describe, expect, it } from 'vitest';
import { newRecord, siteOf, storedUrl } from '../../src/core/record';

describe('records', () => {
  it('keeps short URLs as they are and shortens long data: URLs with a hash of the whole URL', () => {
    expect(storedUrl('https://a.test/x.png')).toBe('https://a.test/x.png');
    const common = `data:image/jpeg;base64,${'A'.repeat(600)}`;
    const a = storedUrl(`${common}B`);
    const b = storedUrl(`${common}C`);
    expect(a).toHaveLength(512);
    expect(a.startsWith('data:image/jpeg;base64,AAAA')).toBe(true);
    expect(a).not.toBe(b); // two images whose files start alike stay two entries
    expect(storedUrl(`${common}B`)).toBe(a);
  });

  it('derives the site and starts with no result', () => {
    const r = newRecord({ requestId: 'r', image: { srcUrl: 'https://cdn.test/i.png', pageUrl: 'https://www.example.org/p' }, modelId: 'm', backend: 'wasm', source: 'page' }, 2);
    expect([r.site, r.source, r.threads, r.top5.length, r.timings.total]).toEqual(['www.example.org', 'page', 2, 0, 0]);
    expect(siteOf('not a url')).toBe('');
  });
});
