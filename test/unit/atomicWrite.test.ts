import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { replaceFileAtomic, writeFileAtomic } from '../../src/core/atomicWrite';

describe('atomicWrite', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atomic-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replaces a file, creating its folder, and leaves no temporary file', () => {
    const file = path.join(dir, 'a/b/plan.json');
    writeFileAtomic(file, 'one\n', { fsync: true });
    writeFileAtomic(file, 'two\n');
    assert.equal(fs.readFileSync(file, 'utf8'), 'two\n');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['plan.json']);
  });

  it('a failed write keeps the old file whole and removes the temporary one', () => {
    const file = path.join(dir, 'report.md');
    writeFileAtomic(file, 'old\n');
    // A folder in the target's place makes the rename fail after the data was written.
    const blocked = path.join(dir, 'blocked');
    fs.mkdirSync(path.join(blocked, 'inside'), { recursive: true });
    assert.throws(() => writeFileAtomic(blocked, 'new\n'));
    assert.equal(fs.readFileSync(file, 'utf8'), 'old\n');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['blocked', 'report.md']);
  });

  it('replaceFileAtomic renames what the writer produced, and cleans up when it throws', async () => {
    const file = path.join(dir, 'preview.json');
    const n = await replaceFileAtomic(file, async (tmp) => {
      await fs.promises.writeFile(tmp, '{}');
      return 2;
    });
    assert.equal(n, 2);
    assert.equal(fs.readFileSync(file, 'utf8'), '{}');
    await assert.rejects(
      replaceFileAtomic(file, async (tmp) => {
        await fs.promises.writeFile(tmp, 'half');
        throw new Error('encoder failed');
      }),
      /encoder failed/,
    );
    assert.equal(fs.readFileSync(file, 'utf8'), '{}');
    assert.deepEqual(fs.readdirSync(dir), ['preview.json']);
  });
});
