/**
 * Issue #17, core and CLI: journal corrections and reasons (latest wins, undo, old journals read
 * unchanged), decisions.json and `cocurate decide`, `cocurate apply` (byte-identical untouched records
 * on a JSON array with a BOM and CRLF line ends and on JSONL, manifest, atomic write, guarded output),
 * and the report's counts by reason, corrections and decisions in every format.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../src/core/dataset';
import { readDecisions } from '../../src/core/decisions';
import { writePlan } from '../../src/core/plan';
import { buildReport } from '../../src/core/report/model';
import { renderCsv } from '../../src/core/report/csv';
import { renderHtml } from '../../src/core/report/html';
import { renderJson } from '../../src/core/report/json';
import { renderMarkdown } from '../../src/core/report/markdown';
import { drawSample } from '../../src/core/sampling';
import { parseStrata } from '../../src/core/strata';
import { readJournal, VerdictJournal } from '../../src/core/verdicts';
import { cocurate } from '../support/cli';

const root = path.resolve(__dirname, '..', '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'report');

/** LLaVA records written with odd spacing and escapes, so re-serialising any of them would show. */
function rec(i: number, subset: string): string {
  return `{"id":  "r${i}", "subset": "${subset}", "image": ["a${i}.jpg", "b${i}.jpg"],\t"conversations": [{"from": "human", "value": "The first image: <image>\\nThe second image: <image>\\nWhich is sharper?"}, {"from":"gpt","value":"The first image \\u00e9 is sharper (${i})."}]}`;
}

const LABEL = (i: number) => `"The first image \\u00e9 is sharper (${i})."`;

function setup(name: string, text: string, file: string, strata = 'none', size?: number): { dir: string; data: string; planDir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `curate-${name}-`));
  const data = path.join(dir, file);
  fs.writeFileSync(data, text);
  const planDir = path.join(dir, '.curator', 'spotchecks', name);
  const ds = Dataset.open(data);
  try {
    writePlan(planDir, drawSample(ds, { name, seed: 1, size: size ?? ds.count, strata: parseStrata(strata), planDir }));
  } finally {
    ds.close();
  }
  return { dir, data, planDir };
}

function hashOf(planDir: string, key: string): string {
  const plan = JSON.parse(fs.readFileSync(path.join(planDir, 'plan.json'), 'utf8')) as { items: { key: string; hash: string }[] };
  return plan.items.find((it) => it.key === key)!.hash;
}

describe('curation loop (issue #17)', function () {
  this.timeout(120_000);

  describe('journal: correction and reasons', () => {
    it('round-trip, latest wins, undo brings the earlier correction back; old journals read unchanged', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-journal-'));
      try {
        const file = path.join(dir, 'verdicts-ann.jsonl');
        const j = new VerdictJournal(file);
        j.append({ key: 'a', hash: 'h', verdict: 'incorrect', correction: 'first fix', reasons: ['vague'], reviewer: 'ann' });
        j.append({ key: 'a', hash: 'h', verdict: 'incorrect', correction: 'second fix', reasons: ['wrong ranking', 'vague'], reviewer: 'ann' });
        assert.equal(readJournal(file).latest.get('a')?.correction, 'second fix');
        j.append({ key: 'a', hash: 'h', verdict: 'undo', reviewer: 'ann' });
        j.close();
        const back = readJournal(file).latest.get('a')!;
        assert.equal(back.correction, 'first fix');
        assert.deepEqual(back.reasons, ['vague']);
        fs.appendFileSync(file, JSON.stringify({ v: 1, key: 'b', hash: 'h', verdict: 'incorrect', reasons: 'vague', reviewer: 'ann', at: 'x' }) + '\n');
        assert.match(readJournal(file).warnings[0], /verdicts-ann\.jsonl:4: field "reasons" must be an array of strings/);
        // The fixture journals (written before these fields existed) read exactly as before.
        const old = readJournal(path.join(fixtures, 'merged', 'verdicts-alice.jsonl'));
        assert.ok(old.lines.length > 30);
        for (const l of old.lines) {
          assert.equal(l.correction, undefined);
          assert.equal(l.reasons, undefined);
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('apply on a JSON array with a BOM and CRLF line ends', () => {
    const recs = Array.from({ length: 8 }, (_, i) => rec(i, i < 4 ? 'A' : 'B'));
    const text = '\ufeff[\r\n  ' + recs.join(',\r\n  ') + '\r\n]\r\n';
    let s: ReturnType<typeof setup>;
    before(() => {
      s = setup('arr', text, 'data.json');
      const j = new VerdictJournal(path.join(s.planDir, 'verdicts-ann.jsonl'));
      const v = (i: number, verdict: 'correct' | 'incorrect' | 'skip', extra: { correction?: string; reasons?: string[] } = {}) =>
        j.append({ key: `r${i}`, hash: hashOf(s.planDir, `r${i}`), verdict, reviewer: 'ann', ...extra });
      v(0, 'correct');
      v(1, 'incorrect', { correction: 'The second image is sharper "really".', reasons: ['wrong ranking'] });
      v(2, 'incorrect', { correction: 'Both are equally sharp.', reasons: ['wrong ranking', 'vague'] });
      v(3, 'incorrect', { reasons: ['image problem'] });
      v(4, 'skip');
      j.close();
    });
    after(() => fs.rmSync(s.dir, { recursive: true, force: true }));

    it('drops, corrects in place, keeps every other record byte for byte; manifest; validate passes', () => {
      const out = path.join(s.dir, 'curated.json');
      const r = cocurate('apply', s.planDir, '--out', out, '--drop', 'incorrect', '--corrections', '--json');
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(r.out), { input: s.data, output: out, records: 8, kept: 7, dropped: 1, corrected: 2 });
      const expected =
        '\ufeff[\r\n  ' +
        recs
          .filter((_, i) => i !== 3)
          .map((x, i0) => {
            const i = i0 >= 3 ? i0 + 1 : i0;
            if (i === 1) return x.replace(LABEL(1), JSON.stringify('The second image is sharper "really".'));
            if (i === 2) return x.replace(LABEL(2), JSON.stringify('Both are equally sharp.'));
            return x;
          })
          .join(',\r\n  ') +
        '\r\n]\r\n';
      assert.equal(fs.readFileSync(out, 'utf8'), expected);
      assert.deepEqual(fs.readFileSync(out), Buffer.from(expected, 'utf8'));
      const m = JSON.parse(fs.readFileSync(`${out}.manifest.json`, 'utf8'));
      const input = Dataset.open(s.data);
      try {
        assert.equal(m.input.fingerprint, input.fingerprint());
      } finally {
        input.close();
      }
      assert.deepEqual(
        m.changes.map((c: { key: string; action: string; reviewer: string; reasons: string[] }) => [c.key, c.action, c.reviewer, c.reasons]),
        [
          ['r1', 'corrected', 'ann', ['wrong ranking']],
          ['r2', 'corrected', 'ann', ['wrong ranking', 'vague']],
          ['r3', 'dropped', 'ann', ['image problem']],
        ],
      );
      assert.deepEqual(m.plans[0].journals, [path.join(s.planDir, 'verdicts-ann.jsonl')]);
      for (const c of m.changes) assert.match(c.at, /^\d{4}-\d\d-\d\dT/);
      assert.deepEqual(
        fs.readdirSync(s.dir).filter((f) => f.startsWith('.tmp-') || f.endsWith('.tmp')),
        [],
      );
      const v = cocurate('validate', out, '--no-image-check');
      assert.equal(v.code, 0, v.out + v.err);
      const curated = Dataset.open(out);
      try {
        assert.equal(curated.count, 7);
        assert.equal(curated.item(1).label, 'The second image is sharper "really".');
      } finally {
        curated.close();
      }
    });

    it('--corrections alone keeps the uncorrected incorrect record; refuses to overwrite input, plan or journal', () => {
      const out = path.join(s.dir, 'corrected.json');
      const r = cocurate('apply', s.planDir, '--out', out, '--corrections', '--json');
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(r.out), { input: s.data, output: out, records: 8, kept: 8, dropped: 0, corrected: 2 });
      const before = fs.readFileSync(s.data);
      for (const target of [s.data, path.join(s.planDir, 'plan.json'), path.join(s.planDir, 'verdicts-ann.jsonl')]) {
        const bad = cocurate('apply', s.planDir, '--out', target, '--drop', 'incorrect');
        assert.equal(bad.code, 2, bad.err);
        assert.match(bad.err, /^cocurate apply: refusing to write /);
      }
      assert.deepEqual(fs.readFileSync(s.data), before);
      assert.equal(cocurate('apply', s.planDir, '--out', out).code, 2); // nothing to apply
    });

    it('the report counts reasons and corrections in every format', () => {
      const rep = buildReport([s.planDir], { checkDrift: false });
      assert.deepEqual(rep.spotchecks[0].reasons, { 'wrong ranking': 2, vague: 1, 'image problem': 1 });
      assert.equal(rep.spotchecks[0].corrections, 2);
      assert.match(renderMarkdown(rep), /- Corrections: 2 items; incorrect by reason: wrong ranking = 2, image problem = 1, vague = 1/);
      assert.match(renderMarkdown(rep), /reasons: wrong ranking, vague; correction: Both are equally sharp\./);
      assert.match(renderHtml(rep), /<dd class="reasons">wrong ranking = 2 · image problem = 1 · vague = 1<\/dd>/);
      assert.match(renderHtml(rep), /<q class="correction">Both are equally sharp\.<\/q>/);
      const json = JSON.parse(renderJson(rep)).spotchecks[0];
      assert.deepEqual([json.reasons, json.corrections], [{ 'wrong ranking': 2, vague: 1, 'image problem': 1 }, 2]);
      const csv = renderCsv(rep).split('\r\n');
      assert.ok(csv[0].endsWith(',correction,reasons,decision'), csv[0]);
      assert.ok(
        csv.some((l) => l.includes(',"arr",') || (l.startsWith('arr,r2,') && l.includes('Both are equally sharp.,wrong ranking; vague,'))),
        csv.join('\n'),
      );
    });
    it('a whole spot check decided "drop" leaves an empty array with the BOM and line ends', () => {
      assert.equal(cocurate('decide', s.planDir, 'drop', '--by', 'dan').code, 0);
      const out = path.join(s.dir, 'none.json');
      const r = cocurate('apply', s.planDir, '--out', out, '--decisions', '--json');
      assert.equal(r.code, 0, r.err);
      assert.equal(JSON.parse(r.out).kept, 0);
      assert.equal(fs.readFileSync(out, 'utf8'), '\ufeff[\r\n  \r\n]\r\n');
      assert.equal(cocurate('validate', out, '--no-image-check').code, 0);
    });
  });

  describe('apply on JSONL, decisions', () => {
    const recs = Array.from({ length: 12 }, (_, i) => rec(i, i % 3 === 0 ? 'B' : 'A'));
    let s: ReturnType<typeof setup>;
    before(() => {
      // The last line without its line end: kept as it is.
      s = setup('lines', recs.join('\n'), 'data.jsonl', 'field:subset', 6);
    });
    after(() => fs.rmSync(s.dir, { recursive: true, force: true }));

    it('--drop incorrect keeps every other line byte for byte', () => {
      const plan = JSON.parse(fs.readFileSync(path.join(s.planDir, 'plan.json'), 'utf8')) as { items: { key: string; hash: string }[] };
      const wrong = plan.items.find((it) => it.key !== 'r11')!;
      const j = new VerdictJournal(path.join(s.planDir, 'verdicts-bo.jsonl'));
      j.append({ key: wrong.key, hash: wrong.hash, verdict: 'incorrect', reasons: ['vague'], reviewer: 'bo' });
      j.close();
      const out = path.join(s.dir, 'out.jsonl');
      const r = cocurate('apply', s.planDir, '--out', out, '--drop', 'incorrect', '--json');
      assert.equal(r.code, 0, r.err);
      const n = Number(wrong.key.slice(1));
      assert.equal(fs.readFileSync(out, 'utf8'), recs.filter((_, i) => i !== n).join('\n'));
      assert.equal(cocurate('validate', out, '--no-image-check').code, 0);
    });

    it('decide records who, when and the figures; apply --decisions drops every record of a stratum decided "drop"', () => {
      const d = cocurate('decide', s.planDir, 'drop', '--stratum', 'B', '--by', 'carol', '--json');
      assert.equal(d.code, 0, d.err);
      const k = cocurate('decide', s.planDir, 'keep', '--by', 'carol');
      assert.equal(k.code, 0, k.err);
      assert.equal(cocurate('decide', s.planDir, 'maybe').code, 2);
      assert.match(cocurate('decide', s.planDir, 'drop', '--stratum', 'Z').err, /has no stratum "Z"/);
      const dec = readDecisions(s.planDir);
      assert.equal(dec.history.length, 2);
      assert.equal(dec.strata.get('B')?.by, 'carol');
      assert.equal(dec.spotcheck?.decision, 'keep');
      assert.equal(typeof dec.strata.get('B')?.basis.n, 'number');
      const out = path.join(s.dir, 'decided.jsonl');
      const r = cocurate('apply', s.planDir, '--out', out, '--decisions', '--json');
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(JSON.parse(r.out).dropped, 4);
      assert.equal(fs.readFileSync(out, 'utf8'), recs.filter((_, i) => i % 3 !== 0).join('\n'));
      const m = JSON.parse(fs.readFileSync(`${out}.manifest.json`, 'utf8'));
      assert.deepEqual(
        m.changes.map((c: { key: string }) => c.key),
        ['r0', 'r3', 'r6', 'r9'],
      );
      assert.equal(m.changes[0].because, 'decision drop (stratum B)');
      assert.equal(m.changes[0].reviewer, 'carol');
      // Every report format states the decisions.
      const rep = buildReport([s.planDir], { checkDrift: false });
      assert.equal(rep.spotchecks[0].strata.find((h) => h.name === 'B')?.decision?.decision, 'drop');
      assert.equal(rep.spotchecks[0].strata.find((h) => h.name === 'A')?.decision?.decision, 'keep');
      assert.match(renderMarkdown(rep), /- Decision: keep \(by carol, .*; per stratum: B: drop \(by carol/);
      assert.match(renderHtml(rep), /<dd class="decision">keep \(by carol/);
      assert.equal(JSON.parse(renderJson(rep)).spotchecks[0].decisions.strata.B.decision, 'drop');
      assert.ok(
        renderCsv(rep)
          .split('\r\n')
          .slice(1)
          .filter(Boolean)
          .every((l) => /,(keep|drop)$/.test(l)),
      );
    });
  });
});
