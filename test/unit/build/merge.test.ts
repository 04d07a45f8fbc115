import * as assert from 'node:assert/strict';
import { Dataset } from '../../../src/core/dataset';
import { mergedRecord, mergePrompt, humanTurn } from '../../../src/core/build/merge';
import { mcqRecord, openQARecord, parseGeneratedQA } from '../../../src/core/build/teach';
import { validateDataset } from '../../../src/core/validate';

describe('build: merge templates and records', () => {
  it("uses the paper's templates", () => {
    assert.equal(
      mergePrompt(['Sharp and bright.', 'Blurry.']),
      'The first image: Sharp and bright. The second image: Blurry. Which image has better quality, and why?',
    );
    assert.equal(
      mergePrompt(['A', 'B', 'C']),
      'The first image: A The second image: B The third image: C Please rank the quality of the images and justify your rankings.',
    );
    assert.equal(humanTurn(2, 'Q?'), 'The first image: <image>\nThe second image: <image>\nQ?');
  });

  it('writes LLaVA records whose provenance comes back in item.extra and that validate', () => {
    const rec = mergedRecord('m2c-p000001', ['a.jpg', 'b.jpg'], ' The first image is better. ', 'merge2compare', {
      source_descriptions: ['d0', 'd1'],
      merge_model: 'm',
      max_similarity: 0.4231234567,
      similarity_threshold: 0.9,
      embedder: 'e',
    });
    const mcq = mcqRecord(
      't2c-t000001-mcq',
      ['a.jpg', 'b.jpg', 'c.jpg'],
      { question: 'Which is sharpest?', correct: 'The second', false: ['The first', 'The third'] },
      { teacher_model: 't' },
      1,
    );
    const qa = openQARecord(
      't2c-t000001-qa',
      ['a.jpg', 'b.jpg', 'c.jpg'],
      { question: 'Which is sharpest?', correct: 'The second', false: ['The first'] },
      { teacher_model: 't' },
    );
    const text = [rec, mcq, qa].map((r) => JSON.stringify(r)).join('\n') + '\n';
    const ds = Dataset.fromText(text, '/tmp/built.jsonl');
    try {
      assert.equal(ds.format, 'llava');
      const item = ds.item(0);
      assert.deepEqual(item.images, ['a.jpg', 'b.jpg']);
      assert.equal(item.question, 'Which image has better quality, and why?');
      assert.equal(item.label, 'The first image is better.');
      assert.equal(item.subset, 'merge2compare');
      assert.deepEqual(item.extra.source_descriptions, ['d0', 'd1']);
      assert.equal(item.extra.merge_model, 'm');
      assert.equal(item.extra.max_similarity, 0.423123);
      const m = ds.item(1);
      assert.equal(m.candidates?.length, 3);
      assert.equal(m.correct, 'The second');
      assert.match(m.question!, /Answer with the option's letter from the given choices directly\.$/);
      assert.equal(ds.item(2).label, 'The second');
      const res = validateDataset(ds, { checkImages: false });
      assert.deepEqual(
        res.diagnostics.filter((d) => d.severity === 'error'),
        [],
      );
    } finally {
      ds.close();
    }
  });

  it("shuffles MCQ options reproducibly and parses the teacher's JSON", () => {
    const qa = parseGeneratedQA('Sure! {"question": "Which image is darker?", "correct": "The first", "false": ["The second", "The first", "Neither"]}');
    assert.deepEqual(qa, { question: 'Which image is darker?', correct: 'The first', false: ['The second', 'Neither'] });
    const a = mcqRecord('x', ['a', 'b'], qa, { teacher_model: 't' }, 5);
    const b = mcqRecord('x', ['a', 'b'], qa, { teacher_model: 't' }, 5);
    assert.deepEqual(a, b);
    const letter = a.conversations[1].value;
    assert.match(a.conversations[0].value, new RegExp(`\\n${letter}\\. The first\\n`));
    assert.throws(() => parseGeneratedQA('no json here'), /JSON object/);
    assert.throws(() => parseGeneratedQA('{"question": "q", "correct": "c", "false": []}'), /false answers/);
  });
});
