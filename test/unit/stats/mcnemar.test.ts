import * as assert from 'node:assert/strict';
import { mcnemar, mcnemarChiSquare, mcnemarExact } from '../../../src/core/stats/mcnemar';
import { close } from './approx';

// Reference values: R 4.2.2. Agresti (2002, Table 10.1, presidential approval 794/150/86/570):
// mcnemar.test p = 4.115e-5 with continuity correction, 3.099e-5 without (statistic 17.356 uncorrected).
// Exact: binom.test(min(b, c), b + c, 0.5)$p.value.
describe('stats/mcnemar', () => {
  it('chi-square with continuity correction matches mcnemar.test', () => {
    close(mcnemarChiSquare(150, 86).p, 4.11456228134594e-5, 1e-12);
    close(mcnemarChiSquare(10, 30).p, 0.00266311925913855, 1e-12);
  });
  it('exact binomial matches binom.test', () => {
    close(mcnemarExact(2, 8), 0.109375, 1e-14);
    close(mcnemarExact(0, 5), 0.0625, 1e-14);
    close(mcnemarExact(3, 3), 1, 1e-14);
    close(mcnemarExact(12, 2), 0.012939453125, 1e-14);
  });
  it('chooses the exact test for few discordant pairs', () => {
    assert.equal(mcnemar(2, 8).method, 'exact-binomial');
    assert.equal(mcnemar(150, 86).method, 'chi-square-cc');
    assert.equal(mcnemar(0, 0).p, 1);
  });
});
