import { describe, expect, it } from 'vitest';
import { addressSpace, checkFinalUrl, looksLikeImage, planImageFetch } from '../../src/core/fetch-policy';
import { encodeJpeg, encodePng, uniform } from '../../tools/lib/images';

describe('addressSpace', () => {
  it('knows loopback, private, link-local, CGNAT, ULA, .local and .internal', () => {
    for (const h of ['localhost', 'app.localhost', '127.0.0.1', '127.9.9.9', '0.0.0.0', '[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]']) expect(addressSpace(h), h).toBe('loopback');
    for (const h of ['10.0.0.5', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', 'printer.local', 'wiki.corp.internal', '[fd00::1]', '[fe80::1]', '[fec0::1]', '[::ffff:10.1.2.3]', '[64:ff9b::192.168.0.1]', 'router', 'nas', 'box.lan', 'printer.home.arpa']) expect(addressSpace(h), h).toBe('private');
    for (const h of ['example.com', '8.8.8.8', '172.32.0.1', '192.169.0.1', '[2001:db8::1]', 'local.example.com', '1.2.3']) expect(addressSpace(h), h).toBe('public');
  });
});

describe('planImageFetch', () => {
  it('refuses a public page naming a loopback or private address, with the reason', () => {
    const p = planImageFetch('http://127.0.0.1:8080/secret.png', 'https://news.example/article');
    expect(p).toEqual({ ok: false, reason: expect.stringMatching(/a public page cannot have the extension fetch a loopback address \(127\.0\.0\.1:8080\)/) });
    expect(planImageFetch('http://192.168.0.10/cam.jpg', 'https://news.example/').ok).toBe(false);
    expect(planImageFetch('http://router.local/logo.png', 'https://news.example/').ok).toBe(false);
  });

  it('lets pages on private networks keep their own images, as Local Network Access does', () => {
    expect(planImageFetch('http://192.168.0.10/cam.jpg', 'http://192.168.0.1/')).toEqual({ ok: true, credentials: 'omit' });
    expect(planImageFetch('http://127.0.0.1:9/a.png', 'http://127.0.0.1:8/page')).toEqual({ ok: true, credentials: 'omit' });
    expect(planImageFetch('http://127.0.0.1:9/a.png', 'http://wiki.internal/').ok).toBe(false); // private → loopback is refused too
  });

  it('sends cookies only to the page’s own origin', () => {
    expect(planImageFetch('https://site.example/me.jpg', 'https://site.example/account')).toEqual({ ok: true, credentials: 'include' });
    expect(planImageFetch('https://cdn.example/me.jpg', 'https://site.example/account')).toEqual({ ok: true, credentials: 'omit' });
    expect(planImageFetch('http://site.example/me.jpg', 'https://site.example/account')).toEqual({ ok: true, credentials: 'omit' });
  });

  it('never touches the network for data: and blob:, and refuses other schemes', () => {
    expect(planImageFetch('data:image/png;base64,AAAA', 'https://a.example/')).toEqual({ ok: true, credentials: 'omit' });
    expect(planImageFetch('file:///etc/passwd', 'https://a.example/')).toEqual({ ok: false, reason: 'unsupported image URL scheme: file:' });
    expect(planImageFetch('not a url', 'https://a.example/').ok).toBe(false);
  });

  it('judges where a redirect ended up like a first URL', () => {
    expect(checkFinalUrl('http://10.0.0.1/x.png', 'https://a.example/')).toMatch(/redirected to a private place.*private address \(10\.0\.0\.1\)/);
    expect(checkFinalUrl('https://cdn.example/x.png', 'https://a.example/')).toBeUndefined();
  });
});

describe('looksLikeImage', () => {
  it('takes an image type or image magic bytes, and refuses HTML or JSON under a non-image type', () => {
    const png = encodePng(2, 2, uniform(2, 2, [1, 2, 3]));
    const jpg = encodeJpeg(8, 8, uniform(8, 8, [1, 2, 3]));
    expect(looksLikeImage('image/png', new Uint8Array(4))).toBe(true);
    expect(looksLikeImage('application/octet-stream', png)).toBe(true);
    expect(looksLikeImage('', jpg)).toBe(true);
    expect(looksLikeImage('text/plain', new TextEncoder().encode(' <svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe(true);
    expect(looksLikeImage('text/html', new TextEncoder().encode('<!doctype html><p>login'))).toBe(false);
    expect(looksLikeImage('application/json', new TextEncoder().encode('{"error":1}'))).toBe(false);
  });
});
