import * as assert from 'node:assert/strict';
import { fisherExact } from '../../../src/core/stats/fisher';
import { close } from './approx';

// Reference values: R 4.2.2 fisher.test(matrix(c(a, c, b, d), 2))$p.value. The lady tasting tea
// (Fisher 1935; 3 of 4 cups right in each group) is the classic p = 0.4857.
describe('stats/fisher', () => {
  it('lady tasting tea', () => close(fisherExact(3, 1, 1, 3), 0.485714285714286, 1e-12));
  it('tables from the Newcombe examples', () => {
    close(fisherExact(56, 14, 48, 32), 0.0125211297492092, 1e-12);
    close(fisherExact(9, 1, 3, 7), 0.0197666110978804, 1e-12);
    close(fisherExact(6, 1, 2, 5), 0.102564102564103, 1e-12);
    close(fisherExact(5, 51, 0, 29), 0.160621443209471, 1e-12);
    close(fisherExact(10, 0, 0, 20) / 3.32833916042312e-8, 1, 1e-9);
    close(fisherExact(240, 10, 180, 70) / 4.54364726372408e-14, 1, 1e-9);
  });
  it('other tables', () => {
    close(fisherExact(1, 11, 9, 3), 0.00275945618522009, 1e-12);
    close(fisherExact(0, 5, 5, 0), 0.00793650793650794, 1e-12);
  });
  it('degenerate margins give p = 1', () => {
    assert.equal(fisherExact(0, 10, 0, 20), 1);
    assert.equal(fisherExact(0, 0, 0, 0), 1);
    assert.equal(fisherExact(5, 0, 7, 0), 1);
  });
});
