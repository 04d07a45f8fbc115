import * as assert from 'node:assert/strict';
import { globToRegExp, matchesGlob } from '../../src/core/glob';

describe('glob patterns (curator.lsp.include)', () => {
  it('matches **, *, ?, {a,b} and [..] like editor settings do', () => {
    assert.ok(matchesGlob('/w/data/train.jsonl', ['**/data/*.jsonl']));
    assert.ok(matchesGlob('/w/a/b/data/x.jsonl', ['**/data/*.jsonl']));
    assert.ok(!matchesGlob('/w/data/sub/x.jsonl', ['**/data/*.jsonl']));
    assert.ok(matchesGlob('/w/x.json', ['*.{json,jsonl}']), 'a pattern without "/" matches the base name');
    assert.ok(matchesGlob('/w/split-3.json', ['split-?.json']));
    assert.ok(matchesGlob('/w/split-3.json', ['split-[0-9].json']));
    assert.ok(!matchesGlob('/w/split-a.json', ['split-[0-9].json']));
    assert.ok(matchesGlob('C:\\w\\data\\x.jsonl', ['data/*.jsonl']), 'Windows separators; a relative pattern matches at any depth');
    assert.ok(!matchesGlob('/w/x.json', []));
    assert.ok(!matchesGlob('/w/x.json', ['']));
  });

  it('escapes regular-expression characters in names', () => {
    assert.ok(globToRegExp('a+b(1).json').test('a+b(1).json'));
    assert.ok(!globToRegExp('a.json').test('abjson'));
  });
});
