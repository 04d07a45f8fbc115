import * as assert from 'node:assert/strict';
import { stratifiedEstimate } from '../../../src/core/stats/stratified';
import { close, closePair } from './approx';

// Reference values computed in R 4.2.2 directly from the formulas (W_h = N_h/N,
// v = Σ W_h² (1 − n_h/N_h) p_h q_h / (n_h − 1), n_eff = p q / v, Wilson at n_eff); see the module doc.
describe('stats/stratified', () => {
  const three = [
    { name: 'A', N: 1000, n: 20, k: 19 },
    { name: 'B', N: 5000, n: 10, k: 7 },
    { name: 'C', N: 200, n: 30, k: 30 },
  ];
  it('three strata at 95 % and 90 %', () => {
    const e = stratifiedEstimate(three);
    close(e.rate, 0.75, 1e-12);
    close(e.se, 0.123322950505578, 1e-12);
    close(e.nEff, 12.328591384668, 1e-9);
    closePair(e.ci, [0.471357343257412, 0.909859512228285], 1e-9);
    closePair(stratifiedEstimate(three, 0.9).ci, [0.515889373913047, 0.894130607844748], 1e-9);
    assert.equal(e.coverage, 1);
  });
  it('a single-item stratum adds the conservative variance bound', () => {
    const e = stratifiedEstimate([...three, { name: 'D', N: 50, n: 1, k: 1 }]);
    close(e.rate, 0.752, 1e-12);
    close(e.se, 0.122400435729072, 1e-12);
    closePair(e.ci, [0.474600783572618, 0.910544342724329], 1e-9);
    assert.ok(e.notes.some((n) => n.includes('"D"')));
  });
  it('one stratum: FPC-adjusted Wilson', () => {
    const e = stratifiedEstimate([{ name: 'all', N: 2000, n: 250, k: 240 }]);
    close(e.se, 0.0116163573910303, 1e-12);
    closePair(e.ci, [0.930442373127063, 0.977303867524682], 1e-9);
  });
  it('weights by population, not by sample size', () => {
    const e = stratifiedEstimate([
      { name: '2', N: 60, n: 12, k: 11 },
      { name: '3', N: 40, n: 8, k: 5 },
    ]);
    close(e.rate, 0.8, 1e-12); // 0.6·11/12 + 0.4·5/8; the unweighted pool would be 16/20 too, by design of proportional allocation
    closePair(e.ci, [0.610570434391994, 0.910754150668757], 1e-9);
    const skewed = stratifiedEstimate([
      { name: 'big', N: 900, n: 10, k: 10 },
      { name: 'small', N: 100, n: 10, k: 0 },
    ]);
    close(skewed.rate, 0.9, 1e-12); // pooled would say 0.5
  });
  it('empty strata, no data, census, all correct', () => {
    const e = stratifiedEstimate([
      { name: 'A', N: 100, n: 10, k: 9 },
      { name: 'B', N: 100, n: 0, k: 0 },
    ]);
    close(e.rate, 0.9, 1e-12);
    assert.equal(e.coverage, 0.5);
    assert.ok(e.notes[0].includes('"B"'));
    assert.deepEqual(stratifiedEstimate([{ name: 'A', N: 10, n: 0, k: 0 }]).rate, null);
    const census = stratifiedEstimate([{ name: 'A', N: 5, n: 5, k: 4 }]);
    assert.deepEqual(census.ci, [0.8, 0.8]);
    const all = stratifiedEstimate([{ name: 'A', N: 1000, n: 20, k: 20 }]);
    assert.equal(all.rate, 1);
    assert.equal(all.ci[1], 1);
    assert.ok(all.ci[0] > 0.8 && all.ci[0] < 0.85);
  });
});
