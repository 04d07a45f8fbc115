// Builds the bundled demo data in demo/ from ../shared/data/kadis700k (run once; the output is committed).
// Usage: node scripts/make-demo.mjs [SHARED_DATA_DIR]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(process.argv[2] ?? path.join(root, '..', 'shared', 'data'));
const demo = path.join(root, 'demo');
mkdirSync(path.join(demo, 'images'), { recursive: true });

const DISTORTIONS = [
  '',
  'Gaussian blur',
  'lens blur',
  'motion blur',
  'colour diffusion',
  'colour shift',
  'colour quantisation',
  // Types 7 and 8 are named the wrong way round on purpose: KADID-10k type 7 lowers saturation, so the
  // labels claim over-saturation on desaturated photos — the demo's planted label error, which the label
  // audit (cocurate cues, New Hunt, browse by suspicion) finds. The hunt e2e test relies on it.
  'over-saturation',
  'desaturation',
  'JPEG2000 compression',
  'JPEG compression',
  'white noise',
  'noise in a colour channel',
  'impulse noise',
  'multiplicative noise',
  'over-smoothing from denoising',
  'over-brightening',
  'darkening',
  'a shift in mean brightness',
  'jitter',
  'misplaced patches',
  'pixelation',
  'quantisation',
  'colour blocks',
  'over-sharpening',
  'a loss of contrast',
];
const ORD = ['first', 'second', 'third', 'fourth'];

const all = JSON.parse(readFileSync(path.join(shared, 'kadis700k.json'), 'utf8'));
const picked = all.filter((_, i) => i % 8 === 0).slice(0, 12);
for (const r of picked) {
  const name = path.basename(r.img_path).replace(/\.png$/, '.jpg');
  await sharp(path.join(shared, r.img_path))
    .jpeg({ quality: 85 })
    .toFile(path.join(demo, 'images', name));
  r.file = `images/${name}`;
  r.subject = r.source_image.replace(/-\d+$/, '').replace(/-/g, ' ');
}
const level = (l) => ['', 'slight', 'mild', 'noticeable', 'strong', 'severe'][l];
const describe = (r) => `${level(r.distortion_level)} ${DISTORTIONS[r.distortion_type]}`;

let n = 0;
const records = [];
const id = (p) => `demo-${p}-${String(n++).padStart(3, '0')}`;
const human = (group, q) => (group.length === 1 ? `The image: <image>\n${q}` : group.map((_, k) => `The ${ORD[k]} image: <image>`).join('\n') + `\n${q}`);

// Singles (Q-Instruct style).
for (const r of picked.slice(0, 4)) {
  records.push({
    id: id('single'),
    image: r.file,
    conversations: [
      { from: 'human', value: human([r], 'How is the quality of this image?') },
      {
        from: 'gpt',
        value: `The image of a ${r.subject} shows ${describe(r)}. Its quality is ${r.gt_score >= 60 ? 'good' : r.gt_score >= 45 ? 'fair' : 'poor'}.`,
      },
    ],
    subset: 'Q-Instruct',
  });
}
// Groups (Merge2Compare style) with rankings by gt_score; every fifth label deliberately wrong.
const groups = [];
for (let size = 2; size <= 4; size++) {
  for (let s = 0; s < 8; s++) {
    const g = [];
    for (let k = 0; k < size; k++) g.push(picked[(s * 5 + k * 3 + size) % picked.length]);
    if (new Set(g).size === size) groups.push(g);
  }
}
groups.forEach((g, gi) => {
  const order = g.map((r, k) => ({ r, k })).sort((a, b) => b.r.gt_score - a.r.gt_score);
  const wrong = gi % 5 === 3;
  if (wrong) order.reverse();
  const best = order[0],
    worst = order[order.length - 1];
  const q = g.length === 2 ? 'Which image has better quality, and why?' : 'Please rank the quality of the images and justify your rankings.';
  const ranking = order.map((o) => `the ${ORD[o.k]} image`).join(' > ');
  const why = order.map((o) => `The ${ORD[o.k]} image (${o.r.subject}) shows ${describe(o.r)}.`).join(' ');
  const answer =
    g.length === 2
      ? `The ${ORD[best.k]} image has better quality than the ${ORD[worst.k]} image. ${why}`
      : `Ranking from best to worst: ${ranking}. ${why} Therefore the ${ORD[best.k]} image has the best quality and the ${ORD[worst.k]} image the worst.`;
  records.push({
    id: id(`group${g.length}`),
    image: g.map((r) => r.file),
    conversations: [
      { from: 'human', value: human(g, q) },
      { from: 'gpt', value: answer },
    ],
    subset: 'Merge2Compare',
    demo_label_is_correct: !wrong,
  });
});
// MCQ in LLaVA format (Teach2Compare-QA style).
groups
  .filter((g) => g.length === 2)
  .slice(0, 4)
  .forEach((g) => {
    const better = g[0].gt_score >= g[1].gt_score ? 0 : 1;
    const opts = ['The first image', 'The second image', 'They are about the same'];
    records.push({
      id: id('mcq'),
      image: g.map((r) => r.file),
      conversations: [
        {
          from: 'human',
          value: human(
            g,
            `Which image is sharper and cleaner?\n${opts.map((o, k) => `${'ABC'[k]}. ${o}`).join('\n')}\nAnswer with the option's letter from the given choices directly.`,
          ),
        },
        { from: 'gpt', value: 'AB'[better] },
      ],
      subset: 'Teach2Compare-QA',
    });
  });
// A hostile label, to prove labels render as text.
records.push({
  id: id('hostile'),
  image: [picked[0].file, picked[1].file],
  conversations: [
    { from: 'human', value: human([picked[0], picked[1]], 'Which image has better quality, and why?') },
    { from: 'gpt', value: 'The first image is better. <img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>' },
  ],
  subset: 'Merge2Compare',
});

writeFileSync(path.join(demo, 'coinstruct-demo.json'), JSON.stringify(records, null, 2) + '\n');

// Q-Bench HF-style MCQ file (JSONL), single and paired images.
const mcq = picked.slice(0, 8).map((r, k) => ({
  id: `mcq-${k}`,
  question: 'Which distortion is the most visible in this image?',
  option0: DISTORTIONS[r.distortion_type],
  option1: DISTORTIONS[(r.distortion_type % 25) + 1],
  option2: k % 2 ? 'N/A' : 'none',
  option3: 'N/A',
  correct_choice: 'A',
  question_type: k % 2 ? 'what' : 'which',
  question_concern: 'distortion',
  image: r.file,
}));
writeFileSync(path.join(demo, 'mcq-demo.jsonl'), mcq.map((m) => JSON.stringify(m)).join('\n') + '\n');

// IQA score list (2AFC input) and single-image descriptions (Merge2Compare input).
writeFileSync(
  path.join(demo, 'kadis-scores.json'),
  JSON.stringify(
    picked.map((r) => ({ img_path: r.file, gt_score: r.gt_score })),
    null,
    1,
  ) + '\n',
);
writeFileSync(
  path.join(demo, 'descriptions-demo.json'),
  JSON.stringify(
    picked.map((r) => ({
      image: r.file,
      description: `A photo of a ${r.subject} with ${describe(r)}. ${r.gt_score >= 55 ? 'Details stay clear and the overall quality is acceptable.' : 'Fine details are lost and the overall quality is low.'}`,
    })),
    null,
    1,
  ) + '\n',
);

// A file with deliberate faults for validation and the language server.
const good = records[5];
const broken = [
  good,
  { ...good, id: 'broken-placeholders', conversations: [{ from: 'human', value: 'The first image: <image>\nWhich image is better?' }, good.conversations[1]] },
  {
    ...good,
    id: 'broken-ordinals',
    conversations: [{ from: 'human', value: good.conversations[0].value.replace('The second image', 'The third image') }, good.conversations[1]],
  },
  { ...good, id: records[5].id },
  { ...good, id: 'broken-empty-answer', conversations: [good.conversations[0], { from: 'gpt', value: '' }] },
  { ...good, id: 'broken-escape', image: ['../secret.png', good.image[1]] },
  { ...good, id: 'broken-missing-image', image: [good.image[0], 'images/does-not-exist.jpg'] },
  {
    ...good,
    id: 'broken-mixed',
    conversations: [{ from: 'human', value: good.conversations[0].value.replace('<image>', '<|image|>') }, good.conversations[1]],
  },
  { ...good, id: 'broken-syntax' },
  records[6],
];
let text = JSON.stringify(broken, null, 2);
// A syntax error in one record (a missing comma), the rest still load.
text = text.replace('"id": "broken-syntax",', '"id": "broken-syntax"');
writeFileSync(path.join(demo, 'broken-demo.json'), text + '\n');
console.log(`demo: ${records.length} items, ${picked.length} images`);
