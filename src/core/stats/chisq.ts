/** Chi-square distribution with one degree of freedom: X = Z², so its tail is two normal tails. */
import { normalUpper } from './normal';

export function chisq1Upper(x: number): number {
  if (x <= 0) return 1;
  return 2 * normalUpper(Math.sqrt(x));
}
