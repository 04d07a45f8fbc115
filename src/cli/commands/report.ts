import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../core/atomicWrite';
import { guardOutput } from '../../core/outputGuard';
import { listPlans } from '../../core/plan';
import { buildReport } from '../../core/report/model';
import { formatFromName, renderReport, REPORT_FORMATS, type ReportFormat } from '../../core/report/render';
import { UsageError } from '../args';
import type { Command } from '../command';

/** A plan folder, a plan.json, or a curation folder (every plan under spotchecks/). */
function expandPlanArg(arg: string): string[] {
  const abs = path.resolve(arg);
  if (fs.existsSync(path.join(abs, 'plan.json')) || abs.endsWith('.json')) return [abs];
  const plans = listPlans(abs);
  if (plans.length) return plans.map((n) => path.join(abs, 'spotchecks', n));
  return [abs]; // readPlan names the problem
}

export const report: Command = {
  name: 'report',
  usage: [
    'cocurate report PLAN_DIR... [--compare] [--confidence 0.95] [--format md|html|json|csv] [--out FILE] [--no-drift]',
    '  PLAN_DIR     a spot-check folder (holding plan.json), or a curation folder (every plan in it)',
    '  --compare    difference between every pair of spot checks (Newcombe interval, Fisher exact p)',
    "  --format     default: from --out's extension, else md (--json is --format json)",
    '  --no-drift   do not re-hash the sampled records to detect changes in the dataset',
  ].join('\n'),
  flags: { values: ['confidence', 'format', 'out'], booleans: ['compare', 'no-drift'] },
  run(args, io) {
    if (args.positionals.length === 0) throw new UsageError('give at least one spot-check folder');
    const confidence = args.num('confidence', 0.95)!;
    if (!(confidence > 0 && confidence < 1)) throw new UsageError(`--confidence must lie between 0 and 1 (e.g. 0.95), got ${args.str('confidence')}`);
    const out = args.str('out');
    let format: ReportFormat | undefined;
    const f = args.str('format');
    if (f !== undefined) {
      if (!REPORT_FORMATS.includes(f as ReportFormat)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got "${f}"`);
      format = f as ReportFormat;
    } else if (args.bool('json')) format = 'json';
    else if (out) format = formatFromName(out);
    format ??= 'md';
    const dirs = args.positionals.flatMap(expandPlanArg);
    if (args.bool('compare') && dirs.length < 2) throw new UsageError('--compare needs at least two spot checks');
    const file = out ? guardOutput(out, { planDirs: dirs }) : undefined;
    const rep = buildReport(dirs, { confidence, compare: args.bool('compare'), checkDrift: !args.bool('no-drift') });
    const text = renderReport(rep, format);
    if (file) {
      writeFileAtomic(file, text);
      io.out(`${file}\n`);
    } else {
      io.out(text);
    }
    for (const s of rep.spotchecks) for (const w of s.warnings) io.err(`warning: ${s.name}: ${w}\n`);
    return 0;
  },
};
