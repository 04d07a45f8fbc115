/**
 * Disagreements recorded beside a plan (src/core/answers/planDisagreements.ts): read from every
 * agreement file, a torn file skipped; plan positions in plan order; next/previous wrap around.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { disagreementPositions, readDisagreements, stepDisagreement } from '../../../src/core/answers/planDisagreements';

const d = (key: string) => ({ key, answer: `model on ${key}`, answerChoice: 'first image', labelChoice: 'second image', status: 'disagree' });

describe('plan disagreements', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disagree-'));
    fs.writeFileSync(path.join(dir, 'agreement-a.json'), JSON.stringify({ profile: { name: 'A' }, disagreements: [d('k4'), d('k1')] }));
    fs.writeFileSync(path.join(dir, 'agreement-b.json'), JSON.stringify({ profile: { name: 'B' }, disagreements: [d('k1'), d('k6')] }));
    fs.writeFileSync(path.join(dir, 'agreement-torn.json'), '{"profile": {"name": "T"}, "disagr');
    fs.writeFileSync(path.join(dir, 'plan.json'), '{}');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads every agreement file with its profile, skipping a torn one', () => {
    const rows = readDisagreements(dir).map((r) => `${r.profile}:${r.d.key}`);
    assert.deepEqual(rows, ['A:k4', 'A:k1', 'B:k1', 'B:k6']);
    assert.deepEqual(readDisagreements(path.join(dir, 'missing')), []);
  });

  it('gives plan positions in plan order, each item once', () => {
    const items = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'].map((key) => ({ key }));
    assert.deepEqual(disagreementPositions(dir, items), { keys: ['k1', 'k4', 'k6'], positions: [1, 4, 6] });
  });

  it('steps to the next and previous position, wrapping, from a position that is no disagreement', () => {
    const p = [1, 4, 6];
    assert.equal(stepDisagreement(p, 0, 1), 1);
    assert.equal(stepDisagreement(p, 2, 1), 4);
    assert.equal(stepDisagreement(p, 4, 1), 6);
    assert.equal(stepDisagreement(p, 6, 1), 1);
    assert.equal(stepDisagreement(p, 5, -1), 4);
    assert.equal(stepDisagreement(p, 1, -1), 6);
    assert.equal(stepDisagreement([], 3, 1), undefined);
  });
});
