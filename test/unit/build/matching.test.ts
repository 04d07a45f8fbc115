import * as assert from 'node:assert/strict';
import { binomial, defaultCounts, matchGroups, MatchingError } from '../../../src/core/build/matching';

describe('build: group matching', () => {
  it("defaults to the O(n log n) rule with the paper's proportions (19K images → 81K / 27K / 18K)", () => {
    const d = defaultCounts(19000);
    assert.ok(Math.abs(d.pairs - 81000) < 1000, `pairs ${d.pairs}`);
    assert.ok(Math.abs(d.triples - 27000) < 500, `triples ${d.triples}`);
    assert.ok(Math.abs(d.quads - 18000) < 500, `quads ${d.quads}`);
    assert.deepEqual(defaultCounts(1), { pairs: 0, triples: 0, quads: 0 });
    assert.deepEqual(defaultCounts(3), { pairs: 1, triples: 0, quads: 0 });
    const twelve = defaultCounts(12);
    assert.equal(twelve.pairs, 13);
  });

  it('is deterministic for a seed and changes with the seed', () => {
    const counts = { pairs: 40, triples: 12, quads: 9 };
    const a = matchGroups(30, counts, 7);
    const b = matchGroups(30, counts, 7);
    const c = matchGroups(30, counts, 8);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('makes the requested counts, never repeats an image in a group nor a group', () => {
    const counts = { pairs: 300, triples: 100, quads: 70 };
    const bySize = matchGroups(60, counts, 'x');
    assert.deepEqual(
      bySize.map((g) => g.length),
      [300, 100, 70],
    );
    bySize.forEach((groups, s) => {
      const seen = new Set<string>();
      for (const g of groups) {
        assert.equal(g.members.length, s + 2);
        assert.equal(new Set(g.members).size, g.members.length, `repeat in ${g.members}`);
        for (const m of g.members) assert.ok(m >= 0 && m < 60);
        const key = [...g.members].sort((x, y) => x - y).join(',');
        assert.ok(!seen.has(key), `group ${key} drawn twice`);
        seen.add(key);
      }
    });
  });

  it('uses images in a balanced way', () => {
    const n = 101;
    const bySize = matchGroups(n, { pairs: 500, triples: 200, quads: 150 }, 3);
    const uses = new Array(n).fill(0);
    for (const groups of bySize) for (const g of groups) for (const m of g.members) uses[m]++;
    const total = uses.reduce((s, x) => s + x, 0);
    assert.equal(total, 500 * 2 + 200 * 3 + 150 * 4);
    assert.ok(Math.max(...uses) - Math.min(...uses) <= 2, `uses range ${Math.min(...uses)}..${Math.max(...uses)}`);
  });

  it('can exhaust every possible group of a small set', () => {
    const [pairs, triples, quads] = matchGroups(6, { pairs: binomial(6, 2), triples: binomial(6, 3), quads: binomial(6, 4) }, 1);
    assert.equal(new Set(pairs.map((g) => [...g.members].sort().join())).size, 15);
    assert.equal(new Set(triples.map((g) => [...g.members].sort().join())).size, 20);
    assert.equal(new Set(quads.map((g) => [...g.members].sort().join())).size, 15);
  });

  it('refuses impossible requests with a clear error', () => {
    assert.throws(() => matchGroups(3, { pairs: 4, triples: 0, quads: 0 }, 1), MatchingError);
    assert.throws(() => matchGroups(3, { pairs: 0, triples: 0, quads: 1 }, 1), /at least 4 images/);
    assert.throws(() => matchGroups(10, { pairs: -1, triples: 0, quads: 0 }, 1), /whole number/);
  });
});
