import * as assert from 'node:assert/strict';
import { Dataset } from '../../src/core/dataset';
import { detectFormat } from '../../src/core/formats/detect';
import { answerToOption, parseInlineOptions } from '../../src/core/formats/normalize';

const open = (records: unknown[], opts = {}): Dataset => Dataset.fromText(JSON.stringify(records, null, 1), 'x.json', opts);

describe('formats → Item', () => {
  it('LLaVA / Co-Instruct: image list, turns, question without markup, label, ordinal prefixes', () => {
    const ds = open([
      {
        id: 'p1',
        image: ['a.jpg', 'b.jpg'],
        conversations: [
          { from: 'human', value: 'The first image: <image>\nThe second image: <image>\nWhich image has better quality, and why?' },
          { from: 'gpt', value: 'The second image is sharper.' },
        ],
      },
      {
        id: 's1',
        image: 'c.jpg',
        conversations: [
          { from: 'human', value: '<|image|>How is the quality?' },
          { from: 'gpt', value: 'Good.' },
        ],
      },
    ]);
    assert.equal(ds.format, 'llava');
    const a = ds.item(0);
    assert.deepEqual(a.images, ['a.jpg', 'b.jpg']);
    assert.equal(a.groupSize, 2);
    assert.equal(a.key, 'p1');
    assert.equal(a.question, 'Which image has better quality, and why?');
    assert.equal(a.label, 'The second image is sharper.');
    assert.deepEqual(
      a.turns?.map((t) => t.role),
      ['user', 'assistant'],
    );
    const b = ds.item(1);
    assert.deepEqual(b.images, ['c.jpg']);
    assert.equal(b.question, 'How is the quality?');
    assert.match(a.hash, /^[0-9a-f]{16}$/);
    assert.notEqual(a.hash, b.hash);
  });

  it('LLaVA MCQ: "A. …" lines become candidates; the letter answer picks the correct one', () => {
    const ds = open([
      {
        id: 'm',
        image: ['a.jpg', 'b.jpg'],
        conversations: [
          {
            from: 'human',
            value:
              "The first image: <image>\nThe second image: <image>\nWhich is sharper?\nA. The first image\nB. The second image\nAnswer with the option's letter from the given choices directly.",
          },
          { from: 'gpt', value: 'B' },
        ],
      },
    ]);
    const it = ds.item(0);
    assert.deepEqual(it.candidates, ['The first image', 'The second image']);
    assert.equal(it.correct, 'The second image');
  });

  it('Q-Bench A1 (LLVisionQA), with and without correct_ans (test split)', () => {
    const ds = open([
      { img_path: 'x.jpg', question: 'Is it blurry?', candidates: ['Yes', 'No'], correct_ans: 'No', type: 'yes-or-no', concern: 'distortion' },
      { img_path: 'y.jpg', question: 'Is it dark?', candidates: ['Yes', 'No'], type: 'yes-or-no', concern: 'lighting' },
    ]);
    assert.equal(ds.format, 'qbench-a1');
    const a = ds.item(0);
    assert.deepEqual([a.images, a.candidates, a.correct, a.label, a.key], [['x.jpg'], ['Yes', 'No'], 'No', 'No', '#0']);
    assert.equal(a.extra.type, 'yes-or-no');
    assert.equal(ds.item(1).correct, undefined);
  });

  it('Q-Bench HF style: option0..3 with "N/A", correct_choice letter, image1/image2', () => {
    const ds = open([
      {
        question: 'Which is better?',
        option0: 'First',
        option1: 'Second',
        option2: 'N/A',
        option3: 'N/A',
        correct_choice: 'B',
        question_type: 'which',
        question_concern: 'overall',
        image1: 'a.png',
        image2: 'b.png',
      },
    ]);
    assert.equal(ds.format, 'qbench-hf');
    const it = ds.item(0);
    assert.deepEqual(it.candidates, ['First', 'Second']);
    assert.equal(it.correct, 'Second');
    assert.deepEqual(it.images, ['a.png', 'b.png']);
    assert.equal(it.groupSize, 2);
    assert.equal(it.extra.concern, 'overall');
  });

  it('Q-Bench2 pairs: a _cat_ image counts as a group of two', () => {
    const ds = open([{ img_path: 'pairs/a_cat_b.jpg', question: 'Which is better?', candidates: ['The left', 'The right'], correct_ans: 'The left' }]);
    assert.equal(ds.format, 'qbench2-pair');
    const it = ds.item(0);
    assert.equal(it.groupSize, 2);
    assert.deepEqual(it.extra.concatenated, ['a', 'b.jpg']);
  });

  it('MCQ on image lists with a user field mapping', () => {
    const recs = [{ uid: 'q1', imgs: ['a.png', 'b.png', 'c.png'], prompt: 'Which is best?', opts: ['A', 'B', 'C'], gt: 'B', kind: 'which' }];
    const ds = open(recs, { format: 'mcq', mapping: { id: 'uid', images: 'imgs', question: 'prompt', candidates: 'opts', answer: 'gt', type: 'kind' } });
    const it = ds.item(0);
    assert.deepEqual([it.key, it.images.length, it.question, it.correct, it.extra.type], ['q1', 3, 'Which is best?', 'B', 'which']);
  });

  it('IQA score lists, flat and grouped by dataset name', () => {
    const flat = open([{ img_path: 'a.png', gt_score: 71.5 }]);
    assert.equal(flat.format, 'iqa');
    assert.equal(flat.item(0).score, 71.5);
    const grouped = Dataset.fromText(
      JSON.stringify({ koniq: [{ img_path: 'k.png', gt_score: 3.2 }], spaq: [{ img_path: 's.png', gt_score: 55 }] }),
      'scores.json',
    );
    assert.equal(grouped.container, 'grouped');
    assert.equal(grouped.format, 'iqa');
    assert.deepEqual([grouped.item(0).subset, grouped.item(1).subset], ['koniq', 'spaq']);
  });

  it('single-image descriptions', () => {
    const ds = open([{ image: 'a.png', description: 'A sharp photo.' }]);
    assert.equal(ds.format, 'descriptions');
    assert.equal(ds.item(0).label, 'A sharp photo.');
  });

  it('--format overrides detection; unknown records still give an item', () => {
    const ds = open([{ foo: 1 }]);
    assert.equal(ds.format, 'unknown');
    assert.equal(ds.item(0).groupSize, 0);
    const forced = open([{ img_path: 'a.png', gt_score: 1 }], { format: 'descriptions' });
    assert.equal(forced.format, 'descriptions');
  });

  it('keys: unique ids are keys; duplicated ids fall back to #index; findKey resolves both', () => {
    const ds = open([
      { id: 'x', image: 'a.png', description: 'd' },
      { id: 'y', image: 'b.png', description: 'd' },
      { id: 'x', image: 'c.png', description: 'd' },
    ]);
    assert.deepEqual(
      [0, 1, 2].map((i) => ds.item(i).key),
      ['#0', 'y', '#2'],
    );
    assert.equal(ds.findKey('y'), 1);
    assert.equal(ds.findKey('#2'), 2);
    assert.equal(ds.findKey('nope'), undefined);
  });

  it('keys when ids are not the first key, carry escapes, are numbers, or collide as text', () => {
    const ds = open([
      { image: 'a.png', description: 'd', id: 'late' },
      { id: 'with \"quote\"', image: 'b.png', description: 'd' },
      { id: 7, image: 'c.png', description: 'd' },
      { id: '7', image: 'd.png', description: 'd' },
      { id: 'plain', image: 'e.png', description: 'd' },
    ]);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((i) => ds.item(i).key),
      ['late', 'with "quote"', '#2', '#3', 'plain'],
    );
    assert.deepEqual([...ds.ids().duplicateIds.entries()], [['7', [2, 3]]]);
    assert.equal(ds.findKey('late'), 0);
    assert.equal(ds.findKey('plain'), 4);
    assert.equal(ds.findKey('7'), 2);
    // The scanner hashed the leading plain ids; the others were resolved by reading the record.
    assert.ok(Number.isNaN(ds.index.idHash(0)));
    assert.ok(Number.isNaN(ds.index.idHash(1)));
    assert.ok(!Number.isNaN(ds.index.idHash(4)));
  });

  it('a syntax error in one record throws for that record only, naming index, line and column', () => {
    const text =
      '[\n{"id": "a", "image": "a.png", "description": "ok"},\n{"id": "b", "image": "b.png" "description": "broken"},\n{"id": "c", "image": "c.png", "description": "ok"}\n]';
    const ds = Dataset.fromText(text, 'x.json');
    assert.equal(ds.count, 3);
    assert.equal(ds.item(2).key, 'c');
    assert.throws(
      () => ds.item(1),
      (e: Error) => /record 1 \(line 3, column \d+\): invalid JSON/.test(e.message),
    );
  });

  it('detectFormat votes by majority; helpers parse options and answers', () => {
    assert.equal(detectFormat([{ conversations: [] }, { conversations: [] }, { img_path: 'a', gt_score: 1 }]), 'llava');
    assert.deepEqual(parseInlineOptions('Q?\nA. one\nB. two\nC. three'), ['one', 'two', 'three']);
    assert.equal(parseInlineOptions('Q?\nA. only one'), undefined);
    for (const a of ['B', '(B)', 'B.', 'B. two', 'two']) assert.equal(answerToOption(a, ['one', 'two']), 'two', a);
    assert.equal(answerToOption('C', ['one', 'two']), undefined);
  });
});
