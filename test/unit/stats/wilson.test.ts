import * as assert from 'node:assert/strict';
import { wilson } from '../../../src/core/stats/wilson';
import { closePair } from './approx';

// Reference values: R 4.2.2, prop.test(k, n, correct = FALSE, conf.level = c)$conf.int (the Wilson
// score interval). 81/263 is Newcombe's (1998, Stat Med 17:857) worked example: 0.2553 to 0.3662.
const CASES: [number, number, number, number, number][] = [
  [240, 250, 0.95, 0.927947276418733, 0.978130088045457], // ARCHITECTURE.md "Reports" example: 96.0 % [92.8, 97.8]
  [81, 263, 0.95, 0.255288519878274, 0.3662095769828],
  [0, 10, 0.95, 0, 0.277532799862889],
  [10, 10, 0.95, 0.722467200137111, 1],
  [1, 1, 0.95, 0.206549314377238, 1],
  [0, 1, 0.95, 0, 0.793450685622763],
  [240, 250, 0.9, 0.934209411137486, 0.975940785238321],
  [240, 250, 0.99, 0.914429440460942, 0.981785388645369],
  [29, 30, 0.95, 0.833296090085908, 0.994091409618387],
  [1, 2, 0.8, 0.164251720029899, 0.835748279970101],
];

describe('stats/wilson', () => {
  for (const [k, n, c, lo, hi] of CASES) {
    it(`${k}/${n} at ${c}`, () => {
      const r = wilson(k, n, c);
      assert.equal(r.rate, k / n);
      closePair(r.ci, [lo, hi], 5e-9);
    });
  }
  it('0/n and n/n have exact 0 and 1 limits', () => {
    assert.equal(wilson(0, 7).ci[0], 0);
    assert.equal(wilson(7, 7).ci[1], 1);
  });
  it('n = 0 gives no rate and the uninformative interval', () => {
    assert.deepEqual(wilson(0, 0), { rate: null, ci: [0, 1] });
  });
  it('rejects impossible counts', () => {
    assert.throws(() => wilson(3, 2), RangeError);
    assert.throws(() => wilson(-1, 2), RangeError);
  });
  it('the 240/250 example prints as 96.0 % [92.8, 97.8]', () => {
    const r = wilson(240, 250);
    assert.equal(`${(r.rate! * 100).toFixed(1)} % [${(r.ci[0] * 100).toFixed(1)}, ${(r.ci[1] * 100).toFixed(1)}]`, '96.0 % [92.8, 97.8]');
  });
});
