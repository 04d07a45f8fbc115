/**
 * Embedding bench (npm run bench -- embeddings, or node out/test/bench/embeddingBench.js): prints
 *  - sentences/s of the local transformers.js embedder on a random-weight model with
 *    all-MiniLM-L6-v2's shapes (fp32), and on the tiny hashed test model;
 *  - the end-to-end rate of a Merge2Compare dry run (matching, embedding, filtering) on 19K generated
 *    descriptions with the tiny model, cold and with the embeddings cache warm, and the projected cold
 *    run with a MiniLM-class model.
 * Figures, not assertions. BENCH_DESCRIPTIONS=N changes the 19K; BENCH_MINILM_SENTENCES the speed sample.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMerge2Compare, type BuildPhase } from '../../src/core/build/pipeline';
import { TransformersEmbedder } from '../../src/core/embeddings/transformersEmbedder';
import { Random } from '../../src/core/random';
import { makeMiniLmShapedModel } from '../support/makeMiniLmShapedModel';
import { makeTinyEmbeddingModel } from '../support/makeTinyEmbeddingModel';

const N = Number(process.env.BENCH_DESCRIPTIONS ?? 19000);
const SPEED_SAMPLE = Number(process.env.BENCH_MINILM_SENTENCES ?? 256);

const SUBJECTS =
  'animal apple boats bridge building car cat chestnut city coast cyprus dog duck flower forest harvest horse house lake loom mountain parthenocissus portrait railway river road sheep sky statue steam locomotive street sunset tree village waterfall'.split(
    ' ',
  );
const LEVELS = ['slight', 'mild', 'noticeable', 'strong', 'severe'];
const DISTORTIONS = [
  'gaussian blur',
  'lens blur',
  'motion blur',
  'colour diffusion',
  'colour shift',
  'colour quantisation',
  'over-saturation',
  'desaturation',
  'jpeg compression',
  'white noise',
  'impulse noise',
  'multiplicative noise',
  'over-brightening',
  'darkening',
  'pixelation',
  'over-sharpening',
  'low contrast',
];
const DETAILS = [
  'Details stay clear',
  'Fine details are lost',
  'Edges look soft',
  'Textures are smeared',
  'The subject is still recognisable',
  'The background is noisy',
];
const VERDICTS = ['excellent', 'good', 'acceptable', 'fair', 'poor', 'low'];

function descriptions(n: number): { image: string; description: string }[] {
  const rng = new Random('bench-descriptions');
  const pick = <T>(a: T[]): T => a[rng.int(a.length)];
  return Array.from({ length: n }, (_, i) => ({
    image: `images/${i}.jpg`,
    description: `A photo of a ${pick(SUBJECTS)} with ${pick(LEVELS)} ${pick(DISTORTIONS)}. ${pick(DETAILS)}, ${pick(DETAILS).toLowerCase()} and the overall quality is ${pick(VERDICTS)}.`,
  }));
}

/** CPU seconds used by this process so far (all threads, ONNX Runtime's included). */
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface Rate {
  perSecond: number;
  perCpuSecond: number;
}

async function rate(folder: string, texts: string[], batch: number, dtype?: 'fp32' | 'q8'): Promise<Rate> {
  const e = new TransformersEmbedder({ folder, batchSize: batch, dtype });
  try {
    await e.embed(texts.slice(0, 4)); // load + warm up
    const t = performance.now();
    const c = cpuSeconds();
    for (let i = 0; i < texts.length; i += batch) await e.embed(texts.slice(i, i + batch));
    return { perSecond: texts.length / ((performance.now() - t) / 1000), perCpuSecond: texts.length / (cpuSeconds() - c) };
  } finally {
    await e.dispose();
  }
}

const showRate = (r: Rate): string => `${r.perSecond.toFixed(0)} sentences/s (${r.perCpuSecond.toFixed(0)} per CPU-second)`;

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cocurate-embbench-'));
  try {
    const recs = descriptions(N);
    const words = [...SUBJECTS, ...LEVELS, ...DISTORTIONS, ...DETAILS, ...VERDICTS];
    let t = performance.now();
    const tiny = makeTinyEmbeddingModel(path.join(tmp, 'tiny'), { words });
    const tinyMs = performance.now() - t;
    t = performance.now();
    const mini = makeMiniLmShapedModel(path.join(tmp, 'minilm'), { words });
    const miniMs = performance.now() - t;
    console.log(
      `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
    console.log(`models generated: tiny hashed ${tinyMs.toFixed(0)} ms; MiniLM-shaped (6×384, random fp32 weights) ${miniMs.toFixed(0)} ms`);

    const sample = recs.slice(0, SPEED_SAMPLE).map((r) => r.description);
    const miniRate = await rate(mini, sample, 32, 'fp32');
    const miniQ8Rate = await rate(mini, sample, 32, 'q8');
    const tinyRate = await rate(
      tiny,
      recs.slice(0, 4096).map((r) => r.description),
      64,
    );
    console.log(`local embedder (transformers.js, mean pooling, normalised):`);
    console.log(`  MiniLM-shaped fp32   ${showRate(miniRate)}  (${SPEED_SAMPLE} descriptions of ~30 tokens, batch 32)`);
    console.log(`  MiniLM-shaped q8     ${showRate(miniQ8Rate)}  (the same, dynamically quantized int8 weights)`);
    console.log(`  tiny hashed model    ${showRate(tinyRate)}  (4096 descriptions, batch 64)`);

    const work = path.join(tmp, 'run');
    fs.mkdirSync(work);
    const input = path.join(work, 'descriptions.jsonl');
    fs.writeFileSync(input, recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const dry = async (): Promise<{ ms: number; cpu: number; phases: Record<string, number>; groups: number; retention: string }> => {
      const phases: Record<string, number> = {};
      let last = performance.now();
      let phase: BuildPhase | undefined;
      const t0 = performance.now();
      const c0 = cpuSeconds();
      const r = await runMerge2Compare({
        input,
        out: path.join(work, 'm2c.jsonl'),
        embedder: new TransformersEmbedder({ folder: tiny, batchSize: 64 }),
        threshold: 0.9,
        dryRun: true,
        seed: 1,
        onProgress: (p) => {
          if (p.phase !== phase) {
            const now = performance.now();
            if (phase) phases[phase] = (phases[phase] ?? 0) + now - last;
            phase = p.phase;
            last = now;
          }
        },
      });
      if (phase) phases[phase] = (phases[phase] ?? 0) + performance.now() - last;
      return {
        ms: performance.now() - t0,
        cpu: cpuSeconds() - c0,
        phases,
        groups: r.groups,
        retention: r.retention!.map((x) => `${x.size}: ${(100 * x.retention).toFixed(1)} %`).join(', '),
      };
    };
    const cold = await dry();
    const warm = await dry();
    const show = (label: string, d: typeof cold): void => {
      const p = Object.entries(d.phases)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
        .join(', ');
      console.log(`  ${label.padEnd(22)} ${(d.ms / 1000).toFixed(1)} s = ${(N / (d.ms / 1000)).toFixed(0)} descriptions/s; ${d.cpu.toFixed(1)} CPU-s  [${p}]`);
    };
    console.log(`Merge2Compare dry run, ${N} descriptions → ${cold.groups} groups (retention ${cold.retention}):`);
    show('tiny model, cold cache', cold);
    show('warm embeddings cache', warm);
    const overhead = cold.ms - (cold.phases.embedding ?? 0);
    for (const [label, r] of [
      ['fp32', miniRate],
      ['q8', miniQ8Rate],
    ] as const) {
      console.log(
        `  projected cold run with a MiniLM-class model (${label}): ${(overhead / 1000 + N / r.perSecond).toFixed(0)} s (${N} / ${r.perSecond.toFixed(0)} sentences/s + ${(overhead / 1000).toFixed(1)} s of matching and filtering)`,
      );
    }
    console.log(
      `load average now ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} (figures are wall-clock on a shared machine; per-CPU-second rates depend less on load)`,
    );
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
