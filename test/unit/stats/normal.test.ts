import * as assert from 'node:assert/strict';
import { normalCdf, normalQuantile, normalUpper, zFor } from '../../../src/core/stats/normal';
import { chisq1Upper } from '../../../src/core/stats/chisq';
import { close } from './approx';

// Reference values: R 4.2.2 qnorm / pnorm / pchisq (printed with 15 digits).
describe('stats/normal', () => {
  it('quantiles match qnorm', () => {
    close(normalQuantile(0.975), 1.95996398454005, 1e-12);
    close(normalQuantile(0.95), 1.64485362695147, 1e-12);
    close(normalQuantile(0.995), 2.5758293035489, 1e-12);
    close(normalQuantile(1e-10), -6.36134090240406, 1e-10);
    close(normalQuantile(0.5), 0, 1e-15);
    close(zFor(0.95), 1.95996398454005, 1e-12);
  });
  it('CDF and tails match pnorm', () => {
    close(normalCdf(1), 0.841344746068543, 1e-14);
    close(normalCdf(-3.5), 0.000232629079035525, 1e-16);
    close(normalCdf(-8.2) / 1.20193515427359e-16, 1, 1e-10);
    close(normalUpper(0), 0.5, 1e-16);
    close(chisq1Upper(3.84), 0.0500435212487052, 1e-13);
  });
  it('edge values', () => {
    assert.equal(normalQuantile(0), -Infinity);
    assert.equal(normalQuantile(1), Infinity);
    assert.ok(Number.isNaN(normalQuantile(1.5)));
    assert.throws(() => zFor(1), RangeError);
    assert.throws(() => zFor(0), RangeError);
  });
});
