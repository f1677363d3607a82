/** The points of the benchmark chart in a Vega SVG: the paths of its one symbol mark group (legend symbols excluded). */
export function chartMarks(svg: string): string[] {
  const group = svg.match(/<g class="mark-symbol role-mark[^"]*"[^>]*>(.*?)<\/g>/s)?.[1] ?? '';
  return group.match(/<path [^>]*aria-label="[^"]*"/g) ?? [];
}
