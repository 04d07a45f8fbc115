import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyCuration, manifestPath } from '../../core/curate/apply';
import { guardOutput } from '../../core/outputGuard';
import { listPlans, readPlan } from '../../core/plan';
import { UsageError } from '../args';
import { emit, type Command } from '../command';

/** A plan folder, a plan.json, or a curation folder (every plan under spotchecks/). */
function expandPlanArg(arg: string): string[] {
  const abs = path.resolve(arg);
  if (fs.existsSync(path.join(abs, 'plan.json')) || abs.endsWith('.json')) return [abs];
  const plans = listPlans(abs);
  return plans.length ? plans.map((n) => path.join(abs, 'spotchecks', n)) : [abs];
}

export const apply: Command = {
  name: 'apply',
  usage: [
    'cocurate apply PLAN_DIR... --out FILE [--drop incorrect] [--corrections] [--decisions] [--json]',
    '  --drop incorrect  leave out records judged incorrect (those corrected instead, with --corrections, stay)',
    "  --corrections     replace the label of records judged incorrect by the reviewer's correction",
    '  --decisions       follow decisions.json: a stratum (or spot check) decided "drop" loses every record,',
    '                    "keep-with-corrections" applies its corrections',
    "  Writes FILE in the input's container and format and FILE.manifest.json (source fingerprint, plans,",
    '  journals, decisions, and every changed record with its action, reviewer, time and reasons).',
  ].join('\n'),
  flags: { values: ['out', 'drop'], booleans: ['corrections', 'decisions'] },
  run(args, io) {
    if (args.positionals.length === 0) throw new UsageError('give at least one spot-check folder');
    const out = args.str('out');
    if (!out) throw new UsageError('--out FILE is required');
    const drop = args.str('drop');
    if (drop !== undefined && drop !== 'incorrect') throw new UsageError(`--drop takes "incorrect", not "${drop}"`);
    const opts = { dropIncorrect: drop === 'incorrect', corrections: args.bool('corrections'), decisions: args.bool('decisions') };
    if (!opts.dropIncorrect && !opts.corrections && !opts.decisions)
      throw new UsageError('nothing to apply: give --drop incorrect, --corrections and/or --decisions');
    const dirs = args.positionals.flatMap(expandPlanArg);
    const inputs = dirs.map((d) => readPlan(d).datasetAbs);
    const file = guardOutput(out, { planDirs: dirs, inputs });
    guardOutput(manifestPath(file), { planDirs: dirs, inputs, flag: '--out (its manifest)' });
    const r = applyCuration(dirs, file, opts);
    for (const w of r.warnings) io.err(`warning: ${w}\n`);
    emit(
      args,
      io,
      { input: r.input, output: r.output, records: r.records, kept: r.kept, dropped: r.dropped, corrected: r.corrected },
      () => `${r.output}\n  ${r.kept} of ${r.records} records kept: ${r.dropped} dropped, ${r.corrected} corrected (manifest: ${path.basename(r.manifest)})\n`,
    );
    return 0;
  },
};
