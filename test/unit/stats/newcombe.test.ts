import * as assert from 'node:assert/strict';
import { newcombeDiff } from '../../../src/core/stats/newcombe';
import { close, closePair } from './approx';

// Newcombe (1998) "Interval estimation for the difference between independent proportions",
// Stat Med 17:873, Table II, method 10 (hybrid score). Published to 4 decimals, e.g.
// 56/70 − 48/80: 0.0524 to 0.3339; 9/10 − 3/10: 0.1705 to 0.8090; 6/7 − 2/7: 0.0582 to 0.8062;
// 5/56 − 0/29: −0.0381 to 0.1926; 0/10 − 0/20: −0.1611 to 0.2775; 10/10 − 0/20: 0.6791 to 1.
// Full-precision values below recomputed in R 4.2.2 from prop.test Wilson limits.
const CASES: [number, number, number, number, number, number][] = [
  [56, 70, 48, 80, 0.0524314724023649, 0.333872654036906],
  [9, 10, 3, 10, 0.170522723934503, 0.809017973535488],
  [6, 7, 2, 7, 0.0582279274823123, 0.806249637524228],
  [5, 56, 0, 29, -0.0381371479035369, 0.192560013855112],
  [0, 10, 0, 20, -0.161125158052819, 0.277532799862889],
  [10, 10, 0, 20, 0.679086037141915, 1],
  [240, 250, 180, 250, 0.178910206484248, 0.301401940602718],
];

describe('stats/newcombe', () => {
  for (const [k1, n1, k2, n2, lo, hi] of CASES) {
    it(`${k1}/${n1} − ${k2}/${n2}`, () => {
      const r = newcombeDiff(k1, n1, k2, n2);
      close(r.diff, k1 / n1 - k2 / n2, 1e-12);
      closePair(r.ci, [lo, hi], 5e-9);
    });
  }
  it('published 4-decimal values', () => {
    const r = newcombeDiff(56, 70, 48, 80);
    assert.deepEqual(
      r.ci.map((x) => x.toFixed(4)),
      ['0.0524', '0.3339'],
    );
  });
  it('an empty side gives no difference', () => {
    assert.deepEqual(newcombeDiff(0, 0, 3, 4), { diff: null, ci: [-1, 1] });
  });
});

import { newcombePairedDiff } from '../../../src/core/stats/newcombePaired';

// Paired data: Newcombe (1998, Stat Med 17:2635) method 10. Worked example of Altman, Machin, Bryant &
// Gardner (2000), Statistics with Confidence, Table 6.2: a=14, b=5, c=0, d=22 → 0.122 [0.011, 0.226].
// Full-precision references recomputed in R 4.2.2 from prop.test Wilson limits and Newcombe's φ.
describe('stats/newcombe paired', () => {
  it('Altman et al. Table 6.2 at 95 % and 90 %', () => {
    const r = newcombePairedDiff(14, 5, 0, 22);
    close(r.diff, 0.121951219512195, 1e-12);
    closePair(r.ci, [0.0114832413830333, 0.226492684351211], 5e-9);
    closePair(newcombePairedDiff(14, 5, 0, 22, 0.9).ci, [0.0287590822802549, 0.210883220283], 5e-9);
  });
  it('positive correlation (φ shrunk by n/2)', () => {
    closePair(newcombePairedDiff(30, 4, 1, 5).ci, [-0.0476229939247393, 0.202399493485131], 5e-9);
  });
  it('every pair concordant: φ = 0, the interval is the Wilson half-widths', () => {
    const r = newcombePairedDiff(10, 0, 0, 0);
    assert.equal(r.diff, 0);
    closePair(r.ci, [-0.277532799862889, 0.277532799862889], 5e-9);
    assert.deepEqual(newcombePairedDiff(0, 0, 0, 0), { diff: null, ci: [-1, 1] });
  });
});
