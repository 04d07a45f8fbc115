import * as fs from 'node:fs';
import * as path from 'node:path';
import { guardOutput } from '../../core/outputGuard';
import { curationFolderFor, spotcheckDir, validatePlanName, writePlan } from '../../core/plan';
import { drawSample } from '../../core/sampling';
import { parseStrata } from '../../core/strata';
import { UsageError } from '../args';
import { emit, type Command } from '../command';
import { DATASET_FLAGS, openDatasetFromArgs } from '../datasetArgs';

export const sample: Command = {
  name: 'sample',
  usage: [
    'cocurate sample FILE --seed S [--size N] [--strata none|groupSize|field:NAME|ranges:SPEC] [--sizes NAME=N,…]',
    '                [--name NAME] [--out CURATION_DIR] [--force] [--json]',
    '  ranges:SPEC  e.g. ranges:Q-Instruct=0-200276,Merge2Compare=200277-302408,Teach2Compare-QA=332301-',
    '  --size       default: 250, or the whole population when it holds fewer records',
    '  --out        curation folder (default: .curator/ beside the dataset); the plan goes to OUT/spotchecks/NAME/plan.json',
  ].join('\n'),
  flags: { values: [...DATASET_FLAGS, 'size', 'seed', 'strata', 'sizes', 'name', 'out', 'by'], booleans: ['force'] },
  run(args, io) {
    const seed = args.str('seed');
    if (seed === undefined) throw new UsageError('--seed is required (the same seed gives the same sample)');
    const sizesSpec = args.str('sizes');
    const size = args.num('size');
    let strata;
    try {
      strata = parseStrata(args.str('strata'));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    let sizes: Record<string, number> | undefined;
    if (sizesSpec) {
      sizes = {};
      for (const part of sizesSpec.split(',')) {
        const m = /^\s*(.+?)\s*=\s*(\d+)\s*$/.exec(part);
        if (!m) throw new UsageError(`--sizes part "${part}" must look like NAME=N`);
        sizes[m[1]] = Number(m[2]);
      }
    }
    const outFolder = args.str('out') ? guardOutput(args.str('out')!, { folder: true }) : undefined;
    const ds = openDatasetFromArgs(args.positionals[0], args);
    try {
      const given = args.str('name');
      if (given !== undefined) validatePlanName(given);
      const folder = outFolder ?? curationFolderFor(ds.path);
      // Every plan folder sits at the same depth (OUT/spotchecks/NAME), so the dataset path the plan
      // stores does not depend on the name; a default name can wait for the drawn size.
      const plan = drawSample(ds, { name: given ?? 'sample', seed, size, sizes, strata, planDir: spotcheckDir(folder, 'sample') });
      const name = validatePlanName(given ?? `sample-${sizes ? 'custom' : plan.size}-seed${seed}`);
      plan.name = name;
      const dir = spotcheckDir(folder, name);
      const file = path.join(dir, 'plan.json');
      if (fs.existsSync(file) && !args.bool('force')) {
        const old = JSON.parse(fs.readFileSync(file, 'utf8')) as { items?: unknown };
        if (JSON.stringify(old.items) !== JSON.stringify(plan.items)) {
          io.err(`cocurate sample: ${file} already exists with a different sample; choose another --name or pass --force (its verdicts stay)\n`);
          return 2;
        }
      } else {
        writePlan(dir, plan);
      }
      emit(args, io, plan, () =>
        [
          `${file}`,
          `  ${plan.size} items from ${Object.values(plan.population).reduce((a, b) => a + b, 0)} (seed ${plan.seed}, strata ${plan.strata})`,
          ...Object.entries(plan.population).map(([s, n]) => `  ${s.padEnd(24)} N=${n}  n=${plan.items.filter((it) => it.stratum === s).length}`),
          '',
        ].join('\n'),
      );
      return 0;
    } finally {
      ds.close();
    }
  },
};
