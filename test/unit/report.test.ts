/**
 * `cocurate report` on hand-written plan and verdict files (test/fixtures/report, formats in ARCHITECTURE.md, "Sampling and plans" and "Verdict journal").
 * Reference numbers: R 4.2.2 — prop.test(k, n, correct = FALSE) for Wilson, fisher.test, binom.test,
 * and the Newcombe / stratified / κ / AC1 formulas evaluated in R (see test/unit/stats/*).
 *
 * The fixture, item by item (positions in plan order):
 *   merged  (strata by group size: "2" N=36 with 24 items, "3" N=25 with 16 items)
 *     alice: incorrect at 5 (correct → undo → incorrect), 26, 30, 33; skip at 9; 7 is incorrect then
 *            correct; nothing on 39; a verdict on key m-777 (not in the plan); a stale hash at 3.
 *     bob:   items 0–19 correct except 5 and 12 incorrect and 15 skipped; 39 incorrect; torn last line.
 *     carol: only item 39, correct (no overlap with alice).
 *     → resolved: "2" n=23 k=22 (1 skip), "3" n=16 k=12; overall 34/39; 4 disputed items (9, 12, 15, 39).
 *     dataset: record m-020 edited since the plan, m-060 deleted.
 *   removed (no strata, N=40): alice 18 correct of 25.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildReport, RESOLUTION_RULE, type DriftCache } from '../../src/core/report/model';
import { close, closePair } from './stats/approx';

const root = path.resolve(__dirname, '../../..');
const fixtures = path.join(root, 'test/fixtures/report');
const merged = path.join(fixtures, 'merged');
const removed = path.join(fixtures, 'removed');
const cli = path.join(root, 'out/src/cli/main.js');

function cocurate(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonReport {
  confidence: number;
  spotchecks: {
    name: string;
    n: number;
    k: number;
    skipped: number;
    rate: number;
    ci: [number, number];
    method: string;
    strata: { name: string; N: number; n: number; k: number; rate: number; ci: [number, number]; indicative: boolean }[];
    weighted: { rate: number; ci: [number, number]; se: number };
    reviewers: string[];
    pending: number;
    disputed: number;
    warnings: string[];
    drift: { checked: boolean; changed: string[]; missing: string[]; staleVerdicts: number };
    dataset: { changed: boolean };
    items: { key: string; verdict: string | null; disputed: boolean; drift: string | null; reviewers: Record<string, { verdict: string; note?: string }> }[];
  }[];
  comparisons: { a: string; b: string; diff: number; ci: [number, number]; method: string; fisherP: number }[];
  agreement: {
    spotcheck: string;
    reviewers: string[];
    items: number;
    raw: number | null;
    cohenKappa: number | null;
    fleissKappa: number | null;
    gwetAC1: number | null;
  }[];
}

describe('cocurate report (fixtures)', () => {
  let json: JsonReport;
  before(() => {
    const r = cocurate('report', merged, removed, '--compare', '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    json = JSON.parse(r.stdout) as JsonReport;
  });

  it('keeps the JSON shape of issue #4', () => {
    const s = json.spotchecks[0];
    for (const f of ['name', 'n', 'k', 'skipped', 'rate', 'ci', 'method', 'strata', 'weighted', 'reviewers']) assert.ok(f in s, f);
    for (const f of ['name', 'N', 'n', 'k', 'rate', 'ci']) assert.ok(f in s.strata[0], `strata.${f}`);
    for (const f of ['rate', 'ci']) assert.ok(f in s.weighted, `weighted.${f}`);
    for (const f of ['a', 'b', 'diff', 'ci', 'method', 'fisherP']) assert.ok(f in json.comparisons[0], `comparisons.${f}`);
    for (const f of ['spotcheck', 'reviewers', 'items', 'raw', 'cohenKappa', 'fleissKappa', 'gwetAC1']) assert.ok(f in json.agreement[0], `agreement.${f}`);
    assert.equal(s.method, 'wilson');
    assert.equal(json.comparisons[0].method, 'newcombe');
  });

  it('counts verdicts: latest non-undone line, skips out of n, multi-reviewer rule', () => {
    const [m, r] = json.spotchecks;
    assert.deepEqual([m.name, m.n, m.k, m.skipped, m.pending, m.disputed], ['merged', 39, 34, 1, 0, 4]);
    assert.deepEqual(m.reviewers, ['alice', 'bob', 'carol']);
    assert.deepEqual([r.name, r.n, r.k, r.skipped], ['removed', 25, 18, 0]);
    const byKey = new Map(m.items.map((it) => [it.key, it]));
    assert.equal(byKey.get('m-005')!.verdict, 'incorrect'); // correct → undo → incorrect
    assert.equal(byKey.get('m-007')!.verdict, 'correct'); // the later line wins
    assert.equal(byKey.get('m-009')!.verdict, 'skip'); // alice skip vs bob correct: alice is first in name order
    assert.equal(byKey.get('m-012')!.verdict, 'correct'); // alice correct vs bob incorrect
    assert.equal(byKey.get('m-051')!.verdict, 'incorrect'); // alice silent; bob before carol
    assert.ok(byKey.get('m-051')!.disputed);
    assert.equal(byKey.get('m-038')!.reviewers.alice.note, 'label says "first" | but the second is sharper <b>really</b>');
  });

  it('matches R to 4 decimals: Wilson overall and per stratum', () => {
    const [m, r] = json.spotchecks;
    closePair(m.ci, [0.732942566202545, 0.943971824630286], 5e-9);
    const s2 = m.strata.find((h) => h.name === '2')!;
    const s3 = m.strata.find((h) => h.name === '3')!;
    assert.deepEqual([s2.N, s2.n, s2.k, s3.N, s3.n, s3.k], [36, 23, 22, 25, 16, 12]);
    closePair(s2.ci, [0.790088449297411, 0.992283333856547], 5e-9);
    closePair(s3.ci, [0.505016834644912, 0.89817932508787], 5e-9);
    assert.ok(s2.indicative && s3.indicative);
    closePair(r.ci, [0.524233948096384, 0.857161461490434], 5e-9);
  });

  it('matches R: weighted stratified estimate with FPC', () => {
    const w = json.spotchecks[0].weighted;
    close(w.rate, 0.871881682109765, 1e-12);
    close(w.se, 0.0315214319055001, 1e-12);
    closePair(w.ci, [0.797612734718771, 0.921576264102425], 5e-9);
  });

  it('matches R: Newcombe difference and Fisher exact p', () => {
    const c = json.comparisons[0];
    assert.deepEqual([c.a, c.b], ['merged', 'removed']);
    close(c.diff, 0.151794871794872, 1e-12);
    closePair(c.ci, [-0.0433799966859259, 0.36044256432593], 5e-9);
    close(c.fisherP, 0.189858102323759, 1e-12);
  });

  it('matches R: agreement, including a reviewer with no overlap', () => {
    const g = json.agreement.filter((a) => a.spotcheck === 'merged');
    assert.deepEqual(
      g.map((a) => [a.reviewers.join('+'), a.items]),
      [
        ['alice+bob+carol', 0],
        ['alice+bob', 18],
        ['alice+carol', 0],
        ['bob+carol', 1],
      ],
    );
    const ab = g[1];
    close(ab.raw, 0.944444444444444, 1e-12);
    close(ab.cohenKappa, 0.64, 1e-12);
    close(ab.fleissKappa, 0.636363636363636, 1e-12);
    close(ab.gwetAC1, 0.934426229508197, 1e-12);
    assert.deepEqual([g[0].raw, g[0].cohenKappa, g[0].fleissKappa, g[0].gwetAC1], [null, null, null, null]);
    assert.deepEqual([g[2].raw, g[2].cohenKappa], [null, null]);
    assert.equal(
      json.agreement.some((a) => a.spotcheck === 'removed'),
      false,
    ); // one reviewer
  });

  it('warns about drift, stale verdicts, unknown keys and torn lines', () => {
    const m = json.spotchecks[0];
    assert.equal(m.dataset.changed, true);
    assert.deepEqual(m.drift.changed, ['m-020']);
    assert.deepEqual(m.drift.missing, ['m-060']);
    assert.equal(m.drift.staleVerdicts, 1);
    assert.equal(m.items.find((it) => it.key === 'm-020')!.drift, 'changed');
    const w = m.warnings.join('\n');
    assert.match(w, /^verdicts-bob\.jsonl:22: torn last line/m);
    assert.match(w, /1 sampled record\(s\) changed since the plan.*m-020/);
    assert.match(w, /missing from the dataset now: m-060/);
    assert.match(w, /1 verdict\(s\) name items that are not in this plan/);
    assert.match(w, /different version of the record/);
    assert.deepEqual(json.spotchecks[1].warnings, []);
    assert.equal(json.spotchecks[1].dataset.changed, false);
  });

  it('--confidence 0.9 changes every interval', () => {
    const r = cocurate('report', merged, removed, '--compare', '--confidence', '0.9', '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as JsonReport;
    assert.equal(j.confidence, 0.9);
    closePair(j.spotchecks[0].ci, [0.759174488305099, 0.936176719188932], 5e-9);
    closePair(j.spotchecks[0].weighted.ci, [0.81116713365221, 0.915117713186656], 5e-9);
    closePair(j.comparisons[0].ci, [-0.0131122445420953, 0.32744827875036], 5e-9);
  });

  it('writes every format with --out and infers the format from the extension', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-report-'));
    try {
      for (const ext of ['md', 'html', 'json', 'csv']) {
        const file = path.join(dir, `r.${ext}`);
        const r = cocurate('report', merged, '--out', file);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), file);
        assert.match(r.stderr, /warning: merged: .*changed since the plan/);
        const text = fs.readFileSync(file, 'utf8');
        if (ext === 'json') assert.equal((JSON.parse(text) as JsonReport).spotchecks[0].k, 34);
        if (ext === 'html') assert.match(text, /^<!DOCTYPE html>/);
        if (ext === 'md') assert.match(text, /^# Spot-check report/);
        if (ext === 'csv') assert.match(text, /^spotcheck,key,index,stratum,verdict/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a curation folder expands to its plans', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-report-'));
    try {
      for (const n of ['merged', 'removed']) {
        fs.cpSync(path.join(fixtures, n), path.join(dir, 'spotchecks', n), { recursive: true });
      }
      const r = cocurate('report', dir, '--json', '--no-drift');
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout) as JsonReport;
      assert.deepEqual(
        j.spotchecks.map((s) => s.name),
        ['merged', 'removed'],
      );
      assert.equal(j.spotchecks[0].drift.checked, false);
      assert.doesNotMatch(j.spotchecks[0].warnings.join('\n'), /changed since the plan/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors exit 2 with one clear line', function () {
    this.timeout(90_000); // a dozen CLI runs: slow on a loaded machine
    const cases: [string[], RegExp][] = [
      [['report'], /at least one spot-check folder/],
      [['report', merged, '--compare'], /--compare needs at least two/],
      [['report', merged, '--confidence', '1.5'], /--confidence must lie between 0 and 1/],
      [['report', merged, '--format', 'pdf'], /--format must be one of md, html, json, csv/],
      [['report', path.join(fixtures, 'nowhere')], /no plan here/],
    ];
    for (const [args, re] of cases) {
      const r = cocurate(...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, re);
    }
  });

  it('edge cases: dataset gone, a single judged item, drift cache', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-report-'));
    try {
      fs.cpSync(fixtures, dir, { recursive: true });
      // One item, judged correct: 1/1 → [0.2065, 1] (R: prop.test(1, 1, correct = FALSE)).
      const plan = JSON.parse(fs.readFileSync(path.join(dir, 'removed/plan.json'), 'utf8')) as { items: unknown[]; population: Record<string, number> };
      plan.items = plan.items.slice(0, 1);
      fs.mkdirSync(path.join(dir, 'one'));
      fs.writeFileSync(path.join(dir, 'one/plan.json'), JSON.stringify({ ...plan, name: 'one' }));
      fs.writeFileSync(
        path.join(dir, 'one/verdicts-ana.jsonl'),
        fs.readFileSync(path.join(dir, 'removed/verdicts-alice.jsonl'), 'utf8').split('\n')[0].replace('"alice"', '"ana"') + '\n',
      );
      const one = buildReport([path.join(dir, 'one')]).spotchecks[0];
      assert.deepEqual([one.n, one.k, one.rate], [1, 1, 1]);
      closePair(one.ci, [0.206549314377238, 1], 5e-9);
      assert.equal(one.ci[1], 1);

      const cache: DriftCache = new Map();
      const first = buildReport([path.join(dir, 'merged')], { driftCache: cache }).spotchecks[0];
      assert.equal(cache.size, 1);
      const [entry] = cache.values();
      buildReport([path.join(dir, 'merged')], { driftCache: cache });
      assert.equal([...cache.values()][0], entry); // dataset unchanged: not re-hashed
      assert.deepEqual(first.drift.changed, ['m-020']);
      const later = new Date(Date.now() + 5000);
      fs.utimesSync(path.join(dir, 'merged.jsonl'), later, later);
      buildReport([path.join(dir, 'merged')], { driftCache: cache });
      assert.equal(cache.size, 1);
      assert.notEqual([...cache.values()][0], entry); // the file changed: checked again

      // Judged items far from proportional to N_h: the report points to the weighted estimate.
      const mp = JSON.parse(fs.readFileSync(path.join(dir, 'merged/plan.json'), 'utf8')) as { population: Record<string, number> };
      fs.writeFileSync(path.join(dir, 'merged/plan.json'), JSON.stringify({ ...mp, population: { '2': 360, '3': 25 } }));
      const skewed = buildReport([path.join(dir, 'merged')], { checkDrift: false }).spotchecks[0];
      close(skewed.weighted.rate, ((360 * 22) / 23 + (25 * 12) / 16) / 385, 1e-12);
      assert.match(skewed.warnings.join('\n'), /not proportional to the stratum sizes.*weighted estimate \(94\.3 %\)/);
      assert.doesNotMatch(first.warnings.join('\n'), /not proportional/);

      fs.rmSync(path.join(dir, 'merged.jsonl'));
      const gone = buildReport([path.join(dir, 'merged')]).spotchecks[0];
      assert.equal(gone.dataset.changed, null);
      assert.equal(gone.drift.checked, false);
      assert.match(gone.warnings.join('\n'), /merged\.jsonl not found: drift not checked/);
      assert.equal(gone.k, 34); // the numbers do not need the dataset
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the same items judged twice are compared as paired data (Newcombe paired, McNemar)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-report-'));
    try {
      fs.cpSync(fixtures, dir, { recursive: true });
      // "removed" judged again (say, against a model's answers): incorrect at 2, 5, 8, 21 instead of
      // 2, 5, 8, 11, 14, 17, 20 → a=17 both correct, b=1, c=4, d=3 both incorrect.
      fs.cpSync(path.join(dir, 'removed'), path.join(dir, 'again'), { recursive: true });
      const plan = JSON.parse(fs.readFileSync(path.join(dir, 'again/plan.json'), 'utf8')) as { items: { key: string; hash: string }[] };
      fs.writeFileSync(path.join(dir, 'again/plan.json'), JSON.stringify({ ...plan, name: 'again' }));
      fs.writeFileSync(
        path.join(dir, 'again/verdicts-alice.jsonl'),
        plan.items
          .map((it, i) =>
            JSON.stringify({
              v: 1,
              key: it.key,
              hash: it.hash,
              verdict: [2, 5, 8, 21].includes(i) ? 'incorrect' : 'correct',
              reviewer: 'alice',
              at: '2026-11-28T05:00:00.000Z',
            }),
          )
          .join('\n') + '\n',
      );
      const r = cocurate('report', path.join(dir, 'removed'), path.join(dir, 'again'), '--compare', '--json', '--no-drift');
      assert.equal(r.code, 0, r.stderr);
      const c = (
        JSON.parse(r.stdout) as {
          comparisons: { method: string; diff: number; ci: [number, number]; fisherP: number | null; shared: { items: number; mcnemarP: number } }[];
        }
      ).comparisons[0];
      assert.equal(c.method, 'newcombe-paired');
      close(c.diff, -0.12, 1e-12);
      closePair(c.ci, [-0.306905176939226, 0.07091605784152], 5e-9); // R, Newcombe (1998) method 10 for paired data
      assert.equal(c.fisherP, null);
      assert.equal(c.shared.items, 25);
      close(c.shared.mcnemarP, 0.375, 1e-12); // binom.test(1, 5)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resolves disagreements by the stated rule: the first reviewer in name order who judged the item, not the latest line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curator-rule-'));
    try {
      const plan = JSON.parse(fs.readFileSync(path.join(merged, 'plan.json'), 'utf8')) as { items: { key: string; hash: string }[] };
      fs.writeFileSync(
        path.join(dir, 'plan.json'),
        JSON.stringify({
          ...plan,
          dataset: { ...(plan as unknown as { dataset: object }).dataset, path: path.relative(dir, path.join(fixtures, 'merged.jsonl')) },
        }),
      );
      const [a, b, c] = plan.items;
      const line = (it: { key: string; hash: string }, verdict: string, reviewer: string, at: string) =>
        JSON.stringify({ v: 1, key: it.key, hash: it.hash, verdict, reviewer, at });
      // carol and bob judge later than alice; "latest wins" or "majority wins" would give other answers.
      fs.writeFileSync(path.join(dir, 'verdicts-alice.jsonl'), [line(a, 'correct', 'alice', '2026-11-28T01:00:00.000Z')].join('\n') + '\n');
      fs.writeFileSync(
        path.join(dir, 'verdicts-bob.jsonl'),
        [
          line(a, 'incorrect', 'bob', '2026-11-28T02:00:00.000Z'),
          line(b, 'incorrect', 'bob', '2026-11-28T02:00:00.000Z'),
          line(c, 'skip', 'bob', '2026-11-28T02:00:00.000Z'),
        ].join('\n') + '\n',
      );
      fs.writeFileSync(
        path.join(dir, 'verdicts-carol.jsonl'),
        [
          line(a, 'incorrect', 'carol', '2026-11-28T03:00:00.000Z'),
          line(b, 'correct', 'carol', '2026-11-28T03:00:00.000Z'),
          line(c, 'skip', 'carol', '2026-11-28T03:00:00.000Z'),
        ].join('\n') + '\n',
      );
      const rep = buildReport([dir], { checkDrift: false });
      const rows = rep.spotchecks[0].items;
      const row = (key: string) => rows.find((r) => r.key === key)!;
      assert.deepEqual([row(a.key).verdict, row(a.key).disputed], ['correct', true], 'alice (first by name) wins over a later majority');
      assert.deepEqual([row(b.key).verdict, row(b.key).disputed], ['incorrect', true], 'bob is the first in name order who judged it');
      assert.deepEqual([row(c.key).verdict, row(c.key).disputed], ['skip', false], 'agreement is no dispute');
      assert.equal(rows.filter((r) => r.verdict === null).length, plan.items.length - 3, 'the other items are pending');
      assert.equal(rep.rule, RESOLUTION_RULE);
      assert.match(rep.rule, /first reviewer in name order/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
