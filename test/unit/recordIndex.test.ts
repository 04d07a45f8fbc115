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

  // The scanner walks short strings byte by byte and searches long ones natively, counts lines as it
  // meets them and reserves its columns from the first chunk: whatever the chunk size, the same file
  // must give the same records, lines, id hashes, groups and faults, and a valid file the records
  // JSON.parse sees.
  describe('chunk-size invariance on generated and damaged files (deterministic)', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
    const long = 'x'.repeat(40) + ' \\" long text \\\\ with 画质 ';
    const record = (i: number): Record<string, unknown> => {
      const r: Record<string, unknown> = {
        id: rnd() < 0.7 ? `id-${i}` : i,
        text: pick(['a', 'b\\"c', long + i, 'brackets ] } [ {', 'ends\\\\', '', long.repeat(3)]),
        n: [1, { x: '}' }],
      };
      if (rnd() < 0.3) delete r.id;
      return r;
    };
    // An id hash is read from the chunk the record starts in: with smaller chunks it may be unknown
    // (NaN: the caller then parses the record), never different. `hashKnown` masks the hashes the
    // smaller-chunk index could not read.
    const dump = (idx: RecordIndex, hashKnown: (i: number) => boolean = () => true): string =>
      JSON.stringify({
        container: idx.container,
        bytes: idx.bytes,
        records: Array.from({ length: idx.count }, (_, i) => [
          idx.start(i),
          idx.end(i),
          idx.line(i),
          hashKnown(i) && !Number.isNaN(idx.idHash(i)) ? idx.idHash(i) : 'unknown',
          idx.group(i),
        ]),
        errors: idx.errors,
        omitted: idx.errorsOmitted,
      });
    it('1500 files: arrays, JSONL and grouped objects, valid and with stray quotes, backslashes, brackets and newlines', () => {
      let damaged = 0;
      for (let t = 0; t < 1500; t++) {
        const kind = pick(['array', 'jsonl', 'grouped'] as const);
        const recs = Array.from({ length: Math.floor(rnd() * 8) }, (_, i) => record(i));
        const indent = pick([0, 1, 2]);
        let text =
          kind === 'array'
            ? '[\n' + recs.map((r) => JSON.stringify(r, null, indent)).join(',\n') + '\n]\n'
            : kind === 'jsonl'
              ? recs.map((r) => JSON.stringify(r)).join(pick(['\n', '\r\n', '\n\n  '])) + pick(['', '\n'])
              : JSON.stringify({ 'g"1': recs.slice(0, 3), g2: recs.slice(3) }, null, indent);
        if (rnd() < 0.1) text = '\ufeff' + text;
        let buf = Buffer.from(text, 'utf8');
        const mutations = Math.floor(rnd() * 4);
        for (let m = 0; m < mutations; m++) {
          const at = Math.floor(rnd() * (buf.length + 1));
          const op = rnd();
          if (op < 0.5)
            buf = Buffer.concat([
              buf.subarray(0, at),
              Buffer.from(pick(['"', '\\', '\n', ',', '{', '}', '[', ']', ' ', ':', '\\"', '\r\n'])),
              buf.subarray(at),
            ]);
          else if (op < 0.8) buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1)]);
          else buf = buf.subarray(0, at);
        }
        const container = rnd() < 0.5 ? undefined : kind;
        const whole = indexBuffer(buf, { container });
        for (const chunkSize of [1, 2, 3, 7, 33]) {
          const small = indexBuffer(buf, { container, chunkSize });
          const known = (i: number): boolean => i < small.count && !Number.isNaN(small.idHash(i));
          assert.equal(dump(small), dump(whole, known), `chunk ${chunkSize}: ${JSON.stringify(buf.toString())}`);
        }
        if (mutations > 0) {
          damaged++;
          continue;
        }
        // Undamaged: the records are the values, each on the line it starts on.
        const values = kind === 'grouped' ? [...recs.slice(0, 3), ...recs.slice(3)] : recs;
        if (container === undefined && kind !== 'array' && values.length < 2) continue; // detection may read one line either way
        assert.equal(whole.count, values.length, JSON.stringify(text));
        assert.deepEqual(
          records(buf, whole).map((r) => JSON.parse(r)),
          values,
        );
        for (let i = 0; i < whole.count; i++) assert.equal(whole.line(i), buf.toString('utf8', 0, whole.start(i)).split('\n').length);
      }
      assert.ok(damaged > 500, `${damaged} damaged files`);
    });
  });

  it('a bare literal record cut by a chunk boundary stays one record (no false "missing comma")', () => {
    const buf = Buffer.from('[12345, true, 67890]');
    for (const chunkSize of [1, 2, 3, 4, 5, 8]) {
      const idx = indexBuffer(buf, { chunkSize });
      assert.deepEqual(records(buf, idx), ['12345', 'true', '67890'], `chunk ${chunkSize}`);
      assert.deepEqual(idx.errors, [], `chunk ${chunkSize}`);
    }
  });

  it('reports progress after each chunk: records so far and bytes read, ending at the file size', () => {
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ id: i, text: 'x'.repeat(i % 50) }));
    const buf = Buffer.from(lines.join('\n') + '\n');
    for (const container of ['jsonl', 'array'] as const) {
      const data = container === 'jsonl' ? buf : Buffer.from('[' + lines.join(',\n') + ']');
      const seen: [number, number][] = [];
      const idx = indexBuffer(data, { container, chunkSize: 1000, onProgress: (records, bytes) => seen.push([records, bytes]) });
      assert.equal(seen.length, Math.ceil(data.length / 1000));
      assert.deepEqual(seen[seen.length - 1], [idx.count, data.length]);
      for (let k = 1; k < seen.length; k++) assert.ok(seen[k][0] >= seen[k - 1][0] && seen[k][1] > seen[k - 1][1]);
    }
  });
});
