/**
 * Hostile inputs (issue #12 §2 items 1, 2, 3, 9, 10): deep nesting, garbage that floods
 * diagnostics, files that are not regular files, symlinks that dangle out of the image root, and
 * invalid UTF-8. Fixtures are generated in a temp folder; nothing big is committed.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../src/core/dataset';
import { resolveImagePath } from '../../src/core/imagePaths';
import { jsonSyntaxError } from '../../src/core/jsonSyntax';
import { indexBuffer } from '../../src/core/recordIndex';
import { validateDataset } from '../../src/core/validate';
import { runCocurate, type CliRun } from '../support/cli';

const root = path.resolve(__dirname, '..', '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-'));

/** The built CLI with a hard time limit (a hang is a failure, not a stuck test run). */
const cocurate = (...args: string[]): CliRun => runCocurate(args, { timeoutMs: 15_000 });

const rec = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  image: 'a.png',
  conversations: [
    { from: 'human', value: '<image>\nHow is the quality?' },
    { from: 'gpt', value: 'Good.' },
  ],
  ...extra,
});
const deepArray = (d: number): string => '['.repeat(d) + ']'.repeat(d);
const deepObject = (d: number): string => '{"a":'.repeat(d) + '1' + '}'.repeat(d);
const write = (name: string, text: string | Buffer): string => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
};

function validateFile(file: string, opts: Parameters<typeof validateDataset>[1] = {}): ReturnType<typeof validateDataset> {
  const ds = Dataset.open(file);
  try {
    return validateDataset(ds, { checkImages: false, ...opts });
  } finally {
    ds.close();
  }
}

describe('hostile inputs', function () {
  this.timeout(60000);
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run npm run build');
  });

  describe('deep nesting (item 1)', () => {
    const good = JSON.stringify(rec('a'));
    const lines = [
      good,
      deepArray(10000), // a record that is itself nested 10,000 deep
      JSON.stringify(rec('b', { extra: 0 })).replace('"extra":0', `"extra":${deepObject(10000)}`),
      JSON.stringify(rec('c')).replace('"a.png"', deepArray(10000)),
      JSON.stringify(rec('d', { conversations: [] })), // a real finding after the deep records
    ];
    let file: string;
    before(() => {
      file = write('deep.jsonl', lines.join('\n') + '\n');
    });

    it('validate reports each deep record as too-deep and still checks the rest', () => {
      const res = validateFile(file);
      const byRecord = res.diagnostics.map((d) => `${d.index}:${d.code}`);
      assert.deepEqual(byRecord, ['1:too-deep', '2:too-deep', '3:too-deep', '4:missing-field']);
      const d = res.diagnostics[0];
      assert.equal(d.severity, 'error');
      assert.equal(d.line, 2);
      assert.match(d.message, /^record 1 \(line 2\): .*nested deeper than \d+ levels/);
    });

    it('a JSON array with a deep record: the same findings, the records around it load', () => {
      const p = write('deep.json', `[\n${good},\n${deepArray(20000)},\n${JSON.stringify(rec('z'))}\n]\n`);
      const res = validateFile(p);
      assert.deepEqual(
        res.diagnostics.map((x) => `${x.index}:${x.code}`),
        ['1:too-deep'],
      );
      const ds = Dataset.open(p);
      try {
        assert.equal(ds.item(2).key, 'z');
      } finally {
        ds.close();
      }
    });

    it('CLI: validate exits 1 with a too-deep line naming the record; show gives a clear error on it', () => {
      const v = cocurate('validate', file, '--no-image-check');
      assert.equal(v.code, 1, v.err);
      assert.match(v.out, /deep\.jsonl:2:101: error \[too-deep\] record 1 \(line 2\)/); // where level 101 opens
      assert.match(v.out, /5 records \(llava\): 4 error\(s\)/);
      for (const i of ['1', '2', '3']) {
        for (const extra of [[], ['--json']]) {
          const s = cocurate('show', file, i, ...extra);
          assert.equal(s.code, 1, `show ${i} ${extra.join(' ')}: ${s.err}`);
          assert.match(s.err, new RegExp(`deep\\.jsonl: record ${i} \\(line ${Number(i) + 1}, column \\d+\\): .*nested deeper than`));
          assert.doesNotMatch(s.err, /call stack/);
        }
      }
      assert.equal(cocurate('show', file, '4', '--json').code, 0);
    });

    it('depth up to the limit is fine; one more level is a finding', () => {
      const first = JSON.stringify(rec('a')) + '\n';
      const ok = write('depth-ok.jsonl', first + JSON.stringify(rec('b', { x: 0 })).replace('"x":0', `"x":${deepArray(99)}`) + '\n');
      assert.deepEqual(
        validateFile(ok).diagnostics.map((d) => d.code),
        [],
      );
      const over = write('depth-over.jsonl', first + JSON.stringify(rec('b', { x: 0 })).replace('"x":0', `"x":${deepArray(100)}`) + '\n');
      assert.deepEqual(
        validateFile(over).diagnostics.map((d) => `${d.index}:${d.code}`),
        ['1:too-deep'],
      );
    });
  });

  describe('garbage that floods diagnostics (item 2)', () => {
    it('JSON array of 200,000 commas: index errors are capped and counted, columns are real', () => {
      const text = '[' + ','.repeat(200000) + ']';
      const idx = indexBuffer(Buffer.from(text), { fileName: 'c.json' });
      assert.equal(idx.count, 0);
      assert.ok(idx.errors.length <= 1000, `${idx.errors.length} errors kept`);
      assert.equal(idx.errors.length + idx.errorsOmitted, 200000);
      assert.deepEqual(
        idx.errors.slice(0, 3).map((e) => [e.line, e.column]),
        [
          [1, 2],
          [1, 3],
          [1, 4],
        ],
      );
    });

    it('validate caps diagnostics per file and says how many more there are (CLI text and --json)', () => {
      const p = write('commas.json', '[' + ','.repeat(200000) + ']');
      const res = validateFile(p);
      assert.ok(res.diagnostics.length <= 1000);
      assert.equal(res.diagnostics.length + res.omitted, 200000);
      assert.equal(res.errors, 200000);
      const t = cocurate('validate', p);
      assert.equal(t.code, 1, t.err);
      assert.match(t.out, /commas\.json:1:4: error \[syntax\]/);
      assert.match(t.out, /… and 199000 more diagnostics not shown \(raise --max-diagnostics to see more\)/);
      assert.match(t.out, /0 records \(unknown\): 200000 error\(s\), 0 warning\(s\)/);
      assert.ok(t.out.split('\n').length < 1100);
      const j = cocurate('validate', p, '--json', '--max-diagnostics', '10');
      const parsed = JSON.parse(j.out) as { diagnostics: unknown[]; omitted: number; errors: number };
      assert.equal(parsed.diagnostics.length, 10);
      assert.equal(parsed.omitted, 199990);
      assert.equal(parsed.errors, 200000);
    });

    it('JSONL twin: indented garbage lines are capped, with the column of the bad byte', () => {
      const p = write('commas.jsonl', '  ,\n'.repeat(100000));
      const res = validateFile(p);
      assert.ok(res.diagnostics.length <= 1000);
      assert.equal(res.errors, 100000);
      assert.equal(res.diagnostics.length + res.omitted, 100001); // and one unknown-format warning
      assert.deepEqual(
        res.diagnostics
          .filter((d) => d.code === 'syntax')
          .slice(0, 2)
          .map((d) => [d.line, d.column, d.code]),
        [
          [1, 3, 'syntax'],
          [2, 3, 'syntax'],
        ],
      );
      const t = cocurate('info', p, '--json');
      assert.equal(t.code, 0, t.err);
      assert.equal((JSON.parse(t.out) as { items: number }).items, 100000);
    });

    it('a syntax error inside an indented array record names its column in the file', () => {
      const p = write('col.json', '[\n    {"id": "a", "x": tru}\n]\n');
      const d = validateFile(p).diagnostics.filter((x) => x.code === 'syntax');
      assert.deepEqual(
        d.map((x) => [x.line, x.column]),
        [[2, 22]],
      );
    });

    it('short broken records get the same verdicts as JSON.parse', () => {
      const samples = [
        '{',
        '}',
        ',',
        '[1,]',
        '{"a":1,}',
        '{"a" 1}',
        '"x',
        '"\\q"',
        '01',
        '-',
        '1.',
        '1e',
        '.5',
        'tru',
        'nul',
        '[1 2]',
        '{"a":[1,{"b":2}]}',
        '"\\u12"',
        '"\\u00e9"',
        '-0.5e+3',
        '[]',
        '{}',
        'true',
        'null',
        '[[[]]]',
        '"tab\there"',
        '{"a":1} x',
        '  [ 1 , 2 ]  ',
      ];
      const p = write('short.jsonl', samples.join('\n') + '\n');
      const res = validateFile(p);
      const syntaxLines = new Set(res.diagnostics.filter((d) => d.code === 'syntax').map((d) => d.index));
      samples.forEach((s, i) => {
        let ok = true;
        try {
          JSON.parse(s);
        } catch {
          ok = false;
        }
        assert.equal(!syntaxLines.has(i), ok, `record ${i} ${JSON.stringify(s)}`);
      });
    });
  });

  describe('the grammar check behind short records', () => {
    it('agrees with JSON.parse on 20,000 mutated snippets (deterministic)', () => {
      const seeds = [
        '{"id":"a","image":["x.png","y.png"],"n":-1.5e+3,"t":true,"f":false,"z":null}',
        '[1,[2,{"a":"\\u00e9\\n"}],[]]',
        '"tab\\t q\\"uote"',
        '0',
        '{}',
      ];
      const alphabet = '{}[],:"\\ \n\t-+.eE0123456789abcdefnrtulsx\u00e9\u0001';
      let state = 12345;
      const rnd = (n: number): number => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return state % n;
      };
      let invalid = 0;
      for (let k = 0; k < 20000; k++) {
        let s = seeds[rnd(seeds.length)];
        for (let m = 1 + rnd(3); m > 0; m--) {
          const at = rnd(s.length + 1);
          const op = rnd(3);
          const ch = alphabet[rnd(alphabet.length)];
          s = op === 0 ? s.slice(0, at) + ch + s.slice(at) : op === 1 ? s.slice(0, at) + s.slice(at + 1) : s.slice(0, at) + ch + s.slice(at + 1);
        }
        let ok = true;
        try {
          JSON.parse(s);
        } catch {
          ok = false;
        }
        if (!ok) invalid++;
        const fault = jsonSyntaxError(s);
        assert.equal(
          fault === null,
          ok,
          `${JSON.stringify(s)}: JSON.parse ${ok ? 'accepts' : 'refuses'} it, the check says ${fault ? fault.message : 'valid'}`,
        );
        if (fault) assert.ok(fault.pos >= 0 && fault.pos <= s.length);
      }
      assert.ok(invalid > 5000 && invalid < 19000, `${invalid} invalid snippets: the mutations test both verdicts`);
    });
  });

  describe('files that are not regular files (item 3)', () => {
    const cases: [string, () => string][] = [
      [
        'a FIFO',
        () => {
          const p = path.join(tmp, 'fifo.json');
          spawnSync('mkfifo', [p]);
          return p;
        },
      ],
      [
        'a symlink to /dev/zero',
        () => {
          const p = path.join(tmp, 'zero.jsonl');
          fs.symlinkSync('/dev/zero', p);
          return p;
        },
      ],
      [
        'a symlink to /dev/urandom',
        () => {
          const p = path.join(tmp, 'random.json');
          fs.symlinkSync('/dev/urandom', p);
          return p;
        },
      ],
      [
        'a folder',
        () => {
          const p = path.join(tmp, 'folder.json');
          fs.mkdirSync(p);
          return p;
        },
      ],
    ];
    for (const [what, make] of cases) {
      it(`${what}: every dataset command refuses it at once with one line naming the path (exit 2)`, () => {
        const p = make();
        for (const cmd of [
          ['info', p],
          ['validate', p],
          ['show', p, '0'],
        ]) {
          const r = cocurate(...cmd);
          assert.equal(r.signal, null, `${cmd[0]} hung`);
          assert.equal(r.code, 2, `${cmd[0]}: ${r.err}`);
          assert.equal(r.err.trim().split('\n').length, 1, r.err);
          assert.ok(r.err.includes(p), r.err);
          assert.match(r.err, /not a regular file/);
        }
      });
    }

    it('Dataset.open refuses a symlink to /dev/null (a device that reads as empty)', () => {
      const p = path.join(tmp, 'null.json');
      fs.symlinkSync('/dev/null', p);
      assert.throws(
        () => Dataset.open(p),
        (e: Error) => e.message.includes(p) && /character device, not a regular file/.test(e.message),
      );
    });
  });

  describe('image symlinks (item 9)', () => {
    it('a symlink inside the root to a missing file outside it is path-escapes-root, not image-missing', () => {
      const dir = fs.mkdtempSync(path.join(tmp, 'img-'));
      const imgRoot = path.join(dir, 'root');
      fs.mkdirSync(path.join(imgRoot, 'sub'), { recursive: true });
      fs.symlinkSync(path.join(dir, 'gone.png'), path.join(imgRoot, 'out.png'));
      fs.symlinkSync('../../../elsewhere/gone.png', path.join(imgRoot, 'sub', 'rel.png'));
      fs.symlinkSync('missing-inside.png', path.join(imgRoot, 'in.png'));
      fs.symlinkSync(dir, path.join(imgRoot, 'up'));
      const problem = (p: string): string => {
        const r = resolveImagePath(p, imgRoot);
        return r.ok ? 'ok' : r.problem;
      };
      assert.equal(problem('out.png'), 'symlink-escape');
      assert.equal(problem('sub/rel.png'), 'symlink-escape');
      assert.equal(problem('up/nothing.png'), 'symlink-escape'); // a folder link out of the root, then a missing name
      assert.equal(problem('in.png'), 'missing');
      assert.equal(problem('never.png'), 'missing');
      const ds = write('links.jsonl', [rec('a', { image: 'out.png' }), rec('b', { image: 'in.png' })].map((r) => JSON.stringify(r)).join('\n') + '\n');
      const res = validateFile(ds, { checkImages: true, imageRoot: imgRoot });
      assert.deepEqual(
        res.diagnostics.map((d) => `${d.index}:${d.code}`),
        ['0:path-escapes-root', '1:image-missing'],
      );
      assert.match(res.diagnostics[0].message, /outside the image root/);
    });
  });

  describe('invalid UTF-8 (item 10)', () => {
    it('is a warning naming the record and the byte offset; valid multi-byte text is not', () => {
      const a = Buffer.from(JSON.stringify(rec('a', { note: 'café 画质' })) + '\n');
      const bPrefix = Buffer.from(JSON.stringify(rec('b')).replace('"Good."', '"Go'));
      const b = Buffer.concat([bPrefix, Buffer.from([0xff, 0xc3]), Buffer.from('od."}]}\n')]);
      const p = write('utf8.jsonl', Buffer.concat([a, b]));
      const res = validateFile(p);
      assert.deepEqual(
        res.diagnostics.map((d) => `${d.index}:${d.code}:${d.severity}`),
        ['1:invalid-utf8:warning'],
      );
      const offset = a.length + bPrefix.length;
      assert.match(res.diagnostics[0].message, new RegExp(`^record 1 \\(line 2\\): invalid UTF-8 at byte offset ${offset}\\b`));
      assert.equal(res.diagnostics[0].column, bPrefix.length + 1);
      const t = cocurate('validate', p, '--no-image-check');
      assert.equal(t.code, 0, t.out);
      assert.match(t.out, /utf8\.jsonl:2:\d+: warning \[invalid-utf8\]/);
      const s = cocurate('show', p, '1');
      assert.equal(s.code, 0);
      assert.match(s.err, new RegExp(`record 1 \\(line 2\\): invalid UTF-8 at byte offset ${offset}`));
    });
  });
});
