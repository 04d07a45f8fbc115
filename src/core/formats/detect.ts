/** Chooses a record format from the first records of a file (ARCHITECTURE.md, "Items and formats"). */
import type { FieldMapping, FormatId } from '../item';
import { FORMAT_SPECS } from './registry';
import type { Rec } from './spec';

/** The format one record looks like (the first spec in registry order that matches it), or undefined when it matches none. */
export function recordFormat(rec: unknown, mapping?: FieldMapping): FormatId | undefined {
  if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return undefined;
  for (const spec of FORMAT_SPECS) if (spec.matches?.(rec as Rec, mapping)) return spec.id;
  return undefined;
}

/** Majority vote over the sample; 'unknown' when nothing matches. */
export function detectFormat(sample: unknown[], mapping?: FieldMapping): FormatId {
  const votes = new Map<FormatId, number>();
  for (const rec of sample) {
    const f = recordFormat(rec, mapping);
    if (f) votes.set(f, (votes.get(f) ?? 0) + 1);
  }
  // One family in one file (Q-Bench2 pairs and A1 records): a file with any record of the wider
  // member counts its other records for it.
  for (const spec of FORMAT_SPECS) {
    for (const other of spec.absorbs ?? []) {
      if (!votes.has(spec.id) || !votes.has(other)) continue;
      votes.set(spec.id, (votes.get(spec.id) ?? 0) + (votes.get(other) ?? 0));
      votes.delete(other);
    }
  }
  let best: FormatId = 'unknown';
  let bestN = 0;
  for (const [f, n] of votes)
    if (n > bestN) {
      best = f;
      bestN = n;
    }
  return best;
}
