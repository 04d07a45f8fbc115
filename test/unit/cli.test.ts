import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cocurate } from '../support/cli';

const root = path.resolve(__dirname, '..', '..', '..');
const demo = (f: string): string => path.join(root, 'demo', f);

describe('cocurate CLI (built bundle)', function () {
  before(function () {
    if (!fs.existsSync(path.join(root, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run npm run build');
  });

  it('info --json gives format, items, bytes and group sizes', () => {
    const r = cocurate('info', demo('coinstruct-demo.json'), '--json');
    assert.equal(r.code, 0);
    const j = r.json() as Record<string, unknown>;
    assert.equal(j.format, 'llava');
    assert.equal(j.items, 33);
    assert.equal(j.bytes, fs.statSync(demo('coinstruct-demo.json')).size);
    assert.deepEqual(j.groupSizes, { '1': 4, '2': 13, '3': 8, '4': 8 });
  });

  it('validate --json on the broken demo: exit 1, one diagnostic per planted fault', () => {
    const r = cocurate('validate', demo('broken-demo.json'), '--json');
    assert.equal(r.code, 1);
    const j = r.json() as { items: number; diagnostics: { index: number; line: number; severity: string; code: string; message: string }[] };
    assert.equal(j.items, 10);
    assert.deepEqual(
      j.diagnostics.map((d) => `${d.index}:${d.code}`),
      [
        '1:placeholder-count',
        '1:ordinal-order',
        '2:ordinal-order',
        '3:duplicate-id',
        '4:empty-label',
        '5:path-escapes-root',
        '6:image-missing',
        '7:mixed-placeholders',
        '8:syntax',
      ],
    );
    for (const d of j.diagnostics) {
      assert.match(d.message, new RegExp(`^record ${d.index} \\(line ${d.line}\\)`));
      assert.ok(d.line > 1);
    }
  });

  it('validate on a clean file exits 0; text output names file:line:column', () => {
    assert.equal(cocurate('validate', demo('coinstruct-demo.json')).code, 0);
    const r = cocurate('validate', demo('broken-demo.json'));
    assert.match(r.out, /broken-demo\.json:\d+:\d+: error \[duplicate-id\] record 3/);
  });

  it('show by index and by id gives the normalised item', () => {
    const byIndex = cocurate('show', demo('coinstruct-demo.json'), '14', '--json').json() as Record<string, unknown>;
    const byId = cocurate('show', demo('coinstruct-demo.json'), String(byIndex.key), '--json').json() as Record<string, unknown>;
    assert.deepEqual(byIndex, byId);
    assert.equal(byIndex.groupSize, (byIndex.images as string[]).length);
    assert.equal(cocurate('show', demo('coinstruct-demo.json'), '999').code, 2);
    assert.equal(cocurate('show', demo('coinstruct-demo.json'), 'no-such-id').code, 2);
  });

  it('sample writes plan.json in the shape ARCHITECTURE.md gives, identical on rerun', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-sample-'));
    const args = ['sample', demo('coinstruct-demo.json'), '--size', '20', '--seed', '7', '--strata', 'groupSize', '--name', 'first', '--out', out, '--json'];
    const a = cocurate(...args);
    assert.equal(a.code, 0, a.err);
    const plan = JSON.parse(fs.readFileSync(path.join(out, 'spotchecks', 'first', 'plan.json'), 'utf8'));
    assert.deepEqual(Object.keys(plan), ['version', 'name', 'dataset', 'seed', 'size', 'strata', 'population', 'items', 'createdAt', 'createdBy']);
    assert.deepEqual(Object.keys(plan.dataset), ['path', 'bytes', 'mtimeMs', 'fingerprint', 'format']);
    assert.deepEqual(plan.population, { '1': 4, '2': 13, '3': 8, '4': 8 });
    assert.equal(plan.items.length, 20);
    assert.deepEqual(Object.keys(plan.items[0]), ['key', 'index', 'hash', 'stratum']);
    const b = cocurate(...args);
    assert.equal(b.code, 0);
    assert.deepEqual((b.json() as { items: unknown }).items, plan.items);
    // A different sample under the same name is refused.
    const c = cocurate('sample', demo('coinstruct-demo.json'), '--size', '5', '--seed', '7', '--name', 'first', '--out', out);
    assert.equal(c.code, 2);
    assert.match(c.err, /already exists with a different sample/);
  });

  it('usage and I/O errors: exit 2 with one clear line on stderr', () => {
    const missing = cocurate('info', '/nonexistent/data.json');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /^cocurate info: \/nonexistent\/data\.json: no such file or folder\n$/);
    const noSeed = cocurate('sample', demo('coinstruct-demo.json'), '--size', '3');
    assert.equal(noSeed.code, 2);
    assert.match(noSeed.err, /--seed is required/);
    assert.equal(cocurate('bogus').code, 2);
    assert.equal(cocurate('info', demo('coinstruct-demo.json'), '--format', 'xml').code, 2);
    assert.match(cocurate('--help').out, /Usage: cocurate <command>/);
  });

  it('runs one command without loading the others: info and show leave sharp and transformers unloaded', () => {
    // The command table loads a command's module on first use (src/cli/commands/index.ts); sharp and
    // @huggingface/transformers stay outside the bundle, so require.cache shows whether they loaded.
    const probe = (...args: string[]): string[] => {
      const script = `require(${JSON.stringify(path.join(root, 'dist', 'cli.js'))}).main(${JSON.stringify(args)}).then((code) => {
        const heavy = Object.keys(require.cache).filter((k) => /node_modules\\/(sharp|@huggingface|onnxruntime)/.test(k));
        process.stderr.write('\\nHEAVY ' + JSON.stringify({ code, heavy }) + '\\n');
      });`;
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      const line = r.stderr.split('\n').find((l) => l.startsWith('HEAVY '));
      assert.ok(line, r.stderr);
      const { code, heavy } = JSON.parse(line.slice(6)) as { code: number; heavy: string[] };
      assert.equal(code, 0, r.stderr);
      return heavy;
    };
    assert.deepEqual(probe('info', demo('coinstruct-demo.json')), []);
    assert.deepEqual(probe('show', demo('coinstruct-demo.json'), '3'), []);
    // The probe sees a module that loads: the cues command's module measures images with sharp.
    assert.ok(probe('cues', '--help').some((k) => k.includes('sharp')));
  });

  it('a command compiles only its own bundle: info and show load dist/cli.js (the table) and their own dist/cli-<command>.js', () => {
    // Each command is bundled apart (scripts/build.mjs): a cached info is mostly node start-up, so the
    // code it parses matters (issue #15). Whole bundle was 1.5 MB; info's own is a fraction of that.
    const loaded = (...args: string[]): { files: string[]; bytes: number } => {
      const script = `require(${JSON.stringify(path.join(root, 'dist', 'cli.js'))}).main(${JSON.stringify(args)}).then((code) => {
        const files = Object.keys(require.cache).filter((k) => k.startsWith(${JSON.stringify(path.join(root, 'dist') + path.sep)}));
        process.stderr.write('\\nLOADED ' + JSON.stringify({ code, files }) + '\\n');
      });`;
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED '));
      assert.ok(line, r.stderr);
      const { code, files } = JSON.parse(line.slice(7)) as { code: number; files: string[] };
      assert.equal(code, 0, r.stderr);
      return { files: files.map((f) => path.basename(f)).sort(), bytes: files.reduce((n, f) => n + fs.statSync(f).size, 0) };
    };
    const all = fs
      .readdirSync(path.join(root, 'dist'))
      .filter((f) => /^cli(-[\w-]+)?\.js$/.test(f))
      .reduce((n, f) => n + fs.statSync(path.join(root, 'dist', f)).size, 0);
    const info = loaded('info', demo('coinstruct-demo.json'));
    assert.deepEqual(info.files, ['cli-info.js', 'cli.js']);
    assert.ok(info.bytes < all / 5, `info loads ${info.bytes} of the CLI's ${all} bytes of code`);
    assert.deepEqual(loaded('show', demo('coinstruct-demo.json'), '3').files, ['cli-show.js', 'cli.js']);
    // A usage error thrown in a command's bundle is still a usage error for the table's (exit 2, usage).
    const usage = cocurate('show', demo('coinstruct-demo.json'));
    assert.equal(usage.code, 2);
    assert.match(usage.err, /^cocurate show: missing INDEX or ID\ncocurate show FILE INDEX\|ID/);
  });

  it('--help lists every command with its summary; each table entry loads the command of that name', async () => {
    const { COMMANDS } = await import('../../src/cli/commands');
    const help = cocurate('--help').out;
    for (const entry of COMMANDS) {
      assert.match(help, new RegExp(`\\n  ${entry.name.replace('-', '\\-')} +${entry.summary.replace(/[()?.*+[\]\\]/g, '\\$&')}\\n`));
      const cmd = await entry.load();
      assert.equal(cmd.name, entry.name);
      assert.match(cocurate(entry.name, '--help').out, new RegExp(`^${entry.summary.replace(/[()?.*+[\]\\]/g, '\\$&')}\\n\\n`));
    }
  });
});
