/** Server internals: record spans in UTF-16 units, and the unchanged prefix/suffix used for incremental passes. */
import * as assert from 'node:assert/strict';
import { commonPrefixLength, commonSuffixLength } from '../../src/server/diagnostics';
import { decodedToRawOffset } from '../../src/server/jsonStringOffsets';
import { recordAt, recordLayout } from '../../src/server/recordSpans';

describe('language server internals', () => {
  it('finds records of a JSON array in string offsets, after multi-byte text', () => {
    const recs = [{ id: 'a', t: '画质 😀' }, { id: 'b', t: 'ü' }, { id: 'c' }];
    const text = JSON.stringify(recs, null, 2);
    const { container, spans, errors } = recordLayout(text, 'x.json');
    assert.equal(container, 'array');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      spans.map((s) => JSON.parse(text.slice(s.start, s.end)).id),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(
      spans.map((s) => s.line),
      [1, 5, 9],
    );
    assert.equal(recordAt(spans, spans[1].start + 3), 1);
    assert.equal(recordAt(spans, spans[1].end + 1), -1, 'between records');
  });

  it('finds JSONL records as non-blank lines (CRLF, BOM, blank lines, no final newline)', () => {
    const text = '\ufeff{"id":1}\r\n\r\n  {"id":2}  \n{"id":3}';
    const { spans } = recordLayout(text, 'x.jsonl');
    assert.deepEqual(
      spans.map((s) => [text.slice(s.start, s.end), s.line]),
      [
        ['{"id":1}', 0],
        ['{"id":2}', 2],
        ['{"id":3}', 3],
      ],
    );
  });

  it('measures the unchanged prefix and suffix of two texts', () => {
    assert.equal(commonPrefixLength('abcdef', 'abcxef'), 3);
    assert.equal(commonSuffixLength('abcdef', 'abcxef', 0), 2);
    assert.equal(commonPrefixLength('abc', 'abc'), 3);
    assert.equal(commonSuffixLength('abc', 'xabc', 0), 3);
    assert.equal(commonPrefixLength('', 'a'), 0);
    const big = 'x'.repeat(1e6);
    assert.equal(commonPrefixLength(big + 'a' + big, big + 'b' + big), 1e6);
    assert.equal(commonSuffixLength(big + 'a' + big, big + 'b' + big, 0), 1e6);
  });

  it('maps positions in a decoded JSON string back to its literal', () => {
    const literal = JSON.stringify('a\nThe second image: 😀"x"');
    const value = JSON.parse(literal) as string;
    const k = value.indexOf('The second');
    assert.equal(literal.slice(decodedToRawOffset(literal, k), decodedToRawOffset(literal, k + 17)), 'The second image:');
    const q = value.indexOf('"x"');
    assert.equal(literal.slice(decodedToRawOffset(literal, q), decodedToRawOffset(literal, q + 3)), '\\"x\\"');
  });
});
