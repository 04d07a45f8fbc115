import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { aggregateJudgements, parsePreferences, twoAfcRounds, type Judgement } from '../../../src/core/eval/twoafc';
import { mcqRowFor, scoreAnswer, summarizeMcq } from '../../../src/core/eval/mcq';
import type { Item } from '../../../src/core/item';
import { Random } from '../../../src/core/random';

// Shared data lives in ../shared beside the repository (see the README's test section).
const KADIS = path.resolve(__dirname, '../../../../../shared/data/kadis700k.json');
const DEMO_SCORES = path.resolve(__dirname, '../../../../demo/kadis-scores.json');

describe('2AFC', () => {
  it('rounds pair shuffled neighbours, reproducibly', () => {
    const a = twoAfcRounds(12, 3, 'seed-1');
    assert.equal(a.length, 18);
    assert.deepEqual(a, twoAfcRounds(12, 3, 'seed-1'));
    assert.notDeepEqual(a, twoAfcRounds(12, 3, 'seed-2'));
    for (let r = 0; r < 3; r++) {
      const used = a
        .slice(r * 6, r * 6 + 6)
        .flat()
        .sort((x, y) => x - y);
      assert.deepEqual(
        used,
        Array.from({ length: 12 }, (_, i) => i),
        'each round uses every image once',
      );
    }
    assert.equal(twoAfcRounds(5, 2, 's').length, 4, 'an odd one out sits a round out');
  });

  it('consistency, accuracy on consistent pairs, ties and unparsed answers', () => {
    const gt = new Map([
      ['x', 3],
      ['y', 2],
      ['z', 1],
    ]);
    const j: Judgement[] = [
      { a: 'x', b: 'y', winner: 'a' },
      { a: 'y', b: 'x', winner: 'b' }, // consistent, x (right)
      { a: 'y', b: 'z', winner: 'b' },
      { a: 'z', b: 'y', winner: 'a' }, // consistent, z (wrong)
      { a: 'x', b: 'z', winner: 'a' },
      { a: 'z', b: 'x', winner: 'a' }, // position bias: inconsistent
      { a: 'x', b: 'y', winner: null },
      { a: 'y', b: 'x', winner: 'b' }, // unparsed: inconsistent
    ];
    const r = aggregateJudgements(j, gt);
    assert.equal(r.pairs, 4);
    assert.equal(r.consistent, 2);
    assert.equal(r.kappa, 0.5);
    assert.equal(r.scored, 2);
    assert.equal(r.accuracy, 0.5);
    assert.equal(r.unparsed, 1);
    assert.ok(r.scores.x > r.scores.y && r.scores.z > r.scores.y);
  });

  it('a perfect judge on the KADIS-700k scores: κ 1, accuracy 1, SRCC near 1', function () {
    assert.ok(fs.existsSync(KADIS), `shared data missing: ${KADIS} (../shared/data beside the repository)`);
    const list = JSON.parse(fs.readFileSync(KADIS, 'utf8')) as { img_path: string; gt_score: number }[];
    const gt = new Map(list.map((r) => [r.img_path, r.gt_score]));
    const judgements: Judgement[] = [];
    for (const [i, k] of twoAfcRounds(list.length, 12, 7)) {
      const a = list[i].img_path,
        b = list[k].img_path;
      for (const [x, y] of [
        [a, b],
        [b, a],
      ])
        judgements.push({ a: x, b: y, winner: gt.get(x)! === gt.get(y)! ? 'tie' : gt.get(x)! > gt.get(y)! ? 'a' : 'b' });
    }
    const r = aggregateJudgements(judgements, gt);
    assert.equal(r.kappa, 1);
    assert.equal(r.accuracy, 1);
    assert.ok(r.srcc! > 0.8, `SRCC ${r.srcc}`);
    assert.ok(r.plcc! > 0.8, `PLCC ${r.plcc}`);
  });

  it('a noisy judge with position bias scores lower κ and correlation than a clean one', () => {
    const list = JSON.parse(fs.readFileSync(DEMO_SCORES, 'utf8')) as { img_path: string; gt_score: number }[];
    const gt = new Map(list.map((r) => [r.img_path, r.gt_score]));
    const rng = new Random('noise');
    const judge = (noise: number) => {
      const out: Judgement[] = [];
      for (const [i, k] of twoAfcRounds(list.length, 12, 3)) {
        const a = list[i].img_path,
          b = list[k].img_path;
        for (const [x, y] of [
          [a, b],
          [b, a],
        ])
          out.push({ a: x, b: y, winner: rng.next() < noise ? 'a' : gt.get(x)! > gt.get(y)! ? 'a' : 'b' });
      }
      return aggregateJudgements(out, gt);
    };
    const clean = judge(0),
      noisy = judge(0.6);
    assert.equal(clean.kappa, 1);
    assert.ok(noisy.kappa! < clean.kappa!);
    assert.ok(noisy.srcc! < clean.srcc!);
  });

  it('reads preference files and names bad lines', () => {
    const j = parsePreferences('{"a":"p","b":"q","winner":"a"}\n\n{"a":"q","b":"p","winner":"tie"}\n');
    assert.equal(j.length, 2);
    assert.throws(() => parsePreferences('{"a":"p","b":"q","winner":"left"}', 'prefs.jsonl'), /prefs.jsonl:1: "winner"/);
    assert.throws(() => parsePreferences('nope', 'prefs.jsonl'), /prefs.jsonl:1: not JSON/);
  });
});

describe('MCQ scoring', () => {
  const item = (i: number, type: number, concern: number, correct: string): Item => ({
    index: i,
    key: `q${i}`,
    hash: 'h',
    line: i + 1,
    format: 'qbench-a1',
    images: ['a.jpg'],
    groupSize: 1,
    question: 'Is it blurry?',
    candidates: ['Yes', 'No'],
    correct,
    extra: { type, concern },
  });
  it('accuracy overall and by Q-Bench type and concern names; unparsed counts as wrong', () => {
    const rows = [
      scoreAnswer(mcqRowFor(item(0, 0, 0, 'Yes'))!, 'A', ['Yes', 'No']),
      scoreAnswer(mcqRowFor(item(1, 0, 1, 'No'))!, 'The answer is B.', ['Yes', 'No']),
      scoreAnswer(mcqRowFor(item(2, 1, 0, 'No'))!, 'A', ['Yes', 'No']),
      scoreAnswer(mcqRowFor(item(3, 2, 3, 'No'))!, 'maybe', ['Yes', 'No']),
      { ...mcqRowFor(item(4, 2, 3, 'No'))!, error: 'HTTP 500' },
    ];
    const r = summarizeMcq(rows);
    assert.equal(r.answered, 4);
    assert.equal(r.correct, 2);
    assert.equal(r.accuracy, 0.5);
    assert.equal(r.unparsed, 1);
    assert.equal(r.failed, 1);
    assert.deepEqual(r.byType['yes-or-no'], { n: 2, correct: 2, accuracy: 1 });
    assert.deepEqual(r.byType.what, { n: 1, correct: 0, accuracy: 0 });
    assert.deepEqual(r.byConcern['in-context other'], { n: 1, correct: 0, accuracy: 0 });
    assert.equal(r.byImages['1'].n, 4);
  });
});
