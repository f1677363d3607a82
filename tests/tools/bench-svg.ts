/** The points of the benchmark chart SVG (core/bench/chart-svg.ts): one `<path class="point">` each, legend symbols excluded. */
export function chartMarks(svg: string): string[] {
  return svg.match(/<path class="point"[^>]*>/g) ?? [];
}
