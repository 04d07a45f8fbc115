/**
 * Label-audit bench (npm run bench -- cues, or node out/test/bench/cuesBench.js): prints
 *  - Spearman of each cue with the level of its distortion within one source photo, on series made
 *    with sharp from the shared photos (../shared/data: kadis700k and examples);
 *  - the comparison margins measured again (nuisance: mirror + 10 % crop + JPEG q95) next to the ones
 *    in src/core/claims/checkClaims.ts;
 *  - precision and recall of the claim parser on test/fixtures/claims/label-sentences.jsonl;
 *  - AUROC of the suspicion score: labels about pairs of different photos, right vs images swapped;
 *  - CPU time per 12 MP JPEG on one core, pool throughput, and a cached re-run (bytes read).
 * Figures, not assertions. BENCH_CUE_SOURCES=N changes how many kadis photos are used (default 24).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { checkClaims, comparisonScale, MARGINS, suspicion } from '../../src/core/claims/checkClaims';
import type { Attribute } from '../../src/core/claims/claimLexicon';
import { parseClaims } from '../../src/core/claims/parseClaims';
import { cuesForFiles } from '../../src/core/cues/imageCues';
import { CueStore } from '../../src/core/cues/cueStore';
import { measureImageBytes, type ImageCues } from '../../src/core/cues/measureImage';
import { spearman } from '../../src/core/eval/correlation';
import { Random } from '../../src/core/random';

const root = path.resolve(__dirname, '..', '..', '..');
const shared = path.resolve(root, '..', 'shared', 'data');
const N_SOURCES = Number(process.env.BENCH_CUE_SOURCES ?? 24);

type Series = {
  name: string;
  cue: keyof ImageCues;
  attribute: Attribute;
  levels: number[];
  /** +1: a higher level means more of the cue */ sign: 1 | -1;
  make: (png: Buffer, level: number, seed: number) => Promise<Buffer>;
};

function gaussianNoise(seed: number): () => number {
  const r = new Random(`noise-${seed}`);
  return () => Math.sqrt(-2 * Math.log(r.next() + 1e-12)) * Math.cos(2 * Math.PI * r.next());
}

async function addNoise(png: Buffer, sigma: number, seed: number): Promise<Buffer> {
  if (sigma === 0) return png;
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const g = gaussianNoise(seed);
  const out = Buffer.from(data);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(out[i] + sigma * g())));
  return sharp(out, { raw: { width: info.width, height: info.height, channels: 3 } })
    .png()
    .toBuffer();
}

const SERIES: Series[] = [
  {
    name: 'blur (Gaussian σ px)',
    cue: 'sharpness',
    attribute: 'sharpness',
    levels: [0, 0.8, 1.2, 1.8, 2.8, 4],
    sign: -1,
    make: (p, l) => (l ? sharp(p).blur(l).png().toBuffer() : Promise.resolve(p)),
  },
  { name: 'noise (Gaussian σ, 0–255)', cue: 'noise', attribute: 'noise', levels: [0, 2, 4, 8, 16, 32], sign: 1, make: (p, l, s) => addNoise(p, l, s) },
  {
    name: 'brightness (× luminance)',
    cue: 'exposure',
    attribute: 'exposure',
    levels: [0.5, 0.65, 0.8, 1, 1.2, 1.4],
    sign: 1,
    make: (p, l) => sharp(p).modulate({ brightness: l }).png().toBuffer(),
  },
  {
    name: 'JPEG quality',
    cue: 'blockiness',
    attribute: 'blockiness',
    levels: [95, 75, 50, 30, 15, 5],
    sign: -1,
    make: (p, l) => sharp(p).jpeg({ quality: l }).toBuffer(),
  },
  {
    name: 'saturation (×)',
    cue: 'colourfulness',
    attribute: 'colourfulness',
    levels: [0.2, 0.5, 0.8, 1, 1.3, 1.7],
    sign: 1,
    make: (p, l) => sharp(p).modulate({ saturation: l }).png().toBuffer(),
  },
  {
    name: 'contrast (linear ×)',
    cue: 'contrast',
    attribute: 'contrast',
    levels: [0.4, 0.6, 0.8, 1, 1.2, 1.4],
    sign: 1,
    make: (p, l) =>
      sharp(p)
        .linear(l, 128 * (1 - l))
        .png()
        .toBuffer(),
  },
];

function sources(): { name: string; file: string }[] {
  const list = JSON.parse(fs.readFileSync(path.join(shared, 'kadis700k.json'), 'utf8')) as { img_path: string; distortion_level: number }[];
  // The mildest-distorted kadis photos (each a different source photo) and every example photo.
  const kadis = [...list].sort((a, b) => a.distortion_level - b.distortion_level || a.img_path.localeCompare(b.img_path)).slice(0, N_SOURCES);
  const examples = fs
    .readdirSync(path.join(shared, 'examples'))
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort();
  return [
    ...kadis.map((k) => ({ name: k.img_path, file: path.join(shared, k.img_path) })),
    ...examples.map((e) => ({ name: `examples/${e}`, file: path.join(shared, 'examples', e) })),
  ];
}

const f = (x: number, d = 3) => x.toFixed(d);
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

function auroc(pos: number[], neg: number[]): number {
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

async function main(): Promise<void> {
  if (!fs.existsSync(shared)) throw new Error(`${shared} is missing (the shared data sit beside the repository)`);
  const src = sources();
  console.log(`sources: ${src.length} photos (${N_SOURCES} kadis700k, mildest first; ${src.length - N_SOURCES} examples)\n`);

  // ---- 1. distortion series
  const measured = new Map<string, ImageCues[]>(); // `${series}|${source}` → cues per level
  const t0 = Date.now();
  for (const [si, s] of src.entries()) {
    const png = await sharp(fs.readFileSync(s.file)).rotate().png().toBuffer();
    for (const ser of SERIES) {
      const cues: ImageCues[] = [];
      for (const l of ser.levels) cues.push(await measureImageBytes(await ser.make(png, l, si)));
      measured.set(`${ser.name}|${s.name}`, cues);
    }
  }
  console.log(`1. Spearman of the matching cue with the distortion level, within one photo (goal ≥ 0.95); ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`   ${'series'.padEnd(28)} ${'cue'.padEnd(14)} levels                       mean    min   ≥0.95`);
  for (const ser of SERIES) {
    const all = src.map((s) => ({
      s: s.name,
      rho: spearman(
        ser.levels.map((l) => ser.sign * l),
        measured.get(`${ser.name}|${s.name}`)!.map((c) => c[ser.cue]),
      ),
    }));
    const flat = all.filter((x) => !Number.isFinite(x.rho)).map((x) => x.s); // the cue did not move at all (a grey photo's colourfulness)
    const ok = all.filter((x) => Number.isFinite(x.rho));
    const rhos = ok.map((x) => x.rho);
    const min = Math.min(...rhos);
    const worst = ok[rhos.indexOf(min)].s;
    console.log(
      `   ${ser.name.padEnd(28)} ${ser.cue.padEnd(14)} ${ser.levels.join(', ').padEnd(28)} ${f(rhos.reduce((a, b) => a + b, 0) / rhos.length)}  ${f(min)}  ${rhos.filter((r) => r >= 0.95).length}/${rhos.length}${min < 0.95 ? `  (lowest: ${worst})` : ''}${flat.length ? `  (constant cue, left out: ${flat.join(', ')})` : ''}`,
    );
  }

  // ---- 2. margins
  console.log('\n2. Comparison margins: 95th percentile of |Δ| on the comparison scale under mirror + 10 % crop + JPEG q95');
  const deltas: Record<string, number[]> = {};
  for (const s of src) {
    const buf = fs.readFileSync(s.file);
    const meta = await sharp(buf).rotate().metadata();
    const w = meta.autoOrient?.width ?? meta.width ?? 0,
      h = meta.autoOrient?.height ?? meta.height ?? 0;
    const a = await measureImageBytes(buf);
    const nuisance = await sharp(buf)
      .rotate()
      .flop()
      .extract({ left: Math.round(w * 0.05), top: Math.round(h * 0.05), width: Math.round(w * 0.9), height: Math.round(h * 0.9) })
      .jpeg({ quality: 95 })
      .toBuffer();
    const b = await measureImageBytes(nuisance);
    for (const attr of Object.keys(MARGINS) as (keyof typeof MARGINS)[])
      (deltas[attr] ??= []).push(Math.abs((comparisonScale(attr, a) as number) - (comparisonScale(attr, b) as number)));
  }
  for (const attr of Object.keys(MARGINS) as (keyof typeof MARGINS)[]) {
    const p95 = quantile(deltas[attr], 0.95);
    console.log(
      `   ${attr.padEnd(14)} measured ${f(p95, 4)}   in checkClaims.ts ${MARGINS[attr]}${p95 > MARGINS[attr] * 1.5 || p95 < MARGINS[attr] / 3 ? '   ← differs: recalibrate' : ''}`,
    );
  }

  // ---- 3. parser
  console.log('\n3. Claim parser on test/fixtures/claims/label-sentences.jsonl (exact match of attribute, relation, images)');
  const rows = fs
    .readFileSync(path.join(root, 'test', 'fixtures', 'claims', 'label-sentences.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map(
      (l) => JSON.parse(l) as { set: string; style: string; images: number; text: string; claims: { attribute: string; relation: string; images: number[] }[] },
    );
  const key = (c: { attribute: string; relation: string; images: number[] }) => `${c.attribute}:${c.relation}:${c.images.join(',')}`;
  const groups = new Map<string, { n: number; tp: number; fp: number; fn: number }>();
  for (const r of rows) {
    const got = new Set(parseClaims(r.text, r.images).map(key));
    const want = new Set(r.claims.map(key));
    for (const g of [r.set, `${r.set} ${r.style}`, 'all']) {
      const x = groups.get(g) ?? { n: 0, tp: 0, fp: 0, fn: 0 };
      x.n++;
      for (const k of got)
        if (want.has(k)) x.tp++;
        else x.fp++;
      for (const k of want) if (!got.has(k)) x.fn++;
      groups.set(g, x);
    }
  }
  for (const [g, x] of [...groups.entries()].sort())
    console.log(
      `   ${g.padEnd(22)} ${String(x.n).padStart(4)} sentences  precision ${f(x.tp / (x.tp + x.fp))}  recall ${f(x.tp / (x.tp + x.fn))}  (tp ${x.tp}, fp ${x.fp}, fn ${x.fn})`,
    );

  // ---- 4. swapped labels
  console.log('\n4. Suspicion AUROC: a label about two different photos (one distorted at a random level, one not), right vs images swapped');
  const templates: Record<string, string[]> = {
    sharpness: [
      'The first image is sharper than the second image.',
      'The second image is blurrier than the first image.',
      'Image B is not as clear as Image A.',
      'Compared with image 2, image 1 has clearer details.',
    ],
    noise: [
      'The first image is noisier than the second image.',
      'Image B has less noise than Image A.',
      'The second image is cleaner, while the first image has more noise.',
      'Image 1 is grainier than image 2.',
    ],
    exposure: [
      'The first image is brighter than the second image.',
      'The second image is darker than the first image.',
      'Image B is not as bright as Image A.',
      'Image 1 has higher brightness than image 2.',
    ],
    blockiness: ['The first image shows more compression artifacts than the second image.', 'Image A has more JPEG artifacts than Image B.'],
    colourfulness: [
      'The first image is more colourful than the second image.',
      'The second image has duller colours than the first image.',
      'Image A is more vivid than Image B.',
    ],
  };
  const bySeries: Record<string, Series> = { sharpness: SERIES[0], noise: SERIES[1], exposure: SERIES[2], blockiness: SERIES[3], colourfulness: SERIES[4] };
  const rng = new Random('cues-bench-swap');
  const all: { right: number; swapped: number }[] = [];
  const same: { right: number; swapped: number }[] = [];
  for (const attr of Object.keys(templates)) {
    const ser = bySeries[attr];
    const baseLevel = attr === 'exposure' ? ser.levels.indexOf(1) : attr === 'colourfulness' ? ser.levels.indexOf(1) : 0;
    const right: number[] = [],
      swapped: number[] = [];
    for (let k = 0; k < 240; k++) {
      const samePhoto = k >= 200; // the last 40: both images from one photo (the upper bound)
      const a = rng.int(src.length);
      let b = samePhoto ? a : rng.int(src.length - 1);
      if (!samePhoto && b >= a) b++;
      let lvl = rng.int(ser.levels.length - 1) + 1;
      if (lvl === baseLevel) lvl = 0;
      const distorted = measured.get(`${ser.name}|${src[a].name}`)![lvl];
      const plain = measured.get(`${ser.name}|${src[b].name}`)![baseLevel];
      // The template says "the first image has more of the cue" — put the image with more of it first.
      const moreFirst = ser.sign * (ser.levels[lvl] - ser.levels[baseLevel]) > 0;
      const pair = moreFirst ? [distorted, plain] : [plain, distorted];
      const t = templates[attr][rng.int(templates[attr].length)];
      const claims = parseClaims(t, 2);
      const r = suspicion(checkClaims(claims, pair));
      const w = suspicion(checkClaims(claims, [pair[1], pair[0]]));
      if (samePhoto) {
        same.push({ right: r, swapped: w });
        continue;
      }
      right.push(r);
      swapped.push(w);
    }
    all.push(...right.map((r, i) => ({ right: r, swapped: swapped[i] })));
    console.log(
      `   ${attr.padEnd(14)} AUROC ${f(auroc(swapped, right))}   swapped flagged (suspicion > 0) ${f(swapped.filter((x) => x > 0).length / swapped.length, 2)}, right flagged ${f(right.filter((x) => x > 0).length / right.length, 2)}`,
    );
  }
  console.log(
    `   ${'all'.padEnd(14)} AUROC ${f(
      auroc(
        all.map((x) => x.swapped),
        all.map((x) => x.right),
      ),
    )}   (${all.length} pairs of labels)`,
  );
  console.log(
    `   same photo, distorted vs not (upper bound): AUROC ${f(
      auroc(
        same.map((x) => x.swapped),
        same.map((x) => x.right),
      ),
    )} (${same.length} pairs)`,
  );

  // ---- 5. speed
  console.log('\n5. Speed');
  const big = await sharp(path.join(shared, 'examples', 'singapore_flyer.jpg'))
    .resize(4240, 2832)
    .jpeg({ quality: 90 })
    .toBuffer();
  sharp.concurrency(1);
  await measureImageBytes(big);
  const c0 = process.cpuUsage();
  const w0 = Date.now();
  const reps = 8;
  for (let i = 0; i < reps; i++) await measureImageBytes(big);
  const cpu = process.cpuUsage(c0);
  console.log(
    `   12 MP JPEG (4240 × 2832, ${(big.length / 1e6).toFixed(1)} MB): ${f((cpu.user + cpu.system) / 1000 / reps, 0)} ms CPU per image on one core (libvips 1 thread; goal < 150 ms), ${f((Date.now() - w0) / reps, 0)} ms wall; load average ${os.loadavg()[0].toFixed(1)}`,
  );
  sharp.concurrency(0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cues-bench-'));
  try {
    const files: string[] = [];
    for (let i = 0; i < 8; i++) {
      const p = path.join(dir, `big${i}.jpg`);
      fs.writeFileSync(
        p,
        await sharp(big)
          .modulate({ brightness: 0.9 + i * 0.02 })
          .jpeg({ quality: 90 })
          .toBuffer(),
      );
      files.push(p);
    }
    const store = CueStore.open(path.join(dir, 'cues'));
    const p0 = Date.now();
    const cold = await cuesForFiles(files, store);
    const coldMs = Date.now() - p0;
    const p1 = Date.now();
    const warm = await cuesForFiles(files, CueStore.open(path.join(dir, 'cues')));
    console.log(
      `   worker pool (${os.availableParallelism?.() ?? os.cpus().length} threads) on 8 × 12 MP: ${f(coldMs / 8, 0)} ms wall per image (${cold.stats.measured} measured, ${(cold.stats.bytesRead / 1e6).toFixed(1)} MB read)`,
    );
    console.log(`   cached re-run: ${Date.now() - p1} ms for 8 images, ${warm.stats.cached} from the cache, ${warm.stats.bytesRead} bytes of image read`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
