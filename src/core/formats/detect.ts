/** Chooses a record format from the first records of a file (ARCHITECTURE.md, "Items and formats"). */
import type { FieldMapping, FormatId } from '../item';

type Rec = Record<string, unknown>;

/** The format one record looks like, or undefined when it matches none. */
export function recordFormat(rec: unknown, mapping?: FieldMapping): FormatId | undefined {
  if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return undefined;
  const r = rec as Rec;
  if ('conversations' in r) return 'llava';
  if ('option0' in r && 'question' in r) return 'qbench-hf';
  if (typeof r.img_path === 'string' && Array.isArray(r.candidates)) {
    return r.img_path.includes('_cat_') ? 'qbench2-pair' : 'qbench-a1';
  }
  if ('img_path' in r && 'gt_score' in r) return 'iqa';
  if ('description' in r && ('image' in r || 'img_path' in r)) return 'descriptions';
  if (mapping && mapping.question && mapping.question in r) return 'mcq';
  if ('question' in r && (Array.isArray(r.candidates) || Array.isArray(r.options) || Array.isArray(r.choices))) return 'mcq';
  return undefined;
}

/** Majority vote over the sample; 'unknown' when nothing matches. */
export function detectFormat(sample: unknown[], mapping?: FieldMapping): FormatId {
  const votes = new Map<FormatId, number>();
  for (const rec of sample) {
    const f = recordFormat(rec, mapping);
    if (f) votes.set(f, (votes.get(f) ?? 0) + 1);
  }
  // Q-Bench2 pairs and A1 records are one family: a file with any _cat_ pair is a pair file.
  if (votes.has('qbench2-pair') && votes.has('qbench-a1')) {
    votes.set('qbench2-pair', (votes.get('qbench2-pair') ?? 0) + (votes.get('qbench-a1') ?? 0));
    votes.delete('qbench-a1');
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
