/** The extension pages' element lookup: ids are fixed in their own HTML, so a miss is a bug, not input. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from ${location.pathname}`);
  return el as T;
}
