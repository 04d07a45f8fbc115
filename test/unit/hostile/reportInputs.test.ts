/**
 * Issue #12 §2, hostile inputs to spot-check reports: non-regular journals (3), Markdown injection
 * through record ids, notes, reviewer names, strata and seeds (4), outputs that would replace a
 * dataset, plan or journal (5), wrongly typed journal fields (6) and plan fields (7).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import MarkdownIt from 'markdown-it';
import { Dataset } from '../../../src/core/dataset';
import { readPlan, writePlan } from '../../../src/core/plan';
import { renderCsv } from '../../../src/core/report/csv';
import { renderHtml } from '../../../src/core/report/html';
import { renderMarkdown } from '../../../src/core/report/markdown';
import { buildReport } from '../../../src/core/report/model';
import { drawSample } from '../../../src/core/sampling';
import { parseStrata } from '../../../src/core/strata';
import { readJournal, VerdictJournal } from '../../../src/core/verdicts';
import { runCocurate, type CliRun } from '../../support/cli';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'report');

// A time limit: before the fix a FIFO journal hung the report for ever.
const cocurate = (...args: string[]): CliRun => runCocurate(args, { timeoutMs: 15_000 });

/** One line on stderr (the refusal), naming `what`. */
function oneLine(err: string, what: RegExp): void {
  assert.equal(err.trimEnd().split('\n').length, 1, err);
  assert.match(err, what);
}

function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `hostile-${prefix}-`));
}

/** A copy of the report fixtures (two plans, their journals and datasets) in a temporary folder. */
function fixtureCopy(): string {
  const dir = tmp('fixtures');
  fs.cpSync(fixtures, dir, { recursive: true });
  return dir;
}

const HOSTILE_IDS = [
  'a|b',
  'line1\nline2 <img src=x onerror=alert(1)>',
  'tick`s`` <img src=x onerror=alert(2)>',
  '![t](http://tracker.invalid/id.png)',
  '<img src=x onerror=alert(3)>',
  '`',
  'end\\',
  '[link](javascript:alert(4))',
];

function record(id: string, subset: string): string {
  return JSON.stringify({
    id,
    subset,
    image: ['a.jpg', 'b.jpg'],
    conversations: [
      { from: 'human', value: 'The first image: <image>\nThe second image: <image>\nWhich is better?' },
      { from: 'gpt', value: 'The first image.' },
    ],
  });
}

/** A dataset of hostile ids and subsets, a plan over all of it, and a journal with hostile notes. */
function hostilePlan(): { dir: string; planDir: string } {
  const dir = tmp('inject');
  const data = path.join(dir, 'data.jsonl');
  fs.writeFileSync(
    data,
    HOSTILE_IDS.map((id, i) => record(id, i % 2 ? '<img src=x onerror=alert(5)>|s' : '![s](http://tracker.invalid/s.png)')).join('\n') + '\n',
  );
  const planDir = path.join(dir, '.curator', 'spotchecks', 'p');
  const ds = Dataset.open(data);
  try {
    const plan = drawSample(ds, { name: 'p', seed: 's`|<img src=x onerror=alert(6)>', size: HOSTILE_IDS.length, strata: parseStrata('field:subset'), planDir });
    writePlan(planDir, plan);
    const j = new VerdictJournal(path.join(planDir, 'verdicts-eve.jsonl'));
    const notes = [
      '![t](http://tracker.invalid/note.png)',
      'a\n| b | c',
      '<img src=x onerror=alert(7)>',
      '`code` | pipe',
      'x]: http://tracker.invalid/ref',
      '',
    ];
    plan.items.forEach((it, i) =>
      j.append({
        key: it.key,
        hash: it.hash,
        verdict: i % 3 === 0 ? 'incorrect' : 'correct',
        ...(notes[i % notes.length] ? { note: notes[i % notes.length] } : {}),
        reviewer: 'eve <img src=x onerror=alert(8)>|',
      }),
    );
    j.close();
    const k = new VerdictJournal(path.join(planDir, 'verdicts-bob.jsonl'));
    k.append({ key: plan.items[0].key, hash: plan.items[0].hash, verdict: 'correct', reviewer: '![r](http://tracker.invalid/r.png)' });
    k.close();
  } finally {
    ds.close();
  }
  return { dir, planDir };
}

describe('hostile report inputs (issue #12 §2)', function () {
  this.timeout(120_000);
  describe('4. Markdown injection', () => {
    let planDir: string;
    let dir: string;
    before(() => ({ dir, planDir } = hostilePlan()));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('record ids, notes, reviewers, strata and seeds stay text and stay in their table cells', () => {
      const report = buildReport([planDir], { now: new Date('2026-11-30T00:00:00Z') });
      const md = renderMarkdown(report);
      const html = new MarkdownIt({ html: true }).render(md);
      assert.ok(!/<img/i.test(html), `live HTML in the rendered Markdown:\n${html}`);
      assert.ok(!/(src|href)="http:\/\/tracker/.test(html), 'a remote resource or link from data');
      assert.ok(!/href="javascript:/i.test(html), 'a javascript: link from data');
      // The items table: a header and one row per sampled item, each row with as many cells as the header.
      const tables = [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((m) => m[1]);
      const items = tables[tables.length - 1];
      const rows = [...items.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1].match(/<t[hd][ >]/g) ?? []).length);
      assert.equal(rows.length, 1 + HOSTILE_IDS.length, items);
      for (const n of rows) assert.equal(n, rows[0], items);
      // Each key reads back as itself from its code span (newlines shown as \n).
      const decode = (s: string) =>
        s
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, '&');
      const codes = [...items.matchAll(/<td><code>([\s\S]*?)<\/code><\/td>/g)].map((m) => decode(m[1]));
      assert.deepEqual([...codes].sort(), HOSTILE_IDS.map((id) => id.replace(/\n/g, '\\n')).sort());
      // Every other table keeps its shape too.
      for (const t of tables) {
        const counts = [...t.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1].match(/<t[hd][ >]/g) ?? []).length);
        for (const n of counts) assert.equal(n, counts[0], t);
      }
    });

    it('the HTML report escapes the same strings; CSV keeps them whole and quoted', () => {
      const report = buildReport([planDir], { now: new Date('2026-11-30T00:00:00Z') });
      const html = renderHtml(report);
      assert.ok(!/<img/i.test(html));
      assert.ok(!/(src|href)="http:\/\/tracker/.test(html));
      const csv = renderCsv(report);
      for (const id of HOSTILE_IDS) assert.ok(csv.includes(/[",\n]/.test(id) ? `"${id.replace(/"/g, '""')}"` : id), id);
    });
  });

  describe('5. outputs never replace a dataset, plan or journal', () => {
    let dir: string;
    let plan: string;
    const snapshot = new Map<string, Buffer>();
    before(() => {
      dir = fixtureCopy();
      plan = path.join(dir, 'merged');
      for (const f of ['merged/plan.json', 'merged/verdicts-alice.jsonl', 'merged.jsonl']) snapshot.set(f, fs.readFileSync(path.join(dir, f)));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    afterEach(() => {
      for (const [f, bytes] of snapshot) assert.deepEqual(fs.readFileSync(path.join(dir, f)), bytes, `${f} changed`);
    });

    it('report --out a journal, the plan or the dataset: exit 2, one line, nothing written', () => {
      for (const [target, what] of [
        ['merged/verdicts-alice.jsonl', /verdict journal/],
        ['merged/plan.json', /spot-check plan/],
        ['merged.jsonl', /dataset/],
      ] as const) {
        const r = cocurate('report', plan, '--out', path.join(dir, target), '--format', 'md');
        assert.equal(r.code, 2, `${target}: ${r.err}`);
        oneLine(r.err, what);
        assert.ok(r.err.includes(path.join(dir, target)), r.err);
      }
    });

    it('a new journal-named file, a symlink to a journal, a folder: refused', () => {
      const fresh = path.join(plan, 'verdicts-mallory.jsonl');
      let r = cocurate('report', plan, '--out', fresh);
      assert.equal(r.code, 2, r.err);
      assert.equal(fs.existsSync(fresh), false);
      const link = path.join(dir, 'report.md');
      fs.symlinkSync(path.join(plan, 'verdicts-alice.jsonl'), link);
      r = cocurate('report', plan, '--out', link);
      assert.equal(r.code, 2, r.err);
      oneLine(r.err, /verdict journal/);
      fs.rmSync(link);
      r = cocurate('report', plan, '--out', plan);
      assert.equal(r.code, 2, r.err);
      oneLine(r.err, /is a folder/);
    });

    it('an existing dataset that is not an input is refused too; a report file is written and rewritten', () => {
      const other = path.join(dir, 'other.json');
      fs.copyFileSync(path.join(root, 'demo', 'coinstruct-demo.json'), other);
      const before = fs.readFileSync(other);
      const r = cocurate('report', plan, '--out', other);
      assert.equal(r.code, 2, r.err);
      oneLine(r.err, /dataset/);
      assert.deepEqual(fs.readFileSync(other), before);
      const ok = path.join(plan, 'report.md');
      assert.equal(cocurate('report', plan, '--out', ok).code, 0);
      assert.equal(cocurate('report', plan, '--out', ok).code, 0);
      assert.match(fs.readFileSync(ok, 'utf8'), /^# Spot-check report/);
      fs.rmSync(ok);
    });

    it('every other command with --out goes through the same guard, before any work', () => {
      const data = path.join(dir, 'merged.jsonl');
      const endpoint = ['--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm', '--no-cache'];
      for (const args of [
        ['eval-mcq', data, '--out', data, ...endpoint],
        ['twoafc', data, '--out', data, ...endpoint],
        ['twoafc', data, '--out', path.join(plan, 'plan.json'), ...endpoint],
        ['build', 'merge2compare', data, '--out', data, '--dry-run'],
        ['build', 'merge2compare', data, '--out', path.join(plan, 'verdicts-alice.jsonl')],
        ['build', 'merge2compare', data, '--out', path.join(dir, 'x.jsonl'), '--removed-out', path.join(plan, 'plan.json')],
        ['sample', data, '--seed', '1', '--out', data],
      ]) {
        const r = cocurate(...args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
        oneLine(r.err, /refusing to write|is not a folder/);
      }
    });
  });

  describe('6. wrongly typed journal fields', () => {
    it('a note or reviewer that is a number, object or array: that line skipped with file:line and field; reports render', () => {
      const dir = fixtureCopy();
      try {
        const plan = path.join(dir, 'merged');
        const file = path.join(plan, 'verdicts-alice.jsonl');
        const good = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
        const l = (i: number, patch: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(good[i]), ...patch });
        fs.writeFileSync(
          file,
          [good[0], l(1, { note: 5 }), l(2, { reviewer: { a: 1 } }), l(3, { note: ['x'] }), l(4, { hash: 7 }), l(5, { at: null }), ...good.slice(6)].join(
            '\n',
          ) + '\n',
        );
        const j = readJournal(file);
        assert.deepEqual(j.warnings, [
          `${file}:2: field "note" must be a string, not a number; line ignored`,
          `${file}:3: field "reviewer" must be a string, not an object; line ignored`,
          `${file}:4: field "note" must be a string, not an array; line ignored`,
          `${file}:5: field "hash" must be a string, not a number; line ignored`,
          `${file}:6: field "at" must be a string, not null; line ignored`,
        ]);
        assert.equal(j.lines.length, good.length - 5);
        for (const format of ['md', 'html', 'csv', 'json']) {
          const r = cocurate('report', plan, '--format', format, '--no-drift');
          assert.equal(r.code, 0, `${format}: ${r.err}`);
          assert.match(r.err, /verdicts-alice\.jsonl:2: field "note" must be a string/);
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('7. wrongly typed plan fields', () => {
    let dir: string;
    let planFile: string;
    let good: Record<string, unknown>;
    before(() => {
      dir = fixtureCopy();
      planFile = path.join(dir, 'merged', 'plan.json');
      good = JSON.parse(fs.readFileSync(planFile, 'utf8')) as Record<string, unknown>;
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const cases: [string, (p: Record<string, unknown>) => void, RegExp][] = [
      [
        'name a number',
        (p) => {
          p.name = 5;
        },
        /field "name" must be a string, not a number/,
      ],
      [
        'items [null]',
        (p) => {
          p.items = [null];
        },
        /field "items\[0\]" must be an object, not null/,
      ],
      [
        'an item key a number',
        (p) => {
          (p.items as Record<string, unknown>[])[3].key = 3;
        },
        /field "items\[3\]\.key" must be a string, not a number/,
      ],
      [
        'an item index negative',
        (p) => {
          (p.items as Record<string, unknown>[])[1].index = -1;
        },
        /field "items\[1\]\.index" must be a whole number ≥ 0/,
      ],
      [
        'a duplicated item',
        (p) => {
          (p.items as unknown[]).push((p.items as unknown[])[0]);
        },
        /field "items\[40\]\.key": "m-000" is already items\[0\]/,
      ],
      [
        'population not an object',
        (p) => {
          p.population = [1];
        },
        /field "population" must be an object/,
      ],
      [
        'a population size a string',
        (p) => {
          p.population = { 2: '36' };
        },
        /field "population\.2" must be a whole number ≥ 0/,
      ],
      [
        'dataset.path missing',
        (p) => {
          p.dataset = { fingerprint: 'x' };
        },
        /field "dataset\.path" is missing/,
      ],
      [
        'an unknown dataset format',
        (p) => {
          (p.dataset as Record<string, unknown>).format = 'parquet-ish';
        },
        /field "dataset\.format" must be one of llava, .*, not "parquet-ish"/,
      ],
      [
        'seed an object',
        (p) => {
          p.seed = {};
        },
        /field "seed" must be a string or number, not an object/,
      ],
      [
        'strata a number',
        (p) => {
          p.strata = 1;
        },
        /field "strata" must be a string, not a number/,
      ],
      [
        'not an object at all',
        (p) => {
          for (const k of Object.keys(p)) delete p[k];
          (p as unknown as { length: number }).length = 0;
        },
        /must hold a JSON object|field "name" is missing/,
      ],
    ];
    for (const [title, mutate, message] of cases) {
      it(`${title}: a clear error naming the file and the field`, () => {
        const p = structuredClone(good);
        mutate(p);
        fs.writeFileSync(planFile, JSON.stringify(p));
        assert.throws(
          () => readPlan(path.dirname(planFile)),
          (e: Error) => e.message.startsWith(`${planFile}: `) && message.test(e.message),
        );
        const r = cocurate('report', path.dirname(planFile), '--no-drift');
        assert.equal(r.code, 2, r.err);
        oneLine(r.err, message);
      });
    }

    it('a plan file that is an array or a string is refused', () => {
      for (const text of ['[]', '"plan"', 'null']) {
        fs.writeFileSync(planFile, text);
        assert.throws(() => readPlan(planFile), /must hold a JSON object/);
      }
      fs.writeFileSync(planFile, JSON.stringify(good));
    });
  });

  describe('3. journals that are not regular files', () => {
    let dir: string;
    let plan: string;
    beforeEach(() => {
      dir = fixtureCopy();
      plan = path.join(dir, 'merged');
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    for (const [kind, make] of [
      [
        'a FIFO',
        (f: string) => {
          const r = spawnSync('mkfifo', [f]);
          assert.equal(r.status, 0, 'mkfifo failed');
        },
      ],
      ['a symlink to /dev/zero', (f: string) => fs.symlinkSync('/dev/zero', f)],
      ['a folder', (f: string) => fs.mkdirSync(f)],
    ] as const) {
      it(`${kind}: report refuses it in one line naming the path`, () => {
        const j = path.join(plan, 'verdicts-zed.jsonl');
        make(j);
        // The CLI first (a child with a timeout): before the fix, reading a FIFO blocked for ever.
        const r = cocurate('report', plan, '--no-drift');
        assert.equal(r.code, 2, `exit ${r.code}: ${r.err}`);
        oneLine(r.err, /not a regular file/);
        assert.ok(r.err.includes(j), r.err);
        assert.throws(
          () => readJournal(j),
          (e: Error) => e.message.startsWith(`${j}: `) && /not a regular file/.test(e.message),
        );
      });
    }

    it('appending to a journal that is not a regular file fails with its path', () => {
      const j = path.join(plan, 'verdicts-zed.jsonl');
      fs.symlinkSync('/dev/null', j);
      const w = new VerdictJournal(j);
      assert.throws(
        () => w.append({ key: 'm-000', hash: '', verdict: 'correct', reviewer: 'zed' }),
        (e: Error) => e.message.startsWith(`${j}: `) && /not a regular file/.test(e.message),
      );
      w.close();
    });
  });
});
