/**
 * SHA-256 of model files, checked against the catalog before a session is created.
 * Uses Web Crypto (`globalThis.crypto.subtle`), present in extension pages,
 * workers and Node >= 19, so the same code runs in the browser and in tests.
 */

/** Lowercase hex SHA-256 of `data`. */
export async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) throw new Error('sha256Hex: Web Crypto (crypto.subtle) is not available in this context');
  // digest() only takes ArrayBuffer-backed data (TS types and the spec exclude
  // SharedArrayBuffer), so a shared view is copied; ordinary views pass as is.
  const input: ArrayBuffer | Uint8Array<ArrayBuffer> =
    data instanceof Uint8Array ? (data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : data.slice()) : data;
  const digest = new Uint8Array(await subtle.digest('SHA-256', input));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Throws `<what>: sha256 mismatch: expected X, got Y — …` unless `data` hashes
 * to `expected` (compared case-insensitively).
 */
export async function verifySha256(data: ArrayBuffer | Uint8Array, expected: string, what: string): Promise<void> {
  const actual = await sha256Hex(data);
  if (actual !== expected.trim().toLowerCase()) {
    throw new Error(`${what}: sha256 mismatch: expected ${expected}, got ${actual} — the file is corrupt or was replaced`);
  }
}
