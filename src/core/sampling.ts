/**
 * Deterministic spot-check sampling (ARCHITECTURE.md, "Sampling and plans"): the same dataset, seed, size and strata give the
 * same item list on every machine. Stratified samples allocate proportionally (largest remainder)
 * unless per-stratum sizes are given.
 */
import type { Dataset } from './dataset';
import { allocateProportional } from './allocation';
import { recordHash } from './hash';
import { planDatasetRef, type Plan, type PlanItem } from './plan';
import { osUserName } from './osUser';
import { Random } from './random';
import { proposedSampleSize } from './sampleSize';
import { assignStrata, compareStrata, strataToString, type StrataSpec } from './strata';

export interface SampleOptions {
  name: string;
  seed: string | number;
  /** Total size (proportional allocation); without it or `sizes`: min(250, population). */
  size?: number;
  /** Explicit sizes per stratum (instead of `size`). */
  sizes?: Record<string, number>;
  strata: StrataSpec;
  /** Folder the plan will live in (dataset path is stored relative to it). */
  planDir: string;
  createdBy?: string;
  now?: Date;
}

export function drawSample(ds: Dataset, opts: SampleOptions): Plan {
  const assigned = assignStrata(ds, opts.strata);
  const members = new Map<string, number[]>();
  for (let i = 0; i < assigned.length; i++) {
    const s = assigned[i];
    if (s === undefined) continue;
    let list = members.get(s);
    if (!list) members.set(s, (list = []));
    list.push(i);
  }
  const names = [...members.keys()].sort(compareStrata);
  if (opts.strata.kind === 'ranges') {
    for (const r of opts.strata.ranges)
      if (!members.has(r.name))
        throw new Error(`strata range "${r.name}" (${r.from}-${r.to === Infinity ? '' : r.to}) holds no record; the file has ${ds.count}`);
  }
  const population: Record<string, number> = {};
  for (const n of names) population[n] = members.get(n)!.length;

  let alloc: Map<string, number>;
  if (opts.sizes) {
    alloc = new Map();
    for (const [n, k] of Object.entries(opts.sizes)) {
      if (!members.has(n)) throw new Error(`stratum "${n}" does not exist (strata: ${names.join(', ')})`);
      if (k > population[n]) throw new Error(`stratum "${n}" has ${population[n]} items; cannot draw ${k}`);
      alloc.set(n, k);
    }
  } else {
    const size = opts.size ?? proposedSampleSize(names.reduce((a, n) => a + population[n], 0));
    if (!Number.isInteger(size) || size < 1) throw new Error('sample size must be a positive whole number');
    alloc = allocateProportional(
      names.map((n) => ({ name: n, population: population[n] })),
      size,
    );
  }

  // One generator per stratum, seeded from the seed and the stratum name: adding a stratum does not
  // change what the others draw.
  const chosen: { index: number; stratum: string }[] = [];
  for (const n of names) {
    const k = alloc.get(n) ?? 0;
    if (k === 0) continue;
    const list = members.get(n)!;
    const rng = new Random(`${opts.seed}\u0000${n}`);
    for (const j of rng.sample(list.length, k)) chosen.push({ index: list[j], stratum: n });
  }
  // Review order: shuffled across strata, so fatigue does not line up with a stratum.
  new Random(`${opts.seed}\u0000order`).shuffle(chosen);

  const items: PlanItem[] = chosen.map(({ index, stratum }) => ({
    key: ds.keyFor(index),
    index,
    hash: recordHash(ds.rawBytes(index)),
    stratum,
  }));
  const size = items.length;
  return {
    version: 1,
    name: opts.name,
    dataset: planDatasetRef(ds, opts.planDir),
    seed: String(opts.seed),
    size,
    strata: strataToString(opts.strata),
    ...(opts.sizes ? { sizes: opts.sizes } : {}),
    population,
    items,
    createdAt: (opts.now ?? new Date()).toISOString(),
    createdBy: opts.createdBy ?? osUserName(),
  };
}
