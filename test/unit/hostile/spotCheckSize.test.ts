/**
 * Issue #12 §3: a spot check's default size is min(250, population); a larger size is refused at
 * the first prompt, and `cocurate sample` without --size draws the whole population when it is
 * smaller than 250 (the demo holds 33 records).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_SAMPLE_SIZE, proposedSampleSize, sampleSizeProblem } from '../../../src/core/sampleSize';
import { cocurate } from '../../support/cli';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const demo = path.join(root, 'demo', 'coinstruct-demo.json');

describe('spot-check size (issue #12 §3)', () => {
  it('proposes min(preferred, population)', () => {
    assert.equal(DEFAULT_SAMPLE_SIZE, 250);
    assert.equal(proposedSampleSize(120), 120);
    assert.equal(proposedSampleSize(120, 250), 120);
    assert.equal(proposedSampleSize(100_000), 250);
    assert.equal(proposedSampleSize(100_000, 40), 40);
  });

  it('refuses a size larger than the population, with the population named', () => {
    assert.equal(sampleSizeProblem('120', 120), undefined);
    assert.equal(sampleSizeProblem(' 7 ', 120), undefined);
    assert.match(sampleSizeProblem('250', 120) ?? '', /at most 120: .*120 records/);
    assert.match(sampleSizeProblem('0', 120) ?? '', /positive whole number/);
    assert.match(sampleSizeProblem('2.5', 120) ?? '', /positive whole number/);
    assert.match(sampleSizeProblem('', 120) ?? '', /positive whole number/);
  });

  it('cocurate sample without --size draws the whole 33-record demo', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'size-'));
    try {
      const r = cocurate('sample', demo, '--seed', '3', '--out', out, '--json');
      assert.equal(r.code, 0, r.err);
      const plan = JSON.parse(fs.readFileSync(path.join(out, 'spotchecks', 'sample-33-seed3', 'plan.json'), 'utf8')) as { size: number; items: unknown[] };
      assert.equal(plan.items.length, 33);
      assert.equal(plan.size, 33);
      // An explicit size larger than the population is still refused with one clear line.
      const big = cocurate('sample', demo, '--seed', '3', '--size', '250', '--out', out);
      assert.equal(big.code, 2);
      assert.match(big.err, /sample size 250 is larger than the population \(33 items\)/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
