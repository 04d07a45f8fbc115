import { strict as assert } from 'node:assert';
import { averageRanks, pearson, spearman } from '../../../src/core/eval/correlation';
import { fitLogistic4, logistic4, plccAfterLogistic } from '../../../src/core/eval/logistic4';
import { logPhi, millsRatio, normalCdf } from '../../../src/core/eval/normal';
import { thurstoneMap, thurstoneObjective } from '../../../src/core/eval/thurstone';

describe('normal distribution in log space', () => {
  it('matches known values and stays finite in the tails', () => {
    assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
    assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
    assert.ok(Math.abs(normalCdf(-1) - 0.158655254) < 1e-7);
    assert.ok(Math.abs(logPhi(-30) - -454.3212) < 1e-2, `logPhi(-30) = ${logPhi(-30)}`);
    assert.ok(Math.abs(millsRatio(-40) - 40.025) < 0.01, 'φ/Φ ≈ −x far left');
    assert.ok(millsRatio(8) < 1e-13);
  });
});

describe('Thurstone Case V MAP', () => {
  it('is the exact optimum: zero gradient, Σq = 0, better than nearby points', () => {
    const C = [
      [0, 5, 8, 9],
      [2, 0, 6, 7],
      [1, 3, 0, 5],
      [0, 1, 2, 0],
    ];
    const r = thurstoneMap(C);
    assert.ok(r.gradientNorm < 1e-8);
    assert.ok(Math.abs(r.scores.reduce((a, b) => a + b, 0)) < 1e-9);
    assert.deepEqual(
      [...r.scores.keys()].sort((a, b) => r.scores[b] - r.scores[a]),
      [0, 1, 2, 3],
      'order follows the wins',
    );
    const f = thurstoneObjective(C, r.scores);
    for (let k = 0; k < 4; k++) {
      for (const eps of [1e-3, -1e-3]) {
        const q = r.scores.slice();
        q[k] += eps;
        assert.ok(thurstoneObjective(C, q) < f);
      }
    }
  });

  it('two items: q1 − q2 solves the one-dimensional optimum', () => {
    // Objective in d = q1 − q2 with q1 = d/2, q2 = −d/2: 3 log Φ(d) + 1 log Φ(−d) − d²/4.
    const r = thurstoneMap([
      [0, 3],
      [1, 0],
    ]);
    const d = r.scores[0] - r.scores[1];
    const g = (x: number) => 3 * millsRatio(x) - 1 * millsRatio(-x) - x / 2;
    assert.ok(Math.abs(g(d)) < 1e-8, `derivative at the optimum ${g(d)}`);
    assert.ok(d > 0);
  });

  it('the prior keeps unbeaten items finite and leaves unseen ones at 0', () => {
    const r = thurstoneMap([
      [0, 10, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    assert.ok(Number.isFinite(r.scores[0]) && r.scores[0] > 0);
    assert.ok(Math.abs(r.scores[2]) < 1e-9);
  });
});

describe('correlations and the 4-parameter logistic', () => {
  it('pearson and spearman with ties', () => {
    assert.ok(Math.abs(pearson([1, 2, 3], [2, 4, 6]) - 1) < 1e-12);
    assert.deepEqual(averageRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
    assert.ok(Math.abs(spearman([1, 2, 3, 4], [1, 4, 9, 16]) - 1) < 1e-12);
    assert.ok(Math.abs(spearman([1, 2, 3, 4], [4, 3, 2, 1]) + 1) < 1e-12);
  });

  it('recovers a logistic curve and gives PLCC 1 on it', () => {
    const truth: [number, number, number, number] = [90, 10, 0.5, 0.8];
    const x = Array.from({ length: 40 }, (_, i) => -3 + (i * 7) / 39);
    const y = x.map((v) => logistic4(truth, v));
    const b = fitLogistic4(x, y);
    for (const v of [-2, 0, 0.5, 2]) assert.ok(Math.abs(logistic4(b, v) - logistic4(truth, v)) < 0.05, `fit at ${v}`);
    assert.ok(plccAfterLogistic(x, y) > 0.9999);
    assert.ok(plccAfterLogistic(x, y) > pearson(x, y), 'the mapping removes the nonlinearity');
  });
});
