/**
 * What the extension may fetch for a page, decided before any request: a page
 * is untrusted, and our fetches carry the extension's host permission, so a
 * page must not aim them where it could not go itself, nor make them carry
 * cookies to a site it names.
 *
 * - Address spaces mirror Chrome's Local Network Access: a public page cannot
 *   have us fetch a private (RFC 1918, link-local, CGNAT, ULA, `.local`,
 *   `.internal`) or loopback (`localhost`, 127/8, ::1) target; a private page
 *   cannot reach loopback; pages on such addresses keep their own.
 * - Cookies go only to the page's own origin, and only when no redirect is
 *   involved (a browser cannot see a redirect's target before following it,
 *   so a redirected image is fetched again without credentials).
 *
 * Host names are judged as written: a public name that resolves to a private
 * address (DNS rebinding) is not caught here. Pure; unit-tested.
 */
import { imageHeader } from './image-size';

export type AddressSpace = 'public' | 'private' | 'loopback';

/** Names that resolve only inside a local network (RFC 6762, 8375, ICANN's .internal, and common intranet habits). */
const PRIVATE_SUFFIXES = ['local', 'internal', 'lan', 'home.arpa', 'intranet', 'corp', 'home'];

const RANK: Record<AddressSpace, number> = { public: 0, private: 1, loopback: 2 };

function ipv4(host: string): number[] | undefined {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  const n = parts.map(Number);
  return n.every((x) => x <= 255) ? n : undefined;
}

function v4Space([a = 0, b = 0]: number[]): AddressSpace {
  if (a === 127 || a === 0) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127)) return 'private';
  return 'public';
}

/** The address space of a URL's hostname (IPv6 in brackets, as URL.hostname gives it). */
export function addressSpace(hostname: string): AddressSpace {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.localdomain') return 'loopback';
  if (PRIVATE_SUFFIXES.some((s) => host === s || host.endsWith(`.${s}`))) return 'private';
  // A single-label name (http://router/, http://nas/) resolves on the local network only.
  if (!host.includes('.') && !host.includes(':') && !host.startsWith('[')) return 'private';
  const v4 = ipv4(host);
  if (v4) return v4Space(v4);
  if (host.startsWith('[') && host.endsWith(']')) {
    const v6 = host.slice(1, -1);
    if (v6 === '::1' || v6 === '::') return 'loopback';
    const mapped = v6.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
    if (mapped) return addressSpace(mapped[1] ?? '');
    const hex = v6.match(/^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/);
    if (hex) {
      const [hi, lo] = [Number.parseInt(hex[1] ?? '0', 16), Number.parseInt(hex[2] ?? '0', 16)];
      return v4Space([hi >> 8, hi & 255, lo >> 8, lo & 255]);
    }
    if (/^f[cd]/.test(v6) || /^fe[89abcdef]/.test(v6)) return 'private'; // ULA, link-local, deprecated site-local
    const nat64 = v6.match(/^64:ff9b::(\d+\.\d+\.\d+\.\d+)$/);
    if (nat64) return addressSpace(nat64[1] ?? '');
  }
  return 'public';
}

export type FetchPlan =
  | { ok: true; credentials: 'include' | 'omit' }
  | { ok: false; reason: string };

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * May a page at `pageUrl` have us fetch `url`, and with which credentials?
 * No page (our own tools and tests) is trusted; data: and blob: never reach
 * the network.
 */
export function planImageFetch(url: string, pageUrl: string | undefined): FetchPlan {
  const target = parse(url);
  if (!target) return { ok: false, reason: 'the image URL is not a valid URL' };
  if (target.protocol === 'data:' || target.protocol === 'blob:') return { ok: true, credentials: 'omit' };
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return { ok: false, reason: `unsupported image URL scheme: ${target.protocol}` };
  if (pageUrl === undefined) return { ok: true, credentials: 'omit' };
  const page = parse(pageUrl);
  const pageSpace = page && (page.protocol === 'http:' || page.protocol === 'https:') ? addressSpace(page.hostname) : 'public';
  const space = addressSpace(target.hostname);
  if (RANK[space] > RANK[pageSpace]) {
    return { ok: false, reason: `refused: a ${pageSpace} page cannot have the extension fetch a ${space} address (${target.host}); open the image from a page on that network` };
  }
  return { ok: true, credentials: page && page.origin === target.origin ? 'include' : 'omit' };
}

/** Where a redirected fetch ended up, judged like its first URL (the body is dropped when refused). */
export function checkFinalUrl(finalUrl: string, pageUrl: string | undefined): string | undefined {
  const plan = planImageFetch(finalUrl, pageUrl);
  return plan.ok ? undefined : plan.reason.replace(/^refused: /, 'refused: the image redirected to a private place — ');
}

/** An image by its declared type or by its first bytes (SVG included); HTML or JSON under an image URL is not. */
export function looksLikeImage(contentType: string, first: Uint8Array): boolean {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type.startsWith('image/')) return true;
  // The formats whose headers core/image-size reads, plus ISO-BMFF (AVIF) and SVG text.
  const b = first;
  const magic = imageHeader(first) !== undefined || (b[4] === 0x66 && b[5] === 0x74 && b[6] === 0x79 && b[7] === 0x70);
  if (magic) return true;
  const text = new TextDecoder().decode(first.subarray(0, 512)).trimStart().toLowerCase();
  return text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'));
}
