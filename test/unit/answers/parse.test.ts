import { strict as assert } from 'node:assert';
import { compareParsed, parseLabel, compareItem } from '../../../src/core/answers/agreement';
import { parseAnswer, parseChoice, parseOption, parseRanking, parseYesNo } from '../../../src/core/answers/parse';
import type { Item } from '../../../src/core/item';

const choice = (t: string, n = 2) => parseChoice(t, n);

describe('answer parsing', () => {
  it('reads the image judged better', () => {
    assert.deepEqual(choice('The second image has better quality.'), { kind: 'choice', image: 1 });
    assert.deepEqual(choice('The first image has better quality because it is sharper.'), { kind: 'choice', image: 0 });
    assert.deepEqual(choice('Image 2'), { kind: 'choice', image: 1 });
    assert.deepEqual(choice('image #1 is clearer'), { kind: 'choice', image: 0 });
    assert.deepEqual(choice('The latter.'), { kind: 'choice', image: 1 });
    assert.deepEqual(choice('the former is sharper than the latter'), { kind: 'choice', image: 0 });
    assert.deepEqual(choice('Second'), { kind: 'choice', image: 1 });
    assert.deepEqual(choice('2'), { kind: 'choice', image: 1 });
    assert.deepEqual(choice('the third one is the clearest', 3), { kind: 'choice', image: 2 });
    assert.deepEqual(choice('The first image is worse than the second image.'), { kind: 'choice', image: 1 });
    assert.deepEqual(choice('Compared with the first image, the second image is sharper.'), { kind: 'choice', image: 1 });
    assert.deepEqual(choice('The second image has higher quality than the first image.'), { kind: 'choice', image: 1 });
    assert.deepEqual(choice('The first image suffers from heavy blur, while the second image is clear. Therefore, the second image has better quality.'), {
      kind: 'choice',
      image: 1,
    });
    assert.deepEqual(choice('The first image is not as good as the second image, which is better.'), { kind: 'choice', image: 1 });
    assert.deepEqual(choice('Compared to the first image, the second image has clearer details and better overall quality.'), { kind: 'choice', image: 1 });
    assert.deepEqual(choice('The first image is better than the second image in terms of clarity.'), { kind: 'choice', image: 0 });
    assert.deepEqual(choice('Both images are of poor quality, but the second one is slightly better.'), { kind: 'choice', image: 1 });
    assert.deepEqual(choice('The left image is sharper.'), { kind: 'choice', image: 0 });
    assert.deepEqual(choice('Image B has better quality.'), { kind: 'choice', image: 1 });
  });

  it('says unparsed when the text does not choose', () => {
    assert.equal(choice('Both images are taken outdoors.').kind, 'unparsed');
    assert.equal(choice('I cannot tell.').kind, 'unparsed');
    assert.equal(choice('The first image is better. The second image is better.').kind, 'unparsed');
    assert.equal(choice('The fourth image is the best', 2).kind, 'unparsed', 'an image that does not exist');
    assert.deepEqual(choice('Both images have similar quality.'), { kind: 'tie' });
  });

  it('reads rankings', () => {
    assert.deepEqual(parseRanking('first > third > second', 3), [0, 2, 1]);
    assert.deepEqual(parseRanking('image 2 > image 1 > image 3', 3), [1, 0, 2]);
    assert.deepEqual(parseRanking('second < first < third', 3), [2, 0, 1]);
    assert.deepEqual(parseRanking('Ranking from best to worst: the third image, the first image, the second image.', 3), [2, 0, 1]);
    assert.deepEqual(parseRanking('Ranked from worst to best: the third image, the first image, the second image.', 3), [1, 0, 2]);
    assert.equal(parseRanking('first > first > second', 3), undefined);
    assert.deepEqual(parseAnswer('first > third > second > fourth', { imageCount: 4 }), { kind: 'ranking', order: [0, 2, 1, 3] });
  });

  it('reads MCQ letters and option text', () => {
    const c = ['motion blur', 'lens blur', 'noise', 'none'];
    for (const t of ['B', '(B)', 'B.', 'B)', 'The answer is B', 'Answer: B', 'B. lens blur', 'lens blur', 'It is lens blur.', 'The answer is (B).']) {
      assert.equal(parseOption(t, c), 1, t);
    }
    assert.equal(parseOption('A', c), 0);
    assert.equal(parseOption('A blurry picture, hard to say', c), undefined, 'article "A" is not an option letter');
    assert.equal(parseOption('motion blur', c), 0, 'the longer option wins over its part');
    assert.equal(parseOption('E', c), undefined, 'letter beyond the options');
    assert.equal(parseOption('I do not know', c), undefined);
  });

  it('reads yes / no', () => {
    assert.equal(parseYesNo('Yes, it is sharp.'), true);
    assert.equal(parseYesNo('no'), false);
    assert.equal(parseYesNo('Maybe'), undefined);
    assert.deepEqual(parseAnswer('No.', { imageCount: 1, question: 'Is this image blurry?' }), { kind: 'yesno', value: false });
    assert.equal(parseAnswer('The image is fine.', { imageCount: 1, question: 'How is the quality?' }).kind, 'unparsed');
  });

  it('parses labels the same way and compares', () => {
    const base: Item = {
      index: 0,
      key: 'k',
      hash: 'h',
      line: 1,
      format: 'llava',
      images: ['a.jpg', 'b.jpg'],
      groupSize: 2,
      extra: {},
      question: 'Which image is better?',
      label: 'The second image has better quality.',
    };
    assert.deepEqual(parseLabel(base), { kind: 'choice', image: 1 });
    assert.equal(compareItem(base, 'Image 2 is better.').status, 'agree');
    assert.equal(compareItem(base, 'The first image is better.').status, 'disagree');
    assert.equal(compareItem(base, 'Hmm.').status, 'answer-unparsed');
    const mcq: Item = { ...base, format: 'qbench-hf', images: ['a.jpg'], groupSize: 1, candidates: ['yes', 'no'], correct: 'no', label: 'no' };
    assert.deepEqual(parseLabel(mcq), { kind: 'option', index: 1 });
    assert.equal(compareItem(mcq, 'B').status, 'agree');
    assert.equal(
      compareParsed({ kind: 'ranking', order: [1, 0, 2] }, { kind: 'choice', image: 1 }),
      'agree',
      'a ranking compares with a choice by its best image',
    );
  });
});
