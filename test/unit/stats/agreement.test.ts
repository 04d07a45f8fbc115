import * as assert from 'node:assert/strict';
import { agreementStats, cohenKappa, fleissKappa, gwetAC1, rawAgreement } from '../../../src/core/stats/agreement';
import { close } from './approx';

/** Expands a 2×2 table (rows rater A, columns rater B; category 0 = yes) into paired ratings. */
function pairs(yy: number, yn: number, ny: number, nn: number): [number[], number[]] {
  const a: number[] = [];
  const b: number[] = [];
  const add = (x: number, y: number, times: number) => {
    for (let i = 0; i < times; i++) {
      a.push(x);
      b.push(y);
    }
  };
  add(0, 0, yy);
  add(0, 1, yn);
  add(1, 0, ny);
  add(1, 1, nn);
  return [a, b];
}

describe('stats/agreement', () => {
  it("Fleiss' κ on Fleiss (1971) / Wikipedia's 10 subjects × 14 raters × 5 categories: 0.210", () => {
    const t = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    close(rawAgreement(t), 0.378021978021978, 1e-12); // P̄ = 0.378
    close(fleissKappa(t), 0.209930704421955, 1e-12); // κ = 0.210
    // Gwet's AC1 on the same table, computed in R from Gwet's (2008) formula.
    close(gwetAC1(t), 0.225614150816628, 1e-12);
  });
  it("Cohen's κ on Wikipedia's 50-proposal example (20/5/10/15): 0.4", () => {
    const [a, b] = pairs(20, 5, 10, 15);
    close(cohenKappa(a, b, 2), 0.4, 1e-12);
    const s = agreementStats([a, b], 2);
    close(s.raw, 0.7, 1e-12);
    close(s.fleissKappa, 0.393939393939394, 1e-12);
    close(s.gwetAC1, 0.405940594059406, 1e-12);
  });
  it('the κ paradox at 97 % correct: κ < 0, AC1 ≈ 0.936', () => {
    const [a, b] = pairs(94, 3, 3, 0);
    const s = agreementStats([a, b], 2);
    close(s.raw, 0.94, 1e-12);
    close(s.cohenKappa, -0.0309278350515468, 1e-12);
    close(s.gwetAC1, 0.936292206413251, 1e-12);
  });
  it('three raters', () => {
    const r = [
      [0, 0, 0, 1, 0, 0],
      [0, 0, 0, 1, 0, 1],
      [0, 1, 0, 1, 0, 1],
    ];
    const s = agreementStats(r, 2);
    assert.equal(s.cohenKappa, null);
    close(s.raw, 0.777777777777778, 1e-12);
    close(s.fleissKappa, 0.5, 1e-12);
    close(s.gwetAC1, 0.6, 1e-12);
  });
  it('edge cases: no overlap, one category only', () => {
    assert.deepEqual(agreementStats([[], []], 2), { items: 0, raters: 2, raw: null, cohenKappa: null, fleissKappa: null, gwetAC1: null });
    const s = agreementStats(
      [
        [0, 0, 0],
        [0, 0, 0],
      ],
      2,
    );
    assert.equal(s.raw, 1);
    assert.equal(s.cohenKappa, null); // chance agreement is 1: κ undefined
    assert.equal(s.fleissKappa, null);
    assert.equal(s.gwetAC1, 1);
    assert.equal(agreementStats([[0, 1]], 2).raw, null); // one rater
  });
});
