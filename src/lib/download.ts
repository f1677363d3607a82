/** Save text as a file through the browser's download flow (nothing leaves the device). */
export function download(name: string, type: string, text: string): void {
  const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  a.click();
  // The click starts the download synchronously; the URL only has to outlive it.
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
