/** Splits a sample size over strata: proportional with largest remainders, capped by stratum size. */

export interface StratumSize {
  name: string;
  population: number;
}

/**
 * Proportional allocation of `size` over strata by the largest-remainder method. A stratum never gets
 * more than its population; what a capped stratum cannot take goes to the others, proportionally.
 * Ties in remainders go to the larger population, then to the earlier stratum.
 */
export function allocateProportional(strata: StratumSize[], size: number): Map<string, number> {
  const total = strata.reduce((s, x) => s + x.population, 0);
  if (size > total) throw new Error(`sample size ${size} is larger than the population (${total} items)`);
  const alloc = new Map<string, number>(strata.map((s) => [s.name, 0]));
  let open = strata.filter((s) => s.population > 0);
  let remaining = size;
  while (remaining > 0 && open.length > 0) {
    const pop = open.reduce((s, x) => s + x.population - (alloc.get(x.name) ?? 0), 0);
    const quotas = open.map((s, order) => {
      const room = s.population - (alloc.get(s.name) ?? 0);
      const q = (remaining * room) / pop;
      return { s, order, room, floor: Math.min(Math.floor(q), room), rem: q - Math.floor(q) };
    });
    let given = quotas.reduce((s, q) => s + q.floor, 0);
    for (const q of quotas) alloc.set(q.s.name, (alloc.get(q.s.name) ?? 0) + q.floor);
    const byRemainder = quotas.filter((q) => q.floor < q.room).sort((a, b) => b.rem - a.rem || b.s.population - a.s.population || a.order - b.order);
    for (const q of byRemainder) {
      if (given >= remaining) break;
      alloc.set(q.s.name, (alloc.get(q.s.name) ?? 0) + 1);
      given++;
    }
    remaining -= given;
    open = open.filter((s) => (alloc.get(s.name) ?? 0) < s.population);
  }
  return alloc;
}
