import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../src/core/dataset';
import { indexOfKey, itemKey } from '../../src/core/itemKey';

describe('item key rule', () => {
  it('the id when present and unique, else #index; #index keys name their record', () => {
    assert.equal(itemKey(3, 'a', true), 'a');
    assert.equal(itemKey(3, 'a', false), '#3');
    assert.equal(itemKey(3, undefined, true), '#3');
    assert.equal(indexOfKey('#12'), 12);
    assert.equal(indexOfKey('12'), undefined);
  });

  it('a dataset keys its records by that rule (numbers as ids, duplicates and missing ids by index)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-'));
    try {
      const file = path.join(dir, 'd.jsonl');
      fs.writeFileSync(
        file,
        [
          '{"id":"a","image":"x.png","description":"d"}',
          '{"id":7,"image":"x.png","description":"d"}',
          '{"id":"b","image":"x.png","description":"d"}',
          '{"id":"b","image":"x.png","description":"d"}',
          '{"image":"x.png","description":"d"}',
        ].join('\n') + '\n',
      );
      const ds = Dataset.open(file);
      assert.deepEqual(
        [0, 1, 2, 3, 4].map((i) => ds.keyFor(i)),
        ['a', '7', '#2', '#3', '#4'],
      );
      assert.deepEqual(
        ['a', '7', '#3', 'b'].map((k) => ds.findKey(k)),
        [0, 1, 3, 2],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
