import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tally } from '../../core/eval/mcq';
import { mcqJobs, runMcqEval } from '../../core/eval/mcqRun';
import { guardOutput } from '../../core/outputGuard';
import { UsageError } from '../args';
import type { Command } from '../command';
import { BATCH_REPEATABLE_FLAGS, BATCH_USAGE, BATCH_VALUE_FLAGS, batchAsker, batchMode, reportBatchImport, writeBatchRequests } from '../batchArgs';
import { DATASET_FLAGS, openDatasetFromArgs } from '../datasetArgs';
import { ENDPOINT_USAGE, endpointFlags, pct, setupEndpoint, withInterrupt } from '../endpointArgs';

function table(title: string, t: Record<string, Tally>): string[] {
  const keys = Object.keys(t).sort();
  if (keys.length === 0) return [];
  const w = Math.max(8, ...keys.map((k) => k.length));
  return ['', `${title}:`, ...keys.map((k) => `  ${k.padEnd(w)}  ${pct(t[k].accuracy).padStart(8)}  (${t[k].correct}/${t[k].n})`)];
}

export const evalMcq: Command = {
  name: 'eval-mcq',
  usage: [
    'cocurate eval-mcq FILE --endpoint URL --model M [--concurrency N] [--limit K] [--out ANSWERS.jsonl] [--json]',
    '  Prompt: the question, "A. …" option lines, then "Answer with the option\'s letter from the given choices directly."',
    '  --out    per-item answers (default .curator/reports/eval-mcq-<name>.jsonl)',
    'cocurate eval-mcq FILE --endpoint URL --model M --batch-out DIR | --batch-in FILE...   (two phases through batch files)',
    ENDPOINT_USAGE,
    BATCH_USAGE,
  ].join('\n'),
  flags: endpointFlags({ values: [...DATASET_FLAGS, 'limit', 'out', ...BATCH_VALUE_FLAGS], repeatable: BATCH_REPEATABLE_FLAGS }),
  async run(args, io) {
    const given = args.str('out');
    if (given) guardOutput(given, { inputs: args.positionals.slice(0, 1) });
    const ds = openDatasetFromArgs(args.positionals[0], args);
    try {
      const limit = args.num('limit');
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError('--limit must be a positive integer');
      const { profile, asker: liveAsker, curationFolder } = setupEndpoint(args, ds.path);
      const mode = batchMode(args, args.positionals.slice(1));
      if (mode.kind === 'out') {
        const { jobs } = await mcqJobs(ds, limit);
        if (jobs.length === 0) {
          io.err(`cocurate eval-mcq: ${ds.path}: no multiple-choice records (format ${ds.format}; try --format or --map)\n`);
          return 2;
        }
        const entries = jobs.map((j) => ({ key: j.item.key, item: () => j.item }));
        return await withInterrupt((signal) => writeBatchRequests(entries, liveAsker, mode.dir, `eval-mcq-${profile.slug}`, args, io, signal));
      }
      const fromBatch = mode.kind === 'in' ? batchAsker(liveAsker, mode.files) : undefined;
      const asker = fromBatch?.asker ?? liveAsker;
      const run = await withInterrupt((signal) =>
        runMcqEval(ds, asker, {
          limit,
          concurrency: profile.concurrency,
          signal,
          onProgress: (done, total) => {
            if (!args.bool('json')) io.err(`\r${done}/${total} answered`);
          },
        }),
      );
      const { rows, report, skipped } = run;
      if (rows.length === 0) {
        io.err(`cocurate eval-mcq: ${ds.path}: no multiple-choice records (format ${ds.format}; try --format or --map)\n`);
        return 2;
      }
      if (!args.bool('json')) io.err('\n');
      if (fromBatch) reportBatchImport('eval-mcq', fromBatch.output, fromBatch.asker, io);
      const out = guardOutput(given ?? path.join(curationFolder, 'reports', `eval-mcq-${profile.slug}.jsonl`), { inputs: [ds.path] });
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const summary = { file: ds.path, model: profile.model, profile: profile.name, answers: out, skipped, cancelled: run.cancelled, ...report };
      if (args.bool('json')) io.out(JSON.stringify(summary, null, 2) + '\n');
      else {
        io.out(
          [
            `${ds.path}: ${report.items} MCQ item(s)${skipped ? ` (${skipped} other record(s) skipped)` : ''}; model ${profile.name}`,
            `  accuracy ${pct(report.accuracy)}  (${report.correct}/${report.answered}; unparsed ${report.unparsed}, failed ${report.failed})`,
            ...table('By question type', report.byType),
            ...table('By concern', report.byConcern),
            ...table('By number of images', report.byImages),
            '',
            `Per-item answers: ${out}`,
            '',
          ].join('\n'),
        );
      }
      if (run.cancelled) {
        io.err('cocurate eval-mcq: cancelled\n');
        return 2;
      }
      return report.failed > 0 ? 1 : 0;
    } finally {
      ds.close();
    }
  },
};
