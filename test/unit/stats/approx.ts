/** Shared assertion for statistics tests: equal to `digits` decimals (default: 4 + a margin). */
import * as assert from 'node:assert/strict';

export function close(actual: number | null | undefined, expected: number, tol = 5e-7, what = ''): void {
  assert.ok(typeof actual === 'number' && Number.isFinite(actual), `${what} expected a number near ${expected}, got ${actual}`);
  assert.ok(Math.abs(actual - expected) <= tol, `${what} expected ${expected}, got ${actual} (|diff| ${Math.abs(actual - expected)} > ${tol})`);
}

export function closePair(actual: [number, number], expected: [number, number], tol = 5e-7, what = ''): void {
  close(actual[0], expected[0], tol, `${what} lower`);
  close(actual[1], expected[1], tol, `${what} upper`);
}
