/**
 * The review's reason keys (issue #17): `curator.review.reasons` read by core, and a session's mark
 * writing a correction and reasons as one journal line (only with an incorrect verdict).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../../src/cli/args';
import { sample } from '../../src/cli/commands/sample';
import { Dataset } from '../../src/core/dataset';
import { DEFAULT_REVIEW_REASONS, parseReviewReasons } from '../../src/core/reviewReasons';
import { SpotCheckSession } from '../../src/core/spotCheckSession';
import { readJournal } from '../../src/core/verdicts';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('review reasons setting', () => {
  it('defaults to the list package.json declares as the setting default', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const declared = pkg.contributes.configuration.properties['curator.review.reasons'];
    assert.deepEqual(declared.default, DEFAULT_REVIEW_REASONS);
    assert.deepEqual(parseReviewReasons(undefined), { reasons: DEFAULT_REVIEW_REASONS, problems: [] });
    assert.deepEqual(parseReviewReasons(declared.default), { reasons: DEFAULT_REVIEW_REASONS, problems: [] });
  });

  it('reads {key, reason} entries and plain strings (next free digit), sorted by key', () => {
    const r = parseReviewReasons(['vague', { key: '1', reason: ' wrong ranking ' }, { key: 3, reason: 'blur missed' }]);
    assert.deepEqual(r.reasons, [
      { key: '1', reason: 'wrong ranking' },
      { key: '2', reason: 'vague' },
      { key: '3', reason: 'blur missed' },
    ]);
    assert.deepEqual(r.problems, []);
  });

  it('leaves out bad entries and names each one and why', () => {
    const r = parseReviewReasons([{ key: '0', reason: 'a' }, { key: '1', reason: '' }, { key: '2', reason: 'b' }, { key: '2', reason: 'c' }, 'b', 42]);
    assert.deepEqual(r.reasons, [{ key: '2', reason: 'b' }]);
    assert.deepEqual(r.problems, [
      'curator.review.reasons[0]: "key" must be one of the digits 1–9, not "0"; left out',
      'curator.review.reasons[1]: "reason" must be a non-empty string; left out',
      'curator.review.reasons[3]: key 2 is taken by "b"; left out',
      'curator.review.reasons[4]: "b" is listed twice; left out',
      'curator.review.reasons[5]: must be a string or {"key", "reason"}; left out',
    ]);
    assert.match(parseReviewReasons({ key: '1' }).problems[0], /must be an array/);
    const ten = parseReviewReasons(Array.from({ length: 10 }, (_, i) => `r${i}`));
    assert.equal(ten.reasons.length, 9);
    assert.deepEqual(ten.problems, ['curator.review.reasons[9]: no free key 1–9 for "r9"; left out']);
  });
});

describe('spot-check session: corrections and reasons', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'session-fix-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes verdict, note, correction and reasons as one line, on disk when mark returns; refuses them with another verdict', async () => {
    const data = path.join(tmp, 'demo.json');
    fs.copyFileSync(path.join(ROOT, 'demo', 'coinstruct-demo.json'), data);
    const io = { out: () => undefined, err: () => undefined };
    assert.equal(await sample.run(parseArgs([data, '--size', '3', '--seed', '1', '--name', 'fix', '--out', path.join(tmp, '.curator')], sample.flags), io), 0);
    const dir = path.join(tmp, '.curator', 'spotchecks', 'fix');
    const s = await SpotCheckSession.open(dir, 'ana', { acquireAsync: async (f) => Dataset.open(f), release: (d) => d.close() });
    try {
      const key = s.plan.items[0].key;
      s.mark(key, 'incorrect', 'see sky', { correction: 'The second image is sharper.', reasons: ['wrong ranking', 'vague'] });
      const onDisk = readJournal(s.journalFile).latest.get(key);
      assert.equal(onDisk?.correction, 'The second image is sharper.');
      assert.deepEqual(onDisk?.reasons, ['wrong ranking', 'vague']);
      assert.equal(onDisk?.note, 'see sky');
      assert.throws(() => s.mark(key, 'correct', undefined, { reasons: ['vague'] }), /a correction or reasons go with an incorrect verdict, not "correct"/);
      assert.throws(() => s.mark(key, 'skip', undefined, { correction: 'x' }), /incorrect verdict/);
      // A later line without them withdraws them (latest wins); undo brings them back.
      s.mark(key, 'correct');
      assert.equal(readJournal(s.journalFile).latest.get(key)?.correction, undefined);
      assert.equal(s.undo(key)?.correction, 'The second image is sharper.');
    } finally {
      s.dispose();
    }
  });
});
