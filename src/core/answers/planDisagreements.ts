/**
 * The model disagreements recorded for a spot check: every `agreement-<profile>.json` beside the
 * plan (written by askSpotcheck), read back for review navigation and the disagreements list. A
 * torn or foreign file is skipped, never fatal.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ItemComparison } from './agreement';
import type { SpotcheckAnswers } from './spotcheckAgreement';

/** Every disagreement of every profile, with the profile's name, in file order. */
export function readDisagreements(planDir: string): { d: ItemComparison; profile: string }[] {
  let names: string[] = [];
  try {
    names = fs
      .readdirSync(planDir)
      .filter((n) => /^agreement-.+\.json$/.test(n))
      .sort();
  } catch {
    return [];
  }
  const rows: { d: ItemComparison; profile: string }[] = [];
  for (const f of names) {
    try {
      const a = JSON.parse(fs.readFileSync(path.join(planDir, f), 'utf8')) as SpotcheckAnswers;
      for (const d of a.disagreements) rows.push({ d, profile: a.profile.name });
    } catch {
      /* a torn or half-written file is skipped; the next run rewrites it */
    }
  }
  return rows;
}

/** Plan positions (ascending) and keys of the items some profile disagrees on. */
export function disagreementPositions(planDir: string, items: readonly { key: string }[]): { keys: string[]; positions: number[] } {
  const keys = new Set(readDisagreements(planDir).map((r) => r.d.key));
  const positions: number[] = [];
  const ordered: string[] = [];
  items.forEach((it, i) => {
    if (keys.has(it.key)) {
      positions.push(i);
      ordered.push(it.key);
    }
  });
  return { keys: ordered, positions };
}

/** The next (direction 1) or previous (−1) position in `positions` from `current`, wrapping; undefined when there is none. */
export function stepDisagreement(positions: readonly number[], current: number, direction: 1 | -1): number | undefined {
  if (positions.length === 0) return undefined;
  if (direction > 0) return positions.find((p) => p > current) ?? positions[0];
  return [...positions].reverse().find((p) => p < current) ?? positions[positions.length - 1];
}
