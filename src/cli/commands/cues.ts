import * as fs from 'node:fs';
import * as path from 'node:path';
import { auditDataset, type AuditedItem } from '../../core/claims/auditLabels';
import { buildHuntPlan } from '../../core/claims/huntPlan';
import { curationFolderFor, spotcheckDir, validatePlanName, writePlan } from '../../core/plan';
import { WORKING_LONG_SIDE } from '../../core/cues/measureImage';
import { UsageError } from '../args';
import { emit, type Command } from '../command';
import { DATASET_FLAGS, openDatasetFromArgs } from '../datasetArgs';

const CUE_KEYS = ['sharpness', 'noise', 'exposure', 'contrast', 'colourfulness', 'blockiness', 'megapixels'] as const;
const round = (x: number) => Number(x.toPrecision(5));

/** The --json shape of issue #16 (README, "Label audit"). */
function jsonItem(it: AuditedItem) {
  return {
    index: it.index,
    key: it.key,
    suspicion: round(it.suspicion),
    images: it.images.map((im) => ({ path: im.path, ...Object.fromEntries(CUE_KEYS.map((k) => [k, im.cues ? round(im.cues[k]) : null])) })),
    claims: it.claims.map((c) => ({ text: c.text, attribute: c.attribute, images: c.images, relation: c.relation, status: c.status })),
  };
}

function textItem(it: AuditedItem): string {
  const lines = [`#${it.index}  ${it.key}  suspicion ${it.suspicion.toFixed(2)}`];
  it.images.forEach((im, k) => {
    const c = im.cues;
    lines.push(
      c
        ? `  image ${k + 1} ${im.path}: sharpness ${c.sharpness.toFixed(0)}, noise ${c.noise.toFixed(2)}, exposure ${c.exposure.toFixed(2)} (clipped ${(100 * c.clippedShadows).toFixed(1)} % / ${(100 * c.clippedHighlights).toFixed(1)} %), contrast ${c.contrast.toFixed(3)}, colourfulness ${c.colourfulness.toFixed(1)}, blockiness ${c.blockiness.toFixed(2)}, ${c.megapixels.toFixed(2)} MP`
        : `  image ${k + 1} ${im.path}: not measured (${im.error})`,
    );
  });
  for (const c of it.claims) lines.push(`  ${c.status.padEnd(11)} ${c.attribute} ${c.relation} [${c.images.join(', ')}]  "${c.text}" — ${c.reason}`);
  return lines.join('\n');
}

export const cues: Command = {
  name: 'cues',
  usage:
    'cocurate cues FILE [--images DIR] [--curator DIR] [--workers N] [--top N] [--hunt N [--name NAME] [--force]] [--format F] [--map item=field,…] [--json]',
  flags: { values: [...DATASET_FLAGS, 'images', 'curator', 'workers', 'top', 'hunt', 'name'], booleans: ['force'] },
  async run(args, io) {
    const workers = args.num('workers');
    if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) throw new UsageError('--workers must be a whole number ≥ 1');
    const top = args.num('top', 20) as number;
    const hunt = args.num('hunt');
    if (hunt !== undefined && (!Number.isInteger(hunt) || hunt < 1))
      throw new UsageError('--hunt must be a whole number ≥ 1 (the most suspicious items to queue)');
    if (hunt === undefined && (args.str('name') !== undefined || args.bool('force'))) throw new UsageError('--name and --force go with --hunt N');
    const huntName = hunt !== undefined ? validatePlanName(args.str('name') ?? `hunt-${hunt}`) : undefined;
    const ds = openDatasetFromArgs(args.positionals[0], args);
    try {
      const curator = args.str('curator');
      const res = await auditDataset(ds, { imageRoot: args.str('images'), curationFolder: curator ? path.resolve(curator) : undefined, workers });
      for (const w of res.warnings) io.err(`${ds.path}: ${w}\n`);
      const unmeasured = res.items.flatMap((it) => it.images.filter((im) => !im.cues).map((im) => `record ${it.index}: ${im.path}: ${im.error}`));
      for (const u of [...new Set(unmeasured)].slice(0, 50)) io.err(`${ds.path}: ${u}\n`);
      if (hunt !== undefined && huntName !== undefined) {
        // A hunt: the most suspicious items as a review queue (a plan of kind "hunt"), reported apart.
        const dir = spotcheckDir(curator ? path.resolve(curator) : curationFolderFor(ds.path), huntName);
        const plan = buildHuntPlan(ds, res.items, { name: huntName, planDir: dir, size: hunt });
        const file = path.join(dir, 'plan.json');
        if (fs.existsSync(file) && !args.bool('force')) {
          io.err(`cocurate cues: ${file} already exists; choose another --name or pass --force (its verdicts stay)\n`);
          return 2;
        }
        writePlan(dir, plan);
        io.err(`hunt: ${plan.items.length} item(s), most suspicious first → ${file}\n`);
      }
      emit(args, io, { items: res.items.map(jsonItem) }, () => {
        const ranked = res.items.filter((it) => it.suspicion > 0).sort((a, b) => b.suspicion - a.suspicion || a.index - b.index);
        const counts = { agrees: 0, contradicts: 0, unchecked: 0 };
        for (const it of res.items) for (const c of it.claims) counts[c.status]++;
        return [
          ...ranked.slice(0, top).map(textItem),
          '',
          `${res.items.length} items, ${ranked.length} with a contradicted claim (most suspicious first${ranked.length > top ? `, ${top} shown; --top N` : ''}).`,
          `claims: ${counts.agrees} agree, ${counts.contradicts} contradict, ${counts.unchecked} unchecked.`,
          `images: ${res.stats.measured} measured (${(res.stats.bytesRead / 1e6).toFixed(1)} MB read), ${res.stats.cached} from the cache, ${res.stats.failed} failed; working resolution ${WORKING_LONG_SIDE} px on the longer side.`,
          '',
        ].join('\n');
      });
      return 0;
    } finally {
      ds.close();
    }
  },
};
