/**
 * Persistent index (issue #15): a cache file is used only while it matches the dataset; appending,
 * touching, truncating or replacing the dataset (even with a same-size file with the same mtime and
 * inode), or damaging the cache file, makes it rebuild; an unwritable cache folder falls back.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { Dataset } from '../../src/core/dataset';
import { parseArgs } from '../../src/cli/args';
import { info } from '../../src/cli/commands/info';
import { show } from '../../src/cli/commands/show';
import type { Command } from '../../src/cli/command';
import { CacheColumnError, cacheFiles, cacheReadStats, fingerprintFd, readIndexCache } from '../../src/core/indexCache';
import type { RecordIndex } from '../../src/core/recordIndex';
import { groupSizes } from '../../src/core/strata';
import { isolateCacheEnv } from '../support/cacheEnv';

const root = path.resolve(__dirname, '..', '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'index-cache-'));
const CACHE = { minBytes: 0 };
/** Blocks of 64 records: a 300-record file has several. */
const SMALL_BLOCKS = { minBytes: 0, blockRecords: 64 };

const rec = (i: number): string =>
  JSON.stringify({
    id: `r${i}`,
    image: [`${i}.png`, `${i + 1}.png`],
    conversations: [
      { from: 'human', value: 'The first image: <image>\nThe second image: <image>\nWhich is better?' },
      { from: 'gpt', value: `The ${i % 2 ? 'first' : 'second'} image. é` },
    ],
  });
const jsonl = (n: number, from = 0): string => Array.from({ length: n }, (_, k) => rec(from + k)).join('\n') + '\n';

/** Every field of every record, for comparing a cached index with a fresh scan. */
function dump(ix: RecordIndex): string {
  const rows: string[] = [ix.container, String(ix.count), String(ix.bytes), JSON.stringify(ix.errors), String(ix.errorsOmitted)];
  for (let i = 0; i < ix.count; i++) rows.push(`${ix.start(i)} ${ix.end(i)} ${ix.line(i)} ${ix.idHash(i)} ${ix.group(i)}`);
  return rows.join('\n');
}

function open(file: string, opts: Parameters<typeof Dataset.open>[1] = {}): { ds: Dataset; hit: boolean; cache?: string } {
  const ds = Dataset.open(file, { cache: CACHE, ...opts });
  return { ds, hit: ds.indexCache.hit, cache: ds.indexCache.file };
}

/** Opens with the cache and without; asserts both give the same index and items; returns whether the cache was hit. */
function check(file: string, cache = CACHE): boolean {
  const a = open(file, { cache });
  const b = Dataset.open(file, { cache: false });
  try {
    assert.equal(dump(a.ds.index), dump(b.index));
    for (let i = 0; i < b.count; i++) {
      const pa = a.ds.parse(i),
        pb = b.parse(i);
      assert.equal(pa.ok, pb.ok);
      if (pa.ok) assert.deepEqual(a.ds.item(i), b.item(i));
    }
    return a.hit;
  } finally {
    a.ds.close();
    b.close();
  }
}

/** The index from a fresh scan (no cache). */
function fromScan(file: string): RecordIndex {
  const ds = Dataset.open(file, { cache: false });
  ds.close();
  return ds.index;
}

/** Group sizes from the records themselves (no cache). */
function groupSizesUncached(ds: Dataset): number[] {
  return Array.from({ length: ds.count }, (_, i) => ds.item(i).groupSize);
}

/** The header of a cache file (v4 layout: magic, u32 length, u32 CRC, JSON). */
function header(bytes: Buffer): { block: number; headerBytes: number; cols: { name: string; off: number; len: number }[] } {
  const len = bytes.readUInt32LE(8);
  const h = JSON.parse(bytes.toString('utf8', 16, 16 + len)) as { block: number; cols: { name: string; off: number; len: number }[] };
  return { block: h.block, headerBytes: 16 + len, cols: h.cols };
}

/** Runs a command in this process (cache files from 0 bytes); its output, exit code and the cache bytes it read. */
async function runCommand(cmd: Command, argv: string[], onOut?: (text: string) => void): Promise<{ code: number; out: string; err: string; bytes: number }> {
  let out = '';
  let err = '';
  const before = cacheReadStats.bytes;
  const code = await withEnv({ COCURATE_CACHE_MIN_BYTES: '0' }, () =>
    cmd.run(parseArgs(argv, cmd.flags), {
      out: (t) => {
        out += t;
        onOut?.(t);
      },
      err: (t) => {
        err += t;
      },
    }),
  );
  return { code, out, err, bytes: cacheReadStats.bytes - before };
}

function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const old: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    old[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(old)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('persistent index cache', function () {
  this.timeout(60000);
  let dir: string;
  let file: string;
  let restoreEnv: () => void; // keeps the user's cache folder out of these tests
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(tmp, 'd-'));
    file = path.join(dir, 'data.jsonl');
    fs.writeFileSync(file, jsonl(300));
    restoreEnv = isolateCacheEnv(dir);
  });
  afterEach(() => restoreEnv());

  it('the first open writes .curator/index/ beside the dataset; the next open reads it and gives the same records', () => {
    const first = open(file);
    first.ds.close();
    assert.equal(first.hit, false);
    assert.equal(first.cache, path.join(dir, '.curator', 'index', 'data.jsonl.cidx'));
    assert.ok(fs.statSync(first.cache!).isFile());
    assert.equal(check(file), true);
  });

  it('JSON array with a structural fault and a grouped object: cached like JSONL, errors and groups included', () => {
    const arr = path.join(dir, 'arr.json');
    fs.writeFileSync(arr, `[\n${Array.from({ length: 50 }, (_, k) => rec(k)).join(',\n')}\n${rec(99)}\n]\n`); // a missing comma
    check(arr);
    assert.equal(check(arr), true);
    const grouped = path.join(dir, 'grouped.json');
    fs.writeFileSync(
      grouped,
      JSON.stringify(
        {
          koniq: [
            { img_path: 'a.jpg', gt_score: 1 },
            { img_path: 'b.jpg', gt_score: 2 },
          ],
          spaq: [{ img_path: 'c.jpg', gt_score: 3 }],
        },
        null,
        1,
      ),
    );
    check(grouped);
    assert.equal(check(grouped), true);
    const ds = open(grouped).ds;
    try {
      assert.equal(ds.index.group(2), 'spaq');
    } finally {
      ds.close();
    }
  });

  it('appending a record: stale, rebuilt with the new record, then cached again', () => {
    check(file);
    fs.appendFileSync(file, rec(300) + '\n');
    assert.equal(check(file), false);
    const { ds } = open(file);
    try {
      assert.equal(ds.count, 301);
      assert.equal(ds.item(300).key, 'r300');
    } finally {
      ds.close();
    }
    assert.equal(check(file), true);
  });

  it('touching the dataset (new mtime, same bytes) rebuilds', () => {
    check(file);
    const t = new Date(Date.now() + 5000);
    fs.utimesSync(file, t, t);
    assert.equal(check(file), false);
    assert.equal(check(file), true);
  });

  it('truncating the dataset rebuilds (no record past the new end)', () => {
    check(file);
    const size = fs.statSync(file).size;
    fs.truncateSync(file, Math.floor(size / 2));
    assert.equal(check(file), false);
    const { ds } = open(file);
    try {
      assert.ok(ds.count < 300);
      for (let i = 0; i < ds.count; i++) assert.ok(ds.index.end(i) <= Math.floor(size / 2));
    } finally {
      ds.close();
    }
  });

  it('a same-size file written in place with the old mtime (same inode) is detected by the head/tail hash', () => {
    fs.utimesSync(file, 1700000000, 1700000000); // whole seconds: utimes can restore them exactly
    check(file);
    const st = fs.statSync(file);
    const text = fs.readFileSync(file, 'utf8').replace('"r0"', '"x0"').replace('"r299"', '"x299"');
    assert.equal(Buffer.byteLength(text), st.size);
    fs.writeFileSync(file, text);
    fs.utimesSync(file, st.atime, st.mtime);
    assert.equal(fs.statSync(file).ino, st.ino);
    assert.equal(fs.statSync(file).mtimeMs, st.mtimeMs);
    assert.equal(check(file), false);
    const { ds } = open(file);
    try {
      assert.equal(ds.item(0).key, 'x0');
    } finally {
      ds.close();
    }
  });

  it('a same-size replacement with other record boundaries, renamed over the dataset with its mtime, rebuilds', () => {
    fs.utimesSync(file, 1700000000, 1700000000);
    check(file);
    const st = fs.statSync(file);
    // Same byte count, other record boundaries: one record a byte longer, the next a byte shorter.
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const other = lines.map((l, k) => (k === 10 ? l.replace('"id":"r10"', '"id":"r100"') : k === 11 ? l.replace('"id":"r11"', '"id":"r1"') : l)).join('\n');
    assert.equal(Buffer.byteLength(other), st.size);
    const next = path.join(dir, 'next.jsonl');
    fs.writeFileSync(next, other);
    fs.utimesSync(next, st.atime, st.mtime);
    fs.renameSync(next, file);
    assert.equal(check(file), false);
  });

  it('a truncated, corrupted, foreign or old-format cache file is never used; a damaged block is caught when first read', () => {
    const first = open(file, { cache: SMALL_BLOCKS });
    first.ds.close();
    const cache = first.cache!;
    const good = fs.readFileSync(cache);
    const fd = fs.openSync(file, 'r');
    const fp = fingerprintFd(fd);
    fs.closeSync(fd);
    const key = { idField: 'id' };
    const miss = (bytes: Buffer): string => {
      fs.writeFileSync(cache, bytes);
      const r = readIndexCache(cache, file, fp, key);
      if ('index' in r) r.index.close();
      return 'miss' in r ? r.miss : 'hit';
    };
    assert.equal(miss(good), 'hit');
    assert.equal(miss(good.subarray(0, good.length - 100)), 'truncated');
    // A damaged header is caught when the cache is opened.
    const badHeader = Buffer.from(good);
    badHeader[20] ^= 0x01;
    assert.equal(miss(badHeader), 'corrupt');
    // The previous format (v3, whole-column checksums) is another format: rebuilt, never misread.
    const v3 = Buffer.from(good);
    v3[6] = 3;
    assert.equal(miss(v3), 'foreign');
    // A damaged block is caught when one of its records is first read (each block has its own CRC).
    const { cols, block } = header(good);
    assert.equal(block, 64);
    const ends = cols.find((c) => c.name === 'ends')!;
    const flipped = Buffer.from(good);
    flipped[ends.off + 8 * 150 + 3] ^= 0x40; // record 150's end offset: block 2 of the ends column
    fs.writeFileSync(cache, flipped);
    const lazy = readIndexCache(cache, file, fp, key);
    assert.ok('index' in lazy);
    const scanned = fromScan(file);
    assert.equal(lazy.index.start(150), scanned.start(150)); // another column: intact, read
    assert.equal(lazy.index.end(10), scanned.end(10)); // another block of the same column: intact, read
    assert.throws(() => lazy.index.end(130), CacheColumnError); // the damaged block (records 128–191), at another record of it
    assert.throws(() => lazy.index.end(150), CacheColumnError); // still refused: a bad block is never marked read
    assert.equal(lazy.index.end(200), scanned.end(200)); // the block after it
    lazy.index.close();
    assert.equal(miss(Buffer.from('not a cache file at all')), 'foreign');
    assert.equal('miss' in readIndexCache(cache, path.join(dir, 'other.jsonl'), fp, key) ? 'miss' : 'hit', 'miss'); // another dataset's cache
    fs.writeFileSync(cache, good);
    assert.equal('miss' in readIndexCache(cache, file, fp, { idField: 'uid' }) ? 'foreign' : 'hit', 'foreign'); // built for another id field
    // Through Dataset.open: the damaged block drops the cache, the dataset is scanned again (the
    // records are right), and the cache is written again.
    fs.writeFileSync(cache, flipped);
    assert.equal(check(file, SMALL_BLOCKS), true); // the header was good: opened from the cache ...
    assert.notDeepEqual(fs.readFileSync(cache), flipped); // ... dropped and rewritten when the block failed
    const again = open(file, { cache: SMALL_BLOCKS });
    try {
      assert.equal(again.hit, true);
      assert.equal(dump(again.ds.index), dump(fromScan(file)));
    } finally {
      again.ds.close();
    }
  });

  it('a damaged block of a derived column (group sizes, id table) is computed again: info and show stay right', async () => {
    const argv = (cmd: Command, a: string[]): Promise<string> => runCommand(cmd, a).then((r) => r.out);
    const coldInfo = await argv(info, [file, '--json']);
    const coldShow = await argv(show, [file, '250', '--json']);
    const cache = path.join(dir, '.curator', 'index', 'data.jsonl.cidx');
    const good = fs.readFileSync(cache);
    const { cols } = header(good);
    for (const name of cols.filter((c) => c.name.startsWith('x:')).map((c) => c.name)) {
      const c = cols.find((x) => x.name === name)!;
      const bad = Buffer.from(good);
      bad[c.off + 8 * 250 + 2] ^= 0x10;
      fs.writeFileSync(cache, bad);
      assert.equal(await argv(show, [file, '250', '--json']), coldShow, name);
      fs.writeFileSync(cache, bad);
      // info answers from the header's histogram; the group-size column itself is checked here.
      const { ds } = open(file);
      try {
        assert.deepEqual(Array.from(groupSizes(ds)), groupSizesUncached(ds), name);
      } finally {
        ds.close();
      }
      assert.equal(await argv(info, [file, '--json']), coldInfo, name);
    }
  });

  it('a cache file replaced while an index from it is open: its blocks are still read from the file that was checked', () => {
    open(file, { cache: SMALL_BLOCKS }).ds.close();
    const a = open(file, { cache: SMALL_BLOCKS });
    try {
      assert.equal(a.hit, true);
      assert.equal(a.ds.index.start(0), fromScan(file).start(0)); // block 0 read
      // Another open stores the id table: the cache file is replaced and its columns move.
      const b = open(file, { cache: SMALL_BLOCKS });
      b.ds.ids();
      b.ds.close();
      const moved = header(fs.readFileSync(a.cache!));
      assert.ok(moved.cols.some((c) => c.name.startsWith('x:ids/')));
      // Blocks not read yet come from the file a opened: right values, no rescan (a rescan would
      // drop the file and store it again without the id table).
      assert.equal(dump(a.ds.index), dump(fromScan(file)));
      assert.deepEqual(header(fs.readFileSync(a.cache!)), moved);
    } finally {
      a.ds.close();
    }
  });

  it('cached info reads the header and a few blocks; cached show the blocks of its record, not the whole cache file', async function () {
    // Big enough that its columns outweigh the header and a few blocks.
    fs.writeFileSync(file, jsonl(20000));
    const cold = await runCommand(info, [file, '--json']); // writes the index, the group sizes and their histogram
    await runCommand(show, [file, '15000', '--json']); // adds the id table
    const cache = path.join(dir, '.curator', 'index', 'data.jsonl.cidx');
    const size = fs.statSync(cache).size;
    const h = header(fs.readFileSync(cache));
    assert.equal(h.block, 8192);
    const blockBytes = h.block * 8;
    const warm = await runCommand(info, [file, '--json']);
    assert.equal(warm.code, 0);
    assert.equal(warm.out, cold.out);
    // The header, then block 0 of starts, ends and lines (format detection reads the first records).
    assert.ok(warm.bytes > h.headerBytes, 'the cache was read');
    assert.ok(warm.bytes <= h.headerBytes + 3 * blockBytes, `info read ${warm.bytes} of the ${size} bytes of the cache file`);
    const shown = await runCommand(show, [file, '15000', '--json']);
    assert.equal((JSON.parse(shown.out) as { key: string }).key, 'r15000');
    // Block 0 (detection) and record 15000's block of starts, ends and lines; its id-table block.
    assert.ok(shown.bytes <= h.headerBytes + 7 * blockBytes, `show read ${shown.bytes} of the ${size} bytes of the cache file`);
    assert.ok(shown.bytes < size / 2);
  });

  it('cold info writes the cache file twice (the index after the scan; group sizes and their histogram in one write), a cached info never', async () => {
    const writes: string[] = [];
    // The module object itself (the namespace import is a read-only view of it): watch its renames.
    const realFs = createRequire(__filename)('node:fs') as { renameSync: typeof fs.renameSync };
    const rename = realFs.renameSync;
    realFs.renameSync = (from: fs.PathLike, to: fs.PathLike): void => {
      if (String(to).endsWith('.cidx')) writes.push(String(to));
      rename(from, to);
    };
    try {
      const cold = await runCommand(info, [file, '--json']);
      assert.equal(writes.length, 2);
      writes.length = 0;
      assert.equal((await runCommand(info, [file, '--json'])).out, cold.out);
      assert.deepEqual(writes, []);
    } finally {
      realFs.renameSync = rename;
    }
  });

  it('a cache folder that cannot be written: falls back to $XDG_CACHE_HOME/cocurate, then to no cache at all', () => {
    fs.writeFileSync(path.join(dir, '.curator'), 'a file where the folder would be');
    const a = open(file);
    a.ds.close();
    assert.equal(a.hit, false);
    assert.equal(path.dirname(a.cache!), path.join(dir, 'xdg', 'cocurate'));
    assert.equal(check(file), true);
    // Nowhere writable: still opens, still right, no cache file.
    withEnv({ XDG_CACHE_HOME: path.join(dir, '.curator', 'sub') }, () => {
      const b = open(file);
      b.ds.close();
      assert.equal(b.cache, undefined);
      assert.equal(check(file), false);
    });
  });

  it('COCURATE_CACHE_DIR overrides the place; COCURATE_NO_CACHE and cache: false bypass it', () => {
    const custom = path.join(dir, 'custom');
    withEnv({ COCURATE_CACHE_DIR: custom }, () => {
      const a = open(file);
      a.ds.close();
      assert.equal(path.dirname(a.cache!), custom);
      assert.deepEqual(cacheFiles(file), [a.cache]);
      assert.equal(check(file), true);
    });
    assert.equal(fs.existsSync(path.join(dir, '.curator')), false);
    withEnv({ COCURATE_NO_CACHE: '1' }, () => {
      const b = open(file);
      b.ds.close();
      assert.equal(b.cache, undefined);
    });
    assert.equal(fs.existsSync(path.join(dir, '.curator')), false);
  });

  it('derived columns (group sizes) are stored with the index and dropped with it when the dataset changes', () => {
    const a = open(file);
    const sizes = Array.from(groupSizes(a.ds));
    a.ds.close();
    assert.deepEqual(sizes, new Array(300).fill(2));
    const b = open(file);
    try {
      assert.equal(b.hit, true);
      const col = b.ds.cachedColumn(`groupSizes/${b.ds.format}`, () => {
        throw new Error('computed again instead of read from the cache');
      });
      assert.deepEqual(Array.from(col), sizes);
    } finally {
      b.ds.close();
    }
    fs.appendFileSync(
      file,
      JSON.stringify({
        id: 'single',
        image: 'x.png',
        conversations: [
          { from: 'human', value: '<image>\nOk?' },
          { from: 'gpt', value: 'Yes.' },
        ],
      }) + '\n',
    );
    const c = open(file);
    try {
      assert.equal(c.hit, false);
      let computed = false;
      const col = c.ds.cachedColumn(`groupSizes/${c.ds.format}`, () => {
        computed = true;
        return groupSizesUncached(c.ds);
      });
      assert.equal(computed, true);
      assert.equal(col[300], 1);
    } finally {
      c.ds.close();
    }
  });

  it('the id table (duplicates included) is cached: keys are the same on a cached reopen', () => {
    fs.appendFileSync(file, rec(5) + '\n' + rec(7) + '\n' + rec(5) + '\n');
    const table = (): unknown => {
      const { ds, hit } = open(file);
      try {
        // Touch the keys first so the table of a fresh scan is stored before the next open.
        const keys = [0, 5, 7, 300, 301, 302].map((i) => ds.item(i).key);
        const t = ds.ids();
        return { hit, keys, hashes: Array.from(t.hashes), duplicates: [...t.duplicates].sort((a, b) => a - b), ids: [...t.duplicateIds.entries()] };
      } finally {
        ds.close();
      }
    };
    const cold = table() as { hit: boolean; keys: string[] };
    const warm = table() as { hit: boolean };
    assert.equal(cold.hit, false);
    assert.equal(warm.hit, true);
    assert.deepEqual({ ...warm, hit: false }, cold);
    assert.deepEqual(cold.keys, ['r0', '#5', '#7', '#300', '#301', '#302']);
    assert.equal(check(file), true);
  });

  it('the same file reached through a symlinked folder shares one cache (keyed by the real path)', () => {
    const link = path.join(tmp, `link-${path.basename(dir)}`);
    fs.symlinkSync(dir, link);
    check(file);
    assert.equal(check(path.join(link, 'data.jsonl')), true);
    assert.equal(check(file), true);
  });

  it('small files are not cached by default (1 MiB)', () => {
    const ds = Dataset.open(file);
    ds.close();
    assert.equal(ds.indexCache.file, undefined);
  });

  it('CLI: info and show use the cache; --no-cache neither reads nor writes it', function () {
    if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run npm run build');
    const run = (...args: string[]): { code: number | null; out: string } => {
      const r = spawnSync(process.execPath, [path.join(root, 'bin', 'cocurate.js'), ...args], {
        encoding: 'utf8',
        env: { ...process.env, COCURATE_CACHE_MIN_BYTES: '0' },
      });
      return { code: r.status, out: r.stdout };
    };
    const cache = path.join(dir, '.curator', 'index', 'data.jsonl.cidx');
    assert.equal(run('info', file, '--no-cache', '--json').code, 0);
    assert.equal(fs.existsSync(cache), false);
    const cold = run('show', file, '250', '--json');
    assert.equal(cold.code, 0);
    assert.ok(fs.existsSync(cache));
    fs.appendFileSync(file, rec(300) + '\n');
    const info = JSON.parse(run('info', file, '--json').out) as { items: number };
    assert.equal(info.items, 301);
    assert.equal(run('show', file, '250', '--json').out, cold.out);
    assert.equal((JSON.parse(run('show', file, '300', '--json').out) as { key: string }).key, 'r300');
  });
});
