import * as fs from 'node:fs';
import * as path from 'node:path';
import { aggregateJudgements, parsePreferences, type TwoAfcResult } from '../../core/eval/twoafc';
import { groundTruth, preferencesText, readItems, runTwoAfc, TWOAFC_QUESTION } from '../../core/eval/twoafcRun';
import { guardOutput } from '../../core/outputGuard';
import { UsageError, type ParsedArgs } from '../args';
import type { Command, CommandIO } from '../command';
import { DATASET_FLAGS, openDatasetFromArgs } from '../datasetArgs';
import { ENDPOINT_USAGE, endpointFlags, pct, setupEndpoint, withInterrupt } from '../endpointArgs';

const num = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));

function textReport(r: TwoAfcResult, title: string): string[] {
  const ranked = Object.entries(r.scores).sort((a, b) => b[1] - a[1]);
  const show = (list: [string, number][]) => list.map(([k, v]) => `    ${v >= 0 ? ' ' : ''}${v.toFixed(3)}  ${k}`);
  return [
    title,
    `  judgements ${r.judgements}, pairs asked both ways ${r.pairs}, consistent ${r.consistent}  → consistency κ ${num(r.kappa)}`,
    `  accuracy on consistent pairs ${pct(r.accuracy)} (${r.correct}/${r.scored})   unparsed answers ${r.unparsed}`,
    `  MAP scores (Thurstone Case V) vs gt_score on ${r.correlated} images: PLCC ${num(r.plcc)}  SRCC ${num(r.srcc)}`,
    ...(ranked.length ? ['  best:', ...show(ranked.slice(0, 3)), '  worst:', ...show(ranked.slice(-3))] : []),
  ];
}

async function fromPrefs(args: ParsedArgs, io: CommandIO): Promise<number> {
  const prefsFile = args.str('prefs')!;
  const judgements = parsePreferences(fs.readFileSync(prefsFile, 'utf8'), prefsFile);
  let gt: Map<string, number> | undefined;
  const scoresFile = args.str('scores');
  if (scoresFile) {
    const ds = openDatasetFromArgs(scoresFile, args);
    try {
      gt = groundTruth(await readItems(ds));
    } finally {
      ds.close();
    }
  }
  const r = aggregateJudgements(judgements, gt);
  if (args.bool('json'))
    io.out(
      JSON.stringify(
        {
          scores: r.scores,
          kappa: r.kappa,
          plcc: r.plcc,
          srcc: r.srcc,
          accuracy: r.accuracy,
          judgements: r.judgements,
          pairs: r.pairs,
          consistent: r.consistent,
        },
        null,
        2,
      ) + '\n',
    );
  else io.out(textReport(r, `${prefsFile}: ${Object.keys(r.scores).length} items`).join('\n') + '\n');
  return 0;
}

async function withModel(args: ParsedArgs, io: CommandIO): Promise<number> {
  const rounds = args.num('rounds', 12)!;
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError('--rounds must be a positive integer');
  const seed = args.str('seed') ?? '0';
  const question = args.str('question') ?? TWOAFC_QUESTION;
  const given = args.str('out');
  if (given) guardOutput(given, { inputs: args.positionals.slice(0, 1) });
  const ds = openDatasetFromArgs(args.positionals[0], args);
  try {
    const { profile, asker, curationFolder } = setupEndpoint(args, ds.path);
    let run;
    try {
      run = await withInterrupt((signal) =>
        runTwoAfc(ds, asker, {
          rounds,
          seed,
          question,
          concurrency: profile.concurrency,
          signal,
          onProgress: (done, total) => {
            if (!args.bool('json')) io.err(`\r${done}/${total} comparisons`);
          },
        }),
      );
    } catch (e) {
      if (/needs an IQA score list/.test((e as Error).message)) {
        io.err(`cocurate twoafc: ${(e as Error).message}\n`);
        return 2;
      }
      throw e;
    }
    if (!args.bool('json')) io.err('\n');
    const out = guardOutput(args.str('out') ?? path.join(curationFolder, 'reports', `twoafc-${profile.slug}.jsonl`), { inputs: [ds.path] });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, preferencesText(run.answered));
    const { overall, perGroup, failed } = run;
    if (args.bool('json')) {
      io.out(
        JSON.stringify(
          {
            file: ds.path,
            model: profile.model,
            profile: profile.name,
            rounds,
            seed,
            question,
            judgementsFile: out,
            failed,
            cancelled: run.cancelled,
            ...overall,
            groups: run.groups.length > 1 ? perGroup : undefined,
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      const lines = textReport(overall, `${ds.path}: ${run.images} images, ${rounds} round(s), seed ${seed}; model ${profile.name}`);
      for (const [g, r] of Object.entries(perGroup)) lines.push('', ...textReport(r, `Group ${g}:`));
      if (failed) lines.push(`  ${failed} comparison(s) failed`);
      lines.push(
        '',
        `Judgements: ${out} (re-aggregate with: cocurate twoafc --prefs ${path.relative(process.cwd(), out)} --scores ${path.relative(process.cwd(), ds.path)})`,
        '',
      );
      io.out(lines.join('\n'));
    }
    if (run.cancelled) {
      io.err('cocurate twoafc: cancelled\n');
      return 2;
    }
    return failed > 0 ? 1 : 0;
  } finally {
    ds.close();
  }
}

export const twoafc: Command = {
  name: 'twoafc',
  usage: [
    'cocurate twoafc FILE --endpoint URL --model M [--rounds 12] [--seed S] [--question Q] [--out JUDGEMENTS.jsonl] [--json]',
    'cocurate twoafc --prefs PREFS.jsonl [--scores FILE] [--json]   (aggregate {"a","b","winner"} lines without a model)',
    "  Each round shuffles a dataset's images and pairs neighbours; each pair is asked in both orders.",
    ENDPOINT_USAGE,
  ].join('\n'),
  flags: endpointFlags({ values: [...DATASET_FLAGS, 'rounds', 'seed', 'question', 'out', 'prefs', 'scores'] }),
  run(args, io) {
    if (args.str('prefs')) return fromPrefs(args, io);
    if (!args.positionals[0]) throw new UsageError('missing FILE (an IQA score list) or --prefs PREFS.jsonl');
    return withModel(args, io);
  },
};
