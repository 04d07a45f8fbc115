import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sniffDataset } from '../../src/core/datasetSniff';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('dataset sniffing (which JSON files the language server sees)', () => {
  it('recognises the demo datasets, broken ones included', () => {
    for (const [file, format] of [
      ['coinstruct-demo.json', 'llava'],
      ['broken-demo.json', 'llava'],
      ['mcq-demo.jsonl', undefined],
      ['kadis-scores.json', undefined],
    ] as const) {
      const text = fs.readFileSync(path.join(ROOT, 'demo', file), 'utf8');
      const s = sniffDataset(text, file);
      assert.equal(s.dataset, true, file);
      if (format) assert.equal(s.format, format, file);
    }
  });

  it('ignores ordinary JSON files', () => {
    assert.equal(sniffDataset(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'), 'package.json').dataset, false);
    assert.equal(sniffDataset(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8'), 'tsconfig.json').dataset, false);
    assert.equal(sniffDataset('{"a": 1}\n{"b": 2}\n', 'x.jsonl').dataset, false);
    assert.equal(sniffDataset('', 'empty.json').dataset, false);
  });

  it('judges a huge file from its head only', () => {
    const line = JSON.stringify({
      id: 'x',
      image: 'a.png',
      conversations: [
        { from: 'human', value: '<image>\nQ?' },
        { from: 'gpt', value: 'A' },
      ],
    });
    const text = '[\n' + Array.from({ length: 20000 }, () => line).join(',\n') + '\n]';
    assert.ok(text.length > 2e6);
    assert.deepEqual(sniffDataset(text, 'big.json'), { dataset: true, format: 'llava' });
  });
});
