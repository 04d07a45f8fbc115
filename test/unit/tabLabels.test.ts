/** Tab labels that tell files of the same name apart (src/core/tabLabels.ts), as VS Code's own tabs do. */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { distinctLabels } from '../../src/core/tabLabels';

const P = (...parts: string[]) => path.resolve('/', ...parts);

describe('distinct tab labels', () => {
  it('a file name alone when it is the only one of that name', () => {
    const l = distinctLabels([P('w', 'a', 'train.jsonl'), P('w', 'b', 'test.jsonl')]);
    assert.equal(l.get(P('w', 'a', 'train.jsonl')), 'train.jsonl');
    assert.equal(l.get(P('w', 'b', 'test.jsonl')), 'test.jsonl');
  });

  it('the parent folder when two files share a name', () => {
    const l = distinctLabels([P('w', 'setA', 'data.json'), P('w', 'setB', 'data.json'), P('w', 'other.json')]);
    assert.equal(l.get(P('w', 'setA', 'data.json')), 'data.json (setA)');
    assert.equal(l.get(P('w', 'setB', 'data.json')), 'data.json (setB)');
    assert.equal(l.get(P('w', 'other.json')), 'other.json');
  });

  it('as many parent folders as it takes when the parents share a name too', () => {
    const l = distinctLabels([P('w', 'a', 'x', 'data.json'), P('w', 'b', 'x', 'data.json'), P('w', 'c', 'y', 'data.json')]);
    assert.equal(l.get(P('w', 'a', 'x', 'data.json')), 'data.json (a/x)');
    assert.equal(l.get(P('w', 'b', 'x', 'data.json')), 'data.json (b/x)');
    assert.equal(l.get(P('w', 'c', 'y', 'data.json')), 'data.json (y)');
  });

  it('the same path twice is one file', () => {
    const l = distinctLabels([P('w', 'a', 'data.json'), P('w', 'a', 'data.json')]);
    assert.equal(l.get(P('w', 'a', 'data.json')), 'data.json');
  });
});
