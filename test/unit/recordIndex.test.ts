import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectContainer, indexBuffer, indexFile, type Container, type RecordIndex } from '../../src/core/recordIndex';

/** The raw text of every record, as the index slices it. */
function records(buf: Buffer, idx: RecordIndex): string[] {
  const out: string[] = [];
  for (let i = 0; i < idx.count; i++) out.push(buf.toString('utf8', idx.start(i), idx.end(i)));
  return out;
}

const tricky = [
  { id: 'a', text: 'brackets ] } [ { inside', n: 1 },
  { id: 'b', text: 'escaped \\" quote and \\\\ backslash \\\\', nested: { list: [1, [2, { x: '}' }]] } },
  { id: 'c', text: 'multi-byte: 画质 ✓ émoji 🙂', tail: '\\' },
  { id: 'd', text: 'ends with backslash\\\\', empty: '' },
];

describe('record index', () => {
  for (const chunkSize of [3, 4, 5, 7, 16, 64, 1 << 22]) {
    it(`JSON array: exact record boundaries with chunk size ${chunkSize}`, () => {
      const text = '\ufeff[\r\n' + tricky.map((r) => '  ' + JSON.stringify(r, null, chunkSize % 2 ? 2 : 0)).join(',\r\n') + '\r\n]\r\n';
      const buf = Buffer.from(text, 'utf8');
      const idx = indexBuffer(buf, { chunkSize });
      assert.equal(idx.container, 'array');
      assert.equal(idx.count, tricky.length);
      assert.deepEqual(
        records(buf, idx).map((r) => JSON.parse(r)),
        tricky,
      );
      assert.deepEqual(idx.errors, []);
      // Line numbers: each record starts on its own line after "[".
      const expectedLines = [];
      let line = 2;
      for (const r of tricky) {
        expectedLines.push(line);
        line += JSON.stringify(r, null, chunkSize % 2 ? 2 : 0).split('\n').length;
      }
      assert.deepEqual(
        Array.from({ length: idx.count }, (_, i) => idx.line(i)),
        expectedLines,
      );
    });

    it(`JSONL: BOM, CRLF, blank lines, no final newline, chunk size ${chunkSize}`, () => {
      const lines = tricky.map((r) => JSON.stringify(r));
      const text = '\ufeff' + lines[0] + '\r\n\r\n   \n' + lines[1] + '\n' + lines[2] + '  \r\n\n' + lines[3];
      const buf = Buffer.from(text, 'utf8');
      const idx = indexBuffer(buf, { chunkSize, fileName: 'x.jsonl' });
      assert.equal(idx.container, 'jsonl');
      assert.deepEqual(records(buf, idx), lines);
      assert.deepEqual(
        [0, 1, 2, 3].map((i) => idx.line(i)),
        [1, 4, 5, 7],
      );
    });
  }

  it('detects containers: array, JSONL by content, grouped object', () => {
    assert.equal(detectContainer(Buffer.from('  [ {} ]')), 'array');
    assert.equal(detectContainer(Buffer.from('{"a":1}\n{"a":2}\n')), 'jsonl');
    assert.equal(detectContainer(Buffer.from('{"koniq": [{"img_path": "a.png", "gt_score": 1}]}')), 'grouped');
    assert.equal(detectContainer(Buffer.from('{\n "koniq": [\n  {"img_path": "a.png"}\n ]\n}')), 'grouped');
    assert.equal(detectContainer(Buffer.from('[]'), 'data.jsonl'), 'jsonl');
  });

  it('grouped object: records inside each named array carry the group name', () => {
    const obj = {
      koniq: [
        { img_path: 'k1.png', gt_score: 1 },
        { img_path: 'k2.png', gt_score: 2 },
      ],
      'sp"aq': [{ img_path: 's1.png', gt_score: 3 }],
      empty: [],
    };
    for (const chunkSize of [3, 11, 1 << 22]) {
      const buf = Buffer.from(JSON.stringify(obj, null, 2));
      const idx = indexBuffer(buf, { chunkSize });
      assert.equal(idx.container, 'grouped');
      assert.equal(idx.count, 3);
      assert.deepEqual(
        [0, 1, 2].map((i) => idx.group(i)),
        ['koniq', 'koniq', 'sp"aq'],
      );
      assert.deepEqual(
        records(buf, idx).map((r) => JSON.parse(r).img_path),
        ['k1.png', 'k2.png', 's1.png'],
      );
    }
  });

  it('JSONL: a broken line is indexed like any other; the lines after it still index', () => {
    const buf = Buffer.from('{"id":1}\n{"id": 2,, oops\n{"id":3}\n');
    const idx = indexBuffer(buf, { fileName: 'x.jsonl' });
    assert.equal(idx.count, 3);
    assert.equal(JSON.parse(records(buf, idx)[2]).id, 3);
    assert.equal(idx.line(2), 3);
  });

  it('JSON array truncated mid-record: earlier records usable, error names record and line', () => {
    const buf = Buffer.from('[\n{"id":1},\n{"id":2},\n{"id":3, "text": "cut he');
    const idx = indexBuffer(buf);
    assert.equal(idx.count, 2);
    assert.deepEqual(
      records(buf, idx).map((r) => JSON.parse(r).id),
      [1, 2],
    );
    assert.equal(idx.errors.length, 1);
    assert.equal(idx.errors[0].index, 2);
    assert.match(idx.errors[0].message, /unexpected end of file: record 2 \(line 4\) is not closed/);
  });

  it('JSON array: missing comma between records is reported and both records kept', () => {
    const buf = Buffer.from('[\n{"id":1}\n{"id":2},\n{"id":3}\n]');
    const idx = indexBuffer(buf);
    assert.equal(idx.count, 3);
    assert.equal(idx.errors.length, 1);
    assert.equal(idx.errors[0].line, 3);
    assert.match(idx.errors[0].message, /missing ","/);
  });

  it('JSON array: a complete last record before a missing "]" stays usable', () => {
    const buf = Buffer.from('[{"id":1},{"id":2}');
    const idx = indexBuffer(buf);
    assert.equal(idx.count, 2);
    assert.match(idx.errors[0].message, /closing bracket is missing|not closed/);
  });

  it('bare literals and strings as records are indexed (validation flags them later)', () => {
    const buf = Buffer.from('[1, "two, with comma", null, {"a": [1,2]}, 12345]');
    for (const chunkSize of [3, 8, 1024]) {
      const idx = indexBuffer(buf, { chunkSize });
      assert.deepEqual(records(buf, idx), ['1', '"two, with comma"', 'null', '{"a": [1,2]}', '12345']);
    }
  });

  it('indexFile streams from disk and matches the in-memory index', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idx-'));
    const file = path.join(dir, 'big.json');
    const recs = Array.from({ length: 3000 }, (_, i) => ({
      id: `r${i}`,
      image: [`a${i}.png`, `b${i}.png`],
      conversations: [
        { from: 'human', value: `q ${'"}'.repeat(i % 7)}` },
        { from: 'gpt', value: '答'.repeat(i % 13) },
      ],
    }));
    fs.writeFileSync(file, JSON.stringify(recs, null, 1));
    const onDisk = indexFile(file, { chunkSize: 4096 });
    const inMem = indexBuffer(fs.readFileSync(file));
    assert.equal(onDisk.count, 3000);
    for (const i of [0, 1, 1234, 2999]) {
      assert.equal(onDisk.start(i), inMem.start(i));
      assert.equal(onDisk.end(i), inMem.end(i));
      assert.equal(onDisk.line(i), inMem.line(i));
    }
    const buf = fs.readFileSync(file);
    assert.deepEqual(JSON.parse(buf.toString('utf8', onDisk.start(2999), onDisk.end(2999))), recs[2999]);
    fs.rmSync(dir, { recursive: true });
  });

  it('out-of-range access throws a RangeError naming the range', () => {
    const idx = indexBuffer(Buffer.from('[{}]'));
    assert.throws(() => idx.start(1), /record 1 is out of range \(0–0\)/);
  });

  const containers: Container[] = ['array', 'jsonl'];
  for (const c of containers) {
    it(`empty ${c} file indexes to zero records`, () => {
      const idx = indexBuffer(Buffer.from(c === 'array' ? '[]' : ''), { container: c });
      assert.equal(idx.count, 0);
      assert.deepEqual(idx.errors, []);
    });
  }
});
