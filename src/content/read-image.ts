/** Read an image that only the page can read (a blob: URL of the page's origin) as a data: URL. */
export const MAX_BYTES = 32 * 1024 * 1024;

/** The error for an image over MAX_BYTES (`bytes` is its size, or an estimate of it). */
export function tooLarge(bytes: number): Error {
  return new Error(`image is too large (${(bytes / 1048576).toFixed(0)} MB)`);
}

/** The length of the base64 data: URL of `bytes` bytes (its header included, at most 100 characters). */
export const dataUrlChars = (bytes: number): number => Math.ceil(bytes / 3) * 4 + 100;

/** The image's bytes as a Blob; with a `maxChars` limit, undefined (nothing read) when its data: URL would be longer. */
function fetchBlob(srcUrl: string): Promise<Blob>;
function fetchBlob(srcUrl: string, maxChars: number): Promise<Blob | undefined>;
async function fetchBlob(srcUrl: string, maxChars = Infinity): Promise<Blob | undefined> {
  const res = await fetch(srcUrl);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  // A blob: URL's response declares its size: refuse, or leave for later, before reading a huge one.
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_BYTES || dataUrlChars(declared) > maxChars) {
    await res.body?.cancel().catch(() => undefined);
    if (declared > MAX_BYTES) throw tooLarge(declared);
    return undefined;
  }
  const blob = await res.blob();
  if (blob.size > MAX_BYTES) throw tooLarge(blob.size);
  return dataUrlChars(blob.size) > maxChars ? undefined : blob;
}

function toDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => (typeof r.result === 'string' ? resolve(r.result) : reject(new Error('unreadable')));
    r.onerror = () => reject(new Error('unreadable'));
    r.readAsDataURL(blob);
  });
}

export async function readImageAsDataUrl(srcUrl: string): Promise<string> {
  return toDataUrl(await fetchBlob(srcUrl));
}

/** The image as a data: URL of at most `maxChars` characters; undefined, with nothing read, when it would be longer. */
export async function readImageWithin(srcUrl: string, maxChars: number): Promise<string | undefined> {
  const blob = await fetchBlob(srcUrl, maxChars);
  return blob && toDataUrl(blob);
}
