/** Read an image that only the page can read (a blob: URL of the page's origin) as a data: URL. */
export const MAX_BYTES = 32 * 1024 * 1024;

/** The error for an image over MAX_BYTES (`bytes` is its size, or an estimate of it). */
export function tooLarge(bytes: number): Error {
  return new Error(`image is too large (${(bytes / 1048576).toFixed(0)} MB)`);
}

export async function readImageAsDataUrl(srcUrl: string): Promise<string> {
  const res = await fetch(srcUrl);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  // A blob: URL's response declares its size: refuse before reading a huge one.
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge(declared);
  }
  const blob = await res.blob();
  if (blob.size > MAX_BYTES) throw tooLarge(blob.size);
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => (typeof r.result === 'string' ? resolve(r.result) : reject(new Error('unreadable')));
    r.onerror = () => reject(new Error('unreadable'));
    r.readAsDataURL(blob);
  });
}
