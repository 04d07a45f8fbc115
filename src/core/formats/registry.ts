/**
 * Every dataset format the curator reads, one `FormatSpec` each (ARCHITECTURE.md, "Items and
 * formats"). Detection asks the specs in the order written here — the first whose `matches` accepts
 * a record names its format — so a narrower shape comes before a wider one (Q-Bench HF before
 * generic MCQ). `satisfies` makes a format without a spec, or a spec under the wrong name, a compile
 * error.
 */
import type { FormatId } from '../item';
import { descriptions } from './descriptions';
import { iqa } from './iqa';
import { llava } from './llava';
import { mcq } from './mcq';
import { qbench2Pair, qbenchA1 } from './qbench';
import { qbenchHf } from './qbenchHf';
import type { FormatSpec } from './spec';
import { unknown } from './unknown';

const FORMATS = {
  llava,
  'qbench-hf': qbenchHf,
  'qbench2-pair': qbench2Pair,
  'qbench-a1': qbenchA1,
  iqa,
  descriptions,
  mcq,
  unknown,
} as const satisfies { [F in FormatId]: FormatSpec<F> };

/** Every spec, in detection order. */
export const FORMAT_SPECS: readonly FormatSpec[] = Object.values(FORMATS);

/** The spec of a format; a name that is none (an unchecked value) reads as `unknown`. */
export function formatSpec(id: FormatId): FormatSpec {
  return (FORMATS as Record<string, FormatSpec>)[id] ?? FORMATS.unknown;
}
