/**
 * Cold scans on two cores (issue #15): the second half of a file scanned from a split point (in a
 * worker thread, or in this thread through indexBufferSplit) and joined to the first must give
 * exactly what one scan gives — records, lines, id hashes, faults, omitted faults, bytes — on valid,
 * pretty-printed, one-line and broken files, wherever the split falls. The array scanner itself must
 * equal the structured scanner it replaces for arrays.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  bufferSplitPoint,
  indexBuffer,
  indexBufferReference,
  indexBufferSplit,
  indexFile,
  MAX_INDEX_ERRORS,
  type RecordIndex,
} from '../../src/core/recordIndex';
import { parallelMinBytes, parallelScanFrom, scanWorkerScript, tailSplitTarget, WORKER_START_BYTES } from '../../src/core/parallelScan';

/** Everything an index says, as one string (exact: id hashes included, known or not). */
function dump(idx: RecordIndex): string {
  return JSON.stringify({
    container: idx.container,
    bytes: idx.bytes,
    records: Array.from({ length: idx.count }, (_, i) => [idx.start(i), idx.end(i), idx.line(i), idx.idHash(i)]),
    errors: idx.errors,
    omitted: idx.errorsOmitted,
  });
}

const tailOf = (idx: RecordIndex): string | undefined => (idx as unknown as { tail?: string }).tail;

let seed = 4242;
const rnd = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];

const TEXTS = [
  'plain',
  'brackets ] } [ { and a comma, inside',
  'quote \\" and {"json": [1, 2]} in text',
  'backslash at the end \\\\',
  '\\\\\\" three backslashes and a quote',
  '画质 ✓ émoji 🙂 unicode',
  '',
  'x'.repeat(50) + ' long enough to be searched natively \\" with an escaped quote ' + 'y'.repeat(30),
  'escaped newline \\n and tab \\t',
];

function record(i: number): unknown {
  const kind = rnd();
  if (kind < 0.05) return pick([1, -2.5e3, true, null, 'a string record', [1, [2, [3]]]]);
  const r: Record<string, unknown> = {};
  if (rnd() < 0.8) r.id = rnd() < 0.7 ? `id-${i}` : i;
  r.text = pick(TEXTS);
  if (rnd() < 0.5) r.nested = { list: [1, [2, { x: pick(TEXTS) }]], empty: [], obj: {} };
  if (rnd() < 0.4)
    r.conversations = [
      { from: 'human', value: pick(TEXTS) },
      { from: 'gpt', value: pick(TEXTS) + i },
    ];
  return r;
}

/** A generated file: a JSON array (pretty-printed or on one line) or JSONL, maybe damaged. */
function generate(): { buf: Buffer; container: 'array' | 'jsonl'; damaged: boolean } {
  const container = rnd() < 0.7 ? 'array' : 'jsonl';
  const recs = Array.from({ length: Math.floor(rnd() * 12) }, (_, i) => record(i));
  const indent = pick([0, 0, 1, 2, 4]);
  const sep = pick([',\n', ', ', ',', ',\r\n', '\n,']);
  let text =
    container === 'array'
      ? indent === 0 && rnd() < 0.5
        ? JSON.stringify(recs) // one line
        : '[\n' + recs.map((r) => JSON.stringify(r, null, indent).replace(/^/gm, pick(['', ' ', '\t']))).join(sep) + pick(['\n]\n', ']', '\n]'])
      : recs.map((r) => JSON.stringify(r)).join(pick(['\n', '\r\n', '\n\n  '])) + pick(['', '\n']);
  if (rnd() < 0.1) text = '\ufeff' + text;
  let buf = Buffer.from(text, 'utf8');
  const mutations = rnd() < 0.5 ? 0 : 1 + Math.floor(rnd() * 4);
  for (let m = 0; m < mutations; m++) {
    const at = Math.floor(rnd() * (buf.length + 1));
    const op = rnd();
    if (op < 0.55)
      buf = Buffer.concat([
        buf.subarray(0, at),
        Buffer.from(pick(['"', '\\', '\n', ',', '{', '}', '[', ']', ' ', ':', '\\"', '\r\n', 'x', ']]', '}\n'])),
        buf.subarray(at),
      ]);
    else if (op < 0.85) buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1)]);
    else buf = buf.subarray(0, at);
  }
  return { buf, container, damaged: mutations > 0 };
}

/** Split points to try: every newline (+1) and, for arrays, every byte of small files or a sample of larger ones. */
function splits(buf: Buffer, container: 'array' | 'jsonl'): number[] {
  const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const out = new Set<number>();
  for (let k = bom + 1; k < buf.length; k++) {
    if (buf[k - 1] === 0x0a) out.add(k);
    else if (container === 'array' && (buf.length < 300 || rnd() < 0.1)) out.add(k);
  }
  return [...out];
}

describe('cold scans on two cores (issue #15)', () => {
  it('800 generated files: the array scanner equals the structured scanner, whatever the chunk size', () => {
    let arrays = 0;
    for (let t = 0; t < 800; t++) {
      const { buf, container } = generate();
      if (container !== 'array') continue;
      arrays++;
      for (const chunkSize of [1, 2, 5, 17, 1 << 22]) {
        assert.equal(
          dump(indexBuffer(buf, { container, chunkSize })),
          dump(indexBufferReference(buf, { chunkSize })),
          `chunk ${chunkSize}: ${JSON.stringify(buf.toString())}`,
        );
      }
    }
    assert.ok(arrays > 400, `${arrays} arrays`);
  });

  it('160 generated files split at every newline and many other bytes: the joined halves equal one scan', () => {
    let joined = 0;
    let alone = 0;
    let validNewlineSplits = 0;
    for (let t = 0; t < 160; t++) {
      const { buf, container, damaged } = generate();
      for (const chunkSize of [3, 1 << 22]) {
        const whole = dump(indexBuffer(buf, { container, chunkSize }));
        for (const split of splits(buf, container)) {
          const two = indexBufferSplit(buf, split, { container, chunkSize });
          assert.equal(dump(two), whole, `${container} split at ${split}, chunk ${chunkSize}: ${JSON.stringify(buf.toString())}`);
          if (tailOf(two) === 'joined') joined++;
          if (tailOf(two) === 'alone') alone++;
          // A valid file split just after a newline is outside any string: the tail must join (unless the split is in the last record).
          if (!damaged && buf[split - 1] === 0x0a && container === 'array' && tailOf(two) !== undefined) {
            validNewlineSplits++;
            assert.equal(tailOf(two), 'joined', `valid array split after a newline at ${split}: ${JSON.stringify(buf.toString())}`);
          }
        }
      }
    }
    assert.ok(joined > 1000, `${joined} joined`);
    assert.ok(alone > 25, `${alone} scanned by the head alone (splits inside strings, broken files)`);
    assert.ok(validNewlineSplits > 200, `${validNewlineSplits} valid newline splits`);
  });

  it('a tail in a broken file: faults after the split keep their record index, line and column', () => {
    const recs = Array.from({ length: 40 }, (_, i) => JSON.stringify({ id: `r${i}`, text: 'a "quoted" [text]' }, null, 1));
    // Record 30 lacks its comma; the file ends without "]" inside record 39.
    const text = '[\n' + recs.slice(0, 30).join(',\n') + '\n' + recs.slice(30, 39).join(',\n') + ',\n' + recs[39].slice(0, 20);
    const buf = Buffer.from(text);
    const whole = indexBuffer(buf);
    const lineOf = (offset: number): number => buf.toString('utf8', 0, offset).split('\n').length;
    assert.deepEqual(
      whole.errors.map((e) => [e.index, e.line, e.message]),
      [
        [29, lineOf(buf.indexOf('{\n "id": "r30"')), 'missing "," between records'],
        [39, lineOf(buf.length), `unexpected end of file: record 39 (line ${lineOf(buf.indexOf('{\n "id": "r39"'))}) is not closed`],
      ],
    );
    const split = bufferSplitPoint(buf, 'array');
    assert.ok(split > buf.indexOf('"r10"') && split < buf.indexOf('"r30"'), `split ${split}`);
    const two = indexBufferSplit(buf, split);
    assert.equal(tailOf(two), 'joined');
    assert.equal(dump(two), dump(whole));
  });

  it('more faults than are kept: the kept ones and the omitted count are those of one scan', () => {
    const buf = Buffer.from('[' + '{"a":1} '.repeat(MAX_INDEX_ERRORS * 2) + ']');
    const whole = indexBuffer(buf);
    assert.equal(whole.errors.length, MAX_INDEX_ERRORS);
    assert.ok(whole.errorsOmitted > 0);
    for (const split of [buf.length >> 2, buf.length >> 1, buf.length - 20]) assert.equal(dump(indexBufferSplit(buf, split)), dump(whole), `split ${split}`);
  });

  it('splitPoint: just after the first newline past the middle, or at "}," on one line, or none', () => {
    const pretty = Buffer.from(JSON.stringify([{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }], null, 1));
    const at = bufferSplitPoint(pretty, 'array');
    assert.equal(pretty[at - 1], 0x0a);
    assert.ok(at > pretty.length / 2 && pretty.subarray(pretty.length >> 1, at - 1).indexOf(0x0a) === -1);
    const oneLine = Buffer.from(JSON.stringify(Array.from({ length: 8 }, (_, i) => ({ a: i }))));
    const k = bufferSplitPoint(oneLine, 'array');
    assert.equal(oneLine.toString('utf8', k - 1, k + 1), '},');
    assert.equal(bufferSplitPoint(Buffer.from('[1,2,3,4,5,6,7,8,9]'), 'array'), -1);
  });

  it("the worker's share is sized for its start: the split sits past the middle by half the bytes scanned meanwhile", () => {
    for (const container of ['array', 'jsonl'] as const) {
      const start = WORKER_START_BYTES[container];
      const big = 4 * parallelMinBytes(container);
      // Head and tail finish together: head = tail + the bytes the head scans while the worker starts.
      const at = tailSplitTarget(container, 3, big);
      assert.equal(at - 3 - (big - at), start - ((big - 3 + start) % 2));
      // Never past two thirds (files split below parallelMinBytes: tests, an explicit parallelMinBytes).
      assert.equal(tailSplitTarget(container, 0, 3000), 2000);
      assert.ok(tailSplitTarget(container, 0, parallelMinBytes(container)) <= (2 * parallelMinBytes(container)) / 3);
      // Two threads only where they save at least a start: the threshold is three starts.
      assert.equal(parallelMinBytes(container), 3 * start);
    }
    // splitPoint starts looking at the target it is given: the first newline at or past it.
    const text = Buffer.from('[\n' + Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: i })).join(',\n') + '\n]\n');
    const target = tailSplitTarget('array', 0, text.length);
    const at = bufferSplitPoint(text, 'array', target);
    assert.ok(at > target && text[at - 1] === 0x0a && text.subarray(target, at - 1).indexOf(0x0a) === -1, `${target} → ${at}`);
    assert.equal(dump(indexBufferSplit(text, at)), dump(indexBuffer(text)));
  });

  it('a scan of 8 MiB or more (after the scanners warm up on their sample) equals the structured scanner and a split scan', () => {
    // The warm-up runs once per process before the first large scan; what it scanned must leave no trace.
    const recs = Array.from({ length: 48000 }, (_, i) => ({ id: `r-${i}`, text: TEXTS[i % TEXTS.length].repeat(1 + (i % 5)), n: [i, { k: TEXTS[i % 3] }] }));
    const array = Buffer.from('[\n' + recs.map((r) => JSON.stringify(r, null, 1)).join(',\n') + '\n]\n');
    const jsonl = Buffer.from(recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
    assert.ok(array.length >= 8 << 20 && jsonl.length >= 8 << 20, `${array.length}, ${jsonl.length} bytes`);
    const a = indexBuffer(array);
    assert.equal(a.count, recs.length);
    assert.equal(dump(a), dump(indexBufferReference(array)));
    assert.equal(dump(indexBufferSplit(array, bufferSplitPoint(array, 'array'))), dump(a));
    const l = indexBuffer(jsonl, { fileName: 'x.jsonl' });
    assert.equal(l.count, recs.length);
    assert.equal(l.idHash(7), a.idHash(7));
    assert.equal(dump(indexBufferSplit(jsonl, bufferSplitPoint(jsonl, 'jsonl'), { fileName: 'x.jsonl' })), dump(l));
  });

  describe('in a worker thread (indexFile)', () => {
    let dir: string;
    const threads = process.env.COCURATE_SCAN_THREADS;
    before(() => {
      // A worker by default only when a core is idle: these tests ask for one whatever the load.
      process.env.COCURATE_SCAN_THREADS = '2';
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-parallel-'));
      assert.ok(scanWorkerScript(), 'the worker script is built beside parallelScan.js');
    });
    after(() => {
      if (threads === undefined) delete process.env.COCURATE_SCAN_THREADS;
      else process.env.COCURATE_SCAN_THREADS = threads;
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const write = (name: string, text: string | Buffer): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    };
    const bigRecords = (n: number): unknown[] =>
      Array.from({ length: n }, (_, i) => ({
        id: `coinstruct-${i}`,
        image: [`images/${i}.jpg`],
        conversations: [
          { from: 'human', value: pick(TEXTS) },
          { from: 'gpt', value: `${pick(TEXTS)} ${i}` },
        ],
      }));

    for (const [name, make] of [
      [
        'a pretty-printed array',
        () =>
          '[\n' +
          bigRecords(3000)
            .map((r) => JSON.stringify(r, null, 2))
            .join(',\n') +
          '\n]\n',
      ],
      ['an array on one line', () => JSON.stringify(bigRecords(3000))],
      [
        'JSONL',
        () =>
          bigRecords(3000)
            .map((r) => JSON.stringify(r))
            .join('\n') + '\n',
      ],
      [
        'a broken array (missing commas, a stray quote, no "]")',
        () => {
          const recs = bigRecords(3000).map((r) => JSON.stringify(r, null, 1));
          recs[2999] = recs[2999].replace('"coinstruct-2999"', '"coinstruct-"2999"');
          return '[\n' + recs.map((r, i) => (i === 2000 || i === 2500 ? '\n' : i > 0 ? ',\n' : '') + r).join('');
        },
      ],
    ] as const) {
      it(`${name}: the worker's half joined to this thread's equals one scan`, () => {
        const f = write(name.replace(/\W+/g, '_') + (name === 'JSONL' ? '.jsonl' : '.json'), make());
        const one = indexFile(f, { parallelMinBytes: Infinity, chunkSize: 1 << 16 });
        const progress: [number, number][] = [];
        const two = indexFile(f, {
          parallelMinBytes: 0,
          chunkSize: 1 << 16,
          onProgress: (r, b, partial) => {
            // Records reported are final in the index passed with them (show prints one early from it).
            assert.ok(r <= partial.count, `${r} records reported, ${partial.count} in the index`);
            if (r > 0) assert.equal(partial.start(r - 1), one.start(r - 1));
            progress.push([r, b]);
          },
        });
        assert.equal(tailOf(one), undefined);
        assert.equal(tailOf(two), 'joined', 'a worker scanned the second half and it joined');
        assert.equal(dump(two), dump(one));
        assert.deepEqual(progress[progress.length - 1], [one.count, fs.statSync(f).size]);
        if (name.startsWith('a broken')) assert.ok(one.errors.length >= 3, JSON.stringify(one.errors));
      });
    }

    it(`files under ${parallelMinBytes('array') >> 20} MiB (array) or ${parallelMinBytes('jsonl') >> 20} MiB (JSONL) are scanned in one thread (no worker)`, () => {
      const f = write('small.json', JSON.stringify(bigRecords(500), null, 1));
      assert.equal(tailOf(indexFile(f)), undefined);
      assert.equal(tailOf(indexFile(f, { parallelMinBytes: 0 })), 'joined');
    });

    it('COCURATE_SCAN_THREADS=1 turns the worker off (=2 turns it on whatever the load)', () => {
      const f = write('off.json', JSON.stringify(bigRecords(500), null, 1));
      // Forced, a worker is tried from one chunk (4 MiB) whatever the size threshold: the bench's "2 threads" rows.
      assert.equal(parallelScanFrom('jsonl'), 4 << 20);
      process.env.COCURATE_SCAN_THREADS = '1';
      try {
        assert.equal(tailOf(indexFile(f, { parallelMinBytes: 0 })), undefined);
        assert.equal(parallelScanFrom('jsonl'), parallelMinBytes('jsonl'));
      } finally {
        process.env.COCURATE_SCAN_THREADS = '2';
      }
    });
  });
});
