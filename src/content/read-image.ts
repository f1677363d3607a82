/** Read an image that only the page can read (a blob: URL of the page's origin) as a data: URL. */
const MAX_BYTES = 32 * 1024 * 1024;

export async function readImageAsDataUrl(srcUrl: string): Promise<string> {
  const res = await fetch(srcUrl);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  // A blob: URL's response declares its size: refuse before reading a huge one.
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`image is too large (${(declared / 1048576).toFixed(0)} MB)`);
  }
  const blob = await res.blob();
  if (blob.size > MAX_BYTES) throw new Error(`image is too large (${(blob.size / 1048576).toFixed(0)} MB)`);
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => (typeof r.result === 'string' ? resolve(r.result) : reject(new Error('unreadable')));
    r.onerror = () => reject(new Error('unreadable'));
    r.readAsDataURL(blob);
  });
}
