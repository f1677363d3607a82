/**
 * The one reading of a label the user typed (the overlay's "Wrong label?" and
 * the library's): English or the UI language, any case, spaces or
 * underscores, ё as е ("aquarium fish", "Aquarium_Fish", "аквариумная рыбка").
 */
import { labelName } from './i18n';

const norm = (s: string) => s.trim().toLocaleLowerCase().replace(/[\s_]+/g, ' ').replaceAll('ё', 'е');

/** The stored label ("aquarium_fish") among `labels` that `typed` names, or undefined. */
export function matchLabel(typed: string, labels: readonly string[]): string | undefined {
  const want = norm(typed);
  return labels.find((l) => norm(l) === want || norm(labelName(l)) === want);
}
