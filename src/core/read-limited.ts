/**
 * Read a fetch Response body under a byte limit, stopping (and cancelling the
 * download) as soon as it is exceeded: a hostile or broken server cannot make
 * us buffer more than `max` bytes, with or without a Content-Length.
 */
export async function readLimited(res: Response, max: number, tooLarge: (bytes: number) => Error): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > max) throw tooLarge(declared);
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(total);
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
