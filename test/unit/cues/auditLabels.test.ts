import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { auditDataset } from '../../../src/core/claims/auditLabels';
import { Dataset } from '../../../src/core/dataset';
import { scene, withBlur, withBrightness, withNoise } from './synthImages';

const root = path.resolve(__dirname, '..', '..', '..', '..');

/** A temp folder with images (sharp, blurred, noisy, dark) and a LLaVA dataset whose labels talk about them. */
async function fixture(): Promise<{ dir: string; file: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cues-'));
  fs.mkdirSync(path.join(dir, 'img'));
  const base = await scene(11);
  const write = async (name: string, img: Promise<Buffer> | Buffer) => fs.writeFileSync(path.join(dir, 'img', name), await img);
  await write('sharp.png', base);
  await write('blurred.png', withBlur(base, 2.5));
  await write('noisy.png', withNoise(base, 18));
  await write('dark.png', withBrightness(base, 0.45));
  const rec = (id: string, images: string[], label: string) => ({
    id,
    image: images.map((i) => `img/${i}`),
    conversations: [
      { from: 'human', value: images.map((_, k) => `The ${['first', 'second', 'third'][k]} image: <image>\n`).join('') + 'Which image has better quality?' },
      { from: 'gpt', value: label },
    ],
  });
  const records = [
    rec('blur-right', ['blurred.png', 'sharp.png'], 'The first image is blurrier than the second image, so the second image is better.'),
    rec('blur-swapped', ['sharp.png', 'blurred.png'], 'The first image is blurrier than the second image, so the second image is better.'),
    rec('noise-right', ['noisy.png', 'sharp.png'], 'Image A is noisier than Image B.'),
    rec('noise-swapped', ['sharp.png', 'noisy.png'], 'Image A is noisier than Image B.'),
    rec('dark-right', ['sharp.png', 'dark.png'], 'The second image is darker than the first one.'),
    rec('dark-swapped', ['dark.png', 'sharp.png'], 'The second image is darker than the first one.'),
    rec('quality-only', ['sharp.png', 'blurred.png'], 'The first image has better quality.'),
    rec('missing-image', ['sharp.png', 'nope.png'], 'The second image is noisier than the first image.'),
  ];
  const file = path.join(dir, 'data.jsonl');
  fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n{broken\n');
  return { dir, file };
}

describe('label audit: claims against cues, suspicion, cache', function () {
  this.timeout(120000);
  let dir: string;
  let file: string;
  before(async () => {
    ({ dir, file } = await fixture());
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a label whose images were swapped contradicts the cues and is more suspicious than the right one', async () => {
    const ds = Dataset.open(file);
    try {
      const res = await auditDataset(ds, { workers: 2 });
      const by = new Map(res.items.map((it) => [it.key, it]));
      for (const kind of ['blur', 'noise', 'dark']) {
        const right = by.get(`${kind}-right`)!;
        const swapped = by.get(`${kind}-swapped`)!;
        assert.ok(
          right.claims.some((c) => c.status === 'agrees'),
          `${kind}-right: ${JSON.stringify(right.claims)}`,
        );
        assert.ok(!right.claims.some((c) => c.status === 'contradicts'), `${kind}-right`);
        assert.equal(right.suspicion, 0);
        assert.ok(
          swapped.claims.some((c) => c.status === 'contradicts'),
          `${kind}-swapped: ${JSON.stringify(swapped.claims)}`,
        );
        assert.ok(swapped.suspicion > 0.5 && swapped.suspicion < 1, `${kind}-swapped suspicion ${swapped.suspicion}`);
      }
      const q = by.get('quality-only')!;
      assert.deepEqual(
        q.claims.map((c) => c.status),
        ['unchecked'],
        'overall quality is not checked',
      );
      assert.equal(q.suspicion, 0);
      const missing = by.get('missing-image')!;
      assert.match(missing.images[1].error ?? '', /not found/);
      assert.equal(missing.claims[0].status, 'unchecked');
      assert.equal(res.items.length, 8, 'the broken last record does not stop the others');
      assert.equal(res.warnings.length, 1);
      assert.match(res.warnings[0], /record 8 \(line 9/);
    } finally {
      ds.close();
    }
  });

  it('re-runs take cues from .curator/cues/ without opening an image; a changed image is measured again', async () => {
    const cache = path.join(dir, 'cache-test');
    const ds = Dataset.open(file);
    try {
      const first = await auditDataset(ds, { curationFolder: cache });
      assert.equal(first.stats.measured, 4);
      assert.ok(first.stats.bytesRead > 0);
      assert.ok(fs.existsSync(path.join(cache, 'cues', 'cues-v1.jsonl')));
      // Overwrite every image with garbage of the same size and put the mtime back: only a run that
      // never opens the files can still give the same cues.
      const imgs = fs.readdirSync(path.join(dir, 'img')).map((f) => path.join(dir, 'img', f));
      const saved = imgs.map((f) => ({ f, data: fs.readFileSync(f), st: fs.statSync(f) }));
      for (const { f, data, st } of saved) {
        fs.writeFileSync(f, Buffer.alloc(data.length, 0x55));
        fs.utimesSync(f, st.atime, st.mtime);
      }
      try {
        const second = await auditDataset(ds, { curationFolder: cache });
        assert.deepEqual(second.stats, { cached: 4, measured: 0, bytesRead: 0, failed: 0 });
        assert.deepEqual(
          second.items.map((i) => [i.key, i.suspicion, i.images.map((x) => x.cues)]),
          first.items.map((i) => [i.key, i.suspicion, i.images.map((x) => x.cues)]),
        );
      } finally {
        for (const { f, data, st } of saved) {
          fs.writeFileSync(f, data);
          fs.utimesSync(f, st.atime, st.mtime);
        }
      }
      // A real change (new content, new mtime) is noticed and measured.
      const noisy = path.join(dir, 'img', 'noisy.png');
      fs.writeFileSync(noisy, await withNoise(await scene(11), 30));
      fs.utimesSync(noisy, new Date(), new Date(Date.now() + 5000));
      const third = await auditDataset(ds, { curationFolder: cache });
      assert.equal(third.stats.measured, 1);
      assert.equal(third.stats.cached, 3);
    } finally {
      ds.close();
    }
  });

  it('cocurate cues --json prints the issue #16 shape', function () {
    if (!fs.existsSync(path.join(root, 'dist', 'cli.js')) || !fs.existsSync(path.join(root, 'dist', 'cueWorker.js')))
      throw new Error('dist/ is missing: run npm run build');
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'cocurate.js'), 'cues', file, '--json', '--curator', path.join(dir, 'cli-cache')], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /record 8 \(line 9/);
    const j = JSON.parse(r.stdout) as { items: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(j), ['items']);
    assert.equal(j.items.length, 8);
    for (const it of j.items) {
      assert.deepEqual(Object.keys(it), ['index', 'key', 'suspicion', 'images', 'claims']);
      for (const im of it.images as Record<string, unknown>[])
        assert.deepEqual(Object.keys(im), ['path', 'sharpness', 'noise', 'exposure', 'contrast', 'colourfulness', 'blockiness', 'megapixels']);
      for (const c of it.claims as Record<string, unknown>[]) {
        assert.deepEqual(Object.keys(c), ['text', 'attribute', 'images', 'relation', 'status']);
        assert.ok(['agrees', 'contradicts', 'unchecked'].includes(c.status as string));
      }
    }
    const swapped = j.items.find((i) => i.key === 'blur-swapped') as {
      suspicion: number;
      images: { path: string; sharpness: number }[];
      claims: { images: number[]; relation: string; attribute: string; status: string }[];
    };
    assert.ok(swapped.suspicion > 0.5);
    assert.ok(swapped.images[0].sharpness > swapped.images[1].sharpness, 'larger sharpness = sharper');
    assert.deepEqual(swapped.claims[0], {
      text: 'The first image is blurrier than the second image',
      attribute: 'sharpness',
      images: [1, 2],
      relation: 'less',
      status: 'contradicts',
    });
    const missing = j.items.find((i) => i.key === 'missing-image') as { images: { sharpness: number | null }[] };
    assert.equal(missing.images[1].sharpness, null);
    const text = spawnSync(process.execPath, [path.join(root, 'bin', 'cocurate.js'), 'cues', file, '--curator', path.join(dir, 'cli-cache')], {
      encoding: 'utf8',
    });
    assert.equal(text.status, 0);
    assert.match(text.stdout, /images: 0 measured .* 4 from the cache/);
    assert.match(text.stdout.split('\n')[0], /suspicion 0\.\d\d/, 'most suspicious first');
  });

  it('cocurate cues --hunt N writes a hunt plan (most suspicious first) and will not overwrite it without --force', () => {
    const cur = path.join(dir, 'hunt-cli');
    const run = (...extra: string[]) =>
      spawnSync(process.execPath, [path.join(root, 'bin', 'cocurate.js'), 'cues', file, '--curator', cur, ...extra], { encoding: 'utf8' });
    const r = run('--hunt', '2', '--name', 'hunt-a');
    assert.equal(r.status, 0, r.stderr);
    const planFile = path.join(cur, 'spotchecks', 'hunt-a', 'plan.json');
    assert.match(r.stderr, /hunt: 2 item\(s\), most suspicious first/);
    const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as {
      kind: string;
      items: { key: string }[];
      hunt: { scores: number[] };
      dataset: { path: string };
    };
    assert.equal(plan.kind, 'hunt');
    assert.equal(plan.items.length, 2);
    for (const it of plan.items) assert.match(it.key, /-swapped$/);
    assert.ok(plan.hunt.scores[0] >= plan.hunt.scores[1]);
    assert.equal(path.resolve(path.dirname(planFile), plan.dataset.path), file);
    assert.equal(run('--hunt', '2', '--name', 'hunt-a').status, 2);
    assert.equal(run('--hunt', '2', '--name', 'hunt-a', '--force').status, 0);
    assert.equal(run('--name', 'x').status, 2, '--name without --hunt is a usage error');
  });
});
