import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { journalPath, readAllJournals, readJournal, reviewerSlug, VerdictJournal } from '../../src/core/verdicts';

describe('verdict journal', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-'));

  it('appends lines that are on disk when append returns; latest non-undone verdict wins', () => {
    const file = journalPath(dir, 'ana');
    const j = new VerdictJournal(file);
    j.append({ key: 'a', hash: 'h1', verdict: 'correct', reviewer: 'ana' });
    // Read back with a separate file descriptor before closing: the line is already there.
    assert.equal(fs.readFileSync(file, 'utf8').trim().split('\n').length, 1);
    j.append({ key: 'a', hash: 'h1', verdict: 'incorrect', note: 'ranking reversed', reviewer: 'ana' });
    j.append({ key: 'b', hash: 'h2', verdict: 'skip', reviewer: 'ana' });
    j.append({ key: 'b', hash: 'h2', verdict: 'undo', reviewer: 'ana' });
    j.append({ key: 'a', hash: 'h1', verdict: 'undo', reviewer: 'ana' });
    j.close();
    const r = readJournal(file);
    assert.equal(r.lines.length, 5);
    assert.equal(r.latest.get('a')?.verdict, 'correct');
    assert.equal(r.latest.has('b'), false);
    assert.deepEqual(r.warnings, []);
    const line = JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[1]);
    assert.deepEqual(Object.keys(line), ['v', 'key', 'hash', 'verdict', 'note', 'reviewer', 'at']);
  });

  it('a torn last line is ignored with a warning, and the next append starts a fresh line', () => {
    const file = journalPath(dir, 'bo');
    fs.writeFileSync(file, JSON.stringify({ v: 1, key: 'a', hash: 'h', verdict: 'correct', reviewer: 'bo', at: 'x' }) + '\n{"v":1,"key":"b","ha');
    const r = readJournal(file);
    assert.equal(r.latest.get('a')?.verdict, 'correct');
    assert.equal(r.latest.size, 1);
    assert.match(r.warnings[0], /:2: torn last line/);
    const j = new VerdictJournal(file);
    j.append({ key: 'c', hash: 'h', verdict: 'incorrect', reviewer: 'bo' });
    j.close();
    const r2 = readJournal(file);
    assert.equal(r2.latest.get('c')?.verdict, 'incorrect');
    assert.match(r2.warnings[0], /:2: invalid JSON/);
  });

  it('one file per reviewer; reviewer names become safe file names', () => {
    assert.equal(reviewerSlug('Dr. Jane Doe/../x'), 'Dr._Jane_Doe_.._x');
    assert.equal(path.basename(journalPath(dir, 'a b')), 'verdicts-a_b.jsonl');
    const all = readAllJournals(dir).map((j) => j.reviewer);
    assert.deepEqual(all, ['ana', 'bo']);
    assert.deepEqual(readAllJournals(path.join(dir, 'nope')), []);
  });
});
