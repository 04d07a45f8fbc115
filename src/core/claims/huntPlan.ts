/**
 * A hunt (issue #16; ARCHITECTURE.md, "Image cues and label claims"): a review queue of the items
 * whose labels the cues contradict, most suspicious first. Written as a plan of kind `hunt`, so the
 * review editor opens it like any spot check, while the report counts its verdicts as the hunt's
 * precision (wrong labels found / items judged) and keeps them out of every estimate.
 */
import type { Dataset } from '../dataset';
import { recordHash } from '../hash';
import { planDatasetRef, type Plan, type PlanItem } from '../plan';
import { osUserName } from '../osUser';
import type { AuditedItem } from './auditLabels';

export const HUNT_METHOD = 'label-audit-v1 (cues vs claims, suspicion = C / (C + A + 1/2))';

export interface HuntOptions {
  name: string;
  /** Folder the plan will live in (the dataset path is stored relative to it). */
  planDir: string;
  /** At most this many items (default 250). */
  size?: number;
  /** Items with a suspicion at or above this (default: any contradiction, > 0). */
  minSuspicion?: number;
  now?: Date;
  createdBy?: string;
}

export function buildHuntPlan(ds: Dataset, audited: AuditedItem[], opts: HuntOptions): Plan {
  const size = opts.size ?? 250;
  const min = opts.minSuspicion ?? 0;
  const ranked = audited
    .filter((it) => it.suspicion > 0 && it.suspicion >= min)
    .sort((a, b) => b.suspicion - a.suspicion || a.index - b.index)
    .slice(0, size);
  const items: PlanItem[] = ranked.map((it) => ({ key: it.key, index: it.index, hash: recordHash(ds.rawBytes(it.index)), stratum: 'hunt' }));
  return {
    version: 1,
    name: opts.name,
    kind: 'hunt',
    hunt: { method: HUNT_METHOD, scores: ranked.map((it) => Number(it.suspicion.toPrecision(5))) },
    dataset: planDatasetRef(ds, opts.planDir),
    seed: '',
    size: items.length,
    strata: 'suspicion',
    population: { hunt: audited.filter((it) => it.suspicion > 0 && it.suspicion >= min).length },
    items,
    createdAt: (opts.now ?? new Date()).toISOString(),
    createdBy: opts.createdBy ?? osUserName(),
  };
}
