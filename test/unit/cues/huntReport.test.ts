import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { auditDataset } from '../../../src/core/claims/auditLabels';
import { buildHuntPlan } from '../../../src/core/claims/huntPlan';
import { Dataset } from '../../../src/core/dataset';
import { readPlan, spotcheckDir, writePlan } from '../../../src/core/plan';
import { renderMarkdown } from '../../../src/core/report/markdown';
import { renderHtml } from '../../../src/core/report/html';
import { buildReport } from '../../../src/core/report/model';
import { drawSample } from '../../../src/core/sampling';
import { VerdictJournal, journalPath } from '../../../src/core/verdicts';
import { scene, withBlur, withNoise } from './synthImages';

describe('hunt: most suspicious first, reported apart from spot checks', function () {
  this.timeout(120000);
  let dir: string;
  let file: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hunt-'));
    fs.mkdirSync(path.join(dir, 'img'));
    const base = await scene(21);
    fs.writeFileSync(path.join(dir, 'img', 'sharp.png'), base);
    fs.writeFileSync(path.join(dir, 'img', 'blurred.png'), await withBlur(base, 2.5));
    fs.writeFileSync(path.join(dir, 'img', 'noisy.png'), await withNoise(base, 18));
    const rec = (id: string, a: string, b: string, label: string) =>
      JSON.stringify({
        id,
        image: [`img/${a}`, `img/${b}`],
        conversations: [
          { from: 'human', value: 'The first image: <image>\nThe second image: <image>\nWhich is better?' },
          { from: 'gpt', value: label },
        ],
      });
    const lines: string[] = [];
    for (let i = 0; i < 12; i++) {
      const swapped = i % 3 === 0; // items 0, 3, 6, 9 contradict the cues
      lines.push(
        rec(`item-${i}`, swapped ? 'sharp.png' : 'blurred.png', swapped ? 'blurred.png' : 'sharp.png', 'The first image is blurrier than the second image.'),
      );
    }
    lines.push(rec('noise-swapped', 'sharp.png', 'noisy.png', 'The first image is much noisier than the second image, and the second image is cleaner.'));
    file = path.join(dir, 'data.jsonl');
    fs.writeFileSync(file, lines.join('\n') + '\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('queues only contradicted items, most suspicious first, as a plan of kind "hunt"', async () => {
    const ds = Dataset.open(file);
    try {
      const audit = await auditDataset(ds, { curationFolder: path.join(dir, '.curator') });
      const huntDir = spotcheckDir(path.join(dir, '.curator'), 'hunt-3');
      const plan = buildHuntPlan(ds, audit.items, { name: 'hunt-3', planDir: huntDir, size: 3 });
      assert.equal(plan.kind, 'hunt');
      assert.equal(plan.items.length, 3);
      assert.equal(plan.population.hunt, 5, 'five items have a contradicted claim');
      const scores = plan.hunt!.scores;
      assert.deepEqual(
        [...scores].sort((a, b) => b - a),
        scores,
        'most suspicious first',
      );
      assert.equal(plan.items[0].key, 'noise-swapped', 'two contradicted claims outrank one');
      for (const it of plan.items) assert.ok(['noise-swapped', 'item-0', 'item-3', 'item-6', 'item-9'].includes(it.key));
      writePlan(huntDir, plan);
      assert.equal(readPlan(huntDir).kind, 'hunt');
    } finally {
      ds.close();
    }
  });

  it("the report gives the hunt's precision and keeps it out of comparisons, overview and estimates", () => {
    const ds = Dataset.open(file);
    const cur = path.join(dir, '.curator');
    let randomDir: string;
    try {
      randomDir = spotcheckDir(cur, 'random-6');
      writePlan(randomDir, drawSample(ds, { name: 'random-6', seed: '1', size: 6, strata: { kind: 'none' }, planDir: randomDir }));
    } finally {
      ds.close();
    }
    const huntDir = spotcheckDir(cur, 'hunt-3');
    const hunt = readPlan(huntDir);
    const random = readPlan(randomDir);
    // The reviewer finds 2 wrong labels among the 3 hunted items, and every random item correct.
    const hj = new VerdictJournal(journalPath(huntDir, 'ann'));
    hunt.items.forEach((it, k) => hj.append({ key: it.key, hash: it.hash, verdict: k < 2 ? 'incorrect' : 'correct', reviewer: 'ann' }));
    hj.close();
    const rj = new VerdictJournal(journalPath(randomDir, 'ann'));
    for (const it of random.items) rj.append({ key: it.key, hash: it.hash, verdict: 'correct', reviewer: 'ann' });
    rj.close();
    const second = spotcheckDir(cur, 'random-4');
    const ds2 = Dataset.open(file);
    try {
      writePlan(second, drawSample(ds2, { name: 'random-4', seed: '2', size: 4, strata: { kind: 'none' }, planDir: second }));
    } finally {
      ds2.close();
    }

    const report = buildReport([huntDir, randomDir, second], { compare: true, checkDrift: false });
    const h = report.spotchecks.find((s) => s.name === 'hunt-3')!;
    const r = report.spotchecks.find((s) => s.name === 'random-6')!;
    assert.equal(h.kind, 'hunt');
    assert.equal(r.kind, 'spot-check');
    assert.deepEqual({ incorrect: h.hunt!.incorrect, judged: h.hunt!.judged }, { incorrect: 2, judged: 3 });
    assert.ok(Math.abs((h.hunt!.precision as number) - 2 / 3) < 1e-12);
    assert.ok(h.hunt!.ci[0] < 2 / 3 && h.hunt!.ci[1] > 2 / 3);
    assert.equal(r.rate, 1, 'the random spot check counts only its own verdicts');
    assert.deepEqual(
      report.comparisons.map((c) => [c.a, c.b]),
      [['random-6', 'random-4']],
      'the hunt is compared with nothing',
    );
    assert.match(h.warnings[0], /not a random sample/);
    const md = renderMarkdown(report);
    assert.match(md, /## hunt-3 \(hunt\)\n\n\*\*Hunt precision: 66\.7 %/);
    const summary = md.split('\n## ')[0];
    assert.ok(!summary.includes('hunt-3'), 'the summary table of spot checks leaves the hunt out');
    assert.match(summary, /random-6/);
    const html = renderHtml(report);
    assert.match(html, /hunt precision: 2 wrong label\(s\) found in 3 judged/);
  });
});
