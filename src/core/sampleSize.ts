/**
 * The default spot-check size and the check on a size typed by a user (ARCHITECTURE.md, sampling):
 * the paper reviewed 250 items per subset; a population smaller than that is reviewed whole.
 */

export const DEFAULT_SAMPLE_SIZE = 250;

/** The size to propose: the preferred size (default 250), or the whole population when smaller. */
export function proposedSampleSize(population: number, preferred = DEFAULT_SAMPLE_SIZE): number {
  return Math.max(0, Math.min(preferred, population));
}

/** Why `text` is not a usable sample size for `population` records, or undefined when it is. */
export function sampleSizeProblem(text: string, population: number): string | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) < 1) return 'a positive whole number';
  if (Number(t) > population) return `at most ${population}: the dataset holds ${population} records`;
  return undefined;
}
