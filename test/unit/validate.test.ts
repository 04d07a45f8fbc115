import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../src/core/dataset';
import { validateDataset, type Diagnostic } from '../../src/core/validate';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-'));
fs.mkdirSync(path.join(tmp, 'img'));
for (const f of ['a.png', 'b.png', 'c.png', 'd.png', 'e.png']) fs.writeFileSync(path.join(tmp, 'img', f), 'x');
fs.writeFileSync(path.join(tmp, 'outside.png'), 'x');
fs.symlinkSync(path.join(tmp, 'outside.png'), path.join(tmp, 'img', 'link.png'));

const pair = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'r',
  image: ['a.png', 'b.png'],
  conversations: [
    { from: 'human', value: 'The first image: <image>\nThe second image: <image>\nWhich image has better quality, and why?' },
    { from: 'gpt', value: 'The first image.' },
  ],
  ...over,
});

function run(records: unknown[], file = 'data.json', text?: string, opts = {}): Diagnostic[] {
  const p = path.join(tmp, file);
  fs.writeFileSync(p, text ?? JSON.stringify(records, null, 2));
  const ds = Dataset.open(p, opts);
  try {
    return validateDataset(ds, { imageRoot: path.join(tmp, 'img') }).diagnostics;
  } finally {
    ds.close();
  }
}
const codes = (d: Diagnostic[]): string[] => d.map((x) => x.code);

describe('validation rules', () => {
  it('a good record has no diagnostics', () => {
    assert.deepEqual(run([pair()]), []);
  });

  it('syntax: names record, line and column; the records after it are still validated', () => {
    const text =
      '[\n' + JSON.stringify(pair({ id: 'a' })) + ',\n{"id": "b", "image": "a.png" "x": 1},\n' + JSON.stringify(pair({ id: 'c', image: ['a.png'] })) + '\n]';
    const d = run([], 'syntax.json', text);
    assert.deepEqual(codes(d), ['syntax', 'placeholder-count', 'ordinal-order']);
    assert.equal(d[0].index, 1);
    assert.equal(d[0].line, 3);
    assert.match(d[0].message, /^record 1 \(line 3\): invalid JSON/);
    assert.equal(d[1].index, 2);
  });

  it('JSONL: a broken line does not stop the lines after it', () => {
    const p = path.join(tmp, 'x.jsonl');
    fs.writeFileSync(p, JSON.stringify(pair({ id: 'a' })) + '\n{broken\n' + JSON.stringify(pair({ id: 'c', conversations: [] })) + '\n');
    const ds = Dataset.open(p);
    const d = validateDataset(ds, { imageRoot: path.join(tmp, 'img') }).diagnostics;
    assert.deepEqual(
      d.map((x) => [x.code, x.index, x.line]),
      [
        ['syntax', 1, 2],
        ['missing-field', 2, 3],
      ],
    );
  });

  it('missing required fields and wrong types name the field', () => {
    const d = run([{ id: 'x', image: 'a.png', conversations: 'oops' }, pair()]);
    assert.ok(d.some((x) => x.code === 'wrong-type' && x.field === 'conversations' && /must be an array/.test(x.message)));
    const d2 = run([
      { img_path: 'a.png', gt_score: 'high' },
      { img_path: 'b.png', gt_score: 2 },
    ]);
    assert.deepEqual(
      d2.map((x) => [x.code, x.field]),
      [['wrong-type', 'gt_score']],
    );
    const d3 = run([
      { img_path: 'a.png', question: 'q', candidates: ['a', 'b'] },
      { img_path: 'b.png', candidates: ['a', 'b'] },
    ]);
    assert.deepEqual(
      d3.map((x) => [x.code, x.index, x.field]),
      [['missing-field', 1, 'question']],
    );
  });

  it('placeholders ≠ images', () => {
    const d = run([pair({ image: ['a.png', 'b.png', 'c.png'] })]);
    assert.ok(codes(d).includes('placeholder-count'));
    const msg = d.find((x) => x.code === 'placeholder-count')!;
    assert.equal(msg.field, 'conversations[0].value');
    assert.match(msg.message, /2 image placeholders in the human turns but 3 images/);
  });

  it('ordinal prefixes out of order or of the wrong count', () => {
    const skip = pair({
      conversations: [
        { from: 'human', value: 'The first image: <image>\nThe third image: <image>\nWhich?' },
        { from: 'gpt', value: 'x' },
      ],
    });
    const d = run([skip]);
    assert.deepEqual(codes(d), ['ordinal-order']);
    assert.match(d[0].message, /"The third image:" but should be "The second image:"/);
  });

  it('mixed <image> and <|image|> is a warning', () => {
    const d = run([
      pair({
        conversations: [
          { from: 'human', value: 'The first image: <image>\nThe second image: <|image|>\nWhich?' },
          { from: 'gpt', value: 'x' },
        ],
      }),
    ]);
    assert.deepEqual(
      d.map((x) => [x.code, x.severity]),
      [['mixed-placeholders', 'warning']],
    );
  });

  it('duplicate ids name the first record', () => {
    const d = run([pair({ id: 'same' }), pair({ id: 'other' }), pair({ id: 'same' })]);
    assert.deepEqual(
      d.map((x) => [x.code, x.index]),
      [['duplicate-id', 2]],
    );
    assert.match(d[0].message, /already used by record 0 \(line 2\)/);
  });

  it('empty label or answer', () => {
    const d = run([
      pair({ conversations: [pair().conversations instanceof Array ? (pair().conversations as unknown[])[0] : null, { from: 'gpt', value: '  ' }] }),
    ]);
    assert.deepEqual(codes(d), ['empty-label']);
    assert.equal(d[0].field, 'conversations[1].value');
    assert.deepEqual(codes(run([{ image: 'a.png', description: '' }])), ['empty-label']);
  });

  it('MCQ answer not among candidates (A1, HF style, LLaVA letters)', () => {
    assert.deepEqual(codes(run([{ img_path: 'a.png', question: 'q', candidates: ['Yes', 'No'], correct_ans: 'Maybe' }])), ['answer-not-candidate']);
    assert.deepEqual(codes(run([{ question: 'q', option0: 'a', option1: 'b', option2: 'N/A', option3: 'N/A', correct_choice: 'C', image: 'a.png' }])), [
      'answer-not-candidate',
    ]);
    const llava = pair({
      conversations: [
        { from: 'human', value: 'The first image: <image>\nThe second image: <image>\nWhich?\nA. first\nB. second' },
        { from: 'gpt', value: 'D' },
      ],
    });
    assert.deepEqual(codes(run([llava])), ['answer-not-candidate']);
    assert.deepEqual(codes(run([{ img_path: 'a.png', question: 'q', candidates: ['Yes', 'No'], correct_ans: 'No' }])), []);
  });

  it('image paths escaping the root are reported and never read', () => {
    const d = run([
      pair({ image: ['../outside.png', 'https://example.com/x.png'] }),
      pair({ id: 'abs', image: ['/etc/passwd.png', 'a.png'] }),
      pair({ id: 'ln', image: ['link.png', 'a.png'] }),
    ]);
    assert.deepEqual(
      d.map((x) => [x.code, x.field]),
      [
        ['path-escapes-root', 'image[0]'],
        ['path-escapes-root', 'image[1]'],
        ['path-escapes-root', 'image[0]'],
        ['path-escapes-root', 'image[0]'],
      ],
    );
    assert.match(d[3].message, /is a link to .*outside the image root/);
  });

  it('missing image file, unsupported type, more than 4 images', () => {
    assert.deepEqual(codes(run([pair({ image: ['a.png', 'nope.png'] })])), ['image-missing']);
    assert.deepEqual(codes(run([pair({ image: ['a.png', 'notes.txt'] })])), ['unsupported-image-type']);
    const five = ['a.png', 'b.png', 'c.png', 'd.png', 'e.png'];
    const q = five.map((_, k) => `The ${['first', 'second', 'third', 'fourth', 'fifth'][k]} image: <image>`).join('\n') + '\nRank them.';
    const d = run([
      pair({
        image: five,
        conversations: [
          { from: 'human', value: q },
          { from: 'gpt', value: 'x' },
        ],
      }),
    ]);
    assert.deepEqual(
      d.map((x) => [x.code, x.severity]),
      [['too-many-images', 'warning']],
    );
  });

  it('--no-image-check still refuses escaping paths but does not look for files', () => {
    const p = path.join(tmp, 'noimg.json');
    fs.writeFileSync(p, JSON.stringify([pair({ image: ['nope.png', '../x.png'] })]));
    const ds = Dataset.open(p);
    const d = validateDataset(ds, { imageRoot: path.join(tmp, 'img'), checkImages: false }).diagnostics;
    assert.deepEqual(codes(d), ['path-escapes-root']);
  });

  it('field diagnostics point at the field line in pretty-printed files', () => {
    const d = run([pair(), pair({ id: 'r2', image: ['a.png', 'gone.png'] })]);
    // record 1 starts on line 12; "image" array's second element sits three lines below.
    const text = fs.readFileSync(path.join(tmp, 'data.json'), 'utf8').split('\n');
    assert.equal(text[d[0].line - 1].trim(), '"gone.png"');
  });
});
