/**
 * `cocurate show FILE N` without a cache file (issue #15): record N is printed as soon as the scan
 * has passed it, before the scan ends; the key (which needs every record's id) follows once the scan
 * is done, and the cache file is written then. Proved by event order, not by timing: when the record
 * is printed, the test appends a record with the same id to the dataset's tail. The scan has not
 * read the tail yet, so it sees the duplicate and the key printed at the end is "#N"; had the record
 * been printed after the scan, the key would be the id.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../../src/cli/args';
import { show } from '../../src/cli/commands/show';
import { COCURATE_BIN, REPO_ROOT } from '../support/cli';
import { isolateCacheEnv } from '../support/cacheEnv';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-show-'));

const rec = (i: number, label = `The ${i % 2 ? 'first' : 'second'} image is sharper, with less noise in the sky.`): Record<string, unknown> => ({
  id: `r${i}`,
  image: [`${i}.png`, `${i + 1}.png`],
  conversations: [
    { from: 'human', value: 'The first image: <image>\nThe second image: <image>\nWhich image has better quality?' },
    { from: 'gpt', value: label },
  ],
});
// More than one 4 MiB scanner chunk, so that an early record is passed long before the end.
const N = 25000;
const jsonl = (n: number): string => Array.from({ length: n }, (_, k) => JSON.stringify(rec(k))).join('\n') + '\n';
const array = (n: number): string => '[\n' + Array.from({ length: n }, (_, k) => JSON.stringify(rec(k), null, 1)).join(',\n') + '\n]\n';

async function run(argv: string[], onOut?: (text: string) => void): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const old = process.env.COCURATE_CACHE_MIN_BYTES;
  process.env.COCURATE_CACHE_MIN_BYTES = '0';
  try {
    const code = await show.run(parseArgs(argv, show.flags), {
      out: (t) => {
        out += t;
        onOut?.(t);
      },
      err: (t) => {
        err += t;
      },
    });
    return { code, out, err };
  } finally {
    if (old === undefined) delete process.env.COCURATE_CACHE_MIN_BYTES;
    else process.env.COCURATE_CACHE_MIN_BYTES = old;
  }
}

describe('cocurate show before the scan ends', function () {
  this.timeout(120000);
  let dir: string;
  let restoreEnv: () => void; // keeps the user's cache folder out of these tests
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(tmp, 'd-'));
    restoreEnv = isolateCacheEnv(dir);
  });
  afterEach(() => restoreEnv());

  for (const [kind, name, text, tail] of [
    ['JSONL', 'data.jsonl', jsonl, (i: number): string => JSON.stringify(rec(i)) + '\n'],
    // The closing bracket is gone while the tail is appended: the record comes before it.
    ['JSON array', 'data.json', array, (i: number): string => `,\n${JSON.stringify(rec(i), null, 1)}\n]\n`],
  ] as const) {
    it(`${kind}: record 3 is printed while the scan has not read the tail; the key and the cache file come after the scan`, async () => {
      const file = path.join(dir, name);
      const body = text(N);
      fs.writeFileSync(file, body);
      const cache = path.join(dir, '.curator', 'index', `${name}.cidx`);
      let printed = '';
      let cacheAtPrint: boolean | undefined;
      const r = await run([file, '3'], (t) => {
        if (printed) return;
        printed = t;
        cacheAtPrint = fs.existsSync(cache);
        // Another record with record 3's id, at the tail the scan has not read yet.
        if (name.endsWith('.json')) fs.truncateSync(file, Buffer.byteLength(body) - 3); // drop "\n]\n"
        fs.appendFileSync(file, tail(3));
      });
      assert.equal(r.code, 0, r.err);
      assert.equal(cacheAtPrint, false, 'the cache file was written before the record was printed');
      // The scan read the appended duplicate after the record was printed: the key is #3, not r3.
      assert.ok(r.out.endsWith('\nkey #3\n'), r.out.slice(-200));
      assert.match(printed, /^#3 {2}line \d+ {2}llava {2}2 image\(s\)\n/);
      assert.match(printed, /Label:\nThe first image is sharper/);
      assert.equal(r.out.indexOf(printed), 0);
    });
  }

  it('the scan goes on to write the cache file; cold, cached and --no-cache answers are the same, early and late records alike', async () => {
    const file = path.join(dir, 'data.jsonl');
    fs.writeFileSync(file, jsonl(N));
    const cache = path.join(dir, '.curator', 'index', 'data.jsonl.cidx');
    let cacheAtPrint: boolean | undefined;
    const cold = await run([file, '3'], () => {
      cacheAtPrint ??= fs.existsSync(cache);
    });
    assert.equal(cacheAtPrint, false);
    assert.ok(fs.existsSync(cache), 'the scan finished and wrote the cache file');
    assert.ok(cold.out.endsWith('\nkey r3\n'));
    assert.equal((await run([file, '3'])).out, cold.out);
    assert.equal((await run([file, '3', '--no-cache'])).out, cold.out);
    for (const i of ['0', '12345', String(N - 1)]) {
      fs.rmSync(cache);
      const c = await run([file, i]);
      assert.equal(c.code, 0, c.err);
      assert.match(c.out, new RegExp(`^#${i} {2}line ${Number(i) + 1} `));
      assert.ok(c.out.endsWith(`\nkey r${i}\n`));
      assert.equal((await run([file, i])).out, c.out, `cached ${i}`);
      assert.equal((await run([file, i, '--no-cache'])).out, c.out, `--no-cache ${i}`);
      assert.equal((await run([file, i, '--json'])).out, (await run([file, i, '--json', '--no-cache'])).out);
    }
    fs.rmSync(cache);
    const past = await run([file, String(N)]);
    assert.equal(past.code, 2);
    assert.equal(past.out, '');
    assert.match(past.err, new RegExp(`no record at index ${N} \\(the file has ${N}\\)`));
  });

  it('the CLI writes the record to a pipe before its scan ends (the reader holds the pipe and appends the duplicate meanwhile)', async function () {
    if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run npm run build');
    // Record 20 holds a 2 MiB label: more than a pipe holds, so the CLI's write of it blocks until
    // this test reads on. While it is blocked (the scan has not read the tail), the duplicate is appended.
    const file = path.join(dir, 'data.jsonl');
    const lines = Array.from({ length: N }, (_, k) => JSON.stringify(k === 20 ? rec(k, 'x'.repeat(2 << 20)) : rec(k)));
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const child = spawn(process.execPath, [COCURATE_BIN, 'show', file, '20'], {
      env: { ...process.env, COCURATE_CACHE_MIN_BYTES: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.once('data', (b: Buffer) => {
        out += b.toString();
        child.stdout.pause();
        fs.appendFileSync(file, JSON.stringify(rec(20)) + '\n');
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stdout.resume();
      });
      child.on('close', resolve);
    });
    assert.equal(code, 0, err);
    assert.ok(out.endsWith('\nkey #20\n'), out.slice(-100));
    assert.match(out, /^#20 {2}line 21 /);
  });
});
